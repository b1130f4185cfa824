import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {fastEvent, mikrotik, parseFull} from '../../src/nat/formats/mikrotik.js'
import {makeCtx, type TestCtx} from './helpers.js'

/** mostly a usual value, sometimes an ugly one */
const mostly = <T,>(good: T[], ugly: T[]) => fc.oneof({weight: 12, arbitrary: fc.constantFrom(...good)}, {weight: 1, arbitrary: fc.constantFrom(...ugly)})

/**
 * Each zone with an anchor that puts the stamps in a year with a repeated hour: Berlin 2025-10-26 02:00-03:00,
 * São Paulo 2019-02-16 23:00-24:00 (its last DST); Berlin also skips 2025-03-30 02:00-03:00.
 */
const ZONES: [string, number][] = [
  ['UTC', Date.UTC(2026, 5, 1)],
  ['Europe/Berlin', Date.UTC(2025, 10, 15)],
  ['America/Sao_Paulo', Date.UTC(2019, 2, 10)],
]

const IFACE_GOOD = ['<pppoe-cliente7020>', '<pppoe-maria.souza>', 'ether2', 'bridge-LAN', 'ether1 - WAN', '<l2tp-bob>', 'vlan100', 'sfp1-UPLINK', 'bridge LAN']
const IFACE_UGLY = [
  '<pppoe->',
  '',
  ' ether1',
  'ether1 ',
  'ether1  WAN',
  'eth 1.2',
  'eth 1.2->',
  'NAT x',
  'proto x',
  'a->b',
  '(unknown 0)',
  'sfp1,x',
  'eth\t1',
  'wlan\u00a0',
  '<pppoe-a b>',
  'x connection-state:new',
  'eth src-mac x',
  'lan hotspot',
  'ab 12:34->x',
  'e\u0000th',
  '<sstp-x>y>',
  'lan proto',
  'lan c0:1',
  'x connection-mark:a',
]
/**
 * The parts of a line: usual values, and ugly ones. A generated line takes the usual value of every part except
 * none, one or a few, which take an ugly value: near misses of the fast path's layout, each tried in an
 * otherwise usual line.
 */
