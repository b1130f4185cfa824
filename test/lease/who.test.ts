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
