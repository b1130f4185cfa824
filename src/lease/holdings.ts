/**
 * The holding-period engine: lease events of any source (ISC, Kea, dnsmasq, Windows, RADIUS, static maps…)
 * → who held an inside IP at an instant. Vendor-blind.
 *
 * Semantics (the rules that keep an innocent customer from being named):
 * 1. A period starts at its FIRST evidence and is never extended backwards: a lease file's active block
 *    (whose `starts` is the last renewal) says nothing about the time before it. Traffic before the first
 *    record of an IP gets 0 holders and the reason "lease history … starts at X, after T".
 * 2. Events of the same client (same MAC; without a MAC the same subscriber) merge into one period while
 *    each new event comes before the current period's end + grace (renewals, RADIUS interims). A later event
 *    after that opens a new period: the gap in between is NOT covered.
 * 3. A period ends at the lease end the sources state (leaseEnd). When they state none (syslog DHCPACK
 *    without lease time) the end is ASSUMED to be `assumedLeaseMs` after the last such event
 *    (default 1 h: short on purpose — a too long guess could name a client that had left; a too short one
 *    only yields not-found), and the reason says so. A lease block `ends never` / an open static entry
 *    has end = Infinity.
 * 4. release / stop close the period at their time (no grace: the client gave the address back).
 *    expire closes it at min(stated end, expire time); when the end was only assumed, an expire or release
 *    of the same client later than the assumed end proves the holding lasted until then and extends it.
 * 5. Reassignment: when another client's period starts while this one is still valid and this one has no
 *    evidence after that start, this one is cut at the other's start (endHow "reassigned"). When BOTH have
 *    evidence in the overlap (two servers, a static map against a DHCP lease, a flip-flop) nothing is cut:
 *    lookup returns both holders and the caller must report the incident ambiguous.
 * 6. Grace: after a lease end or expiry (not after release / stop / reassignment) a period still answers
 *    for `graceMs` (default 5 min: clients and their NAT sessions outlive an expired lease for a moment),
 *    but the grace never reaches into the next client's period and is only used when no period covers T.
 * 7. A lease without a MAC (ISC "abandoned": the server found the address in use by a device without a
 *    lease) is a holder with mac null: "an unknown device". The caller must not attribute it.
 */
import type {Evidence, HoldingPeriod, LeaseEvent} from '../model.js'
import {isoUtc} from '../io/time.js'

export interface HoldingOptions {
  /** grace after a lease end / expiry, ms; default 5 min */
  graceMs?: number
  /** lease length assumed after an assignment whose source states no lease time, ms; default 1 h */
  assumedLeaseMs?: number
}

export const DEFAULT_GRACE_MS = 5 * 60_000
export const DEFAULT_ASSUMED_LEASE_MS = 60 * 60_000

export interface HoldingLookup {
  /** 0: nobody known; 1: the holder; 2+: conflicting sources (report ambiguous) */
  holders: HoldingPeriod[]
  /** why, in one sentence, with ISO-8601 UTC instants */
  reason: string
  /** the single holder covers T only through the grace after its lease end */
  inGrace?: boolean
}

export interface HoldingIndex {
  lookup(ip: string, ms: number): HoldingLookup
  periods(ip: string): HoldingPeriod[]
  /** earliest and latest evidence instant over all IPs, or null when there is none */
  coverage(): {first: number; last: number} | null
  /** the options in force (defaults filled) */
  readonly options: Required<HoldingOptions>
}

const OPENING = new Set(['lease', 'assign', 'renew', 'start', 'interim', 'static'])
const CLOSING = new Set(['release', 'expire', 'stop'])

interface Work {
  key: string
  ip: string
  mac: string | null
  hostname: string | null
  subscriber: string | null
  start: number
  lastEvidence: number
  knownEnd: number
  knownAt: number
  assumedEnd: number
  end: number
  endHow: string
  grace: boolean
  closed: boolean
  isStatic: boolean
  evidence: Evidence[]
  graceEnd: number
  conflicts: Set<Work>
  /** file+line of the evidence already listed */
  seen: Set<string>
  out?: HoldingPeriod
}

/** one record may yield several events (a free lease block: lease + expire): list it once */
function addEvidence(w: Work, e: Evidence): void {
  const k = `${e.line}\u0000${e.file}`
  if (w.seen.has(k)) return
  w.seen.add(k)
  w.evidence.push(e)
}

