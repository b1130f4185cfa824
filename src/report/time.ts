/**
 * Date/time stamps as abuse reports write them. Every stamp becomes an instant plus how its zone was decided.
 *
 * Recognised writings (first match in a text wins):
 *   ISO 8601        2013-06-18T15:53:34Z, 2013-06-18 15:53:34.123 -03:00, 2013-06-18 15:53:34 UTC, … BRT
 *   RFC 2822        Tue, 18 Jun 2013 15:53:34 -0300 (BRT), 18 Jun 2013 15:53:34 GMT
 *   CLF (Apache)    18/Jun/2013:15:53:34 -0300
 *   ctime / syslog  Tue Jun 18 15:53:34 2013 [UTC], Jun 18 15:53:34 [2013] (no year: the Date: header's year)
 *   numeric d/m/y   18.06.2013 15:53:34, 18/06/2013 15:53:34 (day first; 06/18/2013 read month first when
 *                   the day cannot be a month; both ≤ 12 → day first, flagged)
 *   epoch           1371581614 / 1371581614.5 (a bare 10-digit number, 2001–2040, only as a whole token)
 * Zones: Z, UT, UTC, GMT, ±hh[:mm], ±hhmm, GMT-3 / UTC+02:00, and the abbreviations of ZONE_ABBREVIATIONS.
 */
import {DateTime} from 'luxon'
import type {ZoneDecision} from '../model.js'
import {inferYear, instantsOf, monthNumber, parseOffset, toZone, type Wall} from '../io/time.js'

/**
 * Zone abbreviations → offset minutes. A small documented table of the ones abuse desks write; an
 * abbreviation with several meanings lists the one taken and is flagged (`ambiguous`).
 */
export const ZONE_ABBREVIATIONS: Record<string, {offset: number; ambiguous?: string}> = {
  UT: {offset: 0}, UTC: {offset: 0}, GMT: {offset: 0}, Z: {offset: 0}, WET: {offset: 0}, WEST: {offset: 60},
  BST: {offset: 60, ambiguous: 'BST read as British Summer Time (+01:00), not Bangladesh Standard Time (+06:00)'},
  CET: {offset: 60}, CEST: {offset: 120}, MET: {offset: 60}, MEST: {offset: 120}, MESZ: {offset: 120}, MEZ: {offset: 60},
  EET: {offset: 120}, EEST: {offset: 180}, MSK: {offset: 180}, SAST: {offset: 120}, CAT: {offset: 120}, EAT: {offset: 180}, WAT: {offset: 60},
  IST: {offset: 330, ambiguous: 'IST read as India Standard Time (+05:30); it may also mean Irish (+01:00) or Israel (+02:00) Standard Time'},
  PKT: {offset: 300}, ICT: {offset: 420}, WIB: {offset: 420}, SGT: {offset: 480}, HKT: {offset: 480}, AWST: {offset: 480},
  JST: {offset: 540}, KST: {offset: 540}, ACST: {offset: 570}, ACDT: {offset: 630}, AEST: {offset: 600}, AEDT: {offset: 660},
  NZST: {offset: 720}, NZDT: {offset: 780},
  BRT: {offset: -180}, BRST: {offset: -120}, ART: {offset: -180}, CLT: {offset: -240}, CLST: {offset: -180}, UYT: {offset: -180},
  PET: {offset: -300}, COT: {offset: -300},
  AST: {offset: -240, ambiguous: 'AST read as Atlantic Standard Time (-04:00), not Arabia Standard Time (+03:00)'},
  ADT: {offset: -180}, NST: {offset: -210}, NDT: {offset: -150},
  EST: {offset: -300}, EDT: {offset: -240},
  CST: {offset: -360, ambiguous: 'CST read as US Central Standard Time (-06:00), not China (+08:00) or Cuba Standard Time'},
  CDT: {offset: -300}, MST: {offset: -420}, MDT: {offset: -360}, PST: {offset: -480}, PDT: {offset: -420},
  AKST: {offset: -540}, AKDT: {offset: -480}, HST: {offset: -600},
}

/** Seasonal abbreviations and the zone they name: a stamp whose abbreviation does not fit the season is flagged. */
const SEASONAL: Record<string, string> = {
  EST: 'America/New_York', EDT: 'America/New_York', CDT: 'America/Chicago', MST: 'America/Denver', MDT: 'America/Denver',
  PST: 'America/Los_Angeles', PDT: 'America/Los_Angeles', CET: 'Europe/Paris', CEST: 'Europe/Paris', MET: 'Europe/Paris', MEST: 'Europe/Paris',
  EET: 'Europe/Athens', EEST: 'Europe/Athens', WET: 'Europe/Lisbon', WEST: 'Europe/Lisbon', BRST: 'America/Sao_Paulo',
  AEST: 'Australia/Sydney', AEDT: 'Australia/Sydney', NZST: 'Pacific/Auckland', NZDT: 'Pacific/Auckland',
}

