/**
 * Two CSV sources read by their header:
 *
 * `radacct-csv`: the FreeRADIUS SQL `radacct` table exported as CSV (psql \copy … CSV HEADER, mysql, phpMyAdmin):
 *   radacctid,acctsessionid,acctuniqueid,username,…,nasipaddress,…,acctstarttime,acctupdatetime,acctstoptime,
 *   acctinterval,acctsessiontime,…,callingstationid,…,framedipaddress,…
 * Each row: start at acctstarttime; interim at acctupdatetime (lease end = update + acctinterval when set);
 * stop at acctstoptime. Times "2013-06-18 15:40:12[+-zz]" — with an offset they are absolute, without one
 * they are read in --dhcp-tz / the system zone (the database's zone). An open row (no stop) ends, for the
 * holdings engine, at its last update + interval, or + the assumed lease time.
 *
 * `static-map`: fixed assignments the operator maintains (ISC fixed-address hosts never appear in lease files):
 *   ip,mac,subscriber,from,to
 *   100.64.0.10,00:1e:c2:aa:bb:cc,cliente0042,2013-01-01,
 * from/to ISO dates or date-times (zone optional, else --dhcp-tz / system zone); empty `to` = still valid;
 * empty `from` = valid since ever (the operator asserts it). A static entry is never cut by a dynamic lease
 * of another client: overlapping claims come out as conflicting (ambiguous).
 */
import type {LeaseFormat} from '../registry.js'
import type {ParseContext} from '../../io/format.js'
import type {LeaseEvent} from '../../model.js'
import {clientIp, csvFields, evidenceOf, leaseEvent, macOf} from '../common.js'
import {parseOffset} from '../../io/time.js'

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/** ISO-ish stamp → ms: with offset absolute, without read in the file's zone. undefined when unreadable. */
export function csvTime(text: string, ctx: ParseContext): {ms: number; alt?: number} | undefined {
  const m = STAMP.exec(text.trim().replace(/^"|"$/g, ''))
  if (!m) return undefined
  const w = {year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), millisecond: m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0}
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) return undefined
  if (m[8]) {
    const off = m[8].toUpperCase() === 'Z' ? 0 : parseOffset(m[8])
    if (off === undefined) return undefined
    return {ms: Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - off * 60_000}
  }
  const r = ctx.time.wall(w)
  return Number.isNaN(r.ms) ? undefined : r
}

function header(line: string): Map<string, number> {
  return new Map((csvFields(line) ?? []).map((c, i) => [c.trim().replace(/^"|"$/g, '').toLowerCase(), i]))
}

function getter(cols: Map<string, number>, f: string[]) {
  return (...names: string[]) => {
    for (const n of names) {
      const i = cols.get(n)
      if (i !== undefined) {
        const v = f[i]?.trim()
        if (v !== undefined && v !== '' && !/^(null|\\n)$/i.test(v)) return v
      }
    }
    return undefined
  }
}

