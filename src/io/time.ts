/**
 * Time at the edge: every timestamp becomes an instant (ms UTC) plus a record of how its zone was decided.
 *
 * - Wall times without a zone are resolved in a ZoneDecision's zone with luxon's IANA data.
 * - In a repeated DST hour a wall time names two instants; `WallClock` resolves it by line order
 *   (a log runs forward) and keeps the other instant as `alt`, so callers can widen a match window.
 * - A wall time inside a DST gap (does not exist) is moved forward by the gap, and flagged.
 * - Syslog has no year: `inferYear` picks it from an anchor instant (the report's time, or the file's mtime).
 */
import {DateTime, FixedOffsetZone, IANAZone, type Zone} from 'luxon'
import type {ZoneDecision} from '../model.js'

export class ZoneError extends Error {}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
}

/** Month number from an English (3+ letter) month name, or undefined. */
export function monthNumber(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()]
}

/** The system's zone name (what a zone-less timestamp means when the user said nothing). */
export function systemZone(): string {
  // asked once per value of TZ: a new Intl.DateTimeFormat costs ≈ 0.4 ms, and every file read without --log-tz asks
  const tz = process.env.TZ
  if (systemZoneMemo === undefined || systemZoneMemo.tz !== tz) {
    systemZoneMemo = {tz, zone: tz && IANAZone.isValidZone(tz) ? tz : Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'}
  }
  return systemZoneMemo.zone
}

let systemZoneMemo: {tz: string | undefined; zone: string} | undefined

/**
 * Accepts an IANA name ("America/Sao_Paulo"), "UTC"/"Z", a fixed offset ("+02:00", "-0300", "UTC-3", "GMT+1").
 * Returns a luxon Zone or throws ZoneError naming the bad value.
 */
export function toZone(name: string): Zone {
  // zones are immutable: one per name (luxon's validity check builds an Intl formatter each time, ~0.4 ms)
  let zone = zoneCache.get(name)
  if (zone === undefined) {
    zone = makeZone(name)
    if (zoneCache.size > 1000) zoneCache.clear()
    zoneCache.set(name, zone)
  }
  return zone
}

const zoneCache = new Map<string, Zone>()

function makeZone(name: string): Zone {
  const z = name.trim()
  if (/^(utc|gmt|z|ut)$/i.test(z)) return FixedOffsetZone.utcInstance
  const off = parseOffset(z.replace(/^(utc|gmt)\s*/i, ''))
  if (off !== undefined && /^(utc|gmt)?\s*[+-]/i.test(z)) return FixedOffsetZone.instance(off)
  if (IANAZone.isValidZone(z)) return IANAZone.create(z)
  throw new ZoneError(`unknown time zone "${name}": use an IANA name such as America/Sao_Paulo, or an offset such as -03:00`)
}

/** Parses "+0200", "+02:00", "-3", "+5:30" into minutes east of UTC. */
export function parseOffset(text: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text.trim())
  if (!m) return undefined
  const h = Number(m[2])
  const min = m[3] ? Number(m[3]) : 0
  if (h > 14 || min > 59) return undefined
  return (m[1] === '-' ? -1 : 1) * (h * 60 + min)
}

export interface Resolved {
  ms: number
  /** the other instant of a wall time in a repeated DST hour */
  alt?: number
  /** the wall time does not exist in the zone (DST gap); moved forward */
  gap?: boolean
}

/** Wall-clock fields, month 1-12. */
export interface Wall {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond?: number
}

function naiveUtc(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond ?? 0)
}

/**
 * A zone's UTC offset (minutes) at an instant, cached per 15-minute slot: luxon asks Intl for every IANA offset
 * (~30 µs), which dominated parsing syslog lines. Offset changes fall on quarter hours of UTC (zones' offsets and
 * their change times are whole quarter hours), so the offset at a slot's start holds for the whole slot.
 */
const offsetCache = new WeakMap<Zone, Map<number, number>>()
const SLOT_MS = 900_000

