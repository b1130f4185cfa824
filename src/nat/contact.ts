/**
 * The scan fast path: what `natrace scan`'s detector reads of one NAT / firewall line, filled in place by a
 * format's optional `scanContact` (see NatFormat in registry.ts) without building a NatEvent or an Evidence
 * object per line. The fields hold exactly what the format's full parser would put in the NatEvent of that
 * line (property-tested in test/nat/ipfw-fastpath.test.ts and test/nat/conntrack-fastpath.test.ts); the evidence is built only for the few lines a
 * detection keeps.
 */
import type {ParseContext} from '../io/format.js'
import type {Evidence, NatKind} from '../model.js'
import type {Resolved} from '../io/time.js'
import {syslogStamp, syslogWall} from './syslog.js'

export class ScanContact {
  kind: NatKind = 'packet'
  /** the NatEvent's `time` (ms UTC) */
  time = 0
  /** the NatEvent's `end` (ms UTC): a conntrack DESTROY's stamp, else null */
  end: number | null = null
  protocol: string | null = null
  insideIp: string | null = null
  insidePort: number | null = null
  outsideIp: string | null = null
  outsidePort: number | null = null
  destIp: string | null = null
  destPort: number | null = null
  /** one-sided packet lines: the packet's own addresses (null for session records) */
  srcIp: string | null = null
  srcPort: number | null = null
  dstIp: string | null = null
  dstPort: number | null = null
  /**
   * quadKey (src/io/net.ts) of srcIp, dstIp, insideIp, outsideIp, destIp: the address as an int32 when it is a
   * canonical dotted quad, 0 when not (or absent); the detector then keys its tables by the string
   */
  srcKey = 0
  dstKey = 0
  insideKey = 0
  outsideKey = 0
  destKey = 0
  /** session records: whether the peer answered (conntrack [UNREPLIED] / [ASSURED]); null when not said */
  replied: boolean | null = null
  /** conntrack: the line has an [ASSURED] token (then its text contains "[ASSURED]": the detector skips that search) */
  assured = false
  /** the evidence the full parser gives this line: file (display name), line number, raw text, role */
  file = ''
  line = 0
  text = ''
  role = ''

  /** The line's Evidence, as the full parser writes it (a new object per call). */
  evidence(): Evidence {
    return {file: this.file, line: this.line, text: this.text, role: this.role}
  }
}

/** The ScanContact kept in ctx.state[key] for one file, made on first use (a fast path fills it again per line). */
export function reusedContact(ctx: ParseContext, key: string): ScanContact {
  let c = ctx.state[key] as ScanContact | undefined
  if (c === undefined) ctx.state[key] = c = new ScanContact()
  return c
}

/** the last stamp read through scanStamp in a file (ctx.state.scanStamp) */
interface StampCache {
  text: string
  ms: number
  /** ctx.state.wallMinute when the stamp was read (zone-less stamps); STATED for stamps with their own offset */
  wall: unknown
  /** Date.UTC of the last RFC 3339 day read (year * 10000 + month * 100 + day) */
  dayKey: number
  dayMs: number
  /** the other instant of the last stamp read when it fell in a repeated DST hour (Resolved.alt), else undefined */
  alt: number | undefined
}

const STATED = {}

/**
 * The instant of the syslog stamp at the start of `t`: exactly syslogStamp(t, ctx)?.time.ms, with the same
 * effects on the file's clock (a wall time in a repeated DST hour is resolved by the same ordering rule; the
 * alternative instant, syslogStamp's time.alt, is then given by stampAlt(ctx) until the next call). undefined
 * when syslogStamp finds no stamp (then nothing changed: the caller may hand the line to the full parser).
 *
 * RFC 3339 stamps with an offset ("2024-03-05T08:00:00.123+01:00") are read by hand (a pure function of the
 * text), and so are plain "Mmm dd hh:mm:ss" stamps up to their wall time (bsdStamp); any other stamp goes
 * through syslogStamp, and a line that starts with the same stamp as the previous
 * one reuses its instant while the file's one-minute wall-clock cache (ctx.state.wallMinute) is unchanged —
 * exactly the case in which syslogStamp would answer from that cache without touching the clock.
 */
export function scanStamp(t: string, ctx: ParseContext): number | undefined {
  let cache = ctx.state.scanStamp as StampCache | undefined
  if (cache === undefined) ctx.state.scanStamp = cache = {text: '', ms: 0, wall: null, dayKey: -1, dayMs: 0, alt: undefined}
  cache.alt = undefined
  const iso = isoWithOffset(t, cache)
  if (iso !== undefined) return iso
  const n = cache.text.length
  if (
    n > 0 &&
    t.charCodeAt(n) === 32 &&
    !isDigit(t.charCodeAt(n + 1)) && // "Mar  5 08:00:00 2024 host": a year after the time belongs to the stamp
    (cache.wall === STATED || cache.wall === ctx.state.wallMinute) &&
    t.startsWith(cache.text)
  )
    return cache.ms
  // the usual "Mmm dd hh:mm:ss " read by hand, anything else by syslogStamp
  let time: Resolved | undefined
  let end: number
  let stated = false
  const bsd = bsdStamp(t, ctx)
  if (bsd !== null) {
    time = bsd
    end = 15
  } else {
    const head = syslogStamp(t, ctx)
    time = head?.time
    end = head ? head.rest - 1 : 0
    stated = head?.stated ?? false
  }
  if (!time || time.alt !== undefined || time.gap) {
    cache.text = ''
    cache.alt = time?.alt
    return time?.ms
  }
  cache.text = t.slice(0, end)
  cache.ms = time.ms
  cache.wall = stated ? STATED : ctx.state.wallMinute
  return time.ms
}

