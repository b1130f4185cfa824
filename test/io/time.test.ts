import {IANAZone} from 'luxon'
import {describe, expect, it} from 'vitest'
import {inferYear, instantsOf, systemZone, toZone, WallClock} from '../../src/io/time.js'

describe('time', () => {
  it('picks the previous year for a December syslog stamp read in January', () => {
    expect(inferYear(12, 31, Date.UTC(2014, 0, 2))).toBe(2013)
  })
  it('gives two instants for a wall time in the repeated DST hour', () => {
    // America/Sao_Paulo left DST on 2013-02-17 00:00 -> 23:00 on the 16th
    const c = instantsOf({year: 2013, month: 2, day: 16, hour: 23, minute: 30, second: 0}, toZone('America/Sao_Paulo'))
    expect(c.length).toBe(2)
    expect(c[1]! - c[0]!).toBe(3600_000)
  })
  it('reads the second pass of a repeated hour once the log went past the first', () => {
    const clock = new WallClock({zone: 'America/Sao_Paulo', how: 'flag'})
    const a = clock.resolve({year: 2013, month: 2, day: 16, hour: 23, minute: 50, second: 0})
    const b = clock.resolve({year: 2013, month: 2, day: 16, hour: 23, minute: 10, second: 0})
    expect(b.ms).toBeGreaterThan(a.ms)
  })
})

describe('the system zone', () => {
  it('is TZ when it names a zone, else the zone Intl reports, asked again when TZ changes', () => {
    const before = process.env.TZ
    try {
      process.env.TZ = 'Asia/Tokyo'
      expect(systemZone()).toBe('Asia/Tokyo')
      process.env.TZ = 'America/Sao_Paulo'
      expect(systemZone()).toBe('America/Sao_Paulo')
      process.env.TZ = 'Not/AZone'
      expect(systemZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
    } finally {
      if (before === undefined) delete process.env.TZ
      else process.env.TZ = before
    }
    expect(systemZone()).toBe(before && IANAZone.isValidZone(before) ? before : Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
  })
})

describe('cached zone offsets', () => {
  it('equal luxon\'s own offset at any instant 1970-2037 in zones with odd offsets and DST rules', async () => {
    const {default: fc} = await import('fast-check')
    const {offsetAt} = await import('../../src/io/time.js')
    const zones = ['America/Sao_Paulo', 'Europe/Berlin', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Kolkata'].map((z) => toZone(z))
    fc.assert(
      fc.property(fc.integer({min: 0, max: 2_145_916_800_000}), fc.integer({min: 0, max: zones.length - 1}), (ms, zi) => {
        const z = zones[zi]!
        return offsetAt(z, ms) === z.offset(ms)
      }),
      {numRuns: 3000},
    )
  })
})

describe('instants of a wall time', () => {
  // what instantsOf gave before its per-slot cache: every offset the zone has a day around, each kept when the
  // instant it gives has that offset (luxon's own, uncached), ascending and distinct
  const reference = (w: {year: number; month: number; day: number; hour: number; minute: number; second: number}, z: ReturnType<typeof toZone>) => {
    const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
    const out = [...new Set([z.offset(naive - 86_400_000), z.offset(naive), z.offset(naive + 86_400_000)])].map((o) => naive - o * 60_000).filter((t) => z.offset(t) === (naive - t) / 60_000)
    return [...new Set(out)].sort((a, b) => a - b)
  }
  const zones = ['America/Sao_Paulo', 'Europe/Berlin', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Kolkata', 'America/New_York'].map((z) => toZone(z))
  const wallOf = (ms: number) => {
    const d = new Date(ms)
    return {year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds()}
  }

  it('are those of the zone\'s own offsets at any wall time 1970-2037, also in repeated hours and gaps (property)', async () => {
    const {default: fc} = await import('fast-check')
    fc.assert(
      fc.property(fc.integer({min: 0, max: 2_145_916_800_000}), fc.integer({min: 0, max: zones.length - 1}), (ms, zi) => {
        const w = wallOf(ms)
        expect(instantsOf(w, zones[zi]!)).toEqual(reference(w, zones[zi]!))
      }),
      {numRuns: 3000},
    )
  })
  it('are those of the zone\'s own offsets minute by minute over DST changes (half-hour ones too), read twice', () => {
    // Sao Paulo leaving DST 2013-02-17 00:00 → 23:00; Berlin 2024-03-31 and 2024-10-27; Lord Howe (30-minute
    // shift) 2024-04-07 02:00 → 01:30 and 2024-10-06 02:00 → 02:30; New York 2024-03-10 02:00 → 03:00
    const days = [Date.UTC(2013, 1, 16, 21), Date.UTC(2024, 2, 31, 0), Date.UTC(2024, 9, 27, 0), Date.UTC(2024, 3, 7, 0), Date.UTC(2024, 9, 6, 0), Date.UTC(2024, 2, 10, 0)]
    for (const z of zones)
      for (const start of days)
        for (let pass = 0; pass < 2; pass++)
          for (let m = 0; m < 5 * 60; m++) {
            const w = wallOf(start + m * 60_000 + 17_000)
            expect(instantsOf(w, z)).toEqual(reference(w, z))
          }
  })
})

