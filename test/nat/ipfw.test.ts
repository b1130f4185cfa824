import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {canonicalIp} from '../../src/io/net.js'
import {ipfw} from '../../src/nat/formats/ipfw.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const security = fixtureLines('ipfw/campus-gateway-count-log/security')

describe('ipfw', () => {
  it('claims a dedicated ipfw security log and not a file of other daemons', () => {
    expect(ipfw.detect(security)).toBeGreaterThan(0.8)
    expect(ipfw.detect(['Mar  3 21:00:00 natgw sshd[1]: Accepted publickey for x', 'Mar  3 21:00:01 natgw ntpd[2]: time reset'])).toBe(0)
  })

  it('reads an outbound packet of an inside client as inside ip:port -> destination, in the log zone', () => {
    const ctx = makeCtx('America/Sao_Paulo', Date.UTC(2026, 3, 1))
    const [ev] = parseAll(ipfw, security.slice(0, 1), ctx)
    expect(ev).toMatchObject({
      kind: 'packet',
      protocol: 'tcp',
      insideIp: '10.20.4.17',
      insidePort: 40112,
      destIp: '198.18.44.9',
      destPort: 6881,
      outsideIp: null,
      srcIp: '10.20.4.17',
      srcPort: 40112,
      dstIp: '198.18.44.9',
      dstPort: 6881,
      dir: 'in',
      iface: 'igb1',
    })
    expect(iso(ev!.time)).toBe('2026-03-04T00:14:02.000Z')
    expect(ev!.evidence).toMatchObject({file: 'test.log', line: 1, text: security[0]})
  })

  it('does not claim an inside address for a packet between two public addresses (post-NAT side)', () => {
    const [ev] = parseAll(ipfw, [security[1]!])
    expect(ev).toMatchObject({srcIp: '198.51.100.7', srcPort: 40112, dstIp: '198.18.44.9', insideIp: null, insidePort: null, destIp: null, outsideIp: null, dir: 'out', iface: 'igb0'})
  })

  it('repeats the previous packet at the stamp of "last message repeated"', () => {
    const evs = parseAll(ipfw, security.slice(1, 3))
    expect(evs).toHaveLength(2)
    expect(evs[1]).toMatchObject({srcIp: '198.51.100.7', srcPort: 40112, dstPort: 6881})
    expect(evs[1]!.evidence.line).toBe(2)
    expect(evs[1]!.evidence.text).toContain('repeated')
  })

  it('ignores "last message repeated" when the line before it was not an ipfw packet', () => {
    const evs = parseAll(ipfw, fixtureLines('ipfw/mixed-messages/messages'))
    expect(evs).toHaveLength(1)
    expect(evs[0]!.evidence.line).toBe(3)
  })

  it('takes the inside client from the destination of a de-NATed reply', () => {
    const evs = parseAll(ipfw, security.slice(3, 5))
    // in via the outside interface: public destination, nothing inside
    expect(evs[0]).toMatchObject({insideIp: null, srcIp: '198.18.44.9', dstIp: '198.51.100.7'})
    expect(evs[1]).toMatchObject({insideIp: '10.20.4.17', insidePort: 40112, destIp: '198.18.44.9', destPort: 6881, dir: 'out'})
  })

  it('reads ICMP, fragments, IPv6, other protocols, actions with spaces and [no if info]', () => {
    const ctx = makeCtx()
    const evs = parseAll(ipfw, security, ctx)
    const byLine = new Map(evs.map((e) => [e.evidence.line, e]))
    expect(byLine.get(8)).toMatchObject({protocol: 'icmp', insideIp: '10.20.4.17', insidePort: null, destIp: '198.18.7.7', destPort: null})
    expect(byLine.get(9)).toMatchObject({protocol: 'tcp', srcPort: null, dstPort: null, insideIp: '10.20.4.17', insidePort: null, destIp: '198.18.44.9'})
    expect(byLine.get(10)).toMatchObject({srcIp: '2001:db8:40::17', srcPort: 51000, dstIp: '2001:db8:ffff::80', dstPort: 443, insideIp: null})
    expect(byLine.get(11)).toMatchObject({protocol: 'ipv6-icmp', insideIp: 'fd00:20::5', destIp: '2001:db8:ffff::1'})
    expect(byLine.get(12)).toMatchObject({protocol: 'gre', srcIp: '198.18.3.3', dstIp: '198.51.100.7', insideIp: null})
    expect(byLine.get(13)).toMatchObject({insideIp: '10.20.4.40', insidePort: 51515, destIp: '198.18.80.80', destPort: 80})
    expect(byLine.has(14)).toBe(false) // "limit reached" is no packet
    expect(byLine.get(16)).toMatchObject({dir: null, iface: null, insideIp: '10.20.4.51'})
    expect(iso(byLine.get(17)!.time)).toBe('2026-03-04T00:14:12.250Z')
    expect(byLine.get(18)).toMatchObject({insideIp: '10.20.4.60', destPort: 443})
    expect(byLine.has(7)).toBe(false)
  })

  it('reports ipfw lines it cannot read as malformed instead of guessing', () => {
    const ctx = makeCtx()
    const evs = parseAll(ipfw, security, ctx)
    expect(ctx.bad.map((b) => b.line)).toEqual([15, 19])
    expect(evs.some((e) => e.evidence.line === 15 || e.evidence.line === 19)).toBe(false)
  })

  it('round-trips random packets written in the ipfw layout', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
    const v6 = fc.ipV6().map((a) => a.toLowerCase())
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(v4, v4), fc.tuple(v6, v6)),
        fc.integer({min: 0, max: 65535}),
        fc.integer({min: 0, max: 65535}),
        fc.constantFrom('TCP', 'UDP'),
        fc.constantFrom('in', 'out'),
        fc.constantFrom('Count', 'Deny', 'Accept', 'Nat', 'Divert 8668', 'Forward to 10.0.0.1:3128', 'Unreach 3'),
        ([a, b], sp, dp, proto, dir, action) => {
          const w = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip)
          const line = `Jun 18 15:53:34 gw kernel: ipfw: 1 ${action} ${proto} ${w(a)}:${sp} ${w(b)}:${dp} ${dir} via em0`
          const ctx = makeCtx()
          const r = ipfw.parse({no: 1, text: line}, ctx)
          expect(ctx.bad).toEqual([])
          expect(r).not.toBeNull()
          const ev = r as Exclude<typeof r, null | unknown[]>
          expect(ev).toMatchObject({protocol: proto.toLowerCase(), srcPort: sp, dstPort: dp, dir, iface: 'em0'})
          expect(ev.srcIp).toBe(canonicalIp(a))
          expect(ev.dstIp).toBe(canonicalIp(b))
          expect(ev.srcIp).not.toBeNull()
        },
      ),
      {numRuns: 300},
    )
  })

  it('never throws on random text and never returns a record for text without "ipfw: "', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.boolean(), (s, withMark) => {
        const text = withMark ? `Jun 18 15:53:34 gw kernel: ipfw: ${s}` : s.replace(/ipfw: /g, '')
        const r = ipfw.parse({no: 1, text}, makeCtx())
        if (!withMark) expect(r).toBeNull()
      }),
      {numRuns: 500},
    )
  })
})

