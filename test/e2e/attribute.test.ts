/**
 * End to end: the BUILT CLI (`npm run build` first; `npm test` does it) on samples/ — the README's command.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AttributionResult} from '../../src/model.js'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'bin/run.js')
const sample = (p: string) => join(root, 'samples', p)
const SEED = [sample('reports/nicbr-portscan.eml'), '--nat-logs', sample('nat'), '--dhcp', sample('dhcp'), '--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo']

function natrace(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, TZ: 'UTC', ...env}, cwd: root})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('natrace attribute on samples/ (the seed case)', () => {
  const run = natrace(['attribute', ...SEED, '--json'])
  const out = JSON.parse(run.stdout) as AttributionResult
  const byPort = (p: number) => out.incidents.find((i) => i.publicPort === p)!

  it('exits 3 because one incident is ambiguous and one not found', () => {
    expect(run.code).toBe(3)
  })

  it('names joao-pc (not the current lease holder maria-note) for both scans from 192.168.0.23', () => {
    for (const port of [52218, 52518]) {
      const a = byPort(port).attribution
      expect(a.status).toBe('attributed')
      expect(a.mac).toBe('00:1e:c2:aa:bb:cc')
      expect(a.hostname).toBe('joao-pc')
      expect(a.insideIp).toBe('192.168.0.23')
    }
    expect(JSON.stringify(out.clients)).not.toContain('3c:07:54:11:22:33')
  })

  it('collapses the SYN retransmits into one incident with all reported instants, in UTC', () => {
    expect(byPort(52218).times).toEqual(['2013-06-18T18:53:34Z', '2013-06-18T18:53:37Z', '2013-06-18T18:53:43Z'])
    expect(out.report.ticket).toBe('NicBr-20130619-133')
    expect(byPort(52218).destIpMasked).toBe('xxx.xxx.3.103')
    expect(out.report.replyTo).toEqual(expect.arrayContaining(['cert@cert.br', 'abuse@registro.br']))
    expect(out.report.zone).toBe('America/Sao_Paulo')
  })

  it('gives file, line and raw text for each step of the chain', () => {
    const ev = byPort(52218).attribution.evidence
    const natLine = ev.find((e) => e.file.endsWith('security.0.gz'))!
    expect(natLine.text).toContain('192.168.0.23:52218 200.160.3.103:6881')
    // the line number points at that very line of the decompressed file
    const lines = execFileSync('zcat', [sample('nat/security.0.gz')], {encoding: 'utf8'}).split('\n')
    expect(lines[natLine.line - 1]).toBe(natLine.text)
    expect(ev.some((e) => e.file.endsWith('dhcpd.log') && e.text.includes('DHCPACK on 192.168.0.23 to 00:1e:c2:aa:bb:cc'))).toBe(true)
  })

  it('estimates the gateway clock running 4 s ahead, and says which zones it assumed', () => {
    expect(out.clockOffsetSeconds).toBe(4)
    const kinds = out.assumptions.map((a) => a.kind)
    expect(kinds).toEqual(expect.arrayContaining(['report-zone', 'log-zone', 'syslog-year', 'clock-offset']))
    expect(out.assumptions.find((a) => a.kind === 'report-zone')!.text).toMatch(/America\/Sao_Paulo/)
  })

  it('lists both candidates of the port-40001 incident as ambiguous, naming nobody', () => {
    const a = byPort(40001).attribution
    expect(a.status).toBe('ambiguous')
    expect(a.mac).toBeNull()
    expect(a.candidates.map((c) => c.insideIp).sort()).toEqual(['192.168.0.31', '192.168.0.35'])
  })

  it('says not-found for the 08:02 event because the logs do not reach back that far', () => {
    const a = byPort(33011).attribution
    expect(a.status).toBe('not-found')
    expect(a.step).toBe('nat')
    expect(a.reason).toMatch(/do not cover/)
  })

  it('prints the same facts as readable text', () => {
    const text = natrace(['attribute', ...SEED])
    expect(text.code).toBe(3)
    expect(text.stdout).toMatch(/ATTRIBUTED.*00:1e:c2:aa:bb:cc/)
    expect(text.stdout).toContain('AMBIGUOUS')
    expect(text.stdout).toContain('NOT FOUND')
    expect(text.stdout).toContain('2013-06-18 15:53:34 -03:00 (America/Sao_Paulo)')
    expect(text.stdout).toMatch(/Summary: 2 attributed, 1 ambiguous, 1 not found/)
  })

  it('never modifies an input file', () => {
    const files = ['reports/nicbr-portscan.eml', 'nat/security.0.gz', 'dhcp/dhcpd.leases'].map(sample)
    const before = files.map((f) => [statSync(f).mtimeMs, createHash('sha256').update(readFileSync(f)).digest('hex')])
    natrace(['attribute', ...SEED, '--json'])
    expect(files.map((f) => [statSync(f).mtimeMs, createHash('sha256').update(readFileSync(f)).digest('hex')])).toEqual(before)
  })
})

describe('natrace attribute on bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-bad-'))

  it('names a missing report file in one line and exits 1', () => {
    const r = natrace(['attribute', join(dir, 'nope.eml'), '--nat-logs', sample('nat')])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('nope.eml')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses an e-mail with no IP in one line (exit 1)', () => {
    const f = join(dir, 'noip.eml')
    writeFileSync(f, 'From: someone@example.org\nSubject: hello\nMessage-ID: <x@y>\n\nthere is nothing to attribute here\n')
    const r = natrace(['attribute', f, '--nat-logs', sample('nat')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/noip\.eml: .*IP/)
  })

  it('is a usage error (exit 2) without --nat-logs or with a bad zone', () => {
    expect(natrace(['attribute', ...SEED.slice(0, 1)]).code).toBe(2)
    const z = natrace(['attribute', ...SEED.slice(0, -1), 'Mars/Olympus'])
    expect(z.code).toBe(2)
    expect(z.stderr).toMatch(/--log-tz/)
  })

  it('keeps what a truncated gzip held, warns with file and line, and skips a binary file', () => {
    const nat = join(dir, 'nat')
    mkdirSync(nat, {recursive: true})
    // the older rotation is cut short (a copy interrupted); the scans sit in security.0.gz, intact
    const gz = readFileSync(sample('nat/security.1.gz'))
    writeFileSync(join(nat, 'security.1.gz'), gz.subarray(0, Math.floor(gz.length * 0.5)))
    copyFileSync(sample('nat/security.0.gz'), join(nat, 'security.0.gz'))
    copyFileSync(sample('nat/security'), join(nat, 'security'))
    writeFileSync(join(nat, 'core.bin'), Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) % 256)))
    const r = natrace(['attribute', sample('reports/nicbr-portscan.eml'), '--nat-logs', nat, '--dhcp', sample('dhcp'), '--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo', '--json'])
    expect(r.code).toBe(3)
    const out = JSON.parse(r.stdout) as AttributionResult
    expect(out.warnings.some((w) => /security\.1\.gz:\d+: truncated gzip/.test(w))).toBe(true)
    expect(out.warnings.some((w) => /core\.bin: .*binary/.test(w))).toBe(true)
    expect(out.incidents.find((i) => i.publicPort === 52218)!.attribution.mac).toBe('00:1e:c2:aa:bb:cc')
  })

  it('prints a JSON error object with --json', () => {
    const r = natrace(['attribute', join(dir, 'nope.eml'), '--nat-logs', sample('nat'), '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).error.exitCode).toBe(1)
  })
})