const PARTS = {
  stamp: {
    good: [
      'Mar 29 12:00:01',
      'Mar 29 12:00:01',
      'Mar  3 21:14:02',
      'Oct 26 01:59:59',
      'Oct 26 02:30:00',
      'Oct 26 02:30:00',
      'Oct 26 02:59:10',
      'Oct 26 03:10:00',
      'Feb 16 22:59:59',
      'Feb 16 23:30:00',
      'Feb 16 23:30:00',
      'Feb 17 00:10:00',
      'Mar 30 02:30:00',
      '2025-10-26T02:30:00+01:00',
      '2025-10-26 02:30:00',
      '<30>Oct 26 02:30:00',
    ],
    ugly: ['mar/29/2026 12:00:01', 'mar/29 12:00:01', '21:14:04', 'Oct 26 02:30:00.123', 'Feb 30 12:00:00', 'Xyz 12 12:00:00', '', 'Oct 26 2025 02:30:00', 'Oct 26 02:30:00 2025', 'Mar 29 12:00', 'Mar 29 12:00:01.', 'Mar 29 12:00:01x', 'Mar 29 24:00:01', 'mar 29 12:00:01', 'Mar 3 12:00:01', 'Mar  03 12:00:01'],
  },
  host: {good: ['bras-2', 'core-rtr', 'gw.example.net'], ugly: ['', 'in:x', 'firewall,info']},
  topics: {good: ['firewall,info'], ugly: ['firewall,warning,debug', 'system,info,account', '']},
  prefix: {good: ['FWD forward:', 'forward:', 'srcnat:'], ugly: ['', 'input:', 'NAT forward:', 'in: trick', 'x  out: y->']},
  inIf: {good: IFACE_GOOD, ugly: IFACE_UGLY},
  outIf: {good: IFACE_GOOD, ugly: IFACE_UGLY},
  outSep: {good: [', ', ' '], ugly: [',', '  ', ',\t', ' ,', '']},
  connState: {
    good: ['', '', 'connection-state:new,snat', 'connection-state:established,snat', 'connection-state:new', 'connection-state:related'],
    ugly: ['connection-state:new,dstnat', 'connection-state:newx', 'connection-state:new,,snat', 'connection-state:', 'connection-mark:x', 'connection-state:proto', 'connection-state:NEW', 'connection-state:new,snat,'],
  },
  srcMac: {good: ['', '', '', 'src-mac 4c:5e:0c:00:00:01'], ugly: ['src-mac 4C:5E:0C:00:00:01', 'src-mac 4c:5e:0c:00:00', 'src-mac 4c-5e-0c-00-00-01']},
  midSep: {good: [' ', ', '], ugly: [',', '  ', '\t']},
  proto: {
    good: ['TCP (SYN)', 'UDP', 'TCP (ACK,PSH)', 'ICMP (type 8, code 0)', 'TCP', 'ICMP (type 0, code 0)'],
    ugly: ['tcp', '6', '17', 'GRE', 'ICMP', 'TCP (SYN', 'TCP ()', 'TCP (S:N)', 'UDPLITE', 'TCP6 (SYN)', 'TCP (NAT x)', 'TCP  (SYN)', 'TCP (connection-state:new)', 'TCP (SYN)(ACK)'],
  },
  protoSep: {good: [', ', ' '], ugly: [',', '  ', ' ,']},
  natShape: {good: ['', 'srcnat'], ugly: ['dstnat', 'both', 'half', 'no-space', 'trailing-space']},
  natSep: {good: [', '], ugly: [' ', ',']},
  tail: {good: [', len 60', ', len 72', ', len 1500'], ugly: ['', ', len 60 ', ', len ', ' len 60', ', len 60\r', ', len 6x', ',len 60', ', len 60, len 61']},
}
type Part = keyof typeof PARTS
const KEYS = Object.keys(PARTS) as Part[]
const goods = fc.record(Object.fromEntries(KEYS.map((k) => [k, fc.constantFrom(...PARTS[k].good)])) as Record<Part, fc.Arbitrary<string>>)
const uglies = fc.record(Object.fromEntries(KEYS.map((k) => [k, fc.constantFrom(...PARTS[k].ugly)])) as Record<Part, fc.Arbitrary<string>>)
const uglyKeys = fc.oneof(
  {weight: 2, arbitrary: fc.constant([] as Part[])},
  {weight: 3, arbitrary: fc.constantFrom(...KEYS).map((k) => [k])},
  {weight: 1, arbitrary: fc.subarray(KEYS, {minLength: 2, maxLength: 3})},
)
const parts = fc.tuple(goods, uglies, uglyKeys).map(([g, u, keys]) => {
  const r = {...g}
  for (const k of keys) r[k] = u[k]
  return r
})

const ip = mostly(
  ['100.65.27.108', '189.218.118.220', '198.51.100.172', '10.0.0.5', '192.168.88.23', '203.0.113.9', '8.8.8.8', '100.64.12.7'],
  ['010.1.2.3', '256.1.1.1', '[2001:db8::1]', '2001:db8::1', '1.2.3', '0.0.0.0', '1.2.3.4.5', ''],
)
const port = mostly(['29498', '53', '19250', '1', '65535', '443'], ['0', '65536', '080', '', '123456', 'x'])
/** an address of the line's protocol: ip:port for TCP/UDP, a bare ip for ICMP; sometimes the other way round */
const endpoint = (ported: boolean) => fc.record({ip, port, wrong: fc.integer({min: 0, max: 40})}).map(({ip, port, wrong}) => ((wrong === 0 ? !ported : ported) ? `${ip}:${port}` : ip))

const record = parts.chain((r) => {
  const ep = endpoint(!r.proto.startsWith('ICMP'))
  return fc.tuple(ep, ep, ep, ep, ep).map(([src, dst, a, b, d]) => {
    const nat =
      r.natShape === 'srcnat'
        ? `NAT (${a}->${b})->${d}`
        : r.natShape === 'dstnat'
          ? `NAT ${a}->(${b}->${d})`
          : r.natShape === 'both'
            ? `NAT (${a}->${b})->(${d}->${src})`
            : r.natShape === 'half'
              ? `NAT (${a}->${b})`
              : r.natShape === 'no-space'
                ? `NAT(${a}->${b})->${d}`
                : r.natShape === 'trailing-space'
                  ? `NAT (${a}->${b})->${d} `
                  : ''
    const mid = [r.connState, r.srcMac]
      .filter((x) => x !== '')
      .map((x) => x + r.midSep)
      .join('')
    const head = [r.stamp, r.host, r.topics, r.prefix].filter((x) => x !== '').join(' ')
    return `${head} in:${r.inIf} out:${r.outIf}${r.outSep}${mid}proto ${r.proto}${r.protoSep}${src}->${dst}${nat === '' ? '' : r.natSep + nat}${r.tail}`
  })
})
const stamp = fc.constantFrom(...PARTS.stamp.good, ...PARTS.stamp.ugly)

