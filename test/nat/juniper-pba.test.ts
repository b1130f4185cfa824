import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {juniperPba} from '../../src/nat/formats/juniper-pba.js'
import {fixtureLines, iso, makeCtx, parseAll} from './helpers.js'

const ms = fixtureLines('juniper-pba/mx-cgn-ms-mpc.log')
const ng = fixtureLines('juniper-pba/mx-spc3-next-gen.log')
const ctx2025 = (zone = 'UTC') => makeCtx(zone, Date.UTC(2025, 5, 1))

describe('juniper-pba', () => {
  it('claims port block logs of both generations', () => {
    expect(juniperPba.detect(ms)).toBeGreaterThan(0.8)
    expect(juniperPba.detect(ng)).toBeGreaterThan(0.7)
  })

  it('reads MS-MPC alloc / active / release with the hex epoch in preference to the zone-less header', () => {
    const ctx = ctx2025('Asia/Kolkata')
    const evs = parseAll(juniperPba, ms.slice(0, 5), ctx)
    expect(evs.map((e) => [e.kind, e.phase, e.insideIp, e.outsideIp, e.outsidePort, e.outsidePortEnd])).toEqual([
      ['port-block', 'open', '100.64.7.21', '203.0.113.70', 2048, 2303],
      ['port-block', 'interim', '100.64.7.21', '203.0.113.70', 2048, 2303],
      ['port-block', 'close', '100.64.7.21', '203.0.113.70', 2048, 2303],
      ['port-block', 'open', '100.64.7.22', '203.0.113.70', 2048, 2303],
    ])
    expect(iso(evs[0]!.time)).toBe('2025-03-14T10:01:36.000Z')
    expect(evs[0]!.end).toBeNull()
    expect(iso(evs[1]!.end)).toBe('2025-03-14T12:01:36.000Z')
    expect(iso(evs[2]!.end)).toBe('2025-03-14T13:31:36.000Z')
    // no epoch: the header, read in the file zone
    expect(iso(evs[3]!.time)).toBe('2025-03-14T08:01:00.000Z')
    expect(ctx.bad.map((b) => b.line)).toEqual([5])
  })

  it('reads the MS-MPC service-set session logs found alongside: inside [translated] -> destination', () => {
    const evs = parseAll(juniperPba, ms.slice(5), ctx2025())
    expect(evs[0]).toMatchObject({kind: 'session-start', protocol: 'tcp', insideIp: '100.64.7.22', insidePort: 40001, outsideIp: '203.0.113.70', outsidePort: 2049, destIp: '198.51.100.7', destPort: 443})
    expect(evs[1]).toMatchObject({kind: 'session-end', insideIp: '100.64.7.22', outsidePort: 2049})
    expect(evs[1]!.time).toBe(evs[1]!.end)
  })

  it('reads next-gen text and structured records, and the session lines logged alongside', () => {
    const evs = parseAll(juniperPba, ng, ctx2025())
    expect(evs.map((e) => [e.kind, e.phase ?? null, e.insideIp, e.outsideIp, e.outsidePort, e.outsidePortEnd])).toEqual([
      ['port-block', 'open', '100.64.9.5', '203.0.113.71', 4096, 4351],
      ['port-block', 'interim', '100.64.9.5', '203.0.113.71', 4096, 4351],
      ['port-block', 'close', '100.64.9.5', '203.0.113.71', 4096, 4351],
      ['port-block', 'open', '100.64.9.6', '203.0.113.71', 4352, 4607],
      ['session-start', null, '100.64.9.6', '203.0.113.71', 4352, null],
    ])
    expect(iso(evs[3]!.time)).toBe('2025-03-14T10:06:36.000Z')
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), fc.constantFrom('', 'JSERVICES_NAT_PORT_BLOCK_ALLOC: ', 'RT_SRC_NAT_PBA_ALLOC: Subscriber ', 'RT_SRC_NAT_PBA_INTERIM [internal-ip="'), (s, pre) => {
        juniperPba.parse({no: 1, text: 'Mar 14 10:00:00 h ' + pre + s}, ctx2025())
      }),
    )
  })

  it('round-trips a generated MS-MPC allocation', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({min: 1024, max: 60000}), fc.integer({min: 0, max: 4000}), fc.integer({min: 1_000_000_000, max: 2_000_000_000}), (ia, oa, lo, n, ep) => {
        const text = `Mar 14 10:00:00 mx {s}[jservices-nat]: JSERVICES_NAT_PORT_BLOCK_ALLOC: ${ia} -> ${oa}:${lo}-${lo + n} 0x${ep.toString(16)}`
        const ev = juniperPba.parse({no: 1, text}, ctx2025()) as {insideIp: string; outsideIp: string; outsidePort: number; outsidePortEnd: number; time: number}
        expect(ev).toMatchObject({insideIp: ia, outsideIp: oa, outsidePort: lo, outsidePortEnd: lo + n, time: ep * 1000})
      }),
    )
  })
})
