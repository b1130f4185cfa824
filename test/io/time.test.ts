import {describe, expect, it} from 'vitest'
import {inferYear, instantsOf, toZone, WallClock} from '../../src/io/time.js'

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
