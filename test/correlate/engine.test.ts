import {describe, expect, it} from 'vitest'
import fc from 'fast-check'
import {correlate, type CorrelateOptions} from '../../src/correlate/engine.js'
import {buildIntervals} from '../../src/correlate/intervals.js'
import {buildHoldings} from '../../src/lease/holdings.js'
import type {Incident, LeaseEvent, NatEvent} from '../../src/model.js'

const T0 = Date.UTC(2013, 5, 18, 18, 53, 34)
const s = (sec: number) => T0 + sec * 1000
let lineNo = 0

function incident(over: Partial<Incident> = {}): Incident {
  const time = over.time ?? T0
  return {
    time,
    times: over.times ?? [time],
    publicIp: '203.0.113.5',
    publicPort: 52218,
    portRole: 'source',
    destIp: '200.160.3.103',
    destPort: 6881,
    protocol: 'tcp',
    zone: {zone: 'America/Sao_Paulo', how: 'sender'},
    raw: 'reported line',
    ...over,
  }
}

function nat(over: Partial<NatEvent>): NatEvent {
  lineNo++
  return {
    kind: 'session-start',
    time: T0,
    end: null,
    protocol: 'tcp',
    insideIp: '192.168.0.23',
    insidePort: 52218,
    outsideIp: '203.0.113.5',
    outsidePort: 52218,
    outsidePortEnd: null,
    destIp: '200.160.3.103',
    destPort: 6881,
    subscriber: null,
    evidence: {file: 'nat.log', line: lineNo, text: `nat line ${lineNo}`},
    ...over,
  }
}

function packet(ip: string, port: number, at: number, dest = '200.160.3.103'): NatEvent {
  return nat({kind: 'packet', time: at, insideIp: ip, insidePort: port, outsideIp: null, outsidePort: null, destIp: dest, srcIp: ip, srcPort: port, dstIp: dest, dstPort: 6881})
}

function lease(ip: string, mac: string, from: number, to: number, host = 'pc'): LeaseEvent {
  lineNo++
  return {event: 'lease', time: from, ip, mac, hostname: host, subscriber: null, leaseEnd: to, evidence: {file: 'dhcpd.leases', line: lineNo, text: `lease ${ip} ${mac}`}}
}

const H = 3600_000
const opts: CorrelateOptions = {maxSkewMs: 120_000, natCoverage: [{first: s(-2 * 3600), last: s(2 * 3600)}], haveLeases: true, reportZone: 'America/Sao_Paulo'}

function run(incidents: Incident[], events: NatEvent[], leases: LeaseEvent[], o: Partial<CorrelateOptions> = {}) {
  return correlate(incidents, buildIntervals(events), buildHoldings(leases), {...opts, ...o})
}

describe('correlate: translations (two-sided logs)', () => {
  it('attributes a reported public ip:port to the inside client of the translation and its lease holder, with evidence', () => {
    const r = run([incident()], [nat({time: s(1)}), nat({kind: 'session-end', time: s(60), end: s(60)})], [lease('192.168.0.23', '00:1e:c2:aa:bb:cc', s(-H), s(H))])
    const a = r.incidents[0]!.attribution
    expect(a.status).toBe('attributed')
    expect(a.mac).toBe('00:1e:c2:aa:bb:cc')
    expect(a.insideIp).toBe('192.168.0.23')
    expect(a.evidence.map((e) => e.file)).toEqual(expect.arrayContaining(['nat.log', 'dhcpd.leases']))
    expect(a.evidence.every((e) => e.line > 0 && e.text.length > 0)).toBe(true)
    expect(r.clients).toHaveLength(1)
  })

  it('does not match a translation to another destination port', () => {
    const r = run([incident()], [nat({destPort: 443})], [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H))])
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
    expect(r.incidents[0]!.attribution.step).toBe('nat')
  })

  it('does not match a translation of another public address (CGNAT pool)', () => {
    const r = run([incident()], [nat({outsideIp: '203.0.113.6'})], [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H))])
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
  })

  it('says the logs do not cover the time rather than "no record" when the incident is outside every file', () => {
    const r = run([incident({time: s(-5 * 3600), times: [s(-5 * 3600)]})], [nat({})], [])
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
    expect(r.incidents[0]!.attribution.reason).toMatch(/do not cover/)
  })

  it('reports ambiguous when the same public port maps to two clients and the report gives no destination', () => {
    const r = run(
      [incident({destIp: null, destPort: null})],
      [nat({time: s(0), destIp: '198.51.100.1', destPort: 80}), nat({time: s(1), insideIp: '192.168.0.40', destIp: '198.51.100.2', destPort: 80})],
      [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H)), lease('192.168.0.40', 'bb:bb:bb:bb:bb:bb', s(-H), s(H))],
    )
    const a = r.incidents[0]!.attribution
    expect(a.status).toBe('ambiguous')
    expect(a.candidates.map((c) => c.insideIp).sort()).toEqual(['192.168.0.23', '192.168.0.40'])
    expect(a.mac).toBeNull()
  })

  it('caps an open translation at the next translation of the same public port for another client', () => {
    // .23 opened the mapping (no end logged); at +300 s the NAT gave the port to .40: a report at +400 s is .40's
    const r = run(
      [incident({time: s(400), times: [s(400)], destIp: null, destPort: null})],
      [nat({kind: 'mapping', time: s(0), destIp: null, destPort: null}), nat({kind: 'mapping', time: s(300), insideIp: '192.168.0.40', destIp: null, destPort: null})],
      [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H)), lease('192.168.0.40', 'bb:bb:bb:bb:bb:bb', s(-H), s(H))],
      {maxSkewMs: 30_000},
    )
    expect(r.incidents[0]!.attribution.status).toBe('attributed')
    expect(r.incidents[0]!.attribution.insideIp).toBe('192.168.0.40')
  })
})

