/**
 * End to end: `natrace detnat lookup|table` on the BUILT CLI (`npm run build` first).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'bin/run.js')
const SPEC = '100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000'

function natrace(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, TZ: 'UTC'}, cwd: root})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('natrace detnat lookup', () => {
  it('names the inside address behind a public IP:port', () => {
    const r = natrace(['detnat', 'lookup', '--det-nat', SPEC, '--public', '203.0.113.1', '--port', '3023'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('-> inside 100.64.0.32')
    expect(r.stdout).toContain('port block 1024-3023 of 203.0.113.1')
  })

  it('gives the public address and port block of an inside address as JSON', () => {
    const r = natrace(['detnat', 'lookup', '--det-nat', SPEC, '--inside', '100.64.0.33', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.status).toBe('found')
    expect(out.matches).toEqual([expect.objectContaining({insideIp: '100.64.0.33', publicIp: '203.0.113.1', firstPort: 3024, lastPort: 5023})])
  })

  it('exits 3 with the reason when no rule maps the port (leftover ports after the last block)', () => {
    const r = natrace(['detnat', 'lookup', '--det-nat', SPEC, '--public', '203.0.113.1', '--port', '65100', '--json'])
    expect(r.code).toBe(3)
    expect(JSON.parse(r.stdout)).toMatchObject({status: 'not-found', matches: []})
  })

  it('uses the rule live at --time from a JSON config with validity periods, and lists both when no time is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-detnat-'))
    const file = join(dir, 'detnat.json')
    writeFileSync(
      file,
      JSON.stringify({
        rules: [
          {spec: SPEC, to: '2025-01-01T00:00:00Z'},
          {inside: '100.64.0.0/22', public: '203.0.113.0/27', ports: '1024-65535', block: 2000, order: 'round-robin', from: '2025-01-01T00:00:00Z'},
        ],
      }),
    )
    const before = natrace(['detnat', 'lookup', '--det-nat', file, '--public', '203.0.113.1', '--port', '1024', '--time', '2024-06-01T12:00:00Z'])
    expect(before.code).toBe(0)
    expect(before.stdout).toContain('inside 100.64.0.32')
    const after = natrace(['detnat', 'lookup', '--det-nat', file, '--public', '203.0.113.1', '--port', '1024', '--time', '2025-03-14 10:00:00', '--tz', 'America/Sao_Paulo'])
    expect(after.stdout).toContain('inside 100.64.0.1')
    expect(after.stdout).toContain('time read in America/Sao_Paulo')
    const unknown = natrace(['detnat', 'lookup', '--det-nat', file, '--public', '203.0.113.1', '--port', '1024'])
    expect(unknown.code).toBe(3)
    expect(unknown.stdout).toContain('ambiguous')
    expect(unknown.stdout).toContain('candidate inside 100.64.0.32')
    expect(unknown.stdout).toContain('candidate inside 100.64.0.1 ')
  })

  it('rejects a mapping that does not fit in one line, exit 2, no stack trace', () => {
    const r = natrace(['detnat', 'lookup', '--det-nat', '100.64.0.0/22=203.0.113.0/28,ports=1024-65535,block=2000', '--inside', '100.64.0.1'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('does not fit')
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })
})

describe('natrace detnat table', () => {
  it('prints every inside address with its public address and port block', () => {
    const r = natrace(['detnat', 'table', '--det-nat', '10.0.0.0/30=198.51.100.1,ports=1024-2047,block=256'])
    expect(r.code).toBe(0)
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('10.0.0.'))
    expect(rows.map((l) => l.split(/\s+/))).toEqual([
      ['10.0.0.0', '198.51.100.1', '1024-1279'],
      ['10.0.0.1', '198.51.100.1', '1280-1535'],
      ['10.0.0.2', '198.51.100.1', '1536-1791'],
      ['10.0.0.3', '198.51.100.1', '1792-2047'],
    ])
  })

  it('gives the whole mapping as JSON', () => {
    const r = natrace(['detnat', 'table', '--det-nat', SPEC, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.rules).toHaveLength(1)
    expect(out.rules[0].rows).toHaveLength(1024)
    expect(out.rules[0].rows[32]).toEqual({insideIp: '100.64.0.32', publicIp: '203.0.113.1', firstPort: 1024, lastPort: 3023})
  })
})
