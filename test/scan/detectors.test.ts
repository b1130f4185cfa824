import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ScanDetector} from '../../src/scan/detector.js'
import {byTime, conntrackContact, ipfwContact, ipfwLine, parse, prng, randomIp, scan, T0} from './helpers.js'

/** nmap -sS -p10-10000 against one host, every `step`-th port, a few open ports answering. */
function nmapSweep(step: number, open: number[] = [22, 80, 443]): string[] {
  const lines: string[] = []
  let i = 0
  for (let p = 10; p <= 10000; p += step, i++) lines.push(...ipfwContact(T0 + i * 100, 'TCP', '10.1.0.66', 45123, '198.51.100.20', p, open.includes(p)))
  return lines
}

describe('vertical scan (one source, one host, many ports)', () => {
  it('finds an nmap -sS 10-10000 sweep and prints its psad-style port range', () => {
    const {detections} = scan('ipfw', nmapSweep(49))
    expect(detections).toHaveLength(1)
    const d = detections[0]!
    expect(d).toMatchObject({kind: 'vertical', direction: 'out', sourceIp: '10.1.0.66', dangerLevel: 3})
    expect(d.targets.hosts).toBe(1)
    expect(d.targets.portRanges[0]!.text).toBe('[10-9957: 204 packets]')
    expect(d.evidence[0]!.line).toBe(1)
    expect(d.evidence[0]!.text).toContain('10.1.0.66:45123 198.51.100.20:10')
  })

  it('does not flag 19 ports on one host (below the default threshold of 20)', () => {
    const lines: string[] = []
    for (let i = 0; i < 19; i++) lines.push(...ipfwContact(T0 + i * 1000, 'TCP', '10.1.0.5', 40000 + i, '198.51.100.9', 1000 + i, true))
    expect(scan('ipfw', lines).detections).toEqual([])
  })

  it('never lowers the verdict when more distinct ports are probed (property)', () => {
    fc.assert(
      fc.property(fc.integer({min: 1, max: 60}), fc.integer({min: 0, max: 40}), (n, extra) => {
        const run = (k: number) => {
          const lines: string[] = []
          for (let i = 0; i < k; i++) lines.push(...ipfwContact(T0 + i * 500, 'TCP', '10.1.0.5', 41000, '198.51.100.9', 20 + i * 7, false))
          return scan('ipfw', lines).detections.length
        }
        expect(run(n + extra)).toBeGreaterThanOrEqual(run(n))
      }),
      {numRuns: 25},
    )
  })
})

describe('horizontal sweep (one source, many hosts, one port)', () => {
  it('names a Mirai-style telnet sweep (23 and 2323 count as one target) with its signature and danger level', () => {
    const r = prng(7)
    const lines: string[] = []
    for (let i = 0; i < 40; i++) lines.push(...ipfwContact(T0 + i * 1500, 'TCP', '10.1.0.77', 40000 + i, randomIp(r), i % 4 === 3 ? 2323 : 23, false))
    const [d, ...rest] = scan('ipfw', lines).detections
    expect(rest).toEqual([])
    expect(d).toMatchObject({kind: 'horizontal', sourceIp: '10.1.0.77', dangerLevel: 3})
    expect(d!.signatures[0]).toMatch(/^TELNET connection attempt, Mirai-style \(23\/2323\): 40 host/)
    expect(d!.reason).toContain('40 hosts probed on tcp/23+2323')
  })

  it('catches a slow sweep (one SSH probe every 2 minutes) inside the one-hour window', () => {
    const r = prng(9)
    const lines: string[] = []
    for (let i = 0; i < 28; i++) lines.push(ipfwLine(T0 + i * 120_000, 'TCP', `10.1.0.55:${50000 + i}`, `${randomIp(r)}:22`))
    const [d] = scan('ipfw', lines).detections
    expect(d).toMatchObject({kind: 'horizontal', sourceIp: '10.1.0.55'})
    expect(d!.signatures[0]).toMatch(/^SSH/)
  })

  it('misses a sweep slower than its window (documented limit), and catches it with a longer --window', () => {
    const r = prng(11)
    const lines: string[] = []
    for (let i = 0; i < 30; i++) lines.push(ipfwLine(T0 + i * 5 * 60_000, 'TCP', `10.1.0.55:${50000 + i}`, `${randomIp(r)}:22`))
    expect(scan('ipfw', lines).detections).toEqual([])
    expect(scan('ipfw', lines, {windowMs: 3 * 3600_000}).detections[0]).toMatchObject({kind: 'horizontal'})
  })

  it('does not flag a busy web client whose contacts were answered, and --explain says why', () => {
    const r = prng(3)
    const lines: string[] = []
    for (let i = 0; i < 900; i++) lines.push(...ipfwContact(T0 + i * 300, 'TCP', '10.1.0.99', 50000 + (i % 10000), randomIp(r), i % 3 ? 443 : 80, i % 10 !== 0))
    const {detections, explain} = scan('ipfw', lines, {explainIp: '10.1.0.99'})
    expect(detections).toEqual([])
    expect(explain.join('\n')).toMatch(/not flagged: .*on tcp\/443 but \d+ of \d+ first contacts answered \(a busy client, not a sweep\)/)
  })
})