/** A note when a written abbreviation's offset is not what its zone used at that instant (PST in April). */
function seasonNote(abbr: string, ms: number, written: string): string | undefined {
  const iana = SEASONAL[abbr.toUpperCase()]
  const tok = ZONE_ABBREVIATIONS[abbr.toUpperCase()]
  if (!iana || !tok) return undefined
  const actual = toZone(iana).offset(ms)
  if (actual === tok.offset) return undefined
  return `"${written}" says ${abbr.toUpperCase()} (${offsetZoneName(tok.offset)}) but ${iana} was on ${offsetZoneName(actual)} then: the written offset is used; check the sender's clock`
}

/** "UTC", "UTC-3", "UTC+5:30": a fixed-offset zone name io/time.toZone accepts. */
export function offsetZoneName(minutes: number): string {
  if (minutes === 0) return 'UTC'
  const sign = minutes < 0 ? '-' : '+'
  const a = Math.abs(minutes)
  const h = Math.floor(a / 60)
  const m = a % 60
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`
}

export interface ZoneToken {
  offset: number
  ambiguous?: string
}

/** Reads a zone token: Z, UTC, GMT-3, UTC+02:00, +0200, -03:00, EDT… or undefined. */
export function readZoneToken(token: string): ZoneToken | undefined {
  const t = token.trim().replace(/^\(|\)$/g, '')
  if (!t) return undefined
  const gmt = /^(?:UTC|GMT|UT)\s*([+-]\d{1,2}(?::?\d{2})?)$/i.exec(t)
  if (gmt) {
    const o = parseOffset(gmt[1]!)
    return o === undefined ? undefined : {offset: o}
  }
  if (/^[+-]\d{2}:?\d{2}$/.test(t) || /^[+-]\d{2}$/.test(t)) {
    const o = parseOffset(t)
    return o === undefined ? undefined : {offset: o}
  }
  const ab = ZONE_ABBREVIATIONS[t.toUpperCase()]
  if (ab && (t === t.toUpperCase() || /^(utc|gmt)$/i.test(t))) return ab.ambiguous ? {offset: ab.offset, ambiguous: ab.ambiguous} : {offset: ab.offset}
  return undefined
}

const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\.?'
const DOW = '(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\\s+)?'
// hh:mm[:ss[.frac]] [AM|PM] — the meridiem is its own (numbered) group right after the four time groups
const TIME = '(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?(?:\\s*([AaPp])\\.?[Mm]\\.?(?![\\w]))?'
// zone after a stamp: offsets, GMT±h, or a 1–5 letter upper-case abbreviation (checked against the table)
// (UTC-03:00) / (GMT-03:00) Windows-style, a bare hour offset (-03), an IANA name (America/Sao_Paulo)
const ZONE =
  '(?:\\s*(Z|[+-]\\d{2}:?\\d{2}|[+-]\\d{2}(?![\\d:])|\\(\\s*(?:UTC|GMT)\\s*[+-]\\d{1,2}(?::?\\d{2})?\\s*\\)|(?:UTC|GMT|UT)\\s*[+-]\\d{1,2}(?::?\\d{2})?|[A-Z][a-z]+(?:_[A-Z][a-z]+)*\\/[A-Z][A-Za-z_]+(?:\\/[A-Z][A-Za-z_]+)?|\\(?[A-Z]{1,5}\\)?(?![+-]\\d))(?![\\w:]))?'

interface Pattern {
  re: RegExp
  fields(m: RegExpExecArray, anchorMs: number | null): {wall: Wall; zone?: string; yearGuessed?: boolean; dayFirstGuessed?: boolean} | undefined
}

/** 12-hour clock: "3:53 PM" → 15, "12:10 AM" → 0; an hour over 12 with a meridiem is left invalid (25). */
function hour12(h: number, meridiem: string | undefined): number {
  if (!meridiem) return h
  if (h < 1 || h > 12) return 25
  return (h % 12) + (/p/i.test(meridiem) ? 12 : 0)
}

function ms(frac: string | undefined): number {
  return frac ? Math.round(Number(`0.${frac}`) * 1000) : 0
}

const PATTERNS: Pattern[] = [
  {
    // ISO 8601 (also with '/' separators)
    re: new RegExp(`(?<![\\d.])(\\d{4})[-/](\\d{2})[-/](\\d{2})(?:T|\\s+|_)${TIME}${ZONE}`, 'i'),
    fields: (m) => ({wall: {year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: hour12(+m[4]!, m[8]), minute: +m[5]!, second: +(m[6] ?? 0), millisecond: ms(m[7])}, zone: m[9]}),
  },
  {
    // CLF: 18/Jun/2013:15:53:34 -0300
    re: new RegExp(`(?<!\\d)(\\d{1,2})/${MON}/(\\d{4}):${TIME}${ZONE}`, 'i'),
    fields: (m) => ({wall: {year: +m[3]!, month: monthNumber(m[2]!)!, day: +m[1]!, hour: hour12(+m[4]!, m[8]), minute: +m[5]!, second: +(m[6] ?? 0), millisecond: ms(m[7])}, zone: m[9]}),
  },
  {
    // RFC 2822: [Tue, ]18 Jun 2013 15:53:34 -0300
    re: new RegExp(`${DOW}(?<!\\d)(\\d{1,2})[\\s-]+${MON}[\\s-]+(\\d{4}),?\\s+${TIME}${ZONE}`, 'i'),
    fields: (m) => ({wall: {year: +m[3]!, month: monthNumber(m[2]!)!, day: +m[1]!, hour: hour12(+m[4]!, m[8]), minute: +m[5]!, second: +(m[6] ?? 0), millisecond: ms(m[7])}, zone: m[9]}),
  },
  {
    // ctime: Tue Jun 18 15:53:34 [UTC] 2013 ; "Jun 18, 2013 15:53:34"
    re: new RegExp(`${DOW}\\b${MON}\\s+(\\d{1,2}),?\\s+(?:(\\d{4})\\s+)?${TIME}(?:\\s+([A-Z]{2,5}|[+-]\\d{4}))?(?:\\s+(\\d{4}))?(?![\\d:])`, 'i'),
    fields: (m, anchorMs) => {
      const month = monthNumber(m[1]!)!
      const year = m[3] ? +m[3] : m[10] ? +m[10] : anchorMs !== null ? inferYear(month, +m[2]!, anchorMs) : null
      if (year === null) return undefined
      return {wall: {year, month, day: +m[2]!, hour: hour12(+m[4]!, m[8]), minute: +m[5]!, second: +(m[6] ?? 0), millisecond: ms(m[7])}, zone: m[9], yearGuessed: !m[3] && !m[10]}
    },
  },
  {
    // numeric day/month/year: 18.06.2013 15:53:34, 18/06/2013 15:53:34, 06/18/2013 03:53:34
    re: new RegExp(`(?<![\\d./])(\\d{1,2})([./-])(\\d{1,2})\\2(\\d{4}),?\\s+${TIME}${ZONE}`, 'i'),
    fields: (m) => {
      let day = +m[1]!
      let month = +m[3]!
      let dayFirstGuessed = false
      if (month > 12 && day <= 12) [day, month] = [month, day]
      else if (day <= 12 && month <= 12 && day !== month && m[2] === '/') dayFirstGuessed = true
      return {wall: {year: +m[4]!, month, day, hour: hour12(+m[5]!, m[9]), minute: +m[6]!, second: +(m[7] ?? 0), millisecond: ms(m[8])}, zone: m[10], dayFirstGuessed}
    },
  },
]

const EPOCH = /(?<![\w.:/-])(\d{10})(?:\.(\d{1,6}))?(?![\w.:/-])/

export interface StampMatch {
  /** index of the stamp in the text and its length */
  index: number
  length: number
  ms: number
  /** null: the stamp states no zone (resolved in the fallback); 'epoch': an epoch number */
  stated: ZoneDecision | null
  alt?: number
  ambiguous?: string
  notes: string[]
}

function validWall(w: Wall): boolean {
  return w.month >= 1 && w.month <= 12 && w.day >= 1 && w.day <= 31 && w.hour <= 24 && w.minute <= 59 && w.second <= 60 && w.year >= 1990 && w.year <= 2100
}

/**
 * Finds the first date/time stamp in `text` (earliest position). `fallback` is the zone for a stamp
 * that states none; `anchorMs` (the report's Date) picks the year of year-less syslog stamps, the year that
 * puts the stamp nearest to it (a January report about "Dec 31 23:59:59" means the previous year); null: such
 * stamps are skipped.
 */
export function findStamp(text: string, fallback: ZoneDecision, anchorMs: number | null, opts: {epoch?: boolean} = {}): StampMatch | undefined {
  let best: {m: RegExpExecArray; p: Pattern} | undefined
  for (const p of PATTERNS) {
    const m = p.re.exec(text)
    if (m && (!best || m.index < best.m.index)) best = {m, p}
  }
  if (best) {
    const f = best.p.fields(best.m, anchorMs)
    if (f && validWall(f.wall)) {
      const notes: string[] = []
      if (f.yearGuessed) notes.push(`the stamp "${best.m[0].trim()}" has no year: ${f.wall.year}, the year nearest the report's date, taken`)
      if (f.dayFirstGuessed) notes.push(`the stamp "${best.m[0].trim()}" was read day-first (dd/mm/yyyy)`)
      let zoneTok = f.zone?.trim()
      let tok: ZoneToken | undefined
      let length = best.m[0].length
      if (zoneTok && zoneTok.includes('/')) {
        // an IANA zone name after the stamp ("2013-06-18 15:53:34 America/Sao_Paulo")
        let z
        try {
          z = toZone(zoneTok)
        } catch {
          z = undefined
        }
        if (z && f.wall.hour !== 24) {
          const c = instantsOf(f.wall, z)
          if (c.length > 0) {
            if (c.length > 1) notes.push(`${best.m[0].trim()} falls in the repeated DST hour of ${zoneTok}: both instants are kept`)
            return {index: best.m.index, length: best.m[0].length, ms: c[0]!, alt: c.length > 1 ? c[c.length - 1] : undefined, stated: {zone: zoneTok, how: 'stated'}, notes}
          }
        }
      }
      if (zoneTok) {
        tok = readZoneToken(zoneTok)
        if (!tok) {
          // an unknown upper-case word after the stamp is not a zone: leave it out of the match
          length -= best.m[0].length - best.m[0].lastIndexOf(f.zone!)
          zoneTok = undefined
        }
      }
      if (f.wall.hour === 24) return undefined
      if (tok) {
        const zone = offsetZoneName(tok.offset)
        const t = instantsOf(f.wall, toZone(zone))[0]
        if (t === undefined) return undefined
        const abbr = zoneTok!.replace(/[()]/g, '')
        const season = /^[A-Z]{3,4}$/.test(abbr) ? seasonNote(abbr, t, best.m[0].trim()) : undefined
        if (season) notes.push(season)
        return {index: best.m.index, length, ms: t, stated: {zone, how: 'stated'}, ambiguous: tok.ambiguous, notes}
      }
      const z = toZone(fallback.zone)
      const c = instantsOf(f.wall, z)
      if (c.length === 0) {
        notes.push(`${best.m[0].trim()} does not exist in ${fallback.zone} (DST gap): read with the offset before the change`)
        const naive = Date.UTC(f.wall.year, f.wall.month - 1, f.wall.day, f.wall.hour, f.wall.minute, f.wall.second, f.wall.millisecond ?? 0)
        return {index: best.m.index, length, ms: naive - z.offset(naive - 86_400_000) * 60_000, stated: null, notes}
      }
      if (c.length > 1) notes.push(`${best.m[0].trim()} falls in the repeated DST hour of ${fallback.zone}: both instants are kept (matched against the logs at either)`)
      return {index: best.m.index, length, ms: c[0]!, alt: c.length > 1 ? c[c.length - 1] : undefined, stated: null, notes}
    }
  }
  if (opts.epoch !== false) {
    const e = EPOCH.exec(text)
    if (e) {
      const s = Number(e[1])
      if (s >= 978_307_200 && s <= 2_208_988_800) {
        return {index: e.index, length: e[0].length, ms: Math.round((s + (e[2] ? Number(`0.${e[2]}`) : 0)) * 1000), stated: {zone: 'UTC', how: 'epoch'}, notes: []}
      }
    }
  }
  return undefined
}

/** Parses an RFC 2822 / ISO date header value to ms, or null. */
export function parseDateHeader(value: string): {ms: number; offset: number | null} | null {
  const v = value.trim()
  const m = findStamp(v, {zone: 'UTC', how: 'system'}, null, {epoch: false})
  if (m && m.stated) {
    const off = /([+-]\d{4})\b/.exec(v.slice(m.index, m.index + m.length + 8))
    const offset = off ? parseOffset(off[1]!) ?? null : m.stated.zone === 'UTC' ? 0 : null
    return {ms: m.ms, offset}
  }
  const dt = DateTime.fromRFC2822(v)
  if (dt.isValid) return {ms: dt.toMillis(), offset: dt.offset}
  return null
}
