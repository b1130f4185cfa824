import {describe, expect, it} from 'vitest'
import {readReport} from '../../src/report/index.js'
import {NatraceError} from '../../src/io/errors.js'

const SEED = 'test/fixtures/report/registro-br-masked-seed.eml'

describe('registro-br', () => {
  it('reads the masked seed notification with --public-ip: retransmits collapse, source ports are ours', async () => {
    const r = await readReport(SEED, {publicIp: '200.1.2.3'})
    expect(r.format).toBe('registro-br')
    expect(r.ticket).toBe('NicBr-20130619-133')
    expect(r.reporter).toBe('CERT.br')
    expect(r.language).toBe('pt-BR')
    expect(r.replyTo).toEqual(expect.arrayContaining(['cert@cert.br', 'mail-abuse@nic.br']))
    expect(r.messageId).toBe('<20130619131244.GA1234@cert.br>')
    expect(r.incidents).toHaveLength(2)
    const [a, b] = r.incidents
    expect(a!.publicIp).toBe('200.1.2.3')
    expect(a!.publicPort).toBe(52218)
    expect(a!.portRole).toBe('source')
    expect(a!.destIp).toBeNull()
    expect(a!.destPort).toBe(6881)
    expect(a!.protocol).toBe('tcp')
    // June 2013: Brasília had no DST → -03:00
    expect(new Date(a!.time).toISOString()).toBe('2013-06-18T18:53:34.000Z')
    expect(a!.times.map((t) => new Date(t).toISOString())).toEqual([
      '2013-06-18T18:53:34.000Z',
      '2013-06-18T18:53:37.000Z',
      '2013-06-18T18:53:43.000Z',
    ])
    expect(a!.zone).toEqual({zone: 'America/Sao_Paulo', how: 'sender'})
    expect(b!.publicPort).toBe(52518)
    expect(b!.times).toHaveLength(2)
    const z = r.assumptions.find((x) => x.kind === 'report-zone')
    expect(z?.text).toMatch(/America\/Sao_Paulo/)
    expect(r.assumptions.some((x) => x.kind === 'public-ip')).toBe(true)
  })

  it('refuses to guess the masked IP: asks for --public-ip', async () => {
    await expect(readReport(SEED)).rejects.toThrow(/--public-ip/)
    await expect(readReport(SEED)).rejects.toBeInstanceOf(NatraceError)
  })

  it('--report-tz overrides the sender convention and says so', async () => {
    const r = await readReport(SEED, {publicIp: '200.1.2.3', reportTz: 'UTC'})
    expect(new Date(r.incidents[0]!.time).toISOString()).toBe('2013-06-18T15:53:34.000Z')
    expect(r.incidents[0]!.zone).toEqual({zone: 'UTC', how: 'flag'})
    expect(r.assumptions.find((x) => x.kind === 'report-zone')?.text).toMatch(/--report-tz/)
  })
})
