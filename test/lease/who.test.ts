import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/io/errors.js'
import {parseInstant, whoHeld} from '../../src/lease/who.js'
import {FIX, utc} from './helpers.js'

describe('parseInstant (--at)', () => {
  it('takes a stated zone as absolute and says so', () => {
    const p = parseInstant('2013-06-18T15:53:34-03:00', 'Europe/Berlin')
    expect(p.ms).toBe(utc('2013-06-18T18:53:34Z'))
    expect(p.zone.how).toBe('stated')
  })

  it('reads a zone-less time in --dhcp-tz and names the zone in the note', () => {
    const p = parseInstant('2013-06-18 15:53:34', 'America/Sao_Paulo')
    expect(p.ms).toBe(utc('2013-06-18T18:53:34Z'))
    expect(p.note).toContain('--dhcp-tz America/Sao_Paulo')
  })

  it('keeps both instants of a wall time in a repeated DST hour', () => {
    // Sao Paulo left DST on 2013-02-17 00:00 -> 2013-02-16 23:00
    const p = parseInstant('2013-02-16T23:30:00', 'America/Sao_Paulo')
    expect(p.alt! - p.ms).toBe(3600_000)
    expect(p.note).toMatch(/occurs twice/)
  })

  it('refuses a wall time that does not exist (DST gap) and garbage, as usage errors', () => {
    // Sao Paulo entered DST on 2012-10-21 00:00 -> 01:00
    expect(() => parseInstant('2012-10-21T00:30:00', 'America/Sao_Paulo')).toThrow(UsageError)
    expect(() => parseInstant('last tuesday', 'UTC')).toThrow(UsageError)
    expect(() => parseInstant('2013-06-18 12:00', 'Mars/Base')).toThrow(UsageError)
  })

  it('reads epoch seconds', () => {
    expect(parseInstant('1371581614', undefined).ms).toBe(1371581614_000)
  })
})

describe('whoHeld', () => {
  it('does not attribute when the two readings of a repeated hour name different holders', async () => {
    const r = await whoHeld({ip: '10.40.0.5', at: '2013-02-16 23:30:00', paths: [FIX + 'dst/dhcpd.leases'], tz: 'America/Sao_Paulo'})
    expect(r.status).toBe('ambiguous')
    expect(r.reason).toMatch(/names two instants/)
    expect(r.holders).toHaveLength(2)
  })

  it('attributes when both readings agree', async () => {
    const r = await whoHeld({ip: '10.40.0.6', at: '2013-02-16 23:30:00', paths: [FIX + 'dst/dhcpd.leases'], tz: 'America/Sao_Paulo'})
    expect(r.status).toBe('attributed')
    expect(r.mac).toBe('00:16:3e:00:00:06')
  })
})

describe('zone cross-check', () => {
  it('warns when a syslog read in the wrong zone is whole hours off the lease database', async () => {
    const {zoneHints} = await import('../../src/lease/consistency.js')
    const {readAll} = await import('../../src/io/inputs.js')
    const {leaseFormats} = await import('../../src/lease/registry.js')
    const year = {anchorMs: Date.UTC(2013, 5, 20), mode: 'not-after' as const, anchorWhat: 'test'}
    const paths = [FIX + 'isc-reassigned/dhcpd.leases', FIX + 'isc-reassigned/messages']
    const wrong = await readAll(paths, 'lease source', leaseFormats, {zone: 'UTC', year})
    const hints = zoneHints(wrong.results)
    expect(hints).toHaveLength(1)
    expect(hints[0]).toMatchObject({shiftMinutes: -180})
    expect(hints[0]!.text).toMatch(/-3h off the lease database/)
    const right = await readAll(paths, 'lease source', leaseFormats, {zone: 'America/Sao_Paulo', year})
    expect(zoneHints(right.results)).toEqual([])
  })
})

describe('whoHeld through other sources (in process; the e2e tests cover the CLI)', () => {
  const who = async (ip: string, at: string, ...src: string[]) => whoHeld({ip, at, tz: 'America/Sao_Paulo', paths: src.map((p) => FIX + p)})

  it('Kea: a directory of memfile CSVs and logs; deletion ends the holding; the next client from its own cltt', async () => {
    expect(await who('10.30.0.20', '2013-06-18T18:30:00Z', 'kea')).toMatchObject({status: 'attributed', mac: '3c:22:fb:10:20:30', hostname: 'ana-tablet'})
    expect((await who('10.30.0.20', '2013-06-18T20:30:00Z', 'kea')).status).toBe('not-found')
    expect(await who('10.30.0.20', '2013-06-18T21:30:00Z', 'kea')).toMatchObject({status: 'attributed', mac: 'd8:0f:99:aa:00:01'})
    expect(await who('10.30.0.60', '2013-06-18T19:30:00Z', 'kea')).toMatchObject({status: 'attributed', mac: '3c:22:fb:10:20:60'})
  })

  it('Windows: local MM/DD/YY times read in --dhcp-tz; release and reassignment', async () => {
    expect(await who('172.20.4.23', '2013-06-18 16:30:00', 'windows')).toMatchObject({status: 'attributed', at: '2013-06-18T19:30:00Z', mac: '00:1e:c2:aa:bb:cc'})
    expect((await who('172.20.4.23', '2013-06-18 17:15:00', 'windows')).status).toBe('not-found')
    expect(await who('172.20.4.23', '2013-06-18 17:40:00', 'windows')).toMatchObject({status: 'attributed', mac: '5c:f9:38:12:34:56', hostname: 'NOTE,BOOK.corp.example'})
  })

  it('dnsmasq: logread and plain syslog lines; the later client only after its own DHCPACK', async () => {
    expect(await who('192.168.1.23', '2013-06-18T16:00:00-03:00', 'dnsmasq/logread.log')).toMatchObject({status: 'attributed', mac: 'f4:f5:d8:01:02:03'})
    expect((await who('192.168.1.23', '2013-06-18T16:30:30-03:00', 'dnsmasq/logread.log')).status).toBe('not-found')
    expect(await who('192.168.1.23', '2013-06-18T16:31:30-03:00', 'dnsmasq/logread.log')).toMatchObject({status: 'attributed', mac: 'f4:f5:d8:01:02:99'})
  })

  it('RADIUS: names the subscriber (User-Name) and stops at Accounting-On', async () => {
    expect(await who('100.64.3.17', '2013-06-18T19:00:00Z', 'radius/detail-20130618')).toMatchObject({status: 'attributed', subscriber: 'cliente0042@isp.example', mac: '00:1e:c2:aa:bb:cc'})
    expect((await who('100.64.3.17', '2013-06-18T19:25:00Z', 'radius/detail-20130618')).status).toBe('not-found')
    expect(await who('100.64.4.1', '2013-06-18T18:30:00Z', 'radius/radacct.csv')).toMatchObject({status: 'attributed', subscriber: 'cliente0101'})
  })

  it('RADIUS radacct: a week-long PPPoE session (one row: start, last update, stop) holds the address all week', async () => {
    expect(await who('100.64.5.1', '2013-06-14T12:00:00Z', 'radius-long/radacct.csv')).toMatchObject({status: 'attributed', subscriber: 'cliente0201'})
    expect((await who('100.64.5.1', '2013-06-18T09:00:00Z', 'radius-long/radacct.csv')).status).toBe('not-found')
  })
})
