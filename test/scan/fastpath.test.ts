/**
 * `natrace scan` reads conntrack and ipfw lines through their formats' scan fast path: the whole run must
 * give exactly what it gives with every line through the full parsers.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ScanDetector} from '../../src/scan/detector.js'
import {runScan} from '../../src/scan/run.js'
import type {RawDetection} from '../../src/scan/types.js'
import {conntrackContact, ipfwContact, parse, prng, randomIp, scanFast, T0} from './helpers.js'

const campus = (p: string) => new URL(`../fixtures/scan/campus/${p}`, import.meta.url).pathname

/** busy clients, a telnet sweeper, a vertical scanner and a BitTorrent client, in both formats */
function busyDay(n: number): {ipfw: string[]; conntrack: string[]} {
  const r = prng(7)
  const ipfw: string[] = []
  const ct: {at: number; text: string}[] = []
  for (let i = 0; i < n; i++) {
    const t = T0 + i * 40
    const x = r()
    let c: [string, number, string, number, boolean, 'tcp' | 'udp']
    if (x < 0.05) c = ['10.9.0.77', 40000 + i, randomIp(r), r() < 0.8 ? 23 : 2323, false, 'tcp']
    else if (x < 0.1) c = ['10.9.0.66', 45123, '198.51.100.20', 1 + (i % 900), r() < 0.02, 'tcp']
    else if (x < 0.2) c = ['10.9.0.88', 6881, randomIp(r, 60), 10000 + Math.floor(r() * 50000), r() < 0.4, r() < 0.5 ? 'udp' : 'tcp']
    else c = [`10.9.${Math.floor(r() * 4)}.${1 + Math.floor(r() * 200)}`, 30000 + Math.floor(r() * 30000), randomIp(r, 150), r() < 0.7 ? 443 : 80, r() < 0.97, 'tcp']
    const [src, sp, dst, dp, ok, proto] = c
    ipfw.push(...ipfwContact(t, proto === 'tcp' ? 'TCP' : 'UDP', src, sp, dst, dp, ok))
    ct.push(...conntrackContact(t, proto, src, sp, dst, dp, ok, ok ? 1500 : 3000))
  }
  return {ipfw, conntrack: ct.sort((a, b) => a.at - b.at).map((x) => x.text)}
}

describe('scan fast path', () => {
  it('gives the same run on the campus logs (detections, evidence, attribution, inputs, stats) as the full parsers', async () => {
    for (const log of ['conntrack.log', 'security']) {
      const opts = {natLogs: [campus(log)], dhcp: [campus('dhcpd.leases')], logTz: 'UTC'}
      const fast = await runScan(opts)
      const full = await runScan({...opts, fastPath: false})
      expect(fast.detections.length).toBeGreaterThan(0)
      expect(fast).toEqual(full)
    }
  })

  it('gives the same detections on a busy generated day in both formats, with the mixed-in lines it leaves to the parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-fastpath-'))
    const day = busyDay(4000)
    // lines the fast path leaves to the full parser: a syslog repeat, an IPv6 packet, a conntrack table entry
    day.ipfw.splice(10, 0, 'Mar  5 10:00:00 gw syslogd: last message repeated 3 times')
    day.ipfw.splice(500, 0, '2024-03-05T10:00:20+00:00 gw kernel: ipfw: 100 Count TCP [2001:db8::7]:40000 [2001:db8:1::9]:23 in via em1')
    day.conntrack.splice(300, 0, 'ipv4     2 tcp      6 431999 ESTABLISHED src=10.9.0.5 dst=8.8.8.8 sport=1000 dport=53 src=8.8.8.8 dst=203.0.113.7 sport=53 dport=1000 [ASSURED] mark=0 [start=Tue Mar  5 10:00:05 2024] use=2')
    for (const [name, lines] of Object.entries(day)) {
      const path = join(dir, `${name}.log`)
      writeFileSync(path, lines.join('\n') + '\n')
      const fast = await runScan({natLogs: [path], dhcp: [], logTz: 'UTC', natFormat: name})
      const full = await runScan({natLogs: [path], dhcp: [], logTz: 'UTC', natFormat: name, fastPath: false})
      expect(fast.detections.map((d) => `${d.kind} ${d.source.ip}`).sort()).toEqual(['horizontal 10.9.0.77', 'p2p 10.9.0.88', 'vertical 10.9.0.66'])
      expect(fast).toEqual(full)
    }
  })

  it('raises the same alerts while following (onAlert), evidence included', () => {
    const day = busyDay(1500)
    for (const [name, lines] of Object.entries(day)) {
      const full: RawDetection[] = []
      const det = new ScanDetector({onAlert: (d) => full.push(d)})
      for (const ev of parse(name, lines)) det.observe(ev, name)
      det.finish()
      const fast: RawDetection[] = []
      scanFast(name, lines, {onAlert: (d) => fast.push(d)})
      expect(full.length).toBeGreaterThan(0)
      expect(fast).toEqual(full)
    }
  })
})
