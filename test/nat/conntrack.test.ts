import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {canonicalIp} from '../../src/io/net.js'
import type {NatEvent} from '../../src/model.js'
import {conntrack} from '../../src/nat/formats/conntrack.js'
import {ipfw} from '../../src/nat/formats/ipfw.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const events = fixtureLines('conntrack/linux-cgnat-events/events.log')
const table = fixtureLines('conntrack/table-dump/nf_conntrack.txt')

function byLine(evs: NatEvent[]): Map<number, NatEvent> {
  return new Map(evs.map((e) => [e.evidence.line, e]))
}

describe('conntrack', () => {
  it('claims conntrack event logs and table dumps, and ipfw does not', () => {
    expect(conntrack.detect(events)).toBeGreaterThan(0.8)
    expect(conntrack.detect(table)).toBeGreaterThan(0.8)
    expect(ipfw.detect(events)).toBe(0)
    expect(conntrack.detect(fixtureLines('ipfw/campus-gateway-count-log/security'))).toBe(0)
  })

  it('reads NEW as a session start: inside = original source, outside = reply destination, dest = original destination', () => {
    const [ev] = parseAll(conntrack, events.slice(0, 1))
    expect(ev).toMatchObject({
      kind: 'session-start',
      protocol: 'tcp',
      insideIp: '100.70.3.21',
      insidePort: 51812,
      outsideIp: '198.51.100.44',
      outsidePort: 61812,
      destIp: '203.0.113.80',
      destPort: 25,
      replied: false,
      end: null,
    })
    expect(iso(ev!.time)).toBe('2026-03-03T21:14:02.118Z')
  })

  it('reads old un-padded microseconds "[sec.9731 ]" as .009731 s, not .9731 s', () => {
    const [ev] = parseAll(conntrack, events.slice(1, 2))
    expect(iso(ev!.time)).toBe('2026-03-03T21:14:02.009Z')
  })

  it('reads UPDATE as a live mapping and ASSURED as replied', () => {
    const m = byLine(parseAll(conntrack, events))
    expect(m.get(3)).toMatchObject({kind: 'mapping', phase: 'interim', replied: true, outsidePort: 61812})
    expect(m.get(4)).toMatchObject({kind: 'mapping', replied: true})
  })

  it('reads DESTROY as a session end whose start comes from delta-time', () => {
    const m = byLine(parseAll(conntrack, events))
    const ev = m.get(5)!
    expect(ev).toMatchObject({kind: 'session-end', insideIp: '100.70.3.21', insidePort: 51812, outsidePort: 61812, replied: true})
    expect(iso(ev.end)).toBe('2026-03-03T21:16:02.500Z')
    expect(iso(ev.time)).toBe('2026-03-03T21:14:02.500Z')
  })

  it('reads ICMP without inventing ports, IPv6 with the l3 prefix, and a port forward the right way round', () => {
    const m = byLine(parseAll(conntrack, events))
    expect(m.get(6)).toMatchObject({protocol: 'icmp', insideIp: '10.9.0.7', insidePort: null, outsidePort: null, outsideIp: '198.51.100.44'})
    expect(m.get(7)).toMatchObject({insideIp: 'fd00:9::21', outsideIp: 'fd00:9::21', destIp: '2001:db8:aa::80', destPort: 443})
    // DNAT: remote 203.0.113.200 dialled our 198.51.100.44:8443, served by 10.9.0.80:443
    expect(m.get(8)).toMatchObject({insideIp: '10.9.0.80', insidePort: 443, outsideIp: '198.51.100.44', outsidePort: 8443, destIp: '203.0.113.200', destPort: 55555})
  })

  it('takes the syslog stamp when the event sits behind a syslog header, in the log zone', () => {
    const ctx = makeCtx('Europe/Berlin', Date.UTC(2026, 5, 1))
    const m = byLine(parseAll(conntrack, events, ctx))
    expect(iso(m.get(11)!.time)).toBe('2026-03-03T20:15:00.000Z')
    expect(m.has(12)).toBe(false)
  })

  it('reports a tuple missing its port and an event without a stamp as malformed', () => {
    const ctx = makeCtx()
    const m = byLine(parseAll(conntrack, events, ctx))
    expect(ctx.bad.map((b) => b.line)).toEqual([9, 10])
    expect(m.has(9)).toBe(false)
    expect(m.has(10)).toBe(false)
  })

  it('places table lines in time only through [start=], never by guessing', () => {
    const ctx = makeCtx('UTC')
    const evs = parseAll(conntrack, table, ctx)
    expect(evs).toHaveLength(1)
    expect(evs[0]).toMatchObject({kind: 'session-start', insideIp: '10.9.0.6', outsidePort: 45001})
    expect(iso(evs[0]!.time)).toBe('2026-03-03T21:10:00.000Z')
    expect(ctx.bad.map((b) => b.line)).toEqual([1])
  })

  it('round-trips random NAT tuples written as conntrack -E -o timestamp lines', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
    const p = fc.integer({min: 1, max: 65535})
    fc.assert(
      fc.property(v4, p, v4, p, v4, p, fc.integer({min: 1_000_000_000, max: 2_000_000_000}), fc.integer({min: 0, max: 999_999}), fc.boolean(), (ins, ip, dst, dp, out, op, sec, us, pad) => {
        fc.pre(ins !== out || ip !== op)
        fc.pre(dst !== ins)
        const frac = pad ? String(us).padStart(6, '0') : String(us).padEnd(6, ' ')
        const text = `[${sec}.${frac}]\t    [NEW] udp      17 30 src=${ins} dst=${dst} sport=${ip} dport=${dp} [UNREPLIED] src=${dst} dst=${out} sport=${dp} dport=${op}`
        const ctx = makeCtx()
        const ev = conntrack.parse({no: 1, text}, ctx) as NatEvent
        expect(ctx.bad).toEqual([])
        expect(ev).toMatchObject({kind: 'session-start', protocol: 'udp', insideIp: canonicalIp(ins), insidePort: ip, outsideIp: canonicalIp(out), outsidePort: op, destIp: canonicalIp(dst), destPort: dp, replied: false})
        expect(ev.time).toBe(sec * 1000 + Math.floor(us / 1000))
      }),
      {numRuns: 300},
    )
  })

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.constantFrom('', '[1772572442.1] [NEW] tcp 6 120 src=', 'ipv4 2 tcp 6 1 src=1.2.3.4 dst='), (s, prefix) => {
        conntrack.parse({no: 1, text: prefix + s}, makeCtx())
      }),
      {numRuns: 500},
    )
  })
})

