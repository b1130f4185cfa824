import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {beforeAll, describe, expect, it} from 'vitest'

// runs the BUILT CLI (npm run build first; `npm test` does)
function natrace(...args: string[]): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, ['bin/run.js', 'logs', ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1', TZ: 'UTC'}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const FX = 'test/fixtures/nat'
let dir = ''
// syslog stamps take their year from the file's modification time: pin it so the test does not age
const MTIME = new Date('2026-06-01T00:00:00Z')

function place(rel: string, name: string): string {
  const p = join(dir, name)
  copyFileSync(join(FX, rel), p)
  utimesSync(p, MTIME, MTIME)
  return p
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'natrace-logs-'))
  place('ipfw/campus-gateway-count-log/security', 'security')
  place('conntrack/linux-cgnat-events/events.log', 'events.log')
  place('mikrotik/pppoe-bras-remote-syslog/firewall.log', 'firewall.log')
  // a rotated, gzip'd ipfw log cut off in the middle of the stream
  const gz = gzipSync(readFileSync(join(FX, 'ipfw/campus-gateway-count-log/security')))
  const cut = join(dir, 'security.0.gz')
  writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.7)))
  utimesSync(cut, MTIME, MTIME)
})

describe('natrace logs inspect (built CLI)', () => {
  it('describes a log: format, zone decision, time range in UTC and local, line counts and malformed lines', () => {
    const r = natrace('inspect', join(dir, 'security'), '--log-tz', 'America/Sao_Paulo', '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.files).toHaveLength(1)
    expect(j.files[0]).toMatchObject({
      format: 'ipfw',
      zone: 'America/Sao_Paulo',
      zoneHow: 'flag',
      records: 15,
      parsedLines: 15,
      ignoredLines: 2,
      malformed: 2,
      malformedLines: [15, 19],
      years: [2026],
    })
    expect(j.files[0].first).toMatchObject({utc: '2026-03-04T00:14:02Z', line: 1})
    expect(j.files[0].first.local).toBe('2026-03-03 21:14:02 -03:00 (America/Sao_Paulo)')
    expect(j.files[0].last).toMatchObject({utc: '2026-03-04T00:14:13Z', line: 18})
    expect(j.assumptions.map((a: {kind: string}) => a.kind)).toContain('log-zone')
  })

  it('says when the system zone was assumed', () => {
    const r = natrace('inspect', join(dir, 'events.log'))
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('format:    conntrack')
    expect(r.stdout).toContain('the system zone (no --log-tz given')
    expect(r.stdout).toContain('malformed: line 9:')
  })

  it('reads what precedes the cut of a truncated .gz and warns, naming the file', () => {
    const r = natrace('inspect', join(dir, 'security.0.gz'), '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.files[0].compressed).toBe('gzip')
    expect(j.files[0].format).toBe('ipfw')
    expect(j.files[0].warnings.join(' ')).toMatch(/truncated gzip/)
    expect(j.files[0].records).toBeGreaterThan(0)
    expect(j.files[0].records).toBeLessThan(15)
  })

  it.skipIf(spawnSync('xz', ['--version']).status !== 0 || spawnSync('zstd', ['--version']).status !== 0)('reads .xz and .zst logs whatever their names', () => {
    const text = readFileSync(join(FX, 'conntrack/linux-cgnat-events/events.log'))
    const xz = join(dir, 'ct.1')
    writeFileSync(xz, spawnSync('xz', ['-c'], {input: text}).stdout)
    const zs = join(dir, 'ct.2.zst')
    writeFileSync(zs, spawnSync('zstd', ['-c'], {input: text}).stdout)
    const r = natrace('inspect', xz, zs, '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.files.map((f: {compressed: string; format: string; records: number}) => [f.compressed, f.format, f.records])).toEqual([
      ['xz', 'conntrack', 9],
      ['zstd', 'conntrack', 9],
    ])
  })

  it('detects each file of a directory on its own', () => {
    const r = natrace('inspect', dir, '--json')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.stdout)
    const fmt = Object.fromEntries(j.files.map((f: {file: string; format: string}) => [f.file.split('/').pop(), f.format]))
    expect(fmt).toMatchObject({'security': 'ipfw', 'security.0.gz': 'ipfw', 'events.log': 'conntrack', 'firewall.log': 'mikrotik'})
  })

  it('fails in one line with exit 1 on a missing path and exit 2 on an unknown format', () => {
    const a = natrace('inspect', join(dir, 'nope.log'))
    expect(a.code).toBe(1)
    expect(a.stderr.trim().split('\n')).toHaveLength(1)
    expect(a.stderr).toContain('nope.log')
    const b = natrace('inspect', join(dir, 'security'), '--format', 'nosuch')
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/unknown NAT log format "nosuch": one of .*ipfw/)
    expect(b.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('natrace logs parse (built CLI)', () => {
  it('prints one NDJSON row per event with every field, null where the log has none', () => {
    const r = natrace('parse', join(dir, 'events.log'), '--json')
    expect(r.code).toBe(0)
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(rows.length).toBe(9)
    const keys = ['file', 'line', 'format', 'kind', 'time', 'end', 'protocol', 'insideIp', 'insidePort', 'outsideIp', 'outsidePort', 'outsidePortEnd', 'destIp', 'destPort', 'subscriber']
    for (const row of rows) expect(Object.keys(row).sort()).toEqual([...keys].sort())
    expect(rows[0]).toEqual({
      file: join(dir, 'events.log'),
      line: 1,
      format: 'conntrack',
      kind: 'session-start',
      time: '2026-03-03T21:14:02.118Z',
      end: null,
      protocol: 'tcp',
      insideIp: '100.70.3.21',
      insidePort: 51812,
      outsideIp: '198.51.100.44',
      outsidePort: 61812,
      outsidePortEnd: null,
      destIp: '203.0.113.80',
      destPort: 25,
      subscriber: null,
    })
    expect(rows.find((x) => x.kind === 'session-end')).toMatchObject({time: '2026-03-03T21:14:02.500Z', end: '2026-03-03T21:16:02.500Z'})
    expect(r.stderr).toContain('malformed')
  })

  it('keeps only events naming --ip and surfaces the PPPoE subscriber', () => {
    const r = natrace('parse', join(dir, 'firewall.log'), '--ip', '100.64.12.9', '--json')
    expect(r.code).toBe(0)
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({format: 'mikrotik', insideIp: '100.64.12.9', outsidePort: 2050, subscriber: 'joao', line: 2})
    // a message split over lines 4-5 is joined, also when the filter only matches its first half
    const split = natrace('parse', join(dir, 'firewall.log'), '--ip', '198.51.100.21', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(split).toHaveLength(1)
    expect(split[0]).toMatchObject({line: 4, outsideIp: '198.51.100.21', outsidePort: 33000, destIp: '203.0.113.81', destPort: 443, subscriber: 'ana'})
  })

  it('obeys --format and reads nothing a forced format does not understand', () => {
    const r = natrace('parse', join(dir, 'security'), '--format', 'pf', '--json')
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe('')
  })

  it('refuses a bad --log-tz in one line with exit 2', () => {
    const r = natrace('parse', join(dir, 'security'), '--log-tz', 'Mars/Olympus')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--log-tz')
  })
})
