import {describe, expect, it} from 'vitest'
import {iscLeases, iscTime} from '../../src/lease/formats/isc-leases.js'
import {iscSyslog} from '../../src/lease/formats/isc-syslog.js'
import {readFixture, utc} from './helpers.js'

describe('isc-leases', () => {
  it('reads every block of an appended journal in UTC with its MAC, hostname and end', async () => {
    const {result, events} = await readFixture('isc-reassigned/dhcpd.leases')
    expect(result.format).toBe('isc-leases')
    expect(result.zone).toEqual({zone: 'UTC', how: 'format'})
    const first = events[0]!
    expect(first).toMatchObject({event: 'lease', ip: '192.168.0.23', mac: '00:1e:c2:aa:bb:cc', hostname: 'joao-pc'})
    expect(first.time).toBe(utc('2013-06-18T14:02:11Z'))
    expect(first.leaseEnd).toBe(utc('2013-06-18T16:02:11Z'))
    expect(first.evidence.line).toBe(6)
    expect(first.evidence.text).toContain('lease 192.168.0.23 {')
    expect(first.evidence.text).toContain('binding state active;')
  })

  it('turns a free block into the past lease of its hardware plus its end', async () => {
    const {events} = await readFixture('isc-reassigned/dhcpd.leases')
    const free = events.filter((e) => e.evidence.line === 25)
    expect(free.map((e) => e.event)).toEqual(['lease', 'expire'])
    expect(free[1]!.time).toBe(utc('2013-06-18T15:31:40Z'))
    expect(free[1]!.mac).toBe('00:1e:c2:aa:bb:cc')
  })

  it('ignores statements of nested "on expiry" blocks and reads "ends never" as open-ended', async () => {
    const {events} = await readFixture('isc-reassigned/dhcpd.leases')
    const maria = events.find((e) => e.mac === '5c:f9:38:12:34:56')!
    expect(maria.hostname).toBe('maria-note')
    const never = events.find((e) => e.ip === '192.168.0.40')!
    expect(never.leaseEnd).toBeNull()
    expect(never.hostname).toBeNull() // dhcpd's "Hostname Unsuitable for Printing" placeholder
  })

  it('reads epoch times and never the local-time comments after them', async () => {
    const {events} = await readFixture('isc-pitfalls/dhcpd.leases')
    const e = events.find((x) => x.ip === '10.20.0.5')!
    expect(e.time).toBe(1371580812_000)
    expect(e.leaseEnd).toBe(1371588012_000)
    expect(e.mac).toBe('3c:97:0e:01:02:03')
  })

  it('never names the MAC left in an abandoned block (that client declined; an unknown device used the address)', async () => {
    const {events} = await readFixture('isc-pitfalls/dhcpd.leases')
    const ab = events.filter((x) => x.ip === '10.20.0.7')
    expect(ab).toHaveLength(1)
    expect(ab[0]!.mac).toBeNull()
  })

  it('skips a backup block without hardware and ends a released lease with a release', async () => {
    const {events} = await readFixture('isc-pitfalls/dhcpd.leases')
    expect(events.filter((x) => x.ip === '10.20.0.6')).toHaveLength(0)
    const rel = events.filter((x) => x.ip === '10.20.0.8')
    expect(rel.map((e) => e.event)).toEqual(['lease', 'release'])
    expect(rel[0]!.mac).toBe('3c:97:0e:0d:0e:0f')
    expect(rel[1]!.time).toBe(utc('2013-06-18T10:45:30Z'))
  })

  it('reads OpenBSD blocks without binding state as active leases', async () => {
    const {events} = await readFixture('isc-pitfalls/dhcpd.leases')
    const o = events.find((x) => x.ip === '10.20.0.9')!
    expect(o).toMatchObject({event: 'lease', mac: '00:0d:b9:41:27:6c', hostname: 'apu', leaseEnd: utc('2013-06-18T21:00:00Z')})
  })

  it('reports a block with an impossible date and an unterminated block as malformed, naming the line', async () => {
    const {result, events} = await readFixture('isc-pitfalls/dhcpd.leases')
    expect(events.some((x) => x.ip === '10.20.0.10' || x.ip === '10.20.0.11')).toBe(false)
    expect(result.malformed.count).toBe(2)
    expect(result.malformed.first[0]!.reason).toMatch(/10\.20\.0\.10.*starts/)
    expect(result.malformed.first[1]!.reason).toMatch(/not closed/)
  })

  it('parses the ISC time forms', () => {
    expect(iscTime('2 2013/06/18 18:40:12')).toBe(utc('2013-06-18T18:40:12Z'))
    expect(iscTime('epoch 1371580812')).toBe(1371580812000)
    expect(iscTime('never')).toBeNull()
    expect(iscTime('2 2013/06/18')).toBeUndefined()
  })

  it('detects lease files but not syslog', () => {
    expect(iscLeases.detect(['lease 10.0.0.1 {', '  starts 1 2015/07/06 07:50:42;'])).toBeGreaterThan(0.9)
    expect(iscLeases.detect(['Jun 18 15:40:12 gw dhcpd: DHCPACK on 10.0.0.1 to 00:11:22:33:44:55 via em0'])).toBe(0)
  })
})