describe('syslog stamps', () => {
  it('reads BSD and RFC 3339 stamps behind a raw "<PRI>"', async () => {
    const {syslogStamp} = await import('../../src/nat/syslog.js')
    const ctx = makeCtx('UTC', Date.UTC(2026, 5, 1))
    expect(iso(syslogStamp('<134>Jul  3 19:10:30 filterlog[1]: x', ctx)!.time.ms)).toBe('2025-07-03T19:10:30.000Z')
    expect(iso(syslogStamp('<134>1 2026-03-03T21:14:06-03:00 host app', ctx)!.time.ms)).toBe('2026-03-04T00:14:06.000Z')
    expect(iso(syslogStamp('<6>2026-03-03T21:14:06Z host app', ctx)!.time.ms)).toBe('2026-03-03T21:14:06.000Z')
    expect(syslogStamp('<134>garbage', ctx)).toBeUndefined()
  })
})

describe('ipOf', () => {
  it('agrees with canonicalIp on any text', async () => {
    const {ipOf} = await import('../../src/nat/syslog.js')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV4(),
          fc.ipV4Extended(),
          fc.ipV6(),
          fc.stringMatching(/^[0-9.]{0,16}$/),
          fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999), fc.nat(999)).map((p) => p.join('.')),
        ),
        (t) => {
          expect(ipOf(t)).toBe(canonicalIp(t))
        },
      ),
      {numRuns: 2000},
    )
  })
})