/** a record RouterOS split over two syslog records: the second has its own stamp, the host and the topics word */
const split = fc.record({rec: record, cut: fc.double({min: 0.3, max: 0.97, noNaN: true}), stamp, host: mostly(['bras-2', 'core-rtr'], ['other'])}).map(({rec, cut, stamp, host}) => {
  const at = Math.floor(rec.length * cut)
  return [rec.slice(0, at), `${stamp} ${host} firewall,info ${rec.slice(at)}`]
})
const other = fc.constantFrom('Mar 29 12:00:02 bras-2 system,info,account user admin logged in from 10.0.0.2 via ssh', '', 'Mar 29 12:00:02 bras-2 firewall,info 113.81:443, len 60')
const lines = fc
  .array(fc.oneof({weight: 12, arbitrary: record.map((l) => [l])}, {weight: 2, arbitrary: split}, {weight: 1, arbitrary: other.map((l) => [l])}), {minLength: 1, maxLength: 16})
  .map((groups) => groups.flat())

const clockOf = (c: TestCtx) => [c.time.clock.repeated, c.time.clock.gaps, [...c.time.yearsUsed]]

describe('mikrotik parse() fast path', () => {
  it('gives the same records as the full parser, field for field and in the same key order, with the same clock, pending records and malformed reports', () => {
    let fastLines = 0
    let total = 0
    let alts = 0
    fc.assert(
      fc.property(lines, fc.constantFrom(...ZONES), (ls, [zone, anchor]) => {
        const a = makeCtx(zone, anchor)
        const b = makeCtx(zone, anchor)
        const c = makeCtx(zone, anchor)
        ls.forEach((text, i) => {
          const line = {no: i + 1, text}
          const want = parseFull(line, a)
          const fast = fastEvent(line, b)
          const got = fast ?? parseFull(line, b)
          expect(got).toStrictEqual(want)
          expect(JSON.stringify(got)).toBe(JSON.stringify(want))
          // parse() is that same composition
          expect(JSON.stringify(mikrotik.parse(line, c))).toBe(JSON.stringify(want))
          total++
          if (fast !== null) {
            fastLines++
            if (fast.timeAlt !== undefined) alts++
          }
        })
        expect(b.bad).toEqual(a.bad)
        expect(c.bad).toEqual(a.bad)
        expect(clockOf(b)).toEqual(clockOf(a))
        expect(clockOf(c)).toEqual(clockOf(a))
        // a split record still waiting at the end of the file is the same on both
        const rest = mikrotik.flush!(a)
        expect(mikrotik.flush!(b)).toStrictEqual(rest)
        expect(mikrotik.flush!(c)).toStrictEqual(rest)
        expect(b.bad).toEqual(a.bad)
      }),
      {numRuns: 500},
    )
    // the comparison covers the fast path, not only its fall-backs, and stamps in a repeated hour on it
    expect(fastLines / total).toBeGreaterThan(0.1)
    expect(alts).toBeGreaterThan(0)
  })

  it('reads a srcnat translation with every field the full parser gives, in its key order', () => {
    const text =
      'Mar 29 12:00:01 bras-2 firewall,info FWD forward: in:<pppoe-cliente7020> out:sfp1-UPLINK, connection-state:new,snat proto TCP (SYN), 100.65.27.108:29498->189.218.118.220:53, NAT (100.65.27.108:29498->198.51.100.172:19250)->189.218.118.220:53, len 60'
    const ctx = makeCtx('America/Sao_Paulo', Date.UTC(2026, 5, 1))
    const ev = fastEvent({no: 7, text}, ctx)
    const want = {
      kind: 'mapping',
      time: Date.UTC(2026, 2, 29, 15, 0, 1),
      end: null,
      protocol: 'tcp',
      insideIp: '100.65.27.108',
      insidePort: 29498,
      outsideIp: '198.51.100.172',
      outsidePort: 19250,
      outsidePortEnd: null,
      destIp: '189.218.118.220',
      destPort: 53,
      subscriber: 'cliente7020',
      evidence: {file: 'test.log', line: 7, text, role: 'NAT translation'},
      srcIp: '100.65.27.108',
      srcPort: 29498,
      dstIp: '189.218.118.220',
      dstPort: 53,
      iface: '<pppoe-cliente7020>',
      dir: null,
      phase: 'open',
    }
    expect(ev).toStrictEqual(want)
    expect(JSON.stringify(ev)).toBe(JSON.stringify(want))
    expect(JSON.stringify(parseFull({no: 7, text}, makeCtx('America/Sao_Paulo', Date.UTC(2026, 5, 1))))).toBe(JSON.stringify(want))
  })

  it('reads a one-sided packet (no NAT clause) with a src-mac and names the inside side by the private address', () => {
    const text = 'Mar  3 21:14:06 gw firewall,info forward: in:ether1 - WAN out:bridge LAN, src-mac 00:0c:42:aa:bb:cc, proto ICMP (type 0, code 0), 8.8.8.8->192.168.88.23, len 84'
    const ev = fastEvent({no: 1, text}, makeCtx())
    expect(ev).toStrictEqual({
      kind: 'packet',
      time: Date.UTC(2026, 2, 3, 21, 14, 6),
      end: null,
      protocol: 'icmp',
      insideIp: '192.168.88.23',
      insidePort: null,
      outsideIp: null,
      outsidePort: null,
      outsidePortEnd: null,
      destIp: '8.8.8.8',
      destPort: null,
      subscriber: null,
      evidence: {file: 'test.log', line: 1, text, role: 'packet'},
      srcIp: '8.8.8.8',
      srcPort: null,
      dstIp: '192.168.88.23',
      dstPort: null,
      iface: 'ether1 - WAN',
      dir: null,
    })
    expect(parseFull({no: 1, text}, makeCtx())).toStrictEqual(ev)
  })

  it('gives a stamp in the repeated hour both instants, as the full parser does', () => {
    const text = 'Oct 26 02:30:00 bras-2 firewall,info forward: in:<pppoe-ana> out:ether1, proto UDP, 10.0.0.5:5000->203.0.113.9:53, NAT (10.0.0.5:5000->198.51.100.1:6000)->203.0.113.9:53, len 72'
    const ctx = makeCtx('Europe/Berlin', Date.UTC(2025, 10, 15))
    const ev = fastEvent({no: 1, text}, ctx)!
    expect([ev.time, ev.timeAlt]).toEqual([Date.UTC(2025, 9, 26, 0, 30), Date.UTC(2025, 9, 26, 1, 30)])
    expect(Object.keys(ev).indexOf('timeAlt')).toBe(Object.keys(ev).indexOf('evidence') + 1)
    expect(ctx.time.clock.repeated).toBe(1)
    expect(ev).toStrictEqual(parseFull({no: 1, text}, makeCtx('Europe/Berlin', Date.UTC(2025, 10, 15))))
  })

  it('leaves a split record and the line after it to the full parser, touching nothing', () => {
    const head = 'Mar  3 21:14:05 bras-2 firewall,info forward: in:<pppoe-ana> out:sfp1-UPLINK, proto TCP (SYN), 100.64.12.11:33000->203.0.113.81:443, NAT (100.64.12.11:33000->198.51.100.21:33000)->203.0.'
    const whole = 'Mar  3 21:14:06 bras-2 firewall,info forward: in:<pppoe-lia> out:sfp1-UPLINK, proto UDP, 100.64.12.14:5000->203.0.113.83:53, len 60'
    const ctx = makeCtx()
    expect(fastEvent({no: 1, text: head}, ctx)).toBeNull()
    expect(ctx.state).toEqual({})
    expect(mikrotik.parse({no: 1, text: head}, ctx)).toBeNull()
    expect(ctx.state.mikrotikPending).toBeDefined()
    // a complete line while a record waits: the full parser closes the waiting one first
    expect(fastEvent({no: 2, text: whole}, ctx)).toBeNull()
    const r = mikrotik.parse({no: 2, text: whole}, ctx)
    expect(Array.isArray(r) && r.map((e) => e.subscriber)).toEqual(['ana', 'lia'])
  })
})
