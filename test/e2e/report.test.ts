import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

// runs the BUILT CLI (npm run build first; `npm test` does)
function natrace(...args: string[]): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, ['bin/run.js', 'report', ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const FIX = 'test/fixtures/report'

describe('natrace report (built CLI)', () => {
  it('prints the seed notification as JSON with UTC times, port roles and the zone assumption', () => {
    const r = natrace(`${FIX}/registro-br-masked-seed.eml`, '--public-ip', '200.1.2.3', '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j).toMatchObject({format: 'registro-br', reporter: 'CERT.br', ticket: 'NicBr-20130619-133', messageId: '<20130619131244.GA1234@cert.br>'})
    expect(j.replyTo).toContain('mail-abuse@nic.br')
    expect(j.incidents).toHaveLength(2)
    expect(j.incidents[0]).toMatchObject({
      time: '2013-06-18T18:53:34Z',
      times: ['2013-06-18T18:53:34Z', '2013-06-18T18:53:37Z', '2013-06-18T18:53:43Z'],
      publicIp: '200.1.2.3',
      publicPort: 52218,
      portRole: 'source',
      destIp: null,
      destPort: 6881,
      protocol: 'tcp',
    })
    expect(j.assumptions.some((a: {kind: string; text: string}) => a.kind === 'report-zone' && a.text.includes('America/Sao_Paulo'))).toBe(true)
  })

  it('prints a readable summary naming the reported zone', () => {
    const r = natrace(`${FIX}/registro-br-masked-seed.eml`, '--public-ip', '200.1.2.3')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('registro-br')
    expect(r.stdout).toContain('2013-06-18 15:53:34 -03:00 (America/Sao_Paulo)')
    expect(r.stdout).toContain('our source port')
  })

  it('asks for --public-ip instead of guessing a masked IP (exit 1, one line)', () => {
    const r = natrace(`${FIX}/registro-br-masked-seed.eml`)
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('--public-ip')
  })

  it.each([
    ['a missing file', ['does/not/exist.eml'], /does\/not\/exist\.eml: no such file/],
    ['an e-mail with no IP', [`${FIX}/no-ip.eml`], /no-ip\.eml: the e-mail names no IP address/],
    ['broken MIME without parts', [`${FIX}/broken-mime-no-parts.eml`], /broken-mime-no-parts\.eml: .*no IP address/],
  ])('rejects %s with one line naming the file, exit 1', (_what, args, msg) => {
    const r = natrace(...args)
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(msg)
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('rejects a binary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-report-'))
    const f = join(dir, 'photo.eml')
    writeFileSync(f, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]))
    const r = natrace(f)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/photo\.eml: binary file/)
  })

  it('still reads the report part of broken MIME (unclosed multipart, corrupt attachment)', () => {
    const r = natrace(`${FIX}/broken-mime-unclosed.eml`, '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.incidents[0]).toMatchObject({publicIp: '200.1.2.3', publicPort: 40001, portRole: 'source', destIp: '198.51.100.9', destPort: 22})
  })

  it('exits 2 on a bad flag value', () => {
    const r = natrace(`${FIX}/registro-br-masked-seed.eml`, '--report-tz', 'Nowhere/Place')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--report-tz/)
  })

  it('reads other formats through the same command: Shadowserver scan ports are listening ports', () => {
    const r = natrace(`${FIX}/shadowserver-scan-http-zip.eml`, '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.format).toBe('shadowserver-csv')
    expect(j.incidents.map((i: {portRole: string}) => i.portRole)).toEqual(['listening', 'listening', 'listening'])
  })

  it('flags incidents outside --our-networks', () => {
    const r = natrace(`${FIX}/xarf4-login-attack.json`, '--our-networks', '198.51.100.0/24', '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.incidents[0]).toMatchObject({publicIp: '203.0.113.120', publicPort: 44321, portRole: 'source', outsideOurNetworks: true})
    expect(j.assumptions.some((a: {kind: string}) => a.kind === 'not-our-network')).toBe(true)
  })

  it('strips terminal escapes from report text it prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-report-'))
    const f = join(dir, 'evil.txt')
    writeFileSync(f, '2013-06-18 15:53:34 UTC 198.51.100.7:4000 -> 192.0.2.1:22 \u001b]0;pwned\u0007\u001b[2J\n')
    const r = natrace(f)
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(/\u001b/)
  })
})
