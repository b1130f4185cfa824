import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {conntrack} from '../../src/nat/formats/conntrack.js'
import {ipfw} from '../../src/nat/formats/ipfw.js'
import {iptables} from '../../src/nat/formats/iptables.js'
import {mikrotik} from '../../src/nat/formats/mikrotik.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const kern = fixtureLines('iptables/shorewall-gateway/kern.log')
const byLine = (evs: NatEvent[]) => new Map(evs.map((e) => [e.evidence.line, e]))

describe('iptables', () => {
  it('claims netfilter LOG files and no other format does', () => {
    expect(iptables.detect(kern)).toBeGreaterThan(0.8)
    for (const f of [ipfw, conntrack, mikrotik]) expect(f.detect(kern)).toBe(0)
    expect(iptables.detect(fixtureLines('conntrack/linux-cgnat-events/events.log'))).toBe(0)
    expect(iptables.detect(fixtureLines('mikrotik/pppoe-bras-remote-syslog/firewall.log'))).toBe(0)
  })

  it('reads a forwarded outbound packet behind a Shorewall prefix and a kernel uptime', () => {
    const ctx = makeCtx('Europe/Lisbon', Date.UTC(2026, 5, 1))
    const [ev] = parseAll(iptables, kern.slice(0, 1), ctx)
    expect(ev).toMatchObject({kind: 'packet', protocol: 'tcp', srcIp: '10.30.0.15', srcPort: 40000, dstIp: '203.0.113.9', dstPort: 443, insideIp: '10.30.0.15', insidePort: 40000, destIp: '203.0.113.9', destPort: 443, outsideIp: null, iface: 'eth1', dir: null})
    expect(iso(ev!.time)).toBe('2026-03-03T21:14:02.000Z')
  })

  it('claims no inside client for a packet between public addresses, and one from a de-NATed reply', () => {
    const m = byLine(parseAll(iptables, kern))
    expect(m.get(2)).toMatchObject({insideIp: null, srcIp: '203.0.113.50', dstIp: '198.51.100.3', dir: 'in', iface: 'eth0'})
    expect(m.get(3)).toMatchObject({insideIp: '10.30.0.15', insidePort: 40000, destIp: '203.0.113.9', destPort: 443})
  })

  it('takes the outer packet of an ICMP error, not the quoted one', () => {
    const m = byLine(parseAll(iptables, kern))
    expect(m.get(4)).toMatchObject({protocol: 'icmp', srcIp: '203.0.113.60', dstIp: '198.51.100.3', srcPort: null, dstPort: null})
  })

  it('reads IPv6 nftables lines with an RFC 3339 stamp, fragments without ports, and protocol numbers', () => {
    const m = byLine(parseAll(iptables, kern))
    expect(m.get(5)).toMatchObject({srcIp: '2001:db8:30::15', dstPort: 53, dir: 'out', iface: 'eth0'})
    expect(iso(m.get(5)!.time)).toBe('2026-03-03T20:14:06.123Z')
    expect(m.get(8)).toMatchObject({protocol: 'udp', srcPort: null, dstPort: null, insideIp: '10.30.0.16'})
    expect(m.get(9)).toMatchObject({protocol: 'gre', insideIp: '10.30.0.17'})
    expect(m.has(6)).toBe(false)
  })

  it('reports an impossible port as malformed', () => {
    const ctx = makeCtx()
    parseAll(iptables, kern, ctx)
    expect(ctx.bad.map((b) => b.line)).toEqual([7])
  })

  it('round-trips random packets written as LOG lines', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
    fc.assert(
      fc.property(v4, v4, fc.integer({min: 0, max: 65535}), fc.integer({min: 0, max: 65535}), fc.constantFrom('TCP', 'UDP'), fc.stringMatching(/^[A-Za-z0-9:_-]{0,20}$/), (a, b, sp, dp, proto, prefix) => {
        const text = `Mar  3 21:14:02 fw1 kernel: ${prefix} IN=eth1 OUT=eth0 SRC=${a} DST=${b} LEN=60 PROTO=${proto} SPT=${sp} DPT=${dp} WINDOW=1 SYN URGP=0`
        const ctx = makeCtx()
        const ev = iptables.parse({no: 1, text}, ctx) as NatEvent
        expect(ctx.bad).toEqual([])
        expect(ev).toMatchObject({srcIp: a, dstIp: b, srcPort: sp, dstPort: dp, protocol: proto.toLowerCase()})
      }),
      {numRuns: 300},
    )
  })

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.constantFrom('', 'Mar  3 21:14:02 fw1 kernel: IN=eth0 OUT= SRC=', 'IN= OUT= SRC=1.2.3.4 DST=1.2.3.5 PROTO='), (s, prefix) => {
        iptables.parse({no: 1, text: prefix + s}, makeCtx())
      }),
      {numRuns: 500},
    )
  })
})