describe('correlate: lease history', () => {
  it('does not blame the current lease holder for traffic before its lease started', () => {
    // the lease file only knows the new holder, from +1 h; nothing says who had the address at T
    const r = run([incident()], [nat({})], [lease('192.168.0.23', '3c:07:54:11:22:33', s(3600), s(3 * 3600))])
    const a = r.incidents[0]!.attribution
    expect(a.status).toBe('not-found')
    expect(a.step).toBe('lease')
    expect(a.mac).toBeNull()
    expect(a.insideIp).toBe('192.168.0.23')
    expect(a.reason).toMatch(/starts at/)
  })

  it('names the earlier holder for traffic before a reassignment and the later one after it', () => {
    const leases = [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-2 * 3600), s(1800)), lease('192.168.0.23', 'bb:bb:bb:bb:bb:bb', s(1900), s(4 * 3600))]
    const before = run([incident()], [nat({})], leases)
    expect(before.incidents[0]!.attribution.mac).toBe('aa:aa:aa:aa:aa:aa')
    const after = run([incident({time: s(3600), times: [s(3600)]})], [nat({time: s(3600)})], leases)
    expect(after.incidents[0]!.attribution.mac).toBe('bb:bb:bb:bb:bb:bb')
  })

  it('reports ambiguous when two lease sources claim the address at the same time', () => {
    // both clients keep renewing the same address (two servers, a flip-flop): neither holding is cut
    const leases = [
      lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H)),
      lease('192.168.0.23', 'bb:bb:bb:bb:bb:bb', s(-H / 2), s(H)),
      lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H / 4), s(H)),
    ]
    const r = run([incident()], [nat({})], leases)
    expect(r.incidents[0]!.attribution.status).not.toBe('attributed')
    expect(r.incidents[0]!.attribution.mac).toBeNull()
  })

  it('does not name anyone when no lease source was given', () => {
    const r = run([incident()], [nat({})], [], {haveLeases: false})
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
    expect(r.incidents[0]!.attribution.reason).toMatch(/--dhcp/)
  })
})

