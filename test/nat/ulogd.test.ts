import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {conntrack} from '../../src/nat/formats/conntrack.js'
import {ipfw} from '../../src/nat/formats/ipfw.js'
import {iptables} from '../../src/nat/formats/iptables.js'
import {mikrotik} from '../../src/nat/formats/mikrotik.js'
import {pf} from '../../src/nat/formats/pf.js'
import {ulogd} from '../../src/nat/formats/ulogd.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const json = fixtureLines('ulogd/nfct-json/ulogd.json')
const text = fixtureLines('ulogd/nfct-text/ulogd_nfct.log')
const byLine = (evs: NatEvent[]) => new Map(evs.map((e) => [e.evidence.line, e]))

describe('ulogd', () => {
  it('claims ulogd JSON and text output and no other format does', () => {
    expect(ulogd.detect(json)).toBeGreaterThan(0.8)
    expect(ulogd.detect(text)).toBeGreaterThan(0.8)
    for (const f of [ipfw, conntrack, mikrotik, iptables, pf]) {
      expect(f.detect(json)).toBe(0)
      expect(f.detect(text)).toBe(0)
    }
    expect(ulogd.detect(fixtureLines('conntrack/linux-cgnat-events/events.log'))).toBe(0)
    expect(ulogd.detect(fixtureLines('iptables/shorewall-gateway/kern.log'))).toBe(0)
  })

  it('reads a JSON NEW with the flow start epoch: inside, reply destination as outside, destination', () => {
    const [ev] = parseAll(ulogd, json.slice(0, 1))
    expect(ev).toMatchObject({kind: 'session-start', protocol: 'tcp', insideIp: '100.72.0.5', insidePort: 40000, outsideIp: '198.51.100.60', outsidePort: 61000, destIp: '203.0.113.9', destPort: 443})
    expect(iso(ev!.time)).toBe('2026-03-03T21:14:02.250Z')
  })

  it('reads a DESTROY with start and end, and "+0100" offsets without a colon', () => {
    const m = byLine(parseAll(ulogd, json))
    expect(m.get(2)).toMatchObject({kind: 'session-end', outsidePort: 61000})
    expect(iso(m.get(2)!.time)).toBe('2026-03-03T21:14:02.000Z')
    expect(iso(m.get(2)!.end)).toBe('2026-03-03T21:16:02.000Z')
    expect(iso(m.get(3)!.time)).toBe('2026-03-03T21:14:05.000Z')
    expect(m.get(3)).toMatchObject({protocol: 'udp', outsidePort: 1025, insideIp: '100.72.0.6'})
  })

  it('reads a zone-less timestamp in the log zone', () => {
    const m = byLine(parseAll(ulogd, json, makeCtx('Europe/Paris')))
    expect(m.get(4)).toMatchObject({kind: 'mapping', insideIp: '100.72.0.7', outsidePort: 1026})
    expect(iso(m.get(4)!.time)).toBe('2026-03-03T21:14:06.000Z')
  })

  it('reads NFLOG JSON as a one-sided packet and flags missing ports and cut-off JSON as malformed', () => {
    const ctx = makeCtx()
    const m = byLine(parseAll(ulogd, json, ctx))
    expect(m.get(6)).toMatchObject({kind: 'packet', srcIp: '100.72.0.9', srcPort: 50000, dstPort: 22, insideIp: '100.72.0.9', iface: 'eth1'})
    expect(ctx.bad.map((b) => b.line)).toEqual([5, 7])
  })

  it('reads LOGEMU text and GPRINT key=value records', () => {
    const m = byLine(parseAll(ulogd, text, makeCtx('UTC', Date.UTC(2026, 5, 1))))
    expect(m.get(1)).toMatchObject({kind: 'session-start', insideIp: '100.72.1.5', insidePort: 33333, outsideIp: '198.51.100.61', outsidePort: 2222, destIp: '203.0.113.20', destPort: 80})
    expect(iso(m.get(1)!.time)).toBe('2026-03-03T22:14:02.000Z')
    expect(m.get(2)).toMatchObject({kind: 'mapping', protocol: 'udp', outsidePort: 4444})
    expect(m.get(3)).toMatchObject({kind: 'session-start', insideIp: '100.72.1.7', outsidePort: 3333, destPort: 443})
    expect(iso(m.get(3)!.time)).toBe('2026-03-03T22:14:04.000Z')
  })

  it('round-trips random NFCT JSON records', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
    const p = fc.integer({min: 1, max: 65535})
    fc.assert(
      fc.property(v4, p, v4, p, v4, p, fc.integer({min: 1_000_000_000, max: 2_000_000_000}), (a, ap, d, dp, o, op, sec) => {
        fc.pre(a !== o || ap !== op)
        fc.pre(a !== d)
        const rec = {'timestamp': '2026-03-03T22:14:02+0100', 'orig.ip.protocol': 6, 'orig.l4.sport': ap, 'orig.l4.dport': dp, 'reply.l4.sport': dp, 'reply.l4.dport': op, 'ct.event': 1, 'flow.start.sec': sec, 'orig.ip.saddr.str': a, 'orig.ip.daddr.str': d, 'reply.ip.saddr.str': d, 'reply.ip.daddr.str': o}
        const ctx = makeCtx()
        const ev = ulogd.parse({no: 1, text: JSON.stringify(rec)}, ctx) as NatEvent
        expect(ctx.bad).toEqual([])
        expect(ev).toMatchObject({insideIp: a, insidePort: ap, outsideIp: o, outsidePort: op, destIp: d, destPort: dp, time: sec * 1000})
      }),
      {numRuns: 300},
    )
  })

  it('never throws on random text or random JSON', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.jsonValue(), (s, j) => {
        ulogd.parse({no: 1, text: s}, makeCtx())
        ulogd.parse({no: 1, text: JSON.stringify(j)}, makeCtx())
        ulogd.parse({no: 1, text: `{"timestamp": "x", "orig.ip.saddr.str": ${JSON.stringify(s)}}`}, makeCtx())
      }),
      {numRuns: 500},
    )
  })
})