export function offsetAt(zone: Zone, ms: number): number {
  if (zone.isUniversal) return zone.offset(ms)
  let cache = offsetCache.get(zone)
  if (!cache) offsetCache.set(zone, (cache = new Map()))
  const slot = Math.floor(ms / SLOT_MS)
  let o = cache.get(slot)
  if (o === undefined) {
    o = zone.offset(slot * SLOT_MS)
    if (cache.size > 100_000) cache.clear()
    cache.set(slot, o)
  }
  return o
}

/**
 * The offsets (minutes) under which a wall time (`naive`: its fields read as UTC) names an instant of the zone, in
 * the order of those instants (0, 1 or 2 of them); `probes`: the zone's offsets a day before, at and a day after
 * `naive`, the only ones it can have.
 */
function offsetsOf(naive: number, zone: Zone, probes: number[]): number[] {
  const out: number[] = []
  for (const o of new Set(probes)) if (offsetAt(zone, naive - o * 60_000) === o) out.push(o)
  return out.sort((a, b) => b - a)
}

/**
 * offsetsOf per 15-minute slot of wall time: when every offset in question is whole quarter hours, the instants a
 * slot's wall times could be lie in one slot of offsetAt each, so the answer holds for the whole slot (resolving a
 * wall time took about 0.13 µs more without it: two Sets, a sort and six lookups)
 */
const offsetsCache = new WeakMap<Zone, Map<number, number[]>>()

/** All instants a wall time names in a zone (0, 1 or 2 of them), ascending. */
export function instantsOf(w: Wall, zone: Zone): number[] {
  const naive = naiveUtc(w)
  if (Number.isNaN(naive)) return []
  if (zone.isUniversal) return [naive - zone.offset(naive) * 60_000]
  let cache = offsetsCache.get(zone)
  if (!cache) offsetsCache.set(zone, (cache = new Map()))
  const slot = Math.floor(naive / SLOT_MS)
  let offsets = cache.get(slot)
  if (offsets === undefined) {
    const probes = [offsetAt(zone, naive - 86_400_000), offsetAt(zone, naive), offsetAt(zone, naive + 86_400_000)]
    offsets = offsetsOf(naive, zone, probes)
    if (probes.every((o) => o % 15 === 0)) {
      if (cache.size > 100_000) cache.clear()
      cache.set(slot, offsets)
    }
  }
  return offsets.map((o) => naive - o * 60_000)
}

/** Resolves a wall time in a zone, without order information: a repeated hour takes the earlier instant. */
export function resolveWall(w: Wall, zone: Zone): Resolved {
  const c = instantsOf(w, zone)
  if (c.length === 1) return {ms: c[0]!}
  if (c.length >= 2) return {ms: c[0]!, alt: c[c.length - 1]!}
  // gap: interpret with the offset in force just before
  const naive = naiveUtc(w)
  if (Number.isNaN(naive)) return {ms: NaN}
  return {ms: naive - offsetAt(zone, naive - 86_400_000) * 60_000, gap: true}
}

/**
 * A per-file clock that resolves zone-less wall times in order, so a repeated DST hour is read as the
 * second pass once the log has already passed the first one.
 */
export class WallClock {
  readonly zone: Zone
  private last: number | undefined
  /** count of lines whose time fell in a repeated hour / a gap (for assumptions) */
  repeated = 0
  gaps = 0

  constructor(readonly decision: ZoneDecision) {
    this.zone = toZone(decision.zone)
  }

  resolve(w: Wall): Resolved {
    const c = instantsOf(w, this.zone)
    let r: Resolved
    if (c.length === 1) r = {ms: c[0]!}
    else if (c.length >= 2) {
      this.repeated++
      const early = c[0]!
      const late = c[c.length - 1]!
      // the log already went past the first occurrence of this wall time: this is the second pass
      r = this.last !== undefined && this.last > early + 5 * 60_000 ? {ms: late, alt: early} : {ms: early, alt: late}
    } else {
      this.gaps++
      r = resolveWall(w, this.zone)
    }
    if (!Number.isNaN(r.ms)) this.last = r.ms
    return r
  }
}

