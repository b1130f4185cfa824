import fc from 'fast-check'
import {IPv6, collapseIPv6Number} from 'ip-num'
import {describe, expect, it} from 'vitest'
import {canonicalIp, CidrSet, isInsideAddress, normalizeMac} from '../../src/io/net.js'

describe('canonicalIp', () => {
  it('writes IPv6 the RFC 5952 way and agrees with ip-num on any writing of any address', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({min: 0, max: 0xffff})), {minLength: 8, maxLength: 8}), fc.boolean(), (groups, pad) => {
        const full = groups.map((x) => (pad ? x.toString(16).padStart(4, '0') : x.toString(16)).toUpperCase()).join(':')
        const expected = collapseIPv6Number(IPv6.fromString(full).toString()).toLowerCase()
        const mapped = groups.slice(0, 6).every((x, i) => (i < 5 ? x === 0 : x === 0xffff))
        if (mapped) return true // ::ffff:a.b.c.d is written as IPv4
        expect(canonicalIp(full)).toBe(expected)
        expect(canonicalIp(expected)).toBe(expected)
        expect(canonicalIp(`[${expected}]`)).toBe(expected)
        return true
      }),
      {numRuns: 2000},
    )
  })

  it('reads an IPv4 tail, v4-mapped addresses, zone indexes, and refuses what is not an address', () => {
    expect(canonicalIp('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221')
    expect(canonicalIp('::ffff:192.0.2.33')).toBe('192.0.2.33')
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1')
    expect(canonicalIp('2001:db8::1::2')).toBeNull()
    expect(canonicalIp('2001:db8:1:2:3:4:5:6:7')).toBeNull()
    expect(canonicalIp('12345::1')).toBeNull()
    expect(canonicalIp('192.0.2.256')).toBeNull()
    expect(canonicalIp('010.001.002.003')).toBe('10.1.2.3')
  })
})

describe('canonical forms of IPv4 addresses and MACs, any writing (property)', () => {
  it('gives a.b.c.d without leading zeros for any writing of an IPv4 address, and itself for that form', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({min: 0, max: 255}), {minLength: 4, maxLength: 4}), fc.array(fc.integer({min: 0, max: 2}), {minLength: 4, maxLength: 4}), fc.constantFrom('', ' ', '\t'), (o, zeros, pad) => {
        const canonical = o.join('.')
        expect(canonicalIp(canonical)).toBe(canonical)
        expect(canonicalIp(`${pad}${o.map((x, i) => `${'0'.repeat(zeros[i]!)}${x}`.slice(-3)).join('.')}${pad}`)).toBe(canonical)
        expect(canonicalIp(`::ffff:${canonical}`)).toBe(canonical)
      }),
      {numRuns: 500},
    )
  })
  it('gives aa:bb:cc:dd:ee:ff for any writing of a MAC, and itself for that form', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({min: 0, max: 255}), {minLength: 6, maxLength: 6}), fc.boolean(), fc.constantFrom(':', '-', '.', ''), fc.constantFrom('', '01:', ' '), (b, upper, sep, prefix) => {
        const hex = b.map((x) => x.toString(16).padStart(2, '0'))
        const canonical = hex.join(':')
        const flat = hex.join('')
        const written = sep === '.' ? `${flat.slice(0, 4)}.${flat.slice(4, 8)}.${flat.slice(8)}` : hex.join(sep)
        expect(normalizeMac(canonical)).toBe(canonical)
        expect(normalizeMac(`${prefix}${upper ? written.toUpperCase() : written}`)).toBe(prefix === '01:' && sep !== ':' && sep !== '-' ? null : canonical)
      }),
      {numRuns: 500},
    )
  })
})

describe('inside ranges and MACs', () => {
  it('knows RFC 1918, CGNAT shared space and ULA as inside, public space as outside', () => {
    for (const ip of ['10.1.2.3', '172.31.0.1', '192.168.0.23', '100.64.3.17', 'fd00:9::21']) expect(isInsideAddress(ip)).toBe(true)
    for (const ip of ['203.0.113.5', '172.32.0.1', '100.128.0.1', '2001:db8::1']) expect(isInsideAddress(ip)).toBe(false)
    expect(new CidrSet(['203.0.113.0/24']).has('203.0.113.200')).toBe(true)
  })

  it('normalises every usual MAC writing to lower-case colon form', () => {
    for (const m of ['00:1E:C2:AA:BB:CC', '00-1e-c2-aa-bb-cc', '001e.c2aa.bbcc', '001ec2aabbcc', '1:00:1e:c2:aa:bb:cc', '0:1e:c2:aa:bb:cc'])
      expect(normalizeMac(m)).toBe('00:1e:c2:aa:bb:cc')
    expect(normalizeMac('not-a-mac')).toBeNull()
  })
})
