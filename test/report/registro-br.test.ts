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

describe('registro-br ugly variants', () => {
  it('reads unquoted, reply-quoted, offset-stamped, ICMP and protocol-name lines', async () => {
    const {reportOf, iso} = await import('./helpers.js')
    const r = await reportOf(
      [
        'From: "CERT.br" <cert@cert.br>',
        'Subject: RE: [NicBr-20140101-7 ] varredura',
        'Date: Wed, 01 Jan 2014 12:00:00 -0200',
        '',
        '> 2013-12-31 23:59:58 200.1.2.3/40001->198.51.100.1/22 6(0)',
        '"2013-12-31 23:59:59 -0200" 200.1.2.3/40002->198.51.100.1/22 6(0)',
        '"2014-01-01 00:00:01" 200.1.2.3->198.51.100.1 1(8)',
        '"2014-01-01 00:00:02" 200.1.2.3:40003->198.51.100.1:53 UDP',
        '"2014-01-01 00:00:03" [2001:db8::5]/40004->2001:db8:1::1/443 6(0)',
      ].join('\n'),
    )
    expect(r.format).toBe('registro-br')
    expect(r.ticket).toBe('NicBr-20140101-7')
    const by = (p: number | null) => r.incidents.find((i) => i.publicPort === p)!
    // Brasília summer time in December 2013: -02:00
    expect(iso(by(40001).time)).toBe('2014-01-01T01:59:58Z')
    expect(by(40002).zone.how).toBe('stated')
    const icmp = by(null)
    expect(icmp).toMatchObject({protocol: 'icmp', portRole: null, destIp: '198.51.100.1'})
    expect(by(40003)).toMatchObject({protocol: 'udp', destPort: 53, portRole: 'source'})
    expect(by(40004)).toMatchObject({publicIp: '2001:db8::5', destIp: '2001:db8:1::1', destPort: 443})
  })
})

describe('registro-br sender convention', () => {
  it('applies Brasília time only for Brazilian senders: the same lines from elsewhere fall back to the Date offset', async () => {
    const {reportOf, iso, mail} = await import('./helpers.js')
    const r = await reportOf(mail({From: 'soc@soc.example', Subject: 'scan', Date: 'Tue, 18 Jun 2013 20:00:00 +0200'}, '"2013-06-18 15:53:34" 198.51.100.2/52218->192.0.2.3/6881 6(0)\n'))
    expect(r.format).toBe('registro-br')
    expect(r.incidents[0]!.zone).toEqual({zone: 'UTC+2', how: 'header'})
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T13:53:34Z')
  })
})
