import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {keyToIpv4, quadKey} from '../../src/io/net.js'
import {HostTable, IntTable} from '../../src/scan/hosts.js'

describe('HostTable (per-source host set)', () => {
  it('keys dotted quads as int32 and leaves anything else to the Map', () => {
    expect(keyToIpv4(quadKey('198.51.100.20'))).toBe('198.51.100.20')
    expect(keyToIpv4(quadKey('255.255.255.255'))).toBe('255.255.255.255')
    for (const bad of ['0.0.0.0', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '2001:db8::1', '1.2.3.1000', '']) expect(quadKey(bad)).toBe(0)
    const t = new HostTable()
    for (const ip of ['10.1.2.3', '010.1.2.3', '10.01.2.3']) t.set(quadKey(ip), ip, 1)
    expect([...t.entries()].map(([ip]) => ip).sort()).toEqual(['010.1.2.3', '10.01.2.3', '10.1.2.3'])
  })

  it('behaves like a Map over IPv4 and IPv6 hosts, through growth (property)', () => {
    const v4 = fc.tuple(fc.integer({min: 1, max: 255}), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'))
    const v6 = fc.nat(50).map((n) => `2001:db8::${n.toString(16)}`)
    // a zero-padded quad is another host string than the canonical one (as in a Map keyed by the string)
    const padded = fc.tuple(fc.integer({min: 1, max: 99}), fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, ...r]) => [`0${a}`, ...r].join('.'))
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(v4, v6, padded), fc.nat(1 << 25)), {maxLength: 300}), (ops) => {
        const t = new HostTable()
        const m = new Map<string, number>()
        for (const [ip, v] of ops) {
          expect(t.get(quadKey(ip), ip)).toBe(m.get(ip))
          t.set(quadKey(ip), ip, v)
          m.set(ip, v)
        }
        expect(t.size).toBe(m.size)
        expect(new Map(t.entries())).toEqual(m)
      }),
      {numRuns: 60},
    )
  })

  it('quadKey: one key per canonical dotted quad, 0 for any other writing', () => {
    expect(quadKey('198.51.100.20')).toBe((198 << 24) | (51 << 16) | (100 << 8) | 20)
    expect(keyToIpv4(quadKey('255.255.255.255'))).toBe('255.255.255.255')
    for (const bad of ['0.0.0.0', '010.1.2.3', '1.02.3.4', '1.2.3', '256.1.1.1', '2001:db8::1', ' 1.2.3.4', '']) expect(quadKey(bad)).toBe(0)
  })

  it('IntTable behaves like a Map through sets, deletes and growth (property)', () => {
    // few distinct keys, many collisions: deletion by backward shift must keep every probe run reachable
    const key = fc.oneof(fc.integer({min: 1, max: 40}), fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1}).filter((k) => k !== 0))
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'set', 'delete'), key, fc.nat(9)), {maxLength: 400}), (ops) => {
        const t = new IntTable<number>()
        const m = new Map<number, number>()
        for (const [op, k, v] of ops) {
          if (op === 'set') {
            t.set(k, v)
            m.set(k, v)
          } else {
            t.delete(k)
            m.delete(k)
          }
          expect(t.size).toBe(m.size)
        }
        for (const [k, v] of m) expect(t.get(k)).toBe(v)
        for (const [, k] of ops) expect(t.get(k)).toBe(m.get(k))
      }),
      {numRuns: 100},
    )
  })
})
