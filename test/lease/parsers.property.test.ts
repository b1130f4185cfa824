import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {ParseContext} from '../../src/io/format.js'
import {TimeContext} from '../../src/io/time.js'
import {leaseFormats, leaseFormat} from '../../src/lease/registry.js'
import type {LeaseEvent} from '../../src/model.js'

function ctx(zone = 'UTC'): ParseContext & {bad: string[]} {
  const bad: string[] = []
  return {
    file: {path: 'p', display: 'p', size: 0, mtimeMs: Date.UTC(2013, 5, 19), compressed: null},
    time: new TimeContext({zone, how: 'flag'}, {anchorMs: Date.UTC(2013, 6, 1), mode: 'not-after', anchorWhat: 'test'}),
    state: {},
    malformed: (_l, r) => bad.push(r),
    bad,
  }
}

const one = (got: LeaseEvent | LeaseEvent[] | null): LeaseEvent | undefined => (Array.isArray(got) ? got[0] : (got ?? undefined))
const octet = fc.integer({min: 0, max: 255})
const ipArb = fc.tuple(fc.constant(10), octet, octet, fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
// an all-zero MAC names nobody (read as null, tested elsewhere)
const macArb = fc.array(octet, {minLength: 6, maxLength: 6}).filter((b) => b.some((x) => x !== 0)).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'))
const hostArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/)
const timeArb = fc.record({h: fc.integer({min: 0, max: 23}), m: fc.integer({min: 0, max: 59}), s: fc.integer({min: 0, max: 59}), d: fc.integer({min: 1, max: 28})})
const p2 = (n: number) => String(n).padStart(2, '0')

describe('lease parsers (properties)', () => {
  it('never throw on arbitrary lines, whatever the format, and return null, an event or events', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('lease 10.0.0.1 {', '}', '\tAcct-Status-Type = Stop', 'Tue Jun 18 15:40:12 2013', 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id')), {maxLength: 12}), (lines) => {
        for (const f of leaseFormats) {
          const c = ctx()
          lines.forEach((text, i) => {
            const r = f.parse({no: i + 1, text}, c)
            expect(r === null || Array.isArray(r) || typeof r === 'object').toBe(true)
          })
          f.flush?.(c)
        }
      }),
      {numRuns: 150},
    )
  })

  it('isc-syslog reads back the IP, MAC, hostname and clock of any DHCPACK-on line', () => {
    const f = leaseFormat('isc-syslog')!
    fc.assert(
      fc.property(ipArb, macArb, hostArb, timeArb, (ip, mac, host, t) => {
        const text = `Jun ${String(t.d).padStart(2, ' ')} ${p2(t.h)}:${p2(t.m)}:${p2(t.s)} gw dhcpd[81]: DHCPACK on ${ip} to ${mac.toUpperCase()} (${host}) via em0`
        const e = one(f.parse({no: 1, text}, ctx()))!
        expect([e.event, e.ip, e.mac, e.hostname]).toEqual(['assign', ip, mac, host])
        expect(e.time).toBe(Date.UTC(2013, 5, t.d, t.h, t.m, t.s))
      }),
    )
  })

  it('dnsmasq-syslog and mikrotik-dhcp read back any grant line; windows-dhcp any Assign row', () => {
    const dn = leaseFormat('dnsmasq-syslog')!
    const mt = leaseFormat('mikrotik-dhcp')!
    const win = leaseFormat('windows-dhcp')!
    fc.assert(
      fc.property(ipArb, macArb, hostArb, timeArb, (ip, mac, host, t) => {
        const clock = `${p2(t.h)}:${p2(t.m)}:${p2(t.s)}`
        const want = Date.UTC(2013, 5, t.d, t.h, t.m, t.s)
        const a = one(dn.parse({no: 1, text: `Jun ${p2(t.d)} ${clock} r dnsmasq-dhcp[9]: DHCPACK(br-lan) ${ip} ${mac} ${host}`}, ctx()))!
        expect([a.ip, a.mac, a.hostname, a.time]).toEqual([ip, mac, host, want])
        const b = one(mt.parse({no: 1, text: `Jun ${p2(t.d)} ${clock} 192.168.88.1 dhcp,info defconf assigned ${ip} for ${mac.toUpperCase()} ${host}`}, ctx()))!
        expect([b.ip, b.mac, b.hostname, b.time]).toEqual([ip, mac, host, want])
        const c = one(win.parse({no: 1, text: `10,06/${p2(t.d)}/13,${clock},Assign,${ip},${host},${mac.replace(/:/g, '').toUpperCase()},,1,0,,,,,,,,,0`}, ctx()))!
        expect([c.event, c.ip, c.mac, c.hostname, c.time]).toEqual(['assign', ip, mac, host, want])
      }),
    )
  })

  it('isc-leases reads back any active block, wherever the statements and comments sit', () => {
    const f = leaseFormat('isc-leases')!
    fc.assert(
      fc.property(ipArb, macArb, hostArb, fc.integer({min: 1_000_000_000, max: 2_000_000_000}), fc.integer({min: 60, max: 86400}), fc.boolean(), (ip, mac, host, start, len, epoch) => {
        const st = (sec: number) => {
          const d = new Date(sec * 1000)
          return epoch ? `epoch ${sec}; # ${d.toString()}` : `${d.getUTCDay()} ${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())};`
        }
        const block = [`lease ${ip} {`, `  starts ${st(start)}`, `  ends ${st(start + len)}`, '  binding state active;', `  hardware ethernet ${mac};`, `  client-hostname "${host}";`, '  on commit { set x = "}"; }', '}']
        const c = ctx()
        let e: LeaseEvent | undefined
        block.forEach((text, i) => (e = one(f.parse({no: i + 1, text}, c)) ?? e))
        expect(c.bad).toEqual([])
        expect(e).toMatchObject({event: 'lease', ip, mac, hostname: host, time: start * 1000, leaseEnd: (start + len) * 1000})
      }),
    )
  })
})