/**
 * Syslog lines carry no year. Picks the year that puts month/day nearest to the anchor instant
 * ("nearest"), or the latest year not after anchor + 1 day ("not-after", for a file's mtime).
 */
export function inferYear(month: number, day: number, anchorMs: number, mode: 'nearest' | 'not-after' = 'nearest'): number {
  const ay = new Date(anchorMs).getUTCFullYear()
  const cands = [ay - 1, ay, ay + 1]
  if (mode === 'not-after') {
    for (const y of [ay + 1, ay, ay - 1]) {
      if (Date.UTC(y, month - 1, day) <= anchorMs + 86_400_000) return y
    }
    return ay - 1
  }
  let best = ay
  let bestD = Infinity
  for (const y of cands) {
    const d = Math.abs(Date.UTC(y, month - 1, day, 12) - anchorMs)
    if (d < bestD) {
      bestD = d
      best = y
    }
  }
  return best
}

export interface YearPolicy {
  anchorMs: number
  mode: 'nearest' | 'not-after'
  /** said in assumptions: what the anchor is ("the report's first incident", "the file's modification time") */
  anchorWhat: string
  /**
   * a line cannot be newer than this (its file's modification time + 1 day): a year-old rotated file read for
   * this year's report keeps last year
   */
  notAfterMs?: number
}

/** Context every parser gets for the file it reads: zone for zone-less stamps and the year policy. */
export class TimeContext {
  readonly clock: WallClock
  /** years chosen for syslog stamps, for the assumption text */
  readonly yearsUsed = new Set<number>()

  constructor(readonly decision: ZoneDecision, readonly year: YearPolicy) {
    this.clock = new WallClock(decision)
  }

  /** The year of a year-less month/day under this file's policy (recorded for the assumptions). */
  yearOf(month: number, day: number): number {
    const key = month * 32 + day
    let year = this.yearMemo.get(key)
    if (year === undefined) {
      year = inferYear(month, day, this.year.anchorMs, this.year.mode)
      if (this.year.notAfterMs !== undefined && Date.UTC(year, month - 1, day) > this.year.notAfterMs) year--
      this.yearMemo.set(key, year)
      this.yearsUsed.add(year)
    }
    return year
  }

  /** month/day → year: the policy is fixed per file, and this runs on every syslog line */
  private readonly yearMemo = new Map<number, number>()

  /** A zone-less wall time in this file's zone. */
  wall(w: Wall): Resolved {
    return this.clock.resolve(w)
  }

  /** A syslog "Mmm dd hh:mm:ss[.frac]" stamp (no year, no zone). */
  syslog(mon: string, day: number, hour: number, minute: number, second: number, millisecond = 0): Resolved | undefined {
    const month = monthNumber(mon)
    if (!month || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
    const year = this.yearOf(month, day)
    return this.clock.resolve({year, month, day, hour, minute, second, millisecond})
  }
}

/** Parses an ISO-8601 stamp; with an offset/Z it is absolute, without one it is read in `fallback`. */
export function parseIso(text: string, fallback: Zone): {ms: number; stated: boolean} | undefined {
  const stated = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(text.trim())
  const dt = DateTime.fromISO(text.trim().replace(' ', 'T'), {zone: fallback, setZone: true})
  if (!dt.isValid) return undefined
  return {ms: dt.toMillis(), stated}
}

/** ISO-8601 UTC with seconds, the output form ("2013-06-18T18:53:34Z", milliseconds kept when present). */
export function isoUtc(ms: number): string {
  const d = new Date(ms)
  const s = d.toISOString()
  return d.getUTCMilliseconds() === 0 ? s.replace('.000Z', 'Z') : s
}

/** "2013-06-18 15:53:34 -03:00 (America/Sao_Paulo)" — a stamp as the operator reads it in a zone. */
export function formatInZone(ms: number, zoneName: string): string {
  const dt = DateTime.fromMillis(ms, {zone: toZone(zoneName)})
  const frac = dt.millisecond ? '.SSS' : ''
  return `${dt.toFormat(`yyyy-MM-dd HH:mm:ss${frac} ZZ`)} (${zoneName})`
}