describe('conntrackd connection log', () => {
  const stats = fixtureLines('conntrack/conntrackd-stats/conntrackd-stats.log')
  it('reads conntrackd Stats log lines (ctime, no event marker) and their syslog copy as session ends', () => {
    const ctx = makeCtx('Europe/Berlin', Date.UTC(2026, 5, 1))
    const m = new Map(parseAll(conntrack, stats, ctx).map((e) => [e.evidence.line, e]))
    expect(m.get(1)).toMatchObject({kind: 'session-end', insideIp: '10.9.0.5', insidePort: 45000, outsideIp: '198.51.100.44', outsidePort: 45000, destIp: '192.0.2.80', destPort: 443})
    expect(iso(m.get(1)!.end)).toBe('2026-03-03T20:16:02.000Z')
    expect(iso(m.get(1)!.time)).toBe('2026-03-03T20:14:02.000Z')
    expect(m.get(2)).toMatchObject({kind: 'session-end', protocol: 'udp', outsidePort: 1029})
    expect(iso(m.get(2)!.time)).toBe('2026-03-03T20:16:05.000Z')
    expect(m.get(3)).toMatchObject({kind: 'session-end', insideIp: '10.9.0.7', destPort: 80})
    expect(iso(m.get(3)!.time)).toBe('2026-03-03T20:16:00.000Z')
    expect(m.has(4)).toBe(false)
    expect(ctx.bad).toEqual([])
    expect(conntrack.detect(stats)).toBeGreaterThan(0.5)
  })
})