describe('correlate: one-sided packet logs (ipfw, pf, iptables)', () => {
  const L = [lease('192.168.0.31', '00:00:00:00:00:31', s(-H), s(H)), lease('192.168.0.35', '00:00:00:00:00:35', s(-H), s(H)), lease('192.168.0.23', '00:00:00:00:00:23', s(-H), s(H))]

  it('attributes SYN retransmits by destination, source port and time, and estimates the clock offset from the whole pattern', () => {
    const times = [s(0), s(3), s(9)]
    const r = run([incident({times})], times.map((t) => packet('192.168.0.23', 52218, t + 4000)), L)
    expect(r.incidents[0]!.attribution.status).toBe('attributed')
    expect(r.incidents[0]!.attribution.mac).toBe('00:00:00:00:00:23')
    expect(r.clockOffsetSeconds).toBe(4)
  })

  it('is ambiguous when two clients used the port within a second of each other', () => {
    const r = run([incident({publicPort: 40001})], [packet('192.168.0.31', 40001, s(4)), packet('192.168.0.35', 40001, s(5))], L)
    expect(r.incidents[0]!.attribution.status).toBe('ambiguous')
    expect(r.incidents[0]!.attribution.candidates).toHaveLength(2)
  })

  it('does not take a lone closer match on one event as evidence', () => {
    // .31 at +2 s, .35 at +40 s: nothing else in the report says what the clock offset is
    const r = run([incident({publicPort: 40001})], [packet('192.168.0.31', 40001, s(2)), packet('192.168.0.35', 40001, s(40))], L)
    expect(r.incidents[0]!.attribution.status).toBe('ambiguous')
  })

  it('singles out the candidate that fits the clock offset the other incidents agree on', () => {
    const incs = [
      incident({time: s(0), times: [s(0)], publicPort: 50001}),
      incident({time: s(600), times: [s(600)], publicPort: 50002}),
      incident({time: s(1200), times: [s(1200)], publicPort: 40001}),
    ]
    const events = [
      packet('192.168.0.23', 50001, s(0) + 30_000),
      packet('192.168.0.23', 50002, s(600) + 30_000),
      packet('192.168.0.31', 40001, s(1200) + 30_000),
      packet('192.168.0.35', 40001, s(1200) + 2_000),
    ]
    const r = run(incs, events, L)
    expect(r.clockOffsetSeconds).toBe(30)
    const a = r.incidents[2]!.attribution
    expect(a.status).toBe('attributed')
    expect(a.insideIp).toBe('192.168.0.31')
    expect(a.reason).toMatch(/clock offset/)
  })

  it('does not use a clock offset the incidents disagree on to pick a candidate', () => {
    const incs = [
      incident({time: s(0), times: [s(0)], publicPort: 50001}),
      incident({time: s(600), times: [s(600)], publicPort: 50002}),
      incident({time: s(1200), times: [s(1200)], publicPort: 50003}),
      incident({time: s(1800), times: [s(1800)], publicPort: 40001}),
    ]
    const events = [
      packet('192.168.0.23', 50001, s(0) + 30_000),
      packet('192.168.0.23', 50002, s(600) - 50_000),
      packet('192.168.0.23', 50003, s(1200) + 80_000),
      packet('192.168.0.31', 40001, s(1800) + 30_000),
      packet('192.168.0.35', 40001, s(1800) - 50_000),
    ]
    const r = run(incs, events, L)
    expect(r.clockOffsetSeconds).toBeNull()
    expect(r.assumptions.find((a) => a.kind === 'clock-offset')!.text).toMatch(/could be established/)
    expect(r.incidents[3]!.attribution.status).toBe('ambiguous')
  })

  it('needs a destination to compare: a shared source port alone is not enough', () => {
    const r = run([incident({destIp: null, destPort: null})], [packet('192.168.0.23', 52218, s(1))], L)
    expect(r.incidents[0]!.attribution.status).toBe('ambiguous')
  })

  it('matches a masked destination by its visible octets only', () => {
    const base = {destIp: null, destIpMasked: 'xxx.xxx.3.103'}
    const ok = run([incident(base)], [packet('192.168.0.23', 52218, s(1))], L)
    expect(ok.incidents[0]!.attribution.status).toBe('attributed')
    const other = run([incident(base)], [packet('192.168.0.23', 52218, s(1), '200.160.4.103')], L)
    expect(other.incidents[0]!.attribution.status).toBe('not-found')
  })
})

