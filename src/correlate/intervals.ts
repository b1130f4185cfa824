/**
 * NAT records → translation intervals. Vendors log a translation as a start and an end line (conntrack NEW /
 * DESTROY, ASA 305011 / 305012, PBA alloc / release), as one line with start and end (FortiGate), or as single
 * packets (ipfw, pf, iptables). The engine matches reports against intervals, so every source looks the same.
 */
import type {Evidence, NatEvent} from '../model.js'

export type IntervalHow =
  /** inside and public tuple on the same record(s): the translation itself */
  | 'translation'
  /** a block of public ports held by one inside address */
  | 'port-block'
  /** a packet logged with its inside address only (the public port is assumed equal to the inside port) */
  | 'one-sided'

/** The tuple fields a translation keeps from its records. */
type TupleFields = 'protocol' | 'insidePort' | 'outsideIp' | 'outsidePort' | 'outsidePortEnd' | 'destIp' | 'destPort' | 'subscriber'

export interface NatInterval extends Pick<NatEvent, TupleFields> {
  how: IntervalHow
  insideIp: string
  /** first instant the translation is known to exist (log clock), ms UTC */
  start: number
  /** last instant it is known to exist; null when no end record was seen */
  end: number | null
  /** last record seen of a translation whose end is not known (interim / repeated records) */
  lastSeen: number
  /** for open intervals: when the next translation of the same public tuple starts (it cannot outlive it) */
  cappedAt: number | null
  /** built from a record stamped in a repeated DST hour whose pass the log does not show (kept at both) */
  dstUncertain?: boolean
  /** instants of single packets (one-sided) */
  packets: number[]
  evidence: Evidence[]
}

const k = (v: string | number | null | undefined) => (v === null || v === undefined ? '-' : String(v))

/**
 * The identity of a translation across its records. Sessions and mappings share one key space (a conntrack
 * UPDATE is a mapping record of the session its NEW opened, and its DESTROY must close both): the tuple itself
 * tells a destination-less mapping from a session.
 */
function tupleKey(e: NatEvent): string {
  return [e.kind === 'port-block' ? 'pb' : 'ses', k(e.protocol), k(e.insideIp), k(e.insidePort), k(e.outsideIp), k(e.outsidePort), k(e.outsidePortEnd), k(e.destIp), k(e.destPort)].join('|')
}

/** How long a one-sided packet group of the same inside ip:port → dest may have gaps and still be one flow. */
const PACKET_FLOW_GAP_MS = 5 * 60_000

/**
 * Builds intervals from NAT records of any vendor. Start/end pairs are joined by their full tuple; an end
 * without its start (log rotated in between) keeps the start it states, else only its own instant.
 */
export function buildIntervals(events: NatEvent[]): NatInterval[] {
  // a record that closes a translation is logged at its end, even when it states the start: it is read there
  const at = (e: NatEvent) => (e.kind === 'session-end' || e.phase === 'close' ? (e.end ?? e.time) : e.time)
  const sorted = withAlternatives(dedupe(events)).sort((a, b) => at(a) - at(b) || a.evidence.line - b.evidence.line)
  const out: NatInterval[] = []
  const open = new Map<string, NatInterval>()
  const flows = new Map<string, NatInterval>()
  for (const e of sorted) {
    if (e.kind === 'packet') {
      if (!e.insideIp) continue // neither side is one of ours: proves nothing about a client
      const key = [k(e.protocol), e.insideIp, k(e.insidePort), k(e.destIp), k(e.destPort)].join('|')
      const cur = flows.get(key)
      if (cur && e.time - (cur.packets[cur.packets.length - 1] ?? cur.start) <= PACKET_FLOW_GAP_MS) {
        cur.packets.push(e.time)
        cur.end = e.time
        cur.evidence.push(e.evidence)
        if (e.dstUncertain) cur.dstUncertain = true
        continue
      }
      const iv = fromEvent(e, 'one-sided')
      iv.end = e.time
      iv.packets.push(e.time)
      flows.set(key, iv)
      out.push(iv)
      continue
    }
    if (!e.insideIp) continue
    const how: IntervalHow = e.kind === 'port-block' ? 'port-block' : 'translation'
    const key = tupleKey(e)
    if (e.kind === 'session-end') {
      const cur = open.get(key)
      const endAt = e.end ?? e.time
      if (cur) {
        cur.end = endAt
        cur.evidence.push(e.evidence)
        open.delete(key)
      } else {
        const iv = fromEvent(e, how)
        iv.start = e.end !== null && e.time < e.end ? e.time : endAt
        iv.end = endAt
        out.push(iv)
      }
      continue
    }
    // mapping / port-block records that say which moment of the translation's life they state
    const cur = open.get(key)
    if (e.phase === 'interim' || e.phase === 'close') {
      const stateEnd = e.end ?? e.time
      if (cur) {
        cur.evidence.push(e.evidence)
        cur.cappedAt = null
        if (e.phase === 'close') {
          cur.end = stateEnd
          open.delete(key)
        } else cur.lastSeen = Math.max(cur.lastSeen, stateEnd)
      } else {
        const iv = fromEvent(e, how)
        iv.start = Math.min(e.time, stateEnd)
        if (e.phase === 'close') iv.end = stateEnd
        else {
          iv.lastSeen = stateEnd
          open.set(key, iv)
        }
        out.push(iv)
      }
      continue
    }
    if (e.phase === undefined && cur && (e.kind === 'mapping' || e.kind === 'port-block')) {
      if (e.end === null) {
        // a repeated record of a translation already open: it proves the translation is still live
        cur.evidence.push(e.evidence)
        cur.lastSeen = Math.max(cur.lastSeen, e.time)
      } else {
        // a teardown / release stated with its start and end closes the open one
        cur.end = e.end
        cur.evidence.push(e.evidence)
        open.delete(key)
      }
      continue
    }
    // session-start, session (start and end on one line), mapping / block opened
    const iv = fromEvent(e, how)
    iv.end = e.end
    out.push(iv)
    if (e.end === null) open.set(key, iv)
  }
  capOpenIntervals(out)
  return out
}

