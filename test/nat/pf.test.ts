import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {conntrack} from '../../src/nat/formats/conntrack.js'
import {ipfw} from '../../src/nat/formats/ipfw.js'
import {iptables} from '../../src/nat/formats/iptables.js'
import {mikrotik} from '../../src/nat/formats/mikrotik.js'
import {pf} from '../../src/nat/formats/pf.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const log = fixtureLines('pf/pfsense-lan-wan/filter.log')
const byLine = (evs: NatEvent[]) => new Map(evs.filter((e) => e.kind === 'packet').map((e) => [e.evidence.line, e]))

describe('pf filterlog', () => {
  it('claims filterlog files and no other format does', () => {
    expect(pf.detect(log)).toBeGreaterThan(0.8)
    for (const f of [ipfw, conntrack, mikrotik, iptables]) expect(f.detect(log)).toBe(0)
    expect(pf.detect(fixtureLines('iptables/shorewall-gateway/kern.log'))).toBe(0)
  })

  it('reads the LAN-side line as an outbound packet of the inside client and the WAN-side line as one-sided', () => {
    const ctx = makeCtx('America/New_York', Date.UTC(2026, 5, 1))
    const m = byLine(parseAll(pf, log, ctx))
    expect(m.get(1)).toMatchObject({kind: 'packet', protocol: 'tcp', insideIp: '192.168.40.12', insidePort: 51000, destIp: '203.0.113.9', destPort: 443, dir: 'in', iface: 'igb1'})
    expect(iso(m.get(1)!.time)).toBe('2026-03-04T02:14:02.000Z')
    expect(m.get(2)).toMatchObject({insideIp: null, srcIp: '198.51.100.30', srcPort: 19876, dstIp: '203.0.113.9', dstPort: 443, dir: 'out', iface: 'igb0'})
  })

  it('reads UDP, ICMP without ports, IPv6 column order and RFC 5424 headers', () => {
    const ctx = makeCtx()
    const m = byLine(parseAll(pf, log, ctx))
    expect(m.get(3)).toMatchObject({protocol: 'udp', srcPort: 123, dstPort: 123})
    expect(m.get(4)).toMatchObject({protocol: 'icmp', srcPort: null, dstPort: null, insideIp: '192.168.40.14'})
    expect(m.get(5)).toMatchObject({protocol: 'udp', srcIp: 'fd00:40::14', dstIp: '2001:db8:9::53', srcPort: 40000, dstPort: 53})
    expect(iso(m.get(6)!.time)).toBe('2026-03-04T00:14:06.000Z')
    expect(m.get(6)).toMatchObject({srcIp: '198.51.100.30', srcPort: 22222, dstPort: 25, iface: 'vtnet1'})
    expect(m.has(7)).toBe(false)
    expect(ctx.bad.map((b) => b.line)).toEqual([8])
  })

  it('pairs the LAN and WAN lines of one NATed packet into the translation, with both lines as evidence', () => {
    const evs = parseAll(pf, log)
    const maps = evs.filter((e) => e.kind === 'mapping')
    expect(maps).toHaveLength(1)
    expect(maps[0]).toMatchObject({protocol: 'tcp', insideIp: '192.168.40.12', insidePort: 51000, outsideIp: '198.51.100.30', outsidePort: 19876, destIp: '203.0.113.9', destPort: 443})
    expect(maps[0]!.evidence.line).toBe(1)
    expect(maps[0]!.evidence.text.split('\n')).toEqual([log[0], log[1]])
    expect(iso(maps[0]!.time)).toBe(iso(evs[0]!.time))
  })

  it('does not pair when two inside packets share the key, when the IP id is 0, or when the lines are too far apart', () => {
    const L = (ts: string, src: string, sp: number, id: number, seq: number) =>
      `Mar  3 21:14:${ts} edge filterlog[1]: 88,,,1,igb1,match,pass,in,4,0x0,,64,${id},0,DF,6,tcp,60,${src},203.0.113.9,${sp},443,0,S,${seq},,64240,,mss`
    const W = (ts: string, sp: number, id: number, seq: number) =>
      `Mar  3 21:14:${ts} edge filterlog[1]: 12,,,2,igb0,match,pass,out,4,0x0,,63,${id},0,DF,6,tcp,60,198.51.100.30,203.0.113.9,${sp},443,0,S,${seq},,64240,,mss`
    const none = (lines: string[]) => expect(parseAll(pf, lines).filter((e) => e.kind === 'mapping')).toEqual([])
    none([L('02', '192.168.40.12', 51000, 77, 5), L('02', '192.168.40.13', 51001, 77, 5), W('02', 20000, 77, 5)])
    none([L('02', '192.168.40.12', 51000, 0, 5), W('02', 20000, 0, 5)])
    none([L('02', '192.168.40.12', 51000, 77, 5), W('09', 20000, 77, 5)])
    none([L('02', '192.168.40.12', 51000, 77, 5), W('02', 20000, 77, 6)])
    expect(parseAll(pf, [L('02', '192.168.40.12', 51000, 77, 5), W('03', 20000, 77, 5)]).filter((e) => e.kind === 'mapping')).toHaveLength(1)
    // UDP rests on the 16-bit id alone: never paired
    const U = (dir: string, src: string, sp: number) => `Mar  3 21:14:02 edge filterlog[1]: 88,,,1,igb1,match,pass,${dir},4,0x0,,64,4242,0,none,17,udp,76,${src},203.0.113.53,${sp},53,56`
    none([U('in', '192.168.40.12', 5000), U('out', '198.51.100.30', 30000)])
  })

  it('round-trips random IPv4 TCP records', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
    fc.assert(
      fc.property(v4, v4, fc.integer({min: 0, max: 65535}), fc.integer({min: 0, max: 65535}), fc.constantFrom('in', 'out'), (a, b, sp, dp, dir) => {
        const text = `Mar  3 21:14:02 edge filterlog[1]: 5,,,1000,em0,match,pass,${dir},4,0x0,,64,1,0,DF,6,tcp,60,${a},${b},${sp},${dp},0,S,1,,64240,,mss`
        const ctx = makeCtx()
        const ev = pf.parse({no: 1, text}, ctx) as NatEvent
        expect(ctx.bad).toEqual([])
        expect(ev).toMatchObject({srcIp: a, dstIp: b, srcPort: sp, dstPort: dp, dir, protocol: 'tcp'})
      }),
      {numRuns: 300},
    )
  })

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), (s) => {
        pf.parse({no: 1, text: `Mar  3 21:14:02 edge filterlog[1]: 5,,,1,em0,match,pass,in,${s}`}, makeCtx())
        pf.parse({no: 1, text: s}, makeCtx())
      }),
      {numRuns: 500},
    )
  })
})