describe('correlate: port blocks and report-side refusals', () => {
  it('attributes a port inside an allocated block to the block holder', () => {
    const block = nat({kind: 'port-block', phase: 'open', time: s(-600), insidePort: null, outsidePort: 52000, outsidePortEnd: 52999, destIp: null, destPort: null, protocol: null})
    const release = nat({kind: 'port-block', phase: 'close', time: s(600), end: s(600), insidePort: null, outsidePort: 52000, outsidePortEnd: 52999, destIp: null, destPort: null, protocol: null})
    const r = run([incident()], [block, release], [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H))])
    expect(r.incidents[0]!.attribution.status).toBe('attributed')
    const late = run([incident({time: s(900), times: [s(900)]})], [block, release], [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H))], {maxSkewMs: 60_000})
    expect(late.incidents[0]!.attribution.status).toBe('not-found')
  })

  it('never uses an attacked (destination) port as our source port', () => {
    const r = run([incident({portRole: 'destination', publicPort: 22})], [nat({insidePort: 22, outsidePort: 22})], [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H))])
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
    expect(r.incidents[0]!.attribution.step).toBe('report')
    expect(r.incidents[0]!.attribution.reason).toMatch(/RFC 6302/)
  })

  it('flags an address outside our networks instead of attributing it', () => {
    const r = run([incident({outsideOurNetworks: true})], [nat({})], [lease('192.168.0.23', 'aa:aa:aa:aa:aa:aa', s(-H), s(H))])
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
    expect(r.incidents[0]!.attribution.reason).toMatch(/not in our networks/)
  })
})

describe('correlate: never blames a client whose translation does not cover the time (property)', () => {
  it('an attributed incident always has a NAT record of that client within the skew window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ip: fc.constantFrom('192.168.0.10', '192.168.0.11', '192.168.0.12'), dt: fc.integer({min: -600, max: 600})}), {minLength: 1, maxLength: 6}),
        fc.integer({min: -300, max: 300}),
        (pkts, at) => {
          const leases = ['192.168.0.10', '192.168.0.11', '192.168.0.12'].map((ip, i) => lease(ip, `00:00:00:00:00:1${i}`, s(-H), s(H)))
          const r = run([incident({time: s(at), times: [s(at)], publicPort: 40001})], pkts.map((p) => packet(p.ip, 40001, s(p.dt))), leases)
          const a = r.incidents[0]!.attribution
          if (a.status !== 'attributed') return true
          const near = pkts.filter((p) => Math.abs(p.dt - at) <= 120)
          return near.length > 0 && near.every((p) => p.ip === a.insideIp)
        },
      ),
      {numRuns: 300},
    )
  })
})

describe('correlate: regressions found by the adversarial review', () => {
  const L = [lease('192.168.0.23', '00:00:00:00:00:23', s(-H), s(H))]

  it('closes a conntrack session at its DESTROY even when UPDATE records came between (no phantom open tail)', () => {
    const events = [
      nat({kind: 'session-start', time: s(0)}),
      nat({kind: 'mapping', phase: 'interim', time: s(1)}),
      nat({kind: 'mapping', phase: 'interim', time: s(2)}),
      // DESTROY with delta-time: states its start, logged at its end
      nat({kind: 'session-end', time: s(0), end: s(60)}),
    ]
    const r = run([incident({time: s(360), times: [s(360)]})], events, L, {maxSkewMs: 30_000})
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
  })

  it('reads the same log twice without inventing an open translation', () => {
    const once = [nat({kind: 'session-start', time: s(0)}), nat({kind: 'session-end', time: s(0), end: s(60)})]
    const twice = [...once, ...once.map((e) => ({...e, evidence: {...e.evidence, file: 'copy/nat.log'}}))]
    const r = run([incident({time: s(360), times: [s(360)]})], twice, L, {maxSkewMs: 30_000})
    expect(r.incidents[0]!.attribution.status).toBe('not-found')
  })

  it('does not attribute on a record whose stamp is in a repeated DST hour the log does not resolve', () => {
    const e = nat({kind: 'session-start', time: s(0), end: null, timeAlt: s(3600)})
    const r = run([incident()], [e, nat({kind: 'session-end', time: s(0), end: s(30), timeAlt: s(3600)})], L)
    expect(r.incidents[0]!.attribution.status).toBe('ambiguous')
    expect(r.incidents[0]!.attribution.reason).toMatch(/repeated DST hour/)
  })

  it('does not attribute through a one-sided log when nothing shows the reported public address is ours', () => {
    const r = run([incident()], [packet('192.168.0.23', 52218, s(1))], L, {publicIpConfirmed: (ip) => ip === '203.0.113.99'})
    expect(r.incidents[0]!.attribution.status).toBe('ambiguous')
    expect(r.incidents[0]!.attribution.reason).toMatch(/--our-networks/)
    const ok = run([incident()], [packet('192.168.0.23', 52218, s(1))], L, {publicIpConfirmed: (ip) => ip === '203.0.113.5'})
    expect(ok.incidents[0]!.attribution.status).toBe('attributed')
  })
})
