import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {panos, splitCsv} from '../../src/nat/formats/panos.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const lines = fixtureLines('panos/edge-firewall-traffic.log')
const ctx2025 = (zone = 'UTC') => makeCtx(zone, Date.UTC(2025, 5, 1))

describe('panos', () => {
  it('claims PAN-OS traffic CSV', () => {
    expect(panos.detect(lines)).toBeGreaterThan(0.8)
    expect(panos.detect(['a,b,c', 'date=2025-03-14 time=10:00:00 logid="0000000013" type="traffic"'])).toBe(0)
  })

  it('reads source, NAT source and destination by column, from the start time to the generated time, in the device zone', () => {
    const [ev] = parseAll(panos, [lines[0]!], ctx2025('America/New_York'))
    expect(ev).toMatchObject({
      kind: 'session', protocol: 'tcp', insideIp: '10.30.1.5', insidePort: 51000,
      outsideIp: '203.0.113.100', outsidePort: 24001, destIp: '198.51.100.7', destPort: 443, subscriber: null,
    })
    expect(iso(ev!.time)).toBe('2025-03-14T14:07:04.000Z')
    expect(iso(ev!.end)).toBe('2025-03-14T14:17:07.000Z')
  })

  it('keeps the ICMP ports as written (0), reads the source user, and a start record', () => {
    const evs = parseAll(panos, lines.slice(1, 3), ctx2025())
    expect(evs[0]).toMatchObject({protocol: 'icmp', insidePort: 0, outsidePort: 0, subscriber: 'corp\\bob'})
    expect(iso(evs[0]!.time)).toBe('2025-03-14T10:16:55.000Z')
    expect(evs[1]).toMatchObject({kind: 'session-start', insideIp: '10.30.1.7', outsideIp: '203.0.113.101', outsidePort: 30001, end: null})
  })

  it('ignores drop records and THREAT logs, leaves outside empty without NAT, handles a quoted rule name with a comma', () => {
    const ctx = ctx2025()
    const evs = parseAll(panos, lines.slice(3), ctx)
    expect(evs).toHaveLength(1)
    expect(evs[0]).toMatchObject({insideIp: '10.30.1.9', outsideIp: null, outsidePort: null, destPort: 53, protocol: 'udp'})
    // the truncated record is ours but unreadable
    expect(ctx.bad.map((b) => b.line)).toEqual([4])
  })

  it('turns inbound destination NAT round: the NAT destination is the inside host', () => {
    const [ev] = parseAll(panos, fixtureLines('panos/inbound-dnat.log'), ctx2025())
    expect(ev).toMatchObject({insideIp: '10.30.9.9', insidePort: 8443, outsideIp: '203.0.113.102', outsidePort: 443, destIp: '198.51.100.91', destPort: 60001})
  })

  it('splits CSV with quotes', () => {
    expect(splitCsv('a,"b,c",,"d""e"')).toEqual(['a', 'b,c', '', 'd"e'])
    expect(splitCsv('')).toEqual([''])
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.array(fc.string({maxLength: 20}), {maxLength: 60}), (cols) => {
        panos.parse({no: 1, text: '1,2025/03/14 10:17:07,0128,TRAFFIC,' + cols.join(',')}, ctx2025())
      }),
    )
  })

  it('round-trips the key columns of a generated record', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({min: 1, max: 65535}), fc.ipV4(), fc.integer({min: 1, max: 65535}), (s, sp, n, np) => {
        fc.pre(n !== '0.0.0.0')
        const cols = lines[0]!.slice(lines[0]!.indexOf('1,2025')).split(',')
        cols[7] = s
        cols[24] = String(sp)
        cols[9] = n
        cols[26] = String(np)
        expect(panos.parse({no: 1, text: cols.join(',')}, ctx2025())).toMatchObject({insideIp: s, insidePort: sp, outsideIp: n, outsidePort: np})
      }),
    )
  })
})
