import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {epochMs, fortigate} from '../../src/nat/formats/fortigate.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const traffic = fixtureLines('fortigate/isp-edge-traffic.log')
const pba = fixtureLines('fortigate/cgn-pba-events.log')
const ctx2025 = (zone = 'UTC') => makeCtx(zone, Date.UTC(2025, 5, 1))

describe('fortigate', () => {
  it('claims FortiGate traffic and event logs', () => {
    expect(fortigate.detect(traffic)).toBeGreaterThan(0.8)
    expect(fortigate.detect(pba)).toBeGreaterThan(0.8)
  })

  it('reads a closed SNAT session: srcip inside, transip outside, logged at the end and dated back by duration', () => {
    const [ev] = parseAll(fortigate, [traffic[0]!], ctx2025('America/Chicago'))
    expect(ev).toMatchObject({
      kind: 'session', protocol: 'tcp', insideIp: '10.20.1.15', insidePort: 50211,
      outsideIp: '203.0.113.80', outsidePort: 50211, destIp: '198.51.100.7', destPort: 443,
    })
    // eventtime in ns is the end; start = end - 116 s
    expect(iso(ev!.end)).toBe('2025-03-14T09:17:47.123Z')
    expect(iso(ev!.time)).toBe('2025-03-14T09:15:51.123Z')
  })

  it('reads date/time in the tz offset of the line when there is no eventtime, else in the file zone', () => {
    const [withTz] = parseAll(fortigate, [traffic[1]!], ctx2025('America/Chicago'))
    expect(iso(withTz!.end)).toBe('2025-03-14T09:18:00.000Z')
    expect(withTz).toMatchObject({protocol: 'udp', insidePort: 40001, outsidePort: 61001})
    const [utcForm] = parseAll(fortigate, [traffic[1]!.replace('tz="+0545"', 'tz="UTC+5:45"')], ctx2025('America/Chicago'))
    expect(utcForm!.end).toBe(withTz!.end)
    const [noTz] = parseAll(fortigate, [traffic[2]!], ctx2025('Europe/Lisbon'))
    expect(iso(noTz!.end)).toBe('2025-03-14T09:20:00.000Z')
    expect(noTz!.subscriber).toBe('alice')
  })

  it('does not take 0.0.0.0 of a sniffer policy or a noop translation as a public mapping, and ignores denied traffic', () => {
    const evs = parseAll(fortigate, traffic.slice(3, 6), ctx2025())
    expect(evs).toHaveLength(2)
    expect(evs[0]).toMatchObject({insideIp: '198.51.100.200', outsideIp: null, outsidePort: null})
    expect(evs[1]).toMatchObject({insideIp: '10.20.1.18', outsideIp: null, outsidePort: null})
    expect(iso(evs[1]!.end)).toBe('2025-03-14T09:22:00.000Z')
  })

  it('reads a session-start record, IPv6, and flags unreadable traffic lines', () => {
    const ctx = ctx2025()
    const evs = parseAll(fortigate, traffic.slice(6), ctx)
    expect(evs).toHaveLength(3)
    expect(evs[0]).toMatchObject({kind: 'session-start', outsideIp: '203.0.113.82', outsidePort: 2000, end: null})
    expect(iso(evs[0]!.time)).toBe('2025-03-14T09:24:00.000Z')
    expect(evs[1]).toMatchObject({insideIp: '2001:db8:20::15', destIp: '2001:db8:ff::7', outsideIp: null})
    // no ports logged: null, not invented
    expect(evs[2]).toMatchObject({insideIp: '10.20.1.21', insidePort: null, destPort: null})
    expect(ctx.bad.map((b) => b.line)).toEqual([4])
  })

  it('reads PBA create / interim / deallocate as port blocks and flags one without its end port', () => {
    const ctx = ctx2025()
    const evs = parseAll(fortigate, pba, ctx)
    expect(evs.map((e) => [e.kind, e.phase, e.insideIp, e.outsideIp, e.outsidePort, e.outsidePortEnd])).toEqual([
      ['port-block', 'open', '100.64.3.9', '203.0.113.90', 5120, 5375],
      ['port-block', 'interim', '100.64.3.9', '203.0.113.90', 5120, 5375],
      ['port-block', 'close', '100.64.3.9', '203.0.113.90', 5120, 5375],
    ])
    expect(iso(evs[0]!.time)).toBe('2025-03-14T10:00:00.000Z')
    // a release proves its own instant only
    expect(evs[2]!.time).toBe(evs[2]!.end)
    expect(ctx.bad.map((b) => b.line)).toEqual([4])
  })

  it('reads eventtime in seconds, milliseconds, microseconds and nanoseconds', () => {
    expect(epochMs('1741944240')).toBe(1741944240000)
    expect(epochMs('1741944240123')).toBe(1741944240123)
    expect(epochMs('1741944240123456')).toBe(1741944240123)
    expect(epochMs('1741944240123456789')).toBe(1741944240123)
    expect(epochMs('12')).toBeNull()
  })

  it('turns an inbound VIP (dnat) round: the server is the inside host, the VIP its public side', () => {
    const evs = parseAll(fortigate, fixtureLines('fortigate/vip-web-server.log'), ctx2025())
    expect(evs[0]).toMatchObject({insideIp: '172.16.8.20', insidePort: 8443, outsideIp: '203.0.113.80', outsidePort: 443, destIp: '198.51.100.90', destPort: 61234})
    // hairpin (snat+dnat) from an inside client stays outbound
    expect(evs[1]).toMatchObject({insideIp: '10.20.1.40', outsideIp: '203.0.113.80', outsidePort: 40000, destIp: '203.0.113.80'})
  })

  it('moves the other instant of a repeated DST hour back with the start', () => {
    const text = 'date=2024-10-27 time=02:30:00 logid="0000000013" type="traffic" subtype="forward" srcip=10.20.1.15 srcport=50211 dstip=198.51.100.7 dstport=443 proto=6 action="close" trandisp="snat" transip=203.0.113.80 transport=50211 duration=60'
    const [ev] = parseAll(fortigate, [text], makeCtx('Europe/Berlin', Date.UTC(2024, 11, 1)))
    expect(ev!.end! - ev!.time).toBe(60_000)
    expect(ev!.timeAlt).toBeDefined()
    expect(Math.abs(ev!.timeAlt! - ev!.time)).toBe(3600_000)
  })

  it('reads the comma-separated (csv) log format', () => {
    const [ev] = parseAll(fortigate, fixtureLines('fortigate/csv-format.log'), ctx2025())
    expect(ev).toMatchObject({kind: 'session', insideIp: '10.20.1.50', insidePort: 51000, outsideIp: '203.0.113.80', outsidePort: 33001, destIp: '198.51.100.7', destPort: 443, protocol: 'tcp'})
    expect(iso(ev!.end)).toBe('2025-03-14T10:50:00.000Z')
    expect(iso(ev!.time)).toBe('2025-03-14T10:49:00.000Z')
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 300}), fc.constantFrom('', 'logid="0000000013" type="traffic" ', 'logid="0100022015" type="event" eventtime=1741944240 '), (s, pre) => {
        fortigate.parse({no: 1, text: pre + s}, ctx2025())
      }),
    )
  })

  it('round-trips the key fields of a generated traffic line', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.integer({min: 0, max: 86400}), (s, sp, n, np, d) => {
        fc.pre(n !== '0.0.0.0')
        const text = `date=2025-03-14 time=09:24:00 eventtime=1741944240 logid="0000000013" type="traffic" subtype="forward" srcip=${s} srcport=${sp} dstip=198.51.100.1 dstport=80 proto=17 action="close" trandisp="snat" transip=${n} transport=${np} duration=${d}`
        const ev = fortigate.parse({no: 1, text}, ctx2025()) as {insideIp: string; insidePort: number; outsideIp: string; outsidePort: number; time: number; end: number}
        expect(ev).toMatchObject({insideIp: s, insidePort: sp, outsideIp: n, outsidePort: np, end: 1741944240000, time: 1741944240000 - d * 1000})
      }),
    )
  })
})