function fromEvent(e: NatEvent & {dstUncertain?: boolean}, how: IntervalHow): NatInterval {
  return {
    ...(e.dstUncertain ? {dstUncertain: true} : {}),
    how,
    protocol: e.protocol,
    insideIp: e.insideIp!,
    insidePort: e.insidePort,
    outsideIp: e.outsideIp,
    outsidePort: e.outsidePort,
    outsidePortEnd: e.outsidePortEnd,
    destIp: e.destIp,
    destPort: e.destPort,
    subscriber: e.subscriber,
    start: e.time,
    end: null,
    lastSeen: e.time,
    cappedAt: null,
    packets: [],
    evidence: [e.evidence],
  }
}

/**
 * An open translation (no end record) cannot outlive the next translation of the same public ip:port (and
 * destination) for another inside client: that is where its evidence stops.
 */
function capOpenIntervals(ivs: NatInterval[]): void {
  const byPublic = new Map<string, NatInterval[]>()
  for (const iv of ivs) {
    if (iv.how === 'one-sided' || iv.outsideIp === null) continue
    const key = `${iv.outsideIp}|${k(iv.outsidePort)}|${k(iv.protocol)}`
    let list = byPublic.get(key)
    if (!list) byPublic.set(key, (list = []))
    list.push(iv)
  }
  for (const list of byPublic.values()) {
    list.sort((a, b) => a.start - b.start)
    for (const [i, iv] of list.entries()) {
      if (iv.end !== null) continue
      for (let j = i + 1; j < list.length; j++) {
        const next = list[j]!
        if (next.insideIp !== iv.insideIp && (iv.destIp === null || next.destIp === null || next.destIp === iv.destIp)) {
          iv.cappedAt = next.start
          break
        }
      }
    }
  }
}

/**
 * The same record read twice (a log given twice, an archive copy beside the live file, two syslog collectors)
 * would pair one copy's start with the other's end and leave a phantom open translation: identical records
 * (same kind, instants and tuple) count once.
 */
function dedupe(events: NatEvent[]): NatEvent[] {
  const seen = new Set<string>()
  const out: NatEvent[] = []
  for (const e of events) {
    const key = `${e.kind}|${e.phase ?? ''}|${e.time}|${e.end ?? ''}|${tupleKey(e)}|${e.dir ?? ''}|${e.iface ?? ''}`
    if (e.kind !== 'packet' && seen.has(key)) continue
    if (e.kind === 'packet') {
      // identical packet lines are legitimate (retransmits within a second, "last message repeated"), but
      // the same line of the same file read twice is not
      const k2 = `${key}|${e.evidence.text}`
      if (seen.has(k2) && !seen.has(`${k2}|${e.evidence.file}:${e.evidence.line}`)) continue
      seen.add(k2)
      seen.add(`${k2}|${e.evidence.file}:${e.evidence.line}`)
      out.push(e)
      continue
    }
    seen.add(key)
    out.push(e)
  }
  return out
}

/**
 * A zone-less stamp in the repeated DST hour names two instants. The reader picks the second one only when the
 * log has visibly gone past the first (a later line of the same hour already read): then, and for every
 * earlier line of that file, the choice is proven. Otherwise (a pre-filtered read sees too few lines to tell)
 * the record is kept at both instants, so a competing candidate at the other reading shows up as ambiguous
 * instead of not being seen.
 */
function withAlternatives(events: NatEvent[]): (NatEvent & {dstUncertain?: boolean})[] {
  const provenUpTo = new Map<string, number>()
  for (const e of events)
    if (e.timeAlt !== undefined && e.timeAlt < e.time) provenUpTo.set(e.evidence.file, Math.max(provenUpTo.get(e.evidence.file) ?? 0, e.evidence.line))
  const out: (NatEvent & {dstUncertain?: boolean})[] = []
  for (const e of events) {
    out.push(e)
    if (e.timeAlt === undefined || e.timeAlt === e.time) continue
    if (e.timeAlt < e.time || e.evidence.line < (provenUpTo.get(e.evidence.file) ?? 0)) continue
    const shift = e.timeAlt - e.time
    out[out.length - 1] = {...e, dstUncertain: true}
    out.push({...e, time: e.timeAlt, end: e.end === null ? null : e.end + shift, timeAlt: undefined, dstUncertain: true})
  }
  return out
}
