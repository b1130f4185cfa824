import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ciscoAsa} from '../../src/nat/formats/cisco-asa.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const pat = fixtureLines('cisco-asa/branch-office-pat.log')
const relayed = fixtureLines('cisco-asa/relayed-and-emblem.log')
const blocks = fixtureLines('cisco-asa/cgnat-port-blocks.log')
const damaged = fixtureLines('cisco-asa/damaged.log')
const ctx2025 = () => makeCtx('UTC', Date.UTC(2025, 5, 1))

describe('cisco-asa', () => {
  it('claims ASA syslog files', () => {
    expect(ciscoAsa.detect(pat)).toBeGreaterThan(0.8)
    expect(ciscoAsa.detect(['Mar  3 21:00:00 gw sshd[1]: Accepted publickey for x'])).toBe(0)
  })

  it('reads 305011 as a translation of the inside real address to the mapped address, with no peer', () => {
    const [ev] = parseAll(ciscoAsa, [pat[0]!], ctx2025())
    expect(ev).toMatchObject({
      kind: 'mapping', phase: 'open', protocol: 'tcp', insideIp: '192.168.10.21', insidePort: 53311,
      outsideIp: '203.0.113.40', outsidePort: 21877, destIp: null, destPort: null, end: null,
    })
    expect(iso(ev!.time)).toBe('2025-03-14T09:15:02.000Z')
  })

  it('dates a 305012 teardown back by its duration: start = time - duration, end = time', () => {
    const [ev] = parseAll(ciscoAsa, [pat[4]!], ctx2025())
    expect(ev).toMatchObject({kind: 'mapping', phase: 'close', insideIp: '192.168.10.21', outsideIp: '203.0.113.40', outsidePort: 21877})
    expect(iso(ev!.time)).toBe('2025-03-14T09:15:02.000Z')
    expect(iso(ev!.end)).toBe('2025-03-14T09:16:10.000Z')
  })

  it('takes the remote peer from the "for" side and the inside host with its mapped address from the "to" side of an outbound connection', () => {
    const [ev] = parseAll(ciscoAsa, [pat[1]!], ctx2025())
    expect(ev).toMatchObject({
      kind: 'session-start', protocol: 'tcp', insideIp: '192.168.10.21', insidePort: 53311,
      outsideIp: '203.0.113.40', outsidePort: 21877, destIp: '198.51.100.200', destPort: 443,
    })
  })

  it('reads an inbound connection the same way: the server behind static NAT is the inside host', () => {
    const [ev] = parseAll(ciscoAsa, [relayed[2]!], ctx2025())
    expect(ev).toMatchObject({kind: 'session-start', insideIp: '172.16.5.10', insidePort: 443, outsideIp: '203.0.113.45', outsidePort: 443, destIp: '198.51.100.9', destPort: 51515})
  })

  it('reads a 302014/302016 teardown as a session end with its start, without inventing the mapped address', () => {
    const [tcp] = parseAll(ciscoAsa, [pat[3]!], ctx2025())
    expect(tcp).toMatchObject({kind: 'session-end', insideIp: '192.168.10.21', insidePort: 53311, destIp: '198.51.100.200', destPort: 443, outsideIp: null, outsidePort: null})
    expect(iso(tcp!.time)).toBe('2025-03-14T09:15:02.000Z')
    expect(iso(tcp!.end)).toBe('2025-03-14T09:15:40.000Z')
    const [udp] = parseAll(ciscoAsa, [relayed[4]!], ctx2025())
    expect(udp).toMatchObject({protocol: 'udp', insideIp: '192.168.10.35', insidePort: 52925, destIp: '192.0.2.53', destPort: 53})
    expect(udp!.end! - udp!.time).toBe(10 * 3600_000)
  })

  it('takes the mapped address of a teardown from the Built line of the same connection, so start and end pair', () => {
    const evs = parseAll(ciscoAsa, [pat[1]!, pat[3]!], ctx2025())
    expect(evs[1]).toMatchObject({kind: 'session-end', insideIp: '192.168.10.21', insidePort: 53311, outsideIp: '203.0.113.40', outsidePort: 21877})
    // same connection id but another inside host (ids of another device): nothing is carried over
    const other = pat[3]!.replace('inside:192.168.10.21/53311', 'inside:192.168.10.99/53311')
    const evs2 = parseAll(ciscoAsa, [pat[1]!, other], ctx2025())
    expect(evs2[1]).toMatchObject({insideIp: '192.168.10.99', outsideIp: null, outsidePort: null})
  })

  it('prefers the device stamp (with year) over the relay header, and reads an idfw user glued to the port', () => {
    const [ev] = parseAll(ciscoAsa, [relayed[0]!], ctx2025())
    expect(ev).toMatchObject({insideIp: '192.168.10.77', insidePort: 49152, outsideIp: '203.0.113.41', outsidePort: 33000})
    expect(iso(ev!.time)).toBe('2025-03-14T09:19:58.000Z')
  })

  it('falls back to the relay header when the device sent no stamp, in the file zone', () => {
    const [ev] = parseAll(ciscoAsa, [relayed[1]!], makeCtx('America/Sao_Paulo', Date.UTC(2025, 5, 1)))
    expect(iso(ev!.end)).toBe('2025-03-14T12:20:02.000Z')
    expect(ev!.end! - ev!.time).toBe(3723_000)
  })

  it('reads an EMBLEM line with a UTC stamp as absolute, whatever the file zone', () => {
    const [ev] = parseAll(ciscoAsa, [relayed[3]!], makeCtx('Asia/Tokyo', Date.UTC(2025, 5, 1)))
    expect(ev).toMatchObject({protocol: 'icmp', insideIp: '192.168.10.5', outsidePort: 27001})
    expect(iso(ev!.time)).toBe('2025-03-14T09:22:00.250Z')
  })

  it('reads FTD, IPv6 inside addresses and address-only translations (no ports)', () => {
    const evs = parseAll(ciscoAsa, relayed.slice(5, 8), ctx2025())
    expect(evs[0]).toMatchObject({insideIp: '2001:db8:10::25', insidePort: 40000, outsideIp: '203.0.113.42'})
    expect(evs[1]).toMatchObject({kind: 'mapping', phase: 'open', insideIp: '192.168.20.5', insidePort: null, outsideIp: '203.0.113.60', outsidePort: null})
    expect(evs[2]).toMatchObject({phase: 'close', insideIp: '192.168.20.5'})
    expect(evs[2]!.end! - evs[2]!.time).toBe(60_000)
  })

  it('reads ICMP connections: laddr inside, gaddr its mapped address, faddr the peer', () => {
    const evs = parseAll(ciscoAsa, relayed.slice(8), ctx2025())
    expect(evs[0]).toMatchObject({kind: 'session-start', protocol: 'icmp', insideIp: '192.168.10.5', outsideIp: '203.0.113.40', outsidePort: 31, destIp: '198.51.100.7'})
    expect(evs[1]).toMatchObject({kind: 'session-end', insideIp: '192.168.10.5', outsideIp: '203.0.113.40'})
  })

  it('reads port blocks: allocated, interim (liveness) and released, with the port range', () => {
    const evs = parseAll(ciscoAsa, blocks, ctx2025())
    expect(evs.map((e) => [e.kind, e.phase, e.insideIp, e.outsideIp, e.outsidePort, e.outsidePortEnd])).toEqual([
      ['port-block', 'open', '100.64.3.17', '203.0.113.50', 1536, 2047],
      ['port-block', 'interim', '100.64.3.17', '203.0.113.50', 1536, 2047],
      ['port-block', 'close', '100.64.3.17', '203.0.113.50', 1536, 2047],
      ['port-block', 'open', '100.64.3.18', '203.0.113.50', 1536, 2047],
    ])
    expect(evs[0]!.end).toBeNull()
    expect(iso(evs[2]!.end)).toBe('2025-03-14T11:05:00.000Z')
  })

  it('ignores ASA messages that are not translations and reports unreadable NAT lines as malformed', () => {
    const ctx = ctx2025()
    expect(parseAll(ciscoAsa, [pat[2]!, damaged[3]!], ctx)).toEqual([])
    expect(ctx.bad).toEqual([])
    const evs = parseAll(ciscoAsa, damaged, ctx)
    expect(evs).toEqual([])
    expect(ctx.bad.map((b) => b.line)).toEqual([1, 2, 3])
  })

  it('never throws on random input and returns only well-formed events', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 300}), fc.constantFrom('', '%ASA-6-305011: ', '%ASA-6-302013: Built outbound TCP connection ', 'Mar 14 2025 09:15:02: %ASA-6-305014: '), (s, pre) => {
        const r = ciscoAsa.parse({no: 1, text: pre + s}, ctx2025())
        if (r !== null) for (const e of [r].flat()) expect(Number.isFinite(e.time)).toBe(true)
      }),
    )
  })

  it('round-trips the key fields of a generated 305011 line', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({min: 0, max: 65535}), fc.ipV4(), fc.integer({min: 0, max: 65535}), fc.constantFrom('TCP', 'UDP'), (ia, ip, oa, op, proto) => {
        const text = `Mar 14 2025 09:15:02: %ASA-6-305011: Built dynamic ${proto} translation from inside:${ia}/${ip} to outside:${oa}/${op}`
        const ev = ciscoAsa.parse({no: 1, text}, ctx2025()) as {insideIp: string; insidePort: number; outsideIp: string; outsidePort: number; protocol: string}
        expect(ev).toMatchObject({insideIp: ia, insidePort: ip, outsideIp: oa, outsidePort: op, protocol: proto.toLowerCase()})
      }),
    )
  })
})