describe('peer-to-peer is recognised and never reported as a scan', () => {
  it('reports a BitTorrent client (TCP to 6881-6889 peers, most unanswered) as p2p with its reason', () => {
    const r = prng(5)
    const lines: string[] = []
    for (let i = 0; i < 80; i++) lines.push(...ipfwContact(T0 + i * 700, 'TCP', '10.1.0.88', 51000 + i, randomIp(r, 80), 6881 + (i % 9), i % 3 === 0))
    const ds = scan('ipfw', lines).detections
    expect(ds.map((d) => d.kind)).toEqual(['p2p'])
    expect(ds[0]!.dangerLevel).toBe(0)
    expect(ds[0]!.reason).toMatch(/80 of 80 contacts to BitTorrent ports 6881–6999/)
  })

  it('reports a DHT node (UDP fan-out to random high ports, with replies) as p2p, not as a mixed scan', () => {
    const r = prng(6)
    const lines: string[] = []
    for (let i = 0; i < 120; i++) lines.push(...ipfwContact(T0 + i * 300, 'UDP', '10.1.0.88', 6881, randomIp(r, 60), 10000 + Math.floor(r() * 55000), i % 2 === 0))
    const ds = scan('ipfw', lines).detections
    expect(ds.map((d) => d.kind)).toEqual(['p2p'])
    expect(ds[0]!.reason).toMatch(/UDP fan-out to 1[12][0-9] peers on 1[12][0-9] random high ports, \d+% answered \(DHT-like\)/)
  })

  it('still reports a telnet sweep made by a host that also runs BitTorrent, with the p2p traffic set aside', () => {
    const r = prng(8)
    const lines: string[] = []
    for (let i = 0; i < 60; i++) lines.push(...ipfwContact(T0 + i * 500, 'TCP', '10.1.0.88', 51000 + i, randomIp(r, 80), 6881 + (i % 9), i % 3 === 0))
    for (let i = 0; i < 30; i++) lines.push(...ipfwContact(T0 + 40_000 + i * 500, 'TCP', '10.1.0.88', 42000 + i, randomIp(r, 120), 23, false))
    const ds = scan('ipfw', lines.sort()).detections
    expect(ds.map((d) => d.kind)).toEqual(['horizontal'])
    expect(ds[0]!.reason).toMatch(/peer-to-peer traffic set aside/)
  })
})

describe('Threshold Random Walk on first-contact outcomes', () => {
  it('flags a source whose first contacts fail (conntrack [UNREPLIED]) below every count threshold', () => {
    const r = prng(12)
    const ev = []
    for (let i = 0; i < 8; i++) ev.push(...conntrackContact(T0 + i * 2000, 'tcp', '10.1.0.44', 40000 + i, randomIp(r), [22, 80, 443, 3389, 8080, 25, 110, 445][i]!, false))
    const [d] = scan('conntrack', byTime(ev)).detections
    expect(d).toBeDefined()
    // the walk crosses ln(β/α) after 4 failures; natrace reports it once 6 failed in the current walk
    expect(d!.trw).toMatchObject({decided: 'scanner', afterContacts: 6})
    expect(d!.reason).toMatch(/Threshold Random Walk decided "scanner" after 6 first contacts/)
    expect(d!.kind).toBe('mixed')
  })

  it('does not flag a flaky client whose failures come between answered contacts', () => {
    const r = prng(14)
    const ev = []
    // 200 first contacts, every fifth one fails: the walk keeps returning to "benign"
    for (let i = 0; i < 200; i++) ev.push(...conntrackContact(T0 + i * 1000, 'tcp', '10.1.0.45', 40000 + i, randomIp(r), [22, 8080, 25, 110, 143, 3389][i % 6]!, i % 5 !== 0))
    expect(scan('conntrack', byTime(ev)).detections).toEqual([])
  })

  it('does not flag a client with the same number of contacts when they were answered ([ASSURED])', () => {
    const r = prng(12)
    const ev = []
    for (let i = 0; i < 8; i++) ev.push(...conntrackContact(T0 + i * 2000, 'tcp', '10.1.0.44', 40000 + i, randomIp(r), [22, 80, 443, 3389, 8080, 25, 110, 445][i]!, true))
    expect(scan('conntrack', byTime(ev)).detections).toEqual([])
  })

  it('reads unanswered one-sided contacts only once the log has shown replies (ipfw without any reply: no TRW)', () => {
    const r = prng(13)
    const lines: string[] = []
    for (let i = 0; i < 10; i++) lines.push(ipfwLine(T0 + i * 20_000, 'TCP', `10.1.0.44:${40000 + i}`, `${randomIp(r)}:${[22, 80, 443, 3389, 8080, 25, 110, 445, 21, 143][i]}`))
    expect(scan('ipfw', lines).detections).toEqual([])
    // the same contacts with another client's answered traffic in the log: now silence means "unanswered"
    const with_ = [...lines, ...ipfwContact(T0 + 1000, 'TCP', '10.1.0.99', 50000, '192.0.2.80', 443, true)].sort()
    const [d] = scan('ipfw', with_).detections
    expect(d).toMatchObject({sourceIp: '10.1.0.44'})
    expect(d!.trw.decided).toBe('scanner')
  })
})

