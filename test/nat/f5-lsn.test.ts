import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {f5Addr, f5Lsn} from '../../src/nat/formats/f5-lsn.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const lines = fixtureLines('f5-lsn/cgnat-lsn-pool.log')
const ctx2025 = (zone = 'UTC') => makeCtx(zone, Date.UTC(2025, 5, 1))

describe('f5-lsn', () => {
  it('claims LSN logs', () => {
    expect(f5Lsn.detect(lines)).toBeGreaterThan(0.8)
  })

  it('reads LSN_ADD with the start epoch, route domains stripped from cli, nat and dst', () => {
    const [ev] = parseAll(f5Lsn, [lines[0]!], ctx2025('Asia/Tokyo'))
    expect(ev).toMatchObject({
      kind: 'session-start', protocol: 'tcp', insideIp: '100.64.12.7', insidePort: 40512,
      outsideIp: '203.0.113.120', outsidePort: 40512, destIp: '198.51.100.7', destPort: 443, subscriber: null,
    })
    expect(iso(ev!.time)).toBe('2025-03-14T10:00:00.123Z')
  })

  it('reads LSN_DELETE as ending at the header time and starting at its start epoch', () => {
    const [ev] = parseAll(f5Lsn, [lines[1]!], ctx2025())
    expect(ev).toMatchObject({kind: 'session-end', insideIp: '100.64.12.7', subscriber: 'sub-88121'})
    expect(iso(ev!.time)).toBe('2025-03-14T10:00:00.123Z')
    expect(iso(ev!.end)).toBe('2025-03-14T10:01:40.000Z')
  })

  it('reads Splunk-style pairs, a mapping without destination, and port blocks', () => {
    const evs = parseAll(f5Lsn, lines.slice(2, 5), ctx2025())
    expect(evs[0]).toMatchObject({kind: 'mapping', phase: 'open', protocol: 'udp', insideIp: '100.64.12.9', insidePort: 5353, outsideIp: '203.0.113.121', outsidePort: 61000, destIp: null})
    expect(iso(evs[0]!.time)).toBe('2025-03-14T10:02:00.000Z')
    expect(evs[1]).toMatchObject({kind: 'port-block', phase: 'open', insideIp: '100.64.12.8', outsideIp: '203.0.113.121', outsidePort: 2048, outsidePortEnd: 2111})
    expect(iso(evs[1]!.time)).toBe('2025-03-14T10:03:00.000Z')
    expect(evs[2]).toMatchObject({kind: 'port-block', phase: 'close', outsidePort: 2048, outsidePortEnd: 2111})
    expect(iso(evs[2]!.end)).toBe('2025-03-14T11:03:00.000Z')
  })

  it('ignores inbound events and other daemons, reads an IPv6 client, flags a bad address', () => {
    const ctx = ctx2025()
    const evs = parseAll(f5Lsn, lines.slice(5), ctx)
    expect(evs).toHaveLength(1)
    expect(evs[0]).toMatchObject({insideIp: '2001:db8:64::7', insidePort: 40000, outsideIp: '203.0.113.122'})
    expect(ctx.bad.map((b) => b.line)).toEqual([3])
  })

  it('parses the address forms', () => {
    expect(f5Addr('10.0.0.1%12:80')).toEqual({ip: '10.0.0.1', port: 80, portEnd: null})
    expect(f5Addr('203.0.113.5:1024-1087')).toEqual({ip: '203.0.113.5', port: 1024, portEnd: 1087})
    expect(f5Addr('[2001:db8::1]:443')).toEqual({ip: '2001:db8::1', port: 443, portEnd: null})
    expect(f5Addr('2001:db8::1')).toEqual({ip: '2001:db8::1', port: null, portEnd: null})
    expect(f5Addr('10.0.0.1:99999')).toBeUndefined()
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.constantFrom('', '"lsn_event":"LSN_ADD",', 'lsn_event="LSN_PB_ALLOCATED",cli="'), (s, pre) => {
        f5Lsn.parse({no: 1, text: 'Mar 14 10:00:00 b info tmm: ' + pre + s}, ctx2025())
      }),
    )
  })

  it('round-trips a generated LSN_ADD', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.nat({max: 9}), (c, cp, n, np, rd) => {
        const text = `Mar 14 10:00:00 b info tmm: "lsn_event":"LSN_ADD","cli":"${c}%${rd}:${cp}","nat":"${n}%${rd}:${np}","ip_protocol":"UDP"`
        expect(f5Lsn.parse({no: 1, text}, ctx2025())).toMatchObject({insideIp: c, insidePort: cp, outsideIp: n, outsidePort: np, protocol: 'udp'})
      }),
    )
  })
})
