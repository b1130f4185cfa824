import {spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

// runs the BUILT CLI (npm run build first; `npm test` does)
function natrace(...args: string[]): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, ['bin/run.js', 'leases', ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1', TZ: 'UTC'}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const F = 'test/fixtures/lease/isc-reassigned'

/** one "natrace: …" line and no stack trace (other commands' load warnings, if any, are not ours) */
function expectOneLineError(stderr: string): void {
  expect(stderr.split('\n').filter((l) => l.startsWith('natrace:'))).toHaveLength(1)
  expect(stderr).not.toMatch(/^\s+at /m)
}
const both = ['--dhcp', `${F}/dhcpd.leases`, '--dhcp', `${F}/messages`, '--dhcp-tz', 'America/Sao_Paulo']

describe('natrace leases (built CLI)', () => {
  it('names the client holding the IP at the reported instant, with every evidence line', () => {
    const r = natrace('who', '192.168.0.23', '--at', '2013-06-18T15:53:34-03:00', ...both, '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j).toMatchObject({ip: '192.168.0.23', at: '2013-06-18T18:53:34Z', status: 'attributed', mac: '5c:f9:38:12:34:56', hostname: 'maria-note'})
    expect(j.holders[0].evidence.map((e: {file: string; line: number}) => `${e.file}:${e.line}`).sort()).toEqual([`${F}/dhcpd.leases:33`, `${F}/messages:13`])
    expect(j.history).toHaveLength(2)
  })

  it('names the earlier holder for traffic before the reassignment, reading a zone-less --at in --dhcp-tz and saying so', () => {
    const r = natrace('who', '192.168.0.23', '--at', '2013-06-18 12:10:00', ...both, '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j).toMatchObject({at: '2013-06-18T15:10:00Z', status: 'attributed', mac: '00:1e:c2:aa:bb:cc', hostname: 'joao-pc'})
    expect(j.assumptions[0].text).toBe('--at 2013-06-18 12:10:00 has no zone: read in --dhcp-tz America/Sao_Paulo = 2013-06-18T15:10:00Z')
  })

  it('answers not-found (exit 3) when only the current lease file is given and the traffic predates it', () => {
    const r = natrace('who', '192.168.0.40', '--at', '2013-06-18T16:00:00Z', '--dhcp', `${F}/dhcpd.leases`)
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('Status: not-found')
    expect(r.stdout).toContain('lease history for 192.168.0.40 starts at 2013-06-18T17:00:00Z, after 2013-06-18T16:00:00Z')
  })

  it('answers not-found between a release and the next holder', () => {
    const r = natrace('who', '192.168.0.23', '--at', '2013-06-18T17:00:00Z', ...both, '--json')
    expect(r.code).toBe(3)
    const j = JSON.parse(r.stdout)
    expect(j.status).toBe('not-found')
    expect(j.mac).toBeNull()
    expect(j.reason).toMatch(/^last lease of 192\.168\.0\.23 \(MAC 00:1e:c2:aa:bb:cc, host joao-pc\) ended at 2013-06-18T15:31:40Z/)
  })

  it('rejects a bad --at, a bad zone and a missing file with one line', () => {
    for (const args of [
      ['who', '192.168.0.23', '--at', 'yesterday', '--dhcp', F],
      ['who', '192.168.0.23', '--at', '2013-06-18 12:00', '--dhcp-tz', 'Mars/Olympus', '--dhcp', F],
    ]) {
      const r = natrace(...args)
      expect(r.code).toBe(2)
      expectOneLineError(r.stderr)
    }
    const m = natrace('who', '192.168.0.23', '--at', '2013-06-18T12:00:00Z', '--dhcp', `${F}/no-such-file`)
    expect(m.code).toBe(1)
    expectOneLineError(m.stderr)
    expect(m.stderr).toContain('no-such-file')
  })

  it('inspects sources: format, zone, range, counts and malformed lines', () => {
    const r = natrace('inspect', F, '--dhcp-tz', 'America/Sao_Paulo', '--year', '2013', '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    const msg = j.files.find((f: {file: string}) => f.file.endsWith('messages'))
    expect(msg).toMatchObject({format: 'isc-syslog', zone: 'America/Sao_Paulo', zoneHow: 'flag', malformed: 1, firstTime: '2013-06-18T14:02:11Z'})
    expect(msg.malformedFirst[0].line).toBe(17)
    const lf = j.files.find((f: {file: string}) => f.file.endsWith('dhcpd.leases'))
    expect(lf).toMatchObject({format: 'isc-leases', zone: 'UTC', zoneHow: 'format', counts: {lease: 5, expire: 1}})
  })

  it('prints NDJSON events, filtered by --ip', () => {
    const r = natrace('parse', `${F}/messages`, '--dhcp-tz', 'America/Sao_Paulo', '--year', '2013', '--ip', '192.168.0.23', '--json')
    expect(r.code).toBe(0)
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(rows.map((x) => x.event)).toEqual(['assign', 'assign', 'assign', 'release', 'assign'])
    expect(rows[0]).toEqual({
      file: `${F}/messages`, line: 4, format: 'isc-syslog', event: 'assign', time: '2013-06-18T14:02:11Z', ip: '192.168.0.23',
      mac: '00:1e:c2:aa:bb:cc', hostname: 'joao-pc', subscriber: null, leaseEnd: null,
    })
  })

  it('reports conflicting sources as ambiguous (exit 3): a static entry against a dynamic lease', () => {
    const L = 'test/fixtures/lease'
    const r = natrace('who', '10.30.0.20', '--at', '2013-06-18T18:30:00Z', '--dhcp', `${L}/kea/kea-leases4.csv`, '--dhcp', `${L}/static-conflict/static.csv`, '--json')
    expect(r.code).toBe(3)
    const j = JSON.parse(r.stdout)
    expect(j.status).toBe('ambiguous')
    expect(j.holders.map((h: {subscriber: string | null; mac: string}) => h.subscriber ?? h.mac).sort()).toEqual(['3c:22:fb:10:20:30', 'loja-99'])
  })
})