describe('SYN-only attempts', () => {
  it('reports SYN-only probes from iptables LOG lines (SYN without ACK) to scattered ports', () => {
    const r = prng(21)
    const lines: string[] = []
    for (let i = 0; i < 20; i++) {
      const h = `Mar  5 10:${String(Math.floor(i / 2)).padStart(2, '0')}:${String((i % 2) * 30).padStart(2, '0')} fw kernel: [812.44] FWD:DROP:IN=eth1 OUT=eth0 MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00`
      lines.push(`${h} SRC=10.1.0.33 DST=${randomIp(r)} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=${i} DF PROTO=TCP SPT=${40000 + i} DPT=${[80, 443, 8080, 22][i % 4]} WINDOW=64240 RES=0x00 SYN URGP=0`)
    }
    const [d] = scan('iptables', lines).detections
    expect(d).toMatchObject({kind: 'syn-only', sourceIp: '10.1.0.33'})
    expect(d!.tcpFlags).toEqual({synOnly: 20, withAck: 0})
  })
})

describe('inbound scans (psad case)', () => {
  it('reports an outside source probing many ports of our public address, and not the replies our clients receive', () => {
    const lines: string[] = []
    const ports = [21, 22, 23, 25, 80, 110, 135, 139, 443, 445, 1433, 3306, 3372, 3389, 5432, 5900, 6379, 8080, 9100, 9200, 111, 873]
    ports.forEach((p, i) => lines.push(ipfwLine(T0 + i * 300, 'TCP', '192.0.2.200:61000', `203.0.113.7:${p}`, 'in via em0')))
    // replies to a client's web traffic arrive on the public address too
    for (let i = 0; i < 40; i++) lines.push(ipfwLine(T0 + i * 200, 'TCP', `192.0.2.${10 + i}:443`, `203.0.113.7:${50000 + i}`, 'in via em0'))
    const ds = scan('ipfw', lines.sort()).detections
    expect(ds).toHaveLength(1)
    expect(ds[0]).toMatchObject({kind: 'vertical', direction: 'in', sourceIp: '192.0.2.200'})
    const names = ds[0]!.signatures.map((s) => s.replace(/:.*/, ''))
    for (const n of ['MISC HP JetDirect printer access (9100)', 'MISC VNC connection attempt (5900)', 'MISC MS Terminal Server request (3389)', 'DOS MSDTC attempt (3372)', 'MS-SQL server connection attempt (1433)'])
      expect(names).toContain(n)
    // a signature of level 3 (telnet) lifts the danger level above the packet-count level (22 packets → 2)
    expect(ds[0]!.dangerLevel).toBe(3)
  })

  it('--direction out leaves inbound sources out', () => {
    const lines: string[] = []
    for (let i = 0; i < 25; i++) lines.push(ipfwLine(T0 + i * 300, 'TCP', '192.0.2.200:61000', `203.0.113.7:${100 + i}`, 'in via em0'))
    expect(scan('ipfw', lines, {direction: 'out'}).detections).toEqual([])
    expect(scan('ipfw', lines, {direction: 'in'}).detections).toHaveLength(1)
  })
})

describe('bounded state', () => {
  it('closes idle windows as the log clock advances and never tracks more sources than allowed', () => {
    const det = new ScanDetector({maxSources: 100})
    const r = prng(4)
    let n = 0
    for (let i = 0; i < 2000; i++) {
      const [ev] = parse('ipfw', [ipfwLine(T0 + i * 1000, 'TCP', `10.2.${i >> 8}.${i & 255}:40000`, `${randomIp(r)}:443`)])
      det.observe(ev!, 'ipfw')
      n = Math.max(n, det.tracked)
    }
    expect(n).toBeLessThanOrEqual(100)
    // 20 minutes later every one of them was idle past the 10-minute default
    const [late] = parse('ipfw', [ipfwLine(T0 + 2000 * 1000 + 20 * 60_000, 'TCP', '10.3.0.1:40000', '192.0.2.1:443')])
    det.observe(late!, 'ipfw')
    det.observe({...late!, time: late!.time + 1000}, 'ipfw')
    expect(det.tracked).toBe(1)
  })

  it('alerts once when a source crosses a threshold while following (onAlert), then keeps counting quietly', () => {
    const alerts: string[] = []
    const det = new ScanDetector({onAlert: (d) => alerts.push(`${d.kind} ${d.sourceIp} ${d.targets.hosts}`)})
    const r = prng(2)
    for (let i = 0; i < 60; i++) for (const ev of parse('ipfw', [ipfwLine(T0 + i * 1000, 'TCP', `10.1.0.77:${40000 + i}`, `${randomIp(r)}:23`)])) det.observe(ev, 'ipfw')
    expect(alerts).toEqual(['horizontal 10.1.0.77 25'])
    expect(det.finish().detections).toEqual([]) // already alerted: closed windows are not kept in follow mode
  })
})
