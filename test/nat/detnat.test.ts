import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {NatraceError, UsageError} from '../../src/io/errors.js'
import {
  describeRule,
  detNatInside,
  detNatInsideAll,
  detNatOutside,
  detNatTable,
  parseDetNatConfig,
  parseDetNatSpec,
} from '../../src/nat/detnat.js'

const SPEC = '100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000'
const T = Date.UTC(2025, 2, 14, 10)

describe('deterministic NAT (RFC 7422)', () => {
  const rule = parseDetNatSpec(SPEC)

  it('reads the spec: 1024 inside addresses, 32 public addresses, 32 blocks of 2000 ports each', () => {
    expect(describeRule(rule)).toMatchObject({inside: '100.64.0.0-100.64.3.255', public: '203.0.113.0-203.0.113.31', ports: '1024-65535', block: 2000, blocksPerPublicIp: 32, order: 'sequential'})
  })

  it('gives consecutive inside addresses consecutive port blocks of one public address, then the next address', () => {
    expect(detNatOutside([rule], '100.64.0.0', T)).toMatchObject({publicIp: '203.0.113.0', portRange: {first: 1024, last: 3023}})
    expect(detNatOutside([rule], '100.64.0.1', T)).toMatchObject({publicIp: '203.0.113.0', portRange: {first: 3024, last: 5023}})
    expect(detNatOutside([rule], '100.64.0.31', T)).toMatchObject({publicIp: '203.0.113.0', portRange: {first: 63024, last: 65023}})
    expect(detNatOutside([rule], '100.64.0.32', T)).toMatchObject({publicIp: '203.0.113.1', portRange: {first: 1024, last: 3023}})
    expect(detNatOutside([rule], '100.64.3.255', T)).toMatchObject({publicIp: '203.0.113.31', portRange: {first: 63024, last: 65023}})
  })

  it('computes the inside address from public address and port', () => {
    expect(detNatInside([rule], '203.0.113.1', 3023, T)).toMatchObject({insideIp: '100.64.0.32', portRange: {first: 1024, last: 3023}})
    expect(detNatInside([rule], '203.0.113.1', 3024, T)).toMatchObject({insideIp: '100.64.0.33'})
  })

  it('maps nobody for ports outside the range or past the last full block, and for other public addresses', () => {
    expect(detNatInside([rule], '203.0.113.1', 1023, T)).toBeNull()
    expect(detNatInside([rule], '203.0.113.1', 65024, T)).toBeNull() // 65024-65535: leftover, no block
    expect(detNatInside([rule], '203.0.113.32', 5000, T)).toBeNull()
    expect(detNatInside([rule], 'not-an-ip', 5000, T)).toBeNull()
    expect(detNatOutside([rule], '100.64.4.0', T)).toBeNull()
  })

  it('is a bijection between inside addresses and (public, block)', () => {
    const r = parseDetNatSpec('10.0.0.0/24=198.51.100.8/30,ports=2000-5999,block=62,order=round-robin')
    const seen = new Set<string>()
    for (const row of detNatTable(r)) {
      const key = `${row.publicIp}:${row.portRange.first}`
      expect(seen.has(key)).toBe(false)
      seen.add(key)
      expect(detNatInside([r], row.publicIp, row.portRange.last, null)!.insideIp).toBe(row.insideIp)
    }
    expect(seen.size).toBe(256)
  })

  it('round-trips inside -> outside -> inside for random rules and addresses (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 0, max: 8}),
        fc.integer({min: 0, max: 4}),
        fc.integer({min: 1, max: 4000}),
        fc.constantFrom('sequential', 'round-robin'),
        fc.nat(),
        fc.nat(),
        (insideBits, publicBits, block, order, pick, off) => {
          const nIn = 2 ** insideBits
          const nPub = 2 ** publicBits
          const perIp = Math.floor(64512 / block)
          fc.pre(perIp * nPub >= nIn)
          const r = parseDetNatSpec(`10.1.0.0/${32 - insideBits}=192.0.2.0/${32 - publicBits},ports=1024-65535,block=${block},order=${order}`)
          const i = pick % nIn
          const inside = `10.1.${(i >> 8) & 255}.${i & 255}`
          const out = detNatOutside([r], inside, null)!
          const port = out.portRange.first + (off % block)
          expect(detNatInside([r], out.publicIp, port, null)!.insideIp).toBe(inside)
        },
      ),
    )
  })

  it('honours validity periods and never picks between live rules that disagree', () => {
    const old = parseDetNatSpec(`${SPEC},to=2025-01-01T00:00:00Z`)
    const cur = parseDetNatSpec('100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000,order=round-robin,from=2025-01-01T00:00:00Z')
    expect(detNatInside([old, cur], '203.0.113.1', 1024, Date.UTC(2024, 5, 1))!.insideIp).toBe('100.64.0.32')
    expect(detNatInside([old, cur], '203.0.113.1', 1024, T)!.insideIp).toBe('100.64.0.1')
    // time unknown: both rules could apply and they disagree
    expect(detNatInside([old, cur], '203.0.113.1', 1024, null)).toBeNull()
    expect(detNatInsideAll([old, cur], '203.0.113.1', 1024, null).map((h) => h.insideIp)).toEqual(['100.64.0.32', '100.64.0.1'])
  })

  it('computes the block size as RFC 7422 does when none is given', () => {
    const r = parseDetNatSpec('100.64.0.0/22=203.0.113.0/27')
    expect(r.block).toBe(2016) // 64512 ports / ceil(1024/32) subscribers per address
    expect(r.blockComputed).toBe(true)
  })

  it('rejects specs that cannot be a deterministic mapping, with a clear message', () => {
    const msg = (s: string) => {
      try {
        parseDetNatSpec(s)
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError)
        return (e as Error).message
      }
      throw new Error('no error')
    }
    expect(msg('100.64.0.0/22=203.0.113.0/28,ports=1024-65535,block=2000')).toMatch(/does not fit/)
    expect(msg('100.64.0.0/22')).toMatch(/INSIDE=PUBLIC/)
    expect(msg('100.64.0.1/22=203.0.113.0/27')).toMatch(/host bits/)
    expect(msg('2001:db8::/64=203.0.113.0/27')).toMatch(/IPv4 only/)
    expect(msg(`${SPEC},ports=70000-1`)).toMatch(/ports/)
    expect(msg(`${SPEC},from=2025-01-01 00:00`)).toMatch(/no zone/)
    expect(msg(`${SPEC},colour=blue`)).toMatch(/unknown setting/)
    expect(msg(`${SPEC},from=2025-02-01T00:00:00Z,to=2025-01-01T00:00:00Z`)).toMatch(/not after/)
  })

  it('reads a JSON config file of rules with their validity periods, naming the entry on error', () => {
    const rules = parseDetNatConfig(
      JSON.stringify({rules: [{spec: SPEC, to: '2025-01-01T00:00:00Z'}, {inside: '100.64.0.0/22', public: '203.0.113.0/27', ports: '1024-65535', block: 2000, from: '2025-01-01T00:00:00Z'}]}),
      'detnat.json',
    )
    expect(rules).toHaveLength(2)
    expect(rules[1]!.from).toBe(Date.UTC(2025, 0, 1))
    expect(() => parseDetNatConfig('[{"inside": "100.64.0.0/22"}]', 'x.json')).toThrow(/x\.json entry 1/)
    expect(() => parseDetNatConfig('{', 'x.json')).toThrow(NatraceError)
  })
})
