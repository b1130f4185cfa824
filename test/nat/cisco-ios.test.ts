import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ciscoIos} from '../../src/nat/formats/cisco-ios.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const ipnat = fixtureLines('cisco-ios/branch-router-ipnat.log')
const xr = fixtureLines('cisco-ios/xr-cgn-bulk.log')
const ctx2025 = (zone = 'UTC') => makeCtx(zone, Date.UTC(2025, 5, 1))

describe('cisco-ios', () => {
  it('claims IOS NAT logs and IOS XR CGN logs', () => {
    expect(ciscoIos.detect(ipnat)).toBeGreaterThan(0.7)
    expect(ciscoIos.detect(xr)).toBeGreaterThan(0.8)
  })

  it('reads the four columns as inside-local, inside-global, outside-local, outside-global', () => {
    const [ev] = parseAll(ciscoIos, [ipnat[0]!], ctx2025('Europe/Berlin'))
    expect(ev).toMatchObject({
      kind: 'session-start', protocol: 'tcp', insideIp: '192.168.1.10', insidePort: 51234,
      outsideIp: '203.0.113.5', outsidePort: 40001, destIp: '198.51.100.7', destPort: 80, end: null,
    })
    // a zone-less IOS stamp (no year) is read in the file zone
    expect(iso(ev!.time)).toBe('2025-03-14T08:15:02.123Z')
  })

  it('reads DELETED as the end of that translation, without inventing a start', () => {
    const [ev] = parseAll(ciscoIos, [ipnat[2]!], ctx2025())
    expect(ev).toMatchObject({kind: 'session-end', insideIp: '192.168.1.10', outsidePort: 40001})
    expect(ev!.time).toBe(ev!.end)
  })

  it('reads NAT_CREATED/NAT_DELETED with the verb and a UTC device stamp behind a relay header', () => {
    const evs = parseAll(ciscoIos, ipnat.slice(3, 5), ctx2025('Asia/Tokyo'))
    expect(evs[0]).toMatchObject({kind: 'session-start', protocol: 'udp', insideIp: '10.10.0.44', insidePort: 5353, outsideIp: '203.0.113.6', outsidePort: 1030, destIp: '192.0.2.53', destPort: 53})
    expect(iso(evs[0]!.time)).toBe('2025-03-14T09:16:59.500Z')
    expect(evs[1]).toMatchObject({kind: 'session-end', insideIp: '10.10.0.44'})
  })

  it('reads a simple (address-only) translation as a mapping without ports, and flags a truncated line', () => {
    const ctx = ctx2025()
    const evs = parseAll(ciscoIos, ipnat.slice(5, 7), ctx)
    expect(evs).toHaveLength(1)
    expect(evs[0]).toMatchObject({kind: 'mapping', phase: 'open', protocol: null, insideIp: '10.10.0.50', insidePort: null, outsideIp: '203.0.113.7', outsidePort: null, destIp: null})
    expect(ctx.bad.map((b) => b.line)).toEqual([2])
  })

  it('reads the IOS XE LOG_TRANSLATION form with a lower-case utc stamp without year', () => {
    const evs = parseAll(ciscoIos, ipnat.slice(7), ctx2025('Asia/Tokyo'))
    expect(evs[0]).toMatchObject({kind: 'session-start', protocol: 'udp', insideIp: '10.10.0.60', insidePort: 44593, outsideIp: '203.0.113.8', outsidePort: 21129, destIp: '192.0.2.53', destPort: 53})
    expect(iso(evs[0]!.time)).toBe('2025-03-14T09:19:00.123Z')
    expect(evs[1]).toMatchObject({kind: 'session-end', insideIp: '10.10.0.60', outsidePort: 21129})
  })

  it('ignores other IOS messages', () => {
    const ctx = ctx2025()
    expect(parseAll(ciscoIos, [ipnat[1]!], ctx)).toEqual([])
    expect(ctx.bad).toEqual([])
  })

  it('reads IOS XR bulk port assignments and withdrawals as port blocks, several records per line', () => {
    const evs = parseAll(ciscoIos, xr.slice(0, 2), ctx2025())
    expect(evs.map((e) => [e.kind, e.phase, e.insideIp, e.outsideIp, e.outsidePort, e.outsidePortEnd, e.protocol])).toEqual([
      ['port-block', 'open', '100.64.1.17', '203.0.113.9', 2048, 3071, null],
      ['port-block', 'open', '100.64.1.18', '203.0.113.9', 3072, 4095, null],
      ['port-block', 'close', '100.64.1.3', '203.0.113.10', 1024, 2047, null],
    ])
    expect(iso(evs[0]!.time)).toBe('2025-03-14T10:00:00.000Z')
    expect(evs[2]!.evidence.line).toBe(2)
  })

  it('reads session-based records: a port mapping, and a withdrawal with destination as a session end', () => {
    const evs = parseAll(ciscoIos, xr.slice(2, 4), ctx2025())
    expect(evs[0]).toMatchObject({kind: 'mapping', phase: 'open', protocol: 'tcp', insideIp: '100.64.2.5', insidePort: 41000, outsideIp: '203.0.113.11', outsidePort: 16001, destIp: null})
    expect(evs[1]).toMatchObject({kind: 'session-end', protocol: 'udp', insideIp: '100.64.2.6', insidePort: 5000, outsidePort: 16002, destIp: '198.51.100.25', destPort: 123})
  })

  it('takes the B4 IPv6 address as the inside address of a DS-Lite record, ignores Portblockrunout, flags a short record', () => {
    const ctx = ctx2025()
    const evs = parseAll(ciscoIos, xr.slice(4), ctx)
    expect(evs).toHaveLength(1)
    expect(evs[0]).toMatchObject({kind: 'port-block', insideIp: '2001:db8:77::2', outsideIp: '203.0.113.12', outsidePort: 1024, outsidePortEnd: 1535})
    expect(ctx.bad.map((b) => b.line)).toEqual([3])
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.constantFrom('', '%IPNAT-6-CREATED: ', 'Mar 14 2025 10:00:00 NAT44 - [UserbasedA ', '[SessionbasedAD '), (s, pre) => {
        ciscoIos.parse({no: 1, text: pre + s}, ctx2025())
      }),
    )
  })

  it('round-trips the key fields of a generated IPNAT line', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({min: 0, max: 65535}), fc.ipV4(), fc.integer({min: 0, max: 65535}), fc.ipV4(), fc.integer({min: 0, max: 65535}), (il, ilp, ig, igp, og, ogp) => {
        const text = `*Mar 14 09:15:02.123: %IPNAT-6-CREATED: udp ${il}:${ilp} ${ig}:${igp} ${og}:${ogp} ${og}:${ogp}`
        expect(ciscoIos.parse({no: 1, text}, ctx2025())).toMatchObject({insideIp: il, insidePort: ilp, outsideIp: ig, outsidePort: igp, destIp: og, destPort: ogp})
      }),
    )
  })
})