export const radacctCsv: LeaseFormat = {
  name: 'radacct-csv',
  description: 'FreeRADIUS radacct SQL table exported as CSV (acctstarttime/acctupdatetime/acctstoptime, framedipaddress, username)',
  prefilter: false,
  detect(sample) {
    const h = (sample.find((l) => l.trim() !== '') ?? '').toLowerCase()
    return h.includes('framedipaddress') && h.includes('acctstarttime') ? 0.97 : 0
  },
  parse(line, ctx) {
    const st = ctx.state as {radacctCols?: Map<string, number>}
    const t = line.text
    if (t.trim() === '') return null
    if (!st.radacctCols) {
      const h = header(t)
      if (h.has('framedipaddress') && h.has('acctstarttime')) st.radacctCols = h
      return null
    }
    const f = csvFields(t)
    if (!f) {
      ctx.malformed(line, 'radacct row: unreadable CSV')
      return null
    }
    const g = getter(st.radacctCols, f)
    const ipText = g('framedipaddress')
    if (!ipText) return [] // session without an address
    const ip = clientIp(ipText)
    if (!ip) {
      ctx.malformed(line, `radacct row with an unreadable framedipaddress "${ipText}"`)
      return null
    }
    const mac = macOf(g('callingstationid'))
    const subscriber = g('username') ?? null
    const base = {ip, mac, subscriber}
    const out: LeaseEvent[] = []
    const ev = (role: string) => evidenceOf(ctx, line, role)
    const start = g('acctstarttime')
    const upd = g('acctupdatetime')
    const stop = g('acctstoptime')
    const times: [string | undefined, 'start' | 'interim' | 'stop'][] = [[start, 'start'], [upd, 'interim'], [stop, 'stop']]
    const interval = Number(g('acctinterval'))
    const parsed: {kind: 'start' | 'interim' | 'stop'; ms: number; alt?: number}[] = []
    for (const [v, kind] of times) {
      if (!v) continue
      const r = csvTime(v, ctx)
      if (!r) {
        ctx.malformed(line, `radacct row: unreadable acct${kind === 'interim' ? 'update' : kind}time "${v}"`)
        return null
      }
      parsed.push({kind, ms: r.ms, alt: r.alt})
    }
    // one row is one session: its start, last update and stop belong together, so the session is held from the
    // start up to the stop (or the last update + the interim interval) even when days lie between them
    const last = parsed.find((p) => p.kind === 'stop')?.ms ?? (() => {
      const u = parsed.find((p) => p.kind === 'interim')
      return u ? u.ms + (interval > 0 ? interval * 1000 : 0) : null
    })()
    for (const p of parsed) {
      const leaseEnd = p.kind === 'interim' && interval > 0 ? p.ms + interval * 1000 : p.kind === 'start' && last !== null && last > p.ms ? last : null
      out.push(leaseEvent({...base, event: p.kind, time: p.ms, timeAlt: p.alt, leaseEnd}, ev(`radacct ${p.kind}`)))
    }
    if (out.length === 0) ctx.malformed(line, 'radacct row without any time')
    return out
  },
}

export const staticMap: LeaseFormat = {
  name: 'static-map',
  description: 'static assignments CSV: ip,mac,subscriber,from,to',
  prefilter: false,
  detect(sample) {
    const h = (sample.find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '').toLowerCase().replace(/\s/g, '')
    return /^ip,mac,subscriber(,|$)/.test(h) ? 0.97 : 0
  },
  parse(line, ctx) {
    const st = ctx.state as {staticCols?: Map<string, number>}
    const t = line.text
    if (t.trim() === '' || t.startsWith('#')) return null
    if (!st.staticCols) {
      st.staticCols = header(t)
      return null
    }
    const f = csvFields(t)
    if (!f) {
      ctx.malformed(line, 'static map row: unreadable CSV')
      return null
    }
    const g = getter(st.staticCols, f)
    const ip = clientIp(g('ip'))
    if (!ip) {
      ctx.malformed(line, `static map row: not an IP address "${g('ip') ?? ''}"`)
      return null
    }
    const macText = g('mac')
    const mac = macOf(macText)
    if (macText && !mac) {
      ctx.malformed(line, `static map row: not a MAC address "${macText}"`)
      return null
    }
    const subscriber = g('subscriber') ?? null
    if (!mac && !subscriber) {
      ctx.malformed(line, 'static map row names neither a MAC nor a subscriber')
      return null
    }
    const fromText = g('from')
    const toText = g('to')
    const from = fromText ? csvTime(fromText, ctx) : {ms: 0}
    const to = toText ? csvTime(toText, ctx) : undefined
    if (!from || (toText && !to)) {
      ctx.malformed(line, `static map row: unreadable date "${!from ? fromText : toText}"`)
      return null
    }
    return leaseEvent({event: 'static', time: from.ms, ip, mac, subscriber, hostname: g('hostname') ?? null, leaseEnd: to ? to.ms : null}, evidenceOf(ctx, line, 'static assignment'))
  },
}
