import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {juniperSrx} from '../../src/nat/formats/juniper-srx.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const sd = fixtureLines('juniper-srx/campus-edge-sd-syslog.log')
const legacy = fixtureLines('juniper-srx/branch-legacy-text.log')
const ctx2025 = (zone = 'UTC') => makeCtx(zone, Date.UTC(2025, 5, 1))

describe('juniper-srx', () => {
  it('claims SRX flow logs in both forms', () => {
    expect(juniperSrx.detect(sd)).toBeGreaterThan(0.8)
    expect(juniperSrx.detect(legacy)).toBeGreaterThan(0.7)
  })

  it('reads a structured CREATE: source = inside, nat-source = outside, destination = peer, with the stated offset', () => {
    const [ev] = parseAll(juniperSrx, [sd[0]!], ctx2025('America/New_York'))
    expect(ev).toMatchObject({
      kind: 'session-start', protocol: 'tcp', insideIp: '10.3.0.20', insidePort: 50123,
      outsideIp: '203.0.113.20', outsidePort: 31002, destIp: '198.51.100.7', destPort: 443, subscriber: null, end: null,
    })
    expect(iso(ev!.time)).toBe('2025-03-14T09:15:02.118Z')
  })

  it('dates a CLOSE back by elapsed-time: start = time - elapsed, end = time (not start + elapsed)', () => {
    const [ev] = parseAll(juniperSrx, [sd[1]!], ctx2025())
    expect(ev).toMatchObject({kind: 'session-end', insideIp: '10.3.0.20', outsidePort: 31002, subscriber: 'jsmith'})
    expect(iso(ev!.time)).toBe('2025-03-14T09:15:02.118Z')
    expect(iso(ev!.end)).toBe('2025-03-14T09:15:14.118Z')
  })

  it('ignores DENY records, reads IPv6 sessions, flags a CLOSE without a source address', () => {
    const ctx = ctx2025()
    const evs = parseAll(juniperSrx, sd.slice(2), ctx)
    expect(evs).toHaveLength(1)
    expect(evs[0]).toMatchObject({protocol: 'udp', insideIp: '2001:db8:30::20', outsideIp: '2001:db8:30::20', destIp: '2001:db8:ff::53'})
    expect(ctx.bad.map((b) => b.line)).toEqual([3])
  })

  it('reads the legacy positional text: the two address pairs, the protocol column and elapsed-time', () => {
    const ctx = ctx2025('Europe/Madrid')
    const evs = parseAll(juniperSrx, legacy, ctx)
    expect(evs).toHaveLength(3)
    expect(evs[0]).toMatchObject({kind: 'session-start', protocol: 'tcp', insideIp: '192.168.50.12', insidePort: 61001, outsideIp: '203.0.113.33', outsidePort: 20481, destIp: '198.51.100.80', destPort: 80})
    expect(iso(evs[0]!.time)).toBe('2025-03-14T09:15:02.000Z')
    expect(evs[1]).toMatchObject({kind: 'session-end', protocol: 'tcp', insidePort: 61001})
    expect(iso(evs[1]!.time)).toBe('2025-03-14T09:15:02.000Z')
    expect(iso(evs[1]!.end)).toBe('2025-03-14T09:17:02.000Z')
    // older release without rule types
    expect(evs[2]).toMatchObject({protocol: 'udp', insideIp: '192.168.50.13', outsidePort: 20500, destPort: 53})
    expect(evs[2]!.end! - evs[2]!.time).toBe(60_000)
    expect(ctx.bad.map((b) => b.line)).toEqual([4])
  })

  it('turns inbound destination NAT round (public peer -> server behind the public address), not an outbound DNAT of an inside client', () => {
    const evs = parseAll(juniperSrx, fixtureLines('juniper-srx/web-server-dnat.log'), ctx2025())
    expect(evs[0]).toMatchObject({insideIp: '10.3.9.10', insidePort: 8443, outsideIp: '203.0.113.25', outsidePort: 443, destIp: '198.51.100.77', destPort: 52001})
    // an inside client whose DNS query was redirected stays the inside host
    expect(evs[1]).toMatchObject({insideIp: '10.3.0.21', insidePort: 40001, outsideIp: '10.3.0.21', destIp: '10.3.255.53'})
    expect(evs[2]).toMatchObject({protocol: 'tcp', insideIp: '192.168.50.5', insidePort: 22, outsideIp: '203.0.113.33', outsidePort: 22, destIp: '198.51.100.78'})
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 300}), fc.constantFrom('', '<14>1 2025-03-14T10:15:02Z h RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@1 ', 'Mar 14 10:15:02 h RT_FLOW: RT_FLOW_SESSION_CREATE: session created '), (s, pre) => {
        juniperSrx.parse({no: 1, text: pre + s}, ctx2025())
      }),
    )
  })

  it('round-trips the key fields of a generated structured CLOSE', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.integer({min: 0, max: 100000}), (ia, ip, na, np, el) => {
        const text = `<14>1 2025-03-14T10:15:14Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="x" source-address="${ia}" source-port="${ip}" destination-address="198.51.100.1" destination-port="80" nat-source-address="${na}" nat-source-port="${np}" protocol-id="17" elapsed-time="${el}"]`
        const ev = juniperSrx.parse({no: 1, text}, ctx2025()) as {insideIp: string; insidePort: number; outsideIp: string; outsidePort: number; time: number; end: number}
        expect(ev).toMatchObject({insideIp: ia, insidePort: ip, outsideIp: na, outsidePort: np})
        expect(ev.end - ev.time).toBe(el * 1000)
      }),
    )
  })
})
