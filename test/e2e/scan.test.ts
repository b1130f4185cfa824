/**
 * End to end: the BUILT CLI (`npm run build` first) — `natrace scan` on the planted-scanner campus
 * (test/fixtures/scan/campus, written by its make.mjs), on samples/, and `--follow` on a file appended to
 * while natrace runs.
 */
import {spawn, spawnSync} from 'node:child_process'
import {appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {DetectionOut, ScanResult} from '../../src/scan/run.js'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'bin/run.js')
const campus = (p: string) => join(root, 'test/fixtures/scan/campus', p)

function natrace(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, TZ: 'UTC'}, cwd: root})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const MACS = {scanner: '3c:52:82:66:02:bb', mirai: 'b0:c5:54:77:03:cc', slow: '3c:52:82:55:01:aa', torrent: '3c:52:82:88:04:dd', web: 'f0:18:98:99:05:ee'}

for (const log of ['security', 'conntrack.log']) {
  describe(`natrace scan on the planted-scanner campus (${log})`, () => {
    const run = natrace(['scan', '--nat-logs', campus(log), '--dhcp', campus('dhcpd.leases'), '--log-tz', 'UTC', '--json'])
    const out = JSON.parse(run.stdout) as ScanResult
    const scans = out.detections.filter((d) => d.kind !== 'p2p')
    const of = (mac: string) => out.detections.filter((d) => d.source.mac === mac)

    it('exits 0 and writes {detections: [...]}', () => {
      expect(run.code).toBe(0)
      expect(Array.isArray(out.detections)).toBe(true)
    })

    it('names the nmap -sS 10-10000 scanner by its MAC, with the psad-style range and evidence lines', () => {
      const [d, ...more] = of(MACS.scanner)
      expect(more).toEqual([])
      expect(d).toMatchObject({kind: 'vertical', direction: 'out', dangerLevel: 3, source: {ip: '10.20.0.66', hostname: 'nmap-box', attribution: 'attributed'}})
      expect(d!.targets.portRanges[0]!.text).toBe('[10-9957: 204 packets]')
      const nat = d!.evidence.find((e) => e.file.endsWith(log))!
      expect(readFileSync(campus(log), 'utf8').split('\n')[nat.line - 1]).toBe(nat.text)
      expect(d!.evidence.some((e) => e.file.endsWith('dhcpd.leases'))).toBe(true)
    })

    it('names the Mirai-style telnet sweeper and the slow SSH sweeper', () => {
      expect(of(MACS.mirai)[0]).toMatchObject({kind: 'horizontal', dangerLevel: 3})
      expect(of(MACS.mirai)[0]!.signatures[0]).toMatch(/^TELNET/)
      expect(of(MACS.slow)[0]).toMatchObject({kind: 'horizontal'})
      expect(of(MACS.slow)[0]!.signatures[0]).toMatch(/^SSH/)
    })

    it('reports the outside scanner of our public address as inbound', () => {
      const d = scans.find((x) => x.source.ip === '192.0.2.200')
      expect(d).toMatchObject({direction: 'in', kind: 'vertical', source: {attribution: 'outside', mac: null}})
    })

    it('does not flag the BitTorrent client as a scan (p2p), nor the busy web client at all', () => {
      expect(of(MACS.torrent).map((d: DetectionOut) => d.kind)).toEqual(['p2p'])
      expect(of(MACS.web)).toEqual([])
      expect(scans.map((d) => d.source.ip).sort()).toEqual(['10.20.0.55', '10.20.0.66', '10.20.0.77', '192.0.2.200'])
    })
  })
}

describe('natrace scan text, markdown and --explain', () => {
  it('prints one digest per source naming the client, and explains why the busy web client was not flagged', () => {
    const run = natrace(['scan', '--nat-logs', campus('security'), '--dhcp', campus('dhcpd.leases'), '--log-tz', 'UTC', '--explain', '10.20.0.99'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Source 10.20.0.66 = 3c:52:82:66:02:bb "nmap-box"')
    expect(run.stdout).toContain('Scanned TCP ports: [10-9957: 204 packets]')
    expect(run.stdout).toMatch(/Explain 10\.20\.0\.99:\n.*not-flagged: .*hosts answered the first contact/)
  })

  it('writes a Markdown digest', () => {
    const run = natrace(['scan', '--nat-logs', campus('conntrack.log'), '--markdown'])
    expect(run.stdout).toMatch(/^# natrace scan/)
    expect(run.stdout).toContain('| 10.20.0.66 |')
  })

  it('refuses a bad --direction with a usage error (exit 2)', () => {
    const run = natrace(['scan', '--nat-logs', campus('security'), '--direction', 'sideways'])
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('natrace scan on samples/ (the seed case)', () => {
  it('recognises joao-pc\'s BitTorrent SYNs to 6881-6889 as p2p, named by MAC, and flags no scan', () => {
    const run = natrace(['scan', '--nat-logs', join(root, 'samples/nat'), '--dhcp', join(root, 'samples/dhcp'), '--log-tz', 'America/Sao_Paulo', '--json'])
    const out = JSON.parse(run.stdout) as ScanResult
    expect(out.detections.filter((d) => d.kind !== 'p2p')).toEqual([])
    const p2p = out.detections.filter((d) => d.kind === 'p2p')
    expect(p2p.length).toBeGreaterThan(0)
    for (const d of p2p) expect(d.source).toMatchObject({ip: '192.168.0.23', mac: '00:1e:c2:aa:bb:cc', hostname: 'joao-pc'})
  })
})

describe('natrace scan --follow', () => {
  it('alerts once on a scanner appended to a live log while natrace runs, naming its MAC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-scan-follow-'))
    try {
      const log = join(dir, 'security')
      const src = readFileSync(campus('security'), 'utf8').split('\n')
      writeFileSync(log, src.slice(0, 2).join('\n') + '\n')
      const child = spawn(process.execPath, [bin, 'scan', '--nat-logs', log, '--dhcp', campus('dhcpd.leases'), '--log-tz', 'UTC', '--follow', '--json'], {
        cwd: root,
        env: {...process.env, TZ: 'UTC'},
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const until = async (test: () => boolean, ms: number) => {
        const end = Date.now() + ms
        while (!test()) {
          if (Date.now() > end || child.exitCode !== null) throw new Error(`timed out; stderr: ${stderr}`)
          await new Promise((r) => setTimeout(r, 50))
        }
      }
      try {
        await until(() => stderr.includes('following 1 file'), 20_000)
        // the Mirai camera's lines arrive in pieces, as a live log grows
        const mirai = src.filter((l) => l.includes('10.20.0.77:'))
        for (let i = 0; i < mirai.length; i += 20) {
          appendFileSync(log, mirai.slice(i, i + 20).join('\n') + '\n')
          await new Promise((r) => setTimeout(r, 100))
        }
        await until(() => stdout.includes('\n'), 20_000)
        await new Promise((r) => setTimeout(r, 500))
        const alerts = stdout.trim().split('\n').map((l) => JSON.parse(l) as DetectionOut)
        expect(alerts).toHaveLength(1) // crossed the threshold once; the quiet period holds the rest back
        expect(alerts[0]).toMatchObject({kind: 'horizontal', source: {ip: '10.20.0.77', mac: MACS.mirai, hostname: 'cam-garagem'}})
      } finally {
        child.kill('SIGTERM')
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
