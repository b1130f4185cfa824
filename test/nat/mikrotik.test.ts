import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {conntrack} from '../../src/nat/formats/conntrack.js'
import {ipfw} from '../../src/nat/formats/ipfw.js'
import {mikrotik} from '../../src/nat/formats/mikrotik.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const bras = fixtureLines('mikrotik/pppoe-bras-remote-syslog/firewall.log')
const office = fixtureLines('mikrotik/office-router-log-print/log.0.txt')

function byLine(evs: NatEvent[]): Map<number, NatEvent> {
  return new Map(evs.map((e) => [e.evidence.line, e]))
}

describe('mikrotik', () => {
  it('claims RouterOS firewall logs; ipfw and conntrack do not, and it does not claim theirs', () => {
    expect(mikrotik.detect(bras)).toBeGreaterThan(0.8)
    expect(mikrotik.detect(office)).toBeGreaterThan(0.8)
    expect(ipfw.detect(bras)).toBe(0)
    expect(conntrack.detect(bras)).toBe(0)
    expect(mikrotik.detect(fixtureLines('ipfw/campus-gateway-count-log/security'))).toBe(0)
    expect(mikrotik.detect(fixtureLines('conntrack/linux-cgnat-events/events.log'))).toBe(0)
  })

  it('names the PPPoE user of in:<pppoe-USER> as the subscriber of a srcnat translation', () => {
    const ctx = makeCtx('America/Sao_Paulo', Date.UTC(2026, 3, 1))
    const [ev] = parseAll(mikrotik, bras.slice(0, 1), ctx)
    expect(ev).toMatchObject({
      kind: 'mapping',
      protocol: 'tcp',
      insideIp: '100.64.12.7',
      insidePort: 40112,
      outsideIp: '198.51.100.20',
      outsidePort: 40112,
      destIp: '203.0.113.80',
      destPort: 443,
      subscriber: 'maria.souza',
      phase: 'open',
    })
    expect(iso(ev!.time)).toBe('2026-03-04T00:14:02.000Z')
  })

  it('reads a translated source port, a missing comma and interface names with spaces', () => {
    const m = byLine(parseAll(mikrotik, bras))
    expect(m.get(2)).toMatchObject({insideIp: '100.64.12.9', insidePort: 5060, outsidePort: 2050, protocol: 'udp', subscriber: 'joao'})
    expect(m.get(2)!.phase).toBeUndefined() // no connection-state on the line: which moment is not said
    // dstnat: remote -> (public -> server)
    expect(m.get(3)).toMatchObject({insideIp: '10.1.1.20', insidePort: 80, outsideIp: '198.51.100.20', outsidePort: 8080, destIp: '203.0.113.77', destPort: 51000, iface: 'ether1 - WAN', subscriber: null})
  })

  it('joins a message RouterOS split across two syslog records', () => {
    const m = byLine(parseAll(mikrotik, bras))
    const ev = m.get(4)!
    expect(ev).toMatchObject({insideIp: '100.64.12.11', outsideIp: '198.51.100.21', outsidePort: 33000, destIp: '203.0.113.81', destPort: 443, subscriber: 'ana'})
    expect(ev.evidence.text.split('\n')).toHaveLength(2)
    expect(m.has(5)).toBe(false)
  })

  it('keeps only the complete fields of a message whose second half never came', () => {
    const ctx = makeCtx()
    const m = byLine(parseAll(mikrotik, bras, ctx))
    // line 8 lost its tail after "NAT (inside->public)": that part is whole; the destination is the packet's
    expect(m.get(8)).toMatchObject({kind: 'mapping', insideIp: '100.64.12.13', insidePort: 41000, outsideIp: '198.51.100.22', outsidePort: 41000, destIp: '203.0.113.82', destPort: 25, subscriber: 'carlos', phase: 'open'})
    expect(m.get(9)).toMatchObject({kind: 'mapping', subscriber: 'lia'})
    expect(m.has(7)).toBe(false)
    expect(ctx.bad.map((b) => b.line)).toEqual([10])
  })

  it('never reads a field the cut went through', () => {
    const head = 'Mar  3 21:14:08 bras-2 firewall,info forward: in:<pppoe-ze> out:sfp1-UPLINK, proto TCP (SYN), 100.64.12.20:41000->203.0.113.82:25, '
    const next = 'Mar  3 21:14:20 bras-2 firewall,info forward: in:<pppoe-lia> out:sfp1-UPLINK, proto UDP, 100.64.12.14:5000->203.0.113.83:53, len 60'
    // cut inside the public side of the NAT clause: no translation, only the packet
    const a = parseAll(mikrotik, [head + 'NAT (100.64.12.20:41000->198.51.100.22:41', next])
    expect(a[0]).toMatchObject({kind: 'packet', insideIp: '100.64.12.20', outsideIp: null})
    // cut inside the packet's destination port: nothing from that message
    const ctx = makeCtx()
    const b = parseAll(mikrotik, ['Mar  3 21:14:08 bras-2 firewall,info forward: in:<pppoe-ze> out:sfp1-UPLINK, proto TCP (SYN), 100.64.12.20:41000->203.0.113.82:2', next], ctx)
    expect(b.map((e) => e.subscriber)).toEqual(['lia'])
    expect(ctx.bad.map((x) => x.line)).toEqual([1])
  })

  it('reads ICMP on the input chain as a one-sided packet without ports', () => {
    const m = byLine(parseAll(mikrotik, bras))
    expect(m.get(6)).toMatchObject({kind: 'packet', protocol: 'icmp', srcIp: '203.0.113.5', dstIp: '198.51.100.20', srcPort: null, insideIp: null})
  })

  it('reads /log print stamps with and without year, and refuses a time without a date', () => {
    const ctx = makeCtx('UTC', Date.UTC(2026, 5, 1))
    const m = byLine(parseAll(mikrotik, office, ctx))
    expect(iso(m.get(1)!.time)).toBe('2026-03-03T21:14:02.000Z')
    expect(m.get(1)).toMatchObject({insideIp: '192.168.88.23', outsideIp: '198.51.100.9', outsidePort: 50500})
    expect(iso(m.get(2)!.time)).toBe('2026-03-03T21:14:03.000Z')
    expect(m.get(2)).toMatchObject({kind: 'packet', insideIp: '192.168.88.23', destIp: '203.0.113.201'})
    expect(m.has(3)).toBe(false)
    expect(ctx.bad.map((b) => b.line)).toEqual([3])
    expect(m.get(4)).toMatchObject({srcIp: 'fd00:88::23', srcPort: 40000, dstIp: '2001:db8:1::80', dstPort: 443, insideIp: 'fd00:88::23'})
  })

  it('round-trips random srcnat translations written in the RouterOS layout', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
    const p = fc.integer({min: 0, max: 65535})
    const iface = fc.stringMatching(/^[a-z][a-z0-9 -]{0,12}[a-z0-9]$/).filter((s) => !s.includes(' out') && !s.includes('  '))
    fc.assert(
      fc.property(v4, p, v4, p, v4, p, iface, fc.stringMatching(/^[a-z][a-z0-9._]{0,15}$/), fc.boolean(), (a, ap, b, bp, d, dp, ifc, user, comma) => {
        const text = `Mar  3 21:14:02 r1 firewall,info forward: in:<pppoe-${user}> out:${ifc}${comma ? ',' : ''} connection-state:new,snat proto TCP (SYN), ${a}:${ap}->${d}:${dp}, NAT (${a}:${ap}->${b}:${bp})->${d}:${dp}, len 60`
        const ctx = makeCtx()
        const ev = mikrotik.parse({no: 1, text}, ctx) as NatEvent
        expect(ctx.bad).toEqual([])
        expect(ev).toMatchObject({insideIp: a, insidePort: ap, outsideIp: b, outsidePort: bp, destIp: d, destPort: dp, subscriber: user})
      }),
      {numRuns: 300},
    )
  })

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.constantFrom('', 'Mar  3 21:14:02 r1 firewall,info forward: in:x out:y, proto TCP, ', 'in:<pppoe-a> out:b '), (s, prefix) => {
        const ctx = makeCtx()
        mikrotik.parse({no: 1, text: prefix + s}, ctx)
        mikrotik.parse({no: 2, text: s}, ctx)
        mikrotik.flush!(ctx)
      }),
      {numRuns: 500},
    )
  })
})
