/**
 * Adversarial review: hostile or broken input through the BUILT CLI (run `npm run build` first).
 * Pins behaviour verified by hand: report text and log text never put terminal escapes on the screen, an
 * encoded CR/LF in the Subject never becomes a header of the reply, broken NAT log files become one-line
 * warnings (never a stack trace) while the rest is read, and input files are never modified. The ipfw log here
 * shows no reply to our public address, so --our-networks confirms it (one-sided logs need that).
 */
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'
import type {AttributionResult} from '../../src/model.js'

const root = resolve(import.meta.dirname, '../..')
const fx = (file: string) => join(root, 'test/fixtures/adversarial/hostile-text', file)
const tmp = mkdtempSync(join(tmpdir(), 'natrace-adv-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function run(args: string[]): {code: number | null; stdout: string; stderr: string} {
  const r = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {encoding: 'utf8', env: {...process.env, TZ: 'UTC', NO_COLOR: '1'}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex')
// ESC, BEL and the 8-bit CSI (U+009B): any of them lets text drive the operator's terminal
const CONTROL = /[\u001b\u0007\u009b]/

describe('hostile text in reports, NAT logs and lease logs', () => {
  it('never prints terminal escapes from the report, the NAT evidence or a DHCP hostname, and still attributes', () => {
    const r = run(['attribute', fx('report.eml'), '--nat-logs', fx('security'), '--dhcp', fx('dhcpd.log'), '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('00:1e:c2:aa:bb:cc')
    expect(r.stdout).not.toMatch(CONTROL)
    expect(r.stderr).not.toMatch(CONTROL)
  })

  it('keeps an encoded CR/LF in the Subject out of the reply headers', () => {
    const out = join(tmp, 'drafts')
    const r = run(['draft', fx('report.eml'), '--nat-logs', fx('security'), '--dhcp', fx('dhcpd.log'), '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24', '--out', out, '--from', 'Abuse <abuse@isp.example>', '--org', 'ISP'])
    expect(r.code).toBe(0)
    const eml = readFileSync(join(out, 'reply.eml'), 'utf8')
    const headers = eml.slice(0, eml.search(/\r?\n\r?\n/))
    expect(headers).not.toMatch(/^(bcc|x-injected):/im)
    expect(headers).not.toMatch(CONTROL)
    expect(headers).toMatch(/^Subject: Re: /m)
  })

  it('never modifies its inputs', () => {
    const files = [fx('report.eml'), fx('security'), fx('dhcpd.log')]
    const before = files.map(sha)
    run(['attribute', fx('report.eml'), '--nat-logs', fx('security'), '--dhcp', fx('dhcpd.log'), '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24', '--json'])
    expect(files.map(sha)).toEqual(before)
  })
})

describe('broken NAT log files', () => {
  const good = 'Jun 18 18:53:34 gw kernel: ipfw: 1 Count TCP 192.168.0.23:52218 200.160.3.103:6881 in via em1\n'

  it('skips a line over 1 MiB with a warning naming file:line and reads the lines after it', () => {
    const p = join(tmp, 'overlong.log')
    writeFileSync(p, `Jun 18 18:50:00 gw kernel: ipfw: 1 Count TCP 192.168.0.9:40000 200.160.3.103:6881 in via em1 ${'A'.repeat(1_200_000)}\n${good}`)
    const r = run(['attribute', fx('report.eml'), '--nat-logs', p, '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24', '--json'])
    const out = JSON.parse(r.stdout) as AttributionResult
    expect(out.warnings).toContain(`${p}:1: line longer than 1048576 bytes: skipped`)
    expect(out.incidents[0]!.attribution.insideIp).toBe('192.168.0.23')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('reads a truncated gzip up to where it breaks, warns in one line, and says no more', () => {
    const lines = Array.from({length: 4000}, (_, i) => `Jun 18 18:${String(10 + Math.floor(i / 100)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} gw kernel: ipfw: 1 Count TCP 192.168.1.${i % 250}:${30000 + i} 198.51.100.${i % 200}:443 in via em1\n`)
    const gz = gzipSync(good + lines.join(''))
    const p = join(tmp, 'security.0.gz')
    writeFileSync(p, gz.subarray(0, Math.floor(gz.length / 2)))
    const r = run(['attribute', fx('report.eml'), '--nat-logs', p, '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24', '--json'])
    const out = JSON.parse(r.stdout) as AttributionResult
    expect(out.warnings.some((w) => w.startsWith(`${p}:`) && /truncated gzip: read up to line \d+/.test(w))).toBe(true)
    expect(out.incidents[0]!.attribution.insideIp).toBe('192.168.0.23')
    expect(r.stderr).toBe('')
  })

  it('turns a binary file and an empty file into warnings, not errors', () => {
    const bin = join(tmp, 'junk.bin')
    writeFileSync(bin, Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) % 256)))
    const empty = join(tmp, 'empty.log')
    writeFileSync(empty, '')
    const r = run(['attribute', fx('report.eml'), '--nat-logs', bin, empty, '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24', '--json'])
    expect(r.code).toBe(3)
    const out = JSON.parse(r.stdout) as AttributionResult
    expect(out.warnings.some((w) => w.startsWith(bin) && /binary/.test(w))).toBe(true)
    expect(out.incidents[0]!.attribution.status).toBe('not-found')
    expect(r.stderr).toBe('')
  })

  it('refuses an empty directory and a symlink loop in one line with exit 1', () => {
    const dir = mkdtempSync(join(tmp, 'empty-'))
    symlinkSync(join(tmp, 'loop-b'), join(tmp, 'loop-a'))
    symlinkSync(join(tmp, 'loop-a'), join(tmp, 'loop-b'))
    for (const p of [dir, join(tmp, 'loop-a')]) {
      const r = run(['attribute', fx('report.eml'), '--nat-logs', p, '--log-tz', 'UTC', '--our-networks', '203.0.113.0/24'])
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^natrace: /)
    }
  })
})