describe('ipfw stamps across a repeated daylight-saving hour', () => {
  it('reads the second pass of the repeated hour by line order, and keeps the other instant', () => {
    // America/Sao_Paulo left DST on 2013-02-17 00:00 -> 2013-02-16 23:00: 23:00-23:59 happens twice
    const ctx = makeCtx('America/Sao_Paulo', Date.UTC(2013, 5, 1))
    const stamps = ['Feb 16 22:59:00', 'Feb 16 23:30:00', 'Feb 16 23:30:20', 'Feb 16 23:59:00', 'Feb 16 23:10:00', 'Feb 16 23:10:30', 'Feb 16 23:40:00', 'Feb 17 00:05:00']
    const evs = parseAll(ipfw, stamps.map((s) => `${s} gw kernel: ipfw: 1 Count TCP 192.168.0.23:52218 200.160.3.103:6881 in via em0`), ctx)
    expect(evs.map((e) => iso(e.time))).toEqual([
      '2013-02-17T00:59:00.000Z',
      '2013-02-17T01:30:00.000Z',
      '2013-02-17T01:30:20.000Z',
      '2013-02-17T01:59:00.000Z',
      '2013-02-17T02:10:00.000Z',
      '2013-02-17T02:10:30.000Z',
      '2013-02-17T02:40:00.000Z',
      '2013-02-17T03:05:00.000Z',
    ])
    expect(iso(evs[1]!.timeAlt!)).toBe('2013-02-17T02:30:00.000Z')
    expect(iso(evs[4]!.timeAlt!)).toBe('2013-02-17T01:10:00.000Z')
    expect(evs[0]!.timeAlt).toBeUndefined()
  })
})

describe('ipfw repeats written by other syslog daemons', () => {
  const first = 'Mar  3 21:14:02 gw kernel: ipfw: 1 Count TCP 10.20.4.17:40112 198.18.44.9:6881 in via igb1'
  it('reads rsyslog\'s "message repeated N times: [ …]" as the same packet at its own stamp', () => {
    const evs = parseAll(ipfw, [first, 'Mar  3 21:14:11 gw kernel: message repeated 2 times: [ ipfw: 1 Count TCP 10.20.4.17:40112 198.18.44.9:6881 in via igb1]'])
    expect(evs).toHaveLength(2)
    expect(evs[1]).toMatchObject({insideIp: '10.20.4.17', insidePort: 40112, destPort: 6881})
    expect(iso(evs[1]!.time)).toBe('2026-03-03T21:14:11.000Z')
  })
  it('reads syslog-ng\'s "Last message \'…\' repeated" after an ipfw line, and is not fooled by its truncated quote', () => {
    const ctx = makeCtx()
    const evs = parseAll(ipfw, [first, "Mar  3 21:14:11 gw syslog-ng[77]: Last message 'ipfw: 1 Count TCP 1' repeated 2 times, suppressed by syslog-ng on gw"], ctx)
    expect(ctx.bad).toEqual([])
    expect(evs).toHaveLength(2)
    expect(evs[1]).toMatchObject({insideIp: '10.20.4.17', insidePort: 40112, destPort: 6881})
    expect(evs[1]!.evidence.line).toBe(2)
    // not right after an ipfw line: nothing
    const ctx2 = makeCtx()
    expect(parseAll(ipfw, ["Mar  3 21:14:11 gw syslog-ng[77]: Last message 'ipfw: 1 Count TCP 1' repeated 2 times, suppressed by syslog-ng on gw"], ctx2)).toEqual([])
    expect(ctx2.bad).toEqual([])
  })
})