/**
 * A "Mmm dd hh:mm:ss " / "Mmm  d hh:mm:ss " stamp at the start of t (no <PRI>, fraction or year, followed by a
 * space and a non-digit): what syslogStamp resolves it to, through the same syslogWall, without its regular
 * expression (undefined when syslogStamp would find no stamp either: then nothing changed). null for any other
 * start of line: syslogStamp reads those.
 */
function bsdStamp(t: string, ctx: ParseContext): Resolved | undefined | null {
  const c0 = t.charCodeAt(0)
  if (!(c0 >= 65 && c0 <= 90) || t.charCodeAt(3) !== 32 || t.charCodeAt(6) !== 32 || t.charCodeAt(9) !== 58 || t.charCodeAt(12) !== 58 || t.charCodeAt(15) !== 32) return null
  for (let i = 1; i < 3; i++) {
    const c = t.charCodeAt(i)
    if (c < 97 || c > 122) return null
  }
  const d1 = t.charCodeAt(4)
  const d2 = t.charCodeAt(5)
  if (!((d1 === 32 || isDigit(d1)) && isDigit(d2)) || isDigit(t.charCodeAt(16))) return null
  const hour = digits(t, 7, 2)
  const minute = digits(t, 10, 2)
  const second = digits(t, 13, 2)
  if (hour < 0 || minute < 0 || second < 0) return null
  const day = d1 === 32 ? d2 - 48 : (d1 - 48) * 10 + d2 - 48
  const r = syslogWall(ctx, t.slice(0, 3), day, hour, minute, second)
  return r === undefined || Number.isNaN(r.ms) ? undefined : r
}

/** time.alt of the stamp the last scanStamp call read on this ctx (undefined: none, or no stamp read yet). */
export function stampAlt(ctx: ParseContext): number | undefined {
  return (ctx.state.scanStamp as StampCache | undefined)?.alt
}

const isDigit = (c: number) => c >= 48 && c <= 57

function digits(t: string, i: number, n: number): number {
  let v = 0
  for (let k = i; k < i + n; k++) {
    const d = t.charCodeAt(k) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/**
 * "YYYY-MM-DD[T ]hh:mm:ss[.frac](Z|±hh[[:]mm])" at the very start of t, followed by a space or the end: its
 * instant as syslogStamp computes it; undefined for anything else (no offset, <PRI>, odd layouts).
 */
function isoWithOffset(t: string, cache: StampCache): number | undefined {
  const year = digits(t, 0, 4)
  if (year < 0 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined
  const sep = t.charCodeAt(10)
  if (sep !== 84 && sep !== 32) return undefined
  const month = digits(t, 5, 2)
  const day = digits(t, 8, 2)
  const hour = digits(t, 11, 2)
  const minute = digits(t, 14, 2)
  const second = digits(t, 17, 2)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined
  let i = 19
  let ms = 0
  let c = t.charCodeAt(i)
  if (c === 46 || c === 44) {
    const from = ++i
    while (isDigit(t.charCodeAt(i))) i++
    const nd = i - from
    if (nd < 1 || nd > 9) return undefined
    // the first three digits, zero-padded: integer milliseconds (syslog.ts fracMs)
    ms = digits(t, from, Math.min(3, nd)) * (nd === 1 ? 100 : nd === 2 ? 10 : 1)
    c = t.charCodeAt(i)
  }
  let off: number
  const at = i
  if (c === 90 /* Z */) {
    off = 0
    i++
  } else if (c === 43 || c === 45) {
    if (digits(t, i + 1, 2) < 0) return undefined
    i += 3
    if (t.charCodeAt(i) === 58) {
      if (digits(t, i + 1, 2) < 0) return undefined
      i += 3
    } else if (digits(t, i, 2) >= 0) i += 2
    // parseOffset: hours up to 14, minutes up to 59
    const h = digits(t, at + 1, 2)
    const min = i - at > 3 ? digits(t, i - 2, 2) : 0
    if (h > 14 || min > 59) return undefined
    off = (c === 45 ? -1 : 1) * (h * 60 + min)
  } else return undefined
  const after = t.charCodeAt(i)
  if (!(after === 32 || i === t.length)) return undefined
  // Date.UTC(year, month - 1, day, hour, minute, second, ms): linear in everything below the day (second 60 and
  // day 31 of a short month roll over the same way); the day's start is cached (years below 100 mean 19xx there)
  const dayKey = year * 10000 + month * 100 + day
  if (dayKey !== cache.dayKey) {
    cache.dayKey = dayKey
    cache.dayMs = Date.UTC(year, month - 1, day)
  }
  return cache.dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + ms - off * 60_000
}