/**
 * The client identity a period belongs to: MAC and subscriber together (one CPE MAC can carry two PPPoE
 * accounts one after the other: they must not merge), MAC alone, subscriber alone, or "unknown".
 */
function keyOf(e: {mac: string | null; subscriber: string | null}): string {
  if (e.mac) return e.subscriber ? `mac:${e.mac}|sub:${e.subscriber}` : `mac:${e.mac}`
  if (e.subscriber) return `sub:${e.subscriber}`
  return 'unknown'
}

function dur(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  return `${Math.round(ms / 1000)} s`
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? isoUtc(ms) : ms > 0 ? 'no end' : 'no start'
}

function who(p: HoldingPeriod): string {
  if (!p.mac && !p.subscriber) return 'an unknown device (lease without hardware address, e.g. abandoned)'
  const parts: string[] = []
  if (p.mac) parts.push(`MAC ${p.mac}`)
  if (p.subscriber) parts.push(`subscriber ${p.subscriber}`)
  if (p.hostname) parts.push(`host ${p.hostname}`)
  return parts.join(', ')
}

function where(p: HoldingPeriod): string {
  const e = p.evidence[0]
  return e ? `${e.file}:${e.line}` : '?'
}

function recomputeEnd(w: Work, assumedLeaseMs: number): void {
  void assumedLeaseMs
  if (w.knownEnd >= w.assumedEnd) {
    w.end = w.knownEnd
    if (!w.closed) w.endHow = w.isStatic ? (Number.isFinite(w.end) ? 'static-until' : 'static-open') : Number.isFinite(w.end) ? 'lease-end' : 'never'
  } else {
    w.end = w.assumedEnd
    if (!w.closed) w.endHow = 'assumed-lease-time'
  }
}