describe('isc-syslog', () => {
  it('reads DHCPACK-on lines in the given zone with the year from the anchor', async () => {
    const {result, events} = await readFixture('isc-reassigned/messages')
    expect(result.format).toBe('isc-syslog')
    expect(result.zone).toEqual({zone: 'America/Sao_Paulo', how: 'flag'})
    const ack = events[0]!
    expect(ack).toMatchObject({event: 'assign', ip: '192.168.0.23', mac: '00:1e:c2:aa:bb:cc', hostname: 'joao-pc', leaseEnd: null})
    expect(ack.time).toBe(utc('2013-06-18T14:02:11Z')) // 11:02:11 -03:00
    expect(ack.evidence).toMatchObject({line: 4, role: 'DHCPACK'})
  })

  it('does not take offers, requests, informs or the DHCPINFORM reply "DHCPACK to" as leases', async () => {
    const {events} = await readFixture('isc-reassigned/messages')
    expect(events.some((e) => e.ip === '192.168.0.77')).toBe(false)
    const lines = events.map((e) => e.evidence.line)
    for (const l of [1, 2, 3, 6, 9, 10]) expect(lines).not.toContain(l)
  })

  it('takes DHCPRELEASE (found) and DHCPEXPIRE, but not a release the server did not find', async () => {
    const {events} = await readFixture('isc-reassigned/messages')
    const rel = events.filter((e) => e.event === 'release')
    expect(rel).toHaveLength(1)
    expect(rel[0]!.mac).toBe('00:1e:c2:aa:bb:cc')
    const exp = events.find((e) => e.event === 'expire')!
    expect(exp).toMatchObject({ip: '192.168.0.52', mac: '00:24:e8:99:88:79'})
  })

  it('reads lease-duration, (RENEW), the unprintable-hostname placeholder, BOOTREPLY and RFC 3339 stamps', async () => {
    const {events, result} = await readFixture('isc-reassigned/messages')
    expect(events.find((e) => e.ip === '192.168.0.50')!.hostname).toBeNull()
    const r = events.find((e) => e.ip === '192.168.0.51')!
    expect(r.event).toBe('renew')
    expect(r.leaseEnd! - r.time).toBe(1800_000)
    expect(events.find((e) => e.ip === '192.168.0.60')).toMatchObject({mac: '00:24:e8:11:22:33', hostname: 'printer-3'})
    expect(events.find((e) => e.ip === '192.168.0.61')!.time).toBe(utc('2013-06-18T18:46:00.123Z'))
    const lt = events.find((e) => e.ip === '192.168.0.62')!
    expect(lt.leaseEnd! - lt.time).toBe(600_000)
    // "192.168.0.999" is a dhcpd line we cannot read: counted, not dropped silently
    expect(result.malformed.count).toBe(1)
    expect(result.malformed.first[0]!.line).toBe(17)
  })

  it('ignores other daemons without regex work', () => {
    const ctx = {} as never
    expect(iscSyslog.parse({no: 1, text: 'Jun 18 11:10:03 gw kernel: ipfw: 1 Count TCP 192.168.0.23:52218 200.160.3.103:6881 in via em0'}, ctx)).toBeNull()
  })
})