export function buildHoldings(events: LeaseEvent[], opts: HoldingOptions = {}): HoldingIndex {
  const options = {
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    assumedLeaseMs: opts.assumedLeaseMs ?? DEFAULT_ASSUMED_LEASE_MS,
  }
  const {graceMs, assumedLeaseMs} = options
  const byIp = new Map<string, {e: LeaseEvent; i: number}[]>()
  events.forEach((e, i) => {
    if (!Number.isFinite(e.time) || !e.ip) return
    let l = byIp.get(e.ip)
    if (!l) byIp.set(e.ip, (l = []))
    l.push({e, i})
  })

  const periodsByIp = new Map<string, Work[]>()
  let first = Infinity
  let last = -Infinity

  for (const [ip, list] of byIp) {
    // time order; at one instant the order the sources wrote them (journals: a Kea deletion row after the
    // renewal it deletes; a syslog release before the next grant)
    list.sort((a, b) => a.e.time - b.e.time || a.i - b.i)
    const open = new Map<string, Work>()
    const all: Work[] = []
    let lastOpenKey: string | undefined
    const byMac = new Map<string, string>()
    for (const {e} of list) {
      first = Math.min(first, e.time)
      last = Math.max(last, e.time)
      let key = keyOf(e)
      // a record naming only the MAC (a DHCPEXPIRE, a DHCPACK beside RADIUS) belongs to that MAC's current client
      if (e.mac && !e.subscriber) key = byMac.get(e.mac) ?? key
      if (CLOSING.has(e.event)) {
        // a close that names nobody (DHCPEXPIRE without MAC, a deletion) applies to the latest grant
        if (key === 'unknown' && lastOpenKey) key = lastOpenKey
        const w = open.get(key)
        if (w && w.closed && e.time <= w.end + (w.grace ? graceMs : 0)) {
          // a second record of the same end (lease file's free block + syslog DHCPRELEASE): a release / stop
          // is the stronger statement — the client gave the address back then, so no grace after it
          if ((e.event === 'release' || e.event === 'stop') && w.grace) {
            w.end = Math.max(e.time, w.start)
            w.endHow = e.event
            w.grace = false
          }
          w.lastEvidence = Math.max(w.lastEvidence, Math.min(e.time, w.end))
          addEvidence(w, e.evidence)
          continue
        }
        if (w && !w.closed && (e.time <= w.end + (w.grace ? graceMs : 0) || w.endHow === 'assumed-lease-time')) {
          const assumed = w.endHow === 'assumed-lease-time'
          w.end = assumed ? Math.max(e.time, w.start) : Math.min(w.end, e.time)
          w.endHow = e.event
          w.grace = e.event === 'expire'
          w.closed = true
          w.lastEvidence = Math.max(w.lastEvidence, e.time)
          addEvidence(w, e.evidence)
          continue
        }
        // nothing open: the close still proves the client held the address at that instant
        const nw = newWork(key, ip, e, e.time, e.event)
        nw.closed = true
        nw.grace = e.event === 'expire'
        all.push(nw)
        open.set(key, nw)
        continue
      }
      if (!OPENING.has(e.event)) continue
      lastOpenKey = key
      if (e.mac) byMac.set(e.mac, key)
      const isStatic = e.event === 'static'
      const stated = e.leaseEnd === null || Number.isNaN(e.leaseEnd) ? null : Math.max(e.leaseEnd, e.time) // Infinity: stated "never"
      // a lease block or static entry without an end is open-ended; a grant without a stated time is assumed
      const known = stated ?? (e.event === 'lease' || isStatic ? Infinity : null)
      const cur = open.get(key)
      if (cur && !cur.closed && !isStatic && !cur.isStatic && e.time <= cur.end + (cur.grace ? graceMs : 0)) {
        cur.lastEvidence = Math.max(cur.lastEvidence, e.time)
        addEvidence(cur, e.evidence)
        if (e.hostname) cur.hostname = e.hostname
        if (e.subscriber && !cur.subscriber) cur.subscriber = e.subscriber
        if (known !== null) {
          cur.knownEnd = Math.max(cur.knownEnd, known)
          if (e.time >= cur.knownAt) {
            cur.knownAt = e.time
            cur.assumedEnd = -Infinity
          }
        } else if (e.time >= cur.knownAt) {
          cur.assumedEnd = Math.max(cur.assumedEnd, e.time + assumedLeaseMs)
        }
        recomputeEnd(cur, assumedLeaseMs)
        continue
      }
      const nw = newWork(key, ip, e, known ?? e.time + assumedLeaseMs, '')
      nw.isStatic = isStatic
      if (known !== null) {
        nw.knownEnd = known
        nw.knownAt = e.time
      } else nw.assumedEnd = e.time + assumedLeaseMs
      recomputeEnd(nw, assumedLeaseMs)
      nw.grace = !isStatic
      all.push(nw)
      open.set(key, nw)
    }

    // reassignment and conflicts between different clients
    all.sort((a, b) => a.start - b.start || a.key.localeCompare(b.key))
    for (let i = 0; i < all.length; i++) {
      const p = all[i]!
      for (let j = i + 1; j < all.length; j++) {
        const q = all[j]!
        if (q.key === p.key) continue
        if (q.start >= p.end) break
        if (q.start === p.start && p.lastEvidence <= q.start && q.lastEvidence <= p.start) {
          // two clients granted the same address at the same instant: a real conflict
          p.conflicts.add(q)
          q.conflicts.add(p)
          continue
        }
        if (!p.isStatic && p.lastEvidence <= q.start && q.start > p.start) {
          p.end = q.start
          p.endHow = 'reassigned'
          p.grace = false
          break
        }
        p.conflicts.add(q)
        q.conflicts.add(p)
      }
    }
    // grace never reaches into another client's period
    for (let i = 0; i < all.length; i++) {
      const p = all[i]!
      p.graceEnd = p.end
      if (!p.grace || !Number.isFinite(p.end)) continue
      let g = p.end + graceMs
      // sorted by start: only the periods starting after p (and before its grace ends) can cap it
      for (let j = i + 1; j < all.length && all[j]!.start < g; j++) {
        const q = all[j]!
        if (q.key !== p.key && q.start > p.end) g = Math.min(g, q.start)
      }
      p.graceEnd = g
    }
    for (const p of all) {
      p.out = {
        ip: p.ip,
        mac: p.mac,
        hostname: p.hostname,
        subscriber: p.subscriber,
        start: p.start,
        end: p.end,
        endHow: p.endHow,
        evidence: p.evidence,
      }
    }
    periodsByIp.set(ip, all)
  }

  function newWork(key: string, ip: string, e: LeaseEvent, end: number, endHow: string): Work {
    return {
      key, ip, mac: e.mac, hostname: e.hostname, subscriber: e.subscriber,
      start: e.time, lastEvidence: e.time, knownEnd: -Infinity, knownAt: -Infinity, assumedEnd: -Infinity,
      end: Math.max(end, e.time), endHow, grace: true, closed: false, isStatic: false,
      evidence: [e.evidence], graceEnd: end, conflicts: new Set(), seen: new Set([`${e.evidence.line}\u0000${e.evidence.file}`]),
    }
  }

  /**
   * Sources that agree are not a conflict: a static entry and a DHCP lease of the same client (or a
   * duplicated static row) cover T together. One period per client identity: the most recent one.
   */
  function sameClientOnce(ws: Work[]): Work[] {
    const by = new Map<string, Work>()
    for (const w of ws) {
      const o = by.get(w.key)
      if (!o || w.start > o.start) by.set(w.key, w)
    }
    return [...by.values()]
  }

  function covers(p: Work, t: number): boolean {
    if (t < p.start) return false
    // a period cut by the next client's grant ends just before that grant
    return p.endHow === 'reassigned' ? t < p.end || (t === p.start && t === p.end) : t <= p.end
  }

  function lookup(ipIn: string, t: number): HoldingLookup {
    const ip = ipIn
    const ps = periodsByIp.get(ip)
    const at = isoUtc(t)
    if (!ps || ps.length === 0) return {holders: [], reason: `no lease record for ${ip} in the lease sources`}
    const inside = sameClientOnce(ps.filter((p) => covers(p, t)))
    if (inside.length === 1) {
      const p = inside[0]!
      const o = p.out!
      let endText: string
      if (o.endHow === 'assumed-lease-time') endText = `${iso(o.end)} (assumed: ${dur(assumedLeaseMs)} after its last grant; the source states no lease time)`
      else if (!Number.isFinite(o.end)) endText = o.endHow === 'static-open' ? 'no end (static assignment)' : 'no end (lease "ends never" / open)'
      else endText = `${iso(o.end)} (${o.endHow})`
      return {
        holders: [o],
        reason: `${who(o)} held ${ip} from ${iso(o.start)} to ${endText}; ${at} is inside that period (${o.evidence.length} record${o.evidence.length === 1 ? '' : 's'}, first ${where(o)})`,
      }
    }
    if (inside.length > 1) {
      const hs = inside.map((p) => p.out!)
      return {
        holders: hs,
        reason: `conflicting lease sources: at ${at} ${ip} is claimed by ${hs.length} clients at once: ${hs.map((h) => `${who(h)} since ${iso(h.start)} (${where(h)})`).join('; ')}`,
      }
    }
    const graced = sameClientOnce(ps.filter((p) => p.graceEnd > p.end && t > p.end && t < p.graceEnd + (p.graceEnd === p.end + graceMs ? 1 : 0)))
    if (graced.length >= 1) {
      const hs = graced.map((p) => p.out!)
      if (hs.length === 1) {
        const o = hs[0]!
        return {
          holders: hs,
          inGrace: true,
          reason: `${who(o)} held ${ip} from ${iso(o.start)} until ${iso(o.end)} (${o.endHow}); ${at} is ${dur(t - o.end)} later, within the ${dur(graceMs)} grace after a lease end (clients keep using an expired address briefly) and no other client held ${ip} then`,
        }
      }
      return {holders: hs, inGrace: true, reason: `conflicting lease sources: ${hs.length} clients' leases of ${ip} ended just before ${at}: ${hs.map((h) => `${who(h)} (${where(h)})`).join('; ')}`}
    }
    const firstP = ps.reduce((a, b) => (b.start < a.start ? b : a))
    if (t < firstP.start) {
      return {
        holders: [],
        reason: `lease history for ${ip} starts at ${iso(firstP.start)}, after ${at}: the first known holder (${who(firstP.out!)}, ${where(firstP.out!)}) is no evidence for earlier traffic`,
      }
    }
    let before: Work | undefined
    let after: Work | undefined
    for (const p of ps) {
      if (p.end < t || (p.endHow === 'reassigned' && p.end <= t)) {
        if (!before || p.end > before.end) before = p
      } else if (p.start > t && (!after || p.start < after.start)) after = p
    }
    const next = after ? `; the next holder (${who(after.out!)}) starts at ${iso(after.start)}` : '; no later lease record'
    if (before) {
      const o = before.out!
      const g = before.grace ? ` (beyond the ${dur(graceMs)} grace)` : ''
      return {holders: [], reason: `last lease of ${ip} (${who(o)}) ended at ${iso(o.end)} (${o.endHow})${g}, before ${at}${next}`}
    }
    return {holders: [], reason: `no lease of ${ip} covers ${at}${next}`}
  }

  return {
    options,
    lookup,
    periods(ip: string) {
      return (periodsByIp.get(ip) ?? []).map((p) => p.out!)
    },
    coverage() {
      return Number.isFinite(first) ? {first, last} : null
    },
  }
}
