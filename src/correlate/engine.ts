/**
 * The vendor-blind matching engine: reported events → NAT translation → lease holder, with the reason for
 * every decision and the evidence it used.
 *
 * Rules (README "How natrace decides"):
 * - A NAT record matches an incident only on the reported public ip:port (or, for one-sided logs, the inside
 *   source port, assuming the NAT kept it), the same protocol and destination when both sides state them, and
 *   a time within ±maxSkew of a reported instant.
 * - Candidates are grouped by inside address. One candidate → go on to the lease step; several → ambiguous,
 *   unless the clock offset that the report's OTHER incidents agree on singles one out. A lone closer match on
 *   a single event is never taken as evidence.
 * - The holder of the inside address is looked up at the instant the NAT evidence places the event on our
 *   clock. No holder, or several, is not-found / ambiguous, never a guess.
 */
import type {
  Assumption,
  Attribution,
  AttributionStep,
  Candidate,
  ClientSummary,
  Evidence,
  HoldingPeriod,
  Incident,
  IncidentOut,
} from '../model.js'
import {isoUtc} from '../io/time.js'
import type {NatInterval} from './intervals.js'

/** What the engine needs from the lease side (src/lease/holdings.ts implements it). */
export interface LeaseLookup {
  /** holders of `ip` at `ms`; inGrace: the only holder covers `ms` through the grace after its lease end */
  lookup(ip: string, ms: number): {holders: HoldingPeriod[]; reason: string; inGrace?: boolean}
}

export interface CorrelateOptions {
  maxSkewMs: number
  /** time span the NAT logs cover (log clock), to tell "no record" from "no logs for that time" */
  natCoverage: {first: number; last: number}[]
  /** whether any lease source was given */
  haveLeases: boolean
  /** reporter's zone, for the reported time as written */
  reportZone: string
  /**
   * whether the reported public address is known to be ours (--our-networks, or seen in the logs); one-sided
   * matches prove nothing about it. Absent: not checked.
   */
  publicIpConfirmed?: (ip: string) => boolean
}

export interface CorrelateResult {
  incidents: Omit<IncidentOut, 'reportedTime'>[]
  clients: ClientSummary[]
  clockOffsetSeconds: number | null
  assumptions: Assumption[]
}

/** How long an open translation (start seen, end not) is taken to be live after its last record. */
export const OPEN_SESSION_TAIL_MS = 10 * 60_000
export const OPEN_BLOCK_TAIL_MS = 60 * 60_000
/** Clock-offset agreement needed to single out a candidate: within this of the agreed offset … */
const OFFSET_TOLERANCE_MS = 2_000
/** … while every other candidate is at least this far from it. */
const OFFSET_SEPARATION_MS = 10_000

interface Match {
  iv: NatInterval
  /** index into incident.times */
  timeIndex: number
  /** log instant the match places the event at */
  logMs: number
  /** log − reported, when the record is point-like (a packet, a session start near the report) */
  offsetMs: number | null
  evidence: Evidence[]
}

interface CandidateBuild {
  insideIp: string
  insidePort: number | null
  subscriber: string | null
  matches: Match[]
  how: NatInterval['how']
  destChecked: 'ip+port' | 'port' | 'masked+port' | 'none'
}

function destMaskMatches(masked: string, ip: string): boolean {
  const m = masked.split('.')
  const a = ip.split('.')
  if (m.length !== 4 || a.length !== 4) return false
  return m.every((part, i) => !/^\d+$/.test(part) || Number(part) === Number(a[i]))
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function effectiveEnd(iv: NatInterval): {end: number; open: boolean} {
  if (iv.end !== null) return {end: iv.end, open: false}
  const lastSeen = Math.max(iv.start, iv.lastSeen)
  const tail = iv.how === 'port-block' ? OPEN_BLOCK_TAIL_MS : OPEN_SESSION_TAIL_MS
  const end = iv.cappedAt !== null ? Math.min(iv.cappedAt, lastSeen + tail) : lastSeen + tail
  return {end, open: true}
}

/** Matches of one interval against one incident (one per reported instant it fits). */
function matchInterval(inc: Incident, iv: NatInterval, skew: number): Match[] {
  if (inc.protocol && iv.protocol && inc.protocol !== iv.protocol) return []
  if (inc.destIp && iv.destIp && inc.destIp !== iv.destIp) return []
  if (!inc.destIp && inc.destIpMasked && iv.destIp && !destMaskMatches(inc.destIpMasked, iv.destIp)) return []
  if (inc.destPort !== null && iv.destPort !== null && inc.destPort !== iv.destPort) return []
  const port = inc.publicPort!
  if (iv.how === 'one-sided') {
    if (iv.insidePort !== port) return []
  } else {
    if (!iv.outsideIp || iv.outsideIp !== inc.publicIp) return []
    if (iv.how === 'port-block') {
      if (iv.outsidePort === null) return []
      const last = iv.outsidePortEnd ?? iv.outsidePort
      if (port < iv.outsidePort || port > last) return []
    } else if (iv.outsidePort !== port) return []
  }
  const out: Match[] = []
  const {end} = effectiveEnd(iv)
  for (const [i, t] of inc.times.entries()) {
    if (iv.how === 'one-sided') {
      for (const [j, p] of iv.packets.entries()) {
        if (Math.abs(p - t) > skew) continue
        out.push({iv, timeIndex: i, logMs: p, offsetMs: p - t, evidence: [iv.evidence[j] ?? iv.evidence[0]!]})
      }
    } else {
      if (t < iv.start - skew || t > end + skew) continue
      const nearStart = Math.abs(iv.start - t) <= skew
      const logMs = Math.min(Math.max(t, iv.start), end)
      out.push({iv, timeIndex: i, logMs, offsetMs: nearStart && iv.how === 'translation' ? iv.start - t : null, evidence: iv.evidence})
    }
  }
  return out
}

function destChecked(inc: Incident, iv: NatInterval): CandidateBuild['destChecked'] {
  if (iv.destIp === null && iv.destPort === null) return 'none'
  const port = inc.destPort !== null && iv.destPort !== null
  if (inc.destIp && iv.destIp) return port ? 'ip+port' : 'none'
  if (inc.destIpMasked && iv.destIp) return port ? 'masked+port' : 'none'
  return port ? 'port' : 'none'
}

function candidatesFor(inc: Incident, intervals: NatInterval[], skew: number): CandidateBuild[] {
  const byIp = new Map<string, CandidateBuild>()
  for (const iv of intervals) {
    const ms = matchInterval(inc, iv, skew)
    if (ms.length === 0) continue
    let c = byIp.get(iv.insideIp)
    if (!c) {
      c = {insideIp: iv.insideIp, insidePort: iv.insidePort, subscriber: iv.subscriber, matches: [], how: iv.how, destChecked: destChecked(inc, iv)}
      byIp.set(iv.insideIp, c)
    }
    c.matches.push(...ms)
    if (!c.subscriber && iv.subscriber) c.subscriber = iv.subscriber
    // the strongest kind of evidence decides how the candidate is described
    if (iv.how === 'translation') c.how = 'translation'
  }
  return [...byIp.values()]
}

/**
 * The candidate's clock offset (log − reported): the shift that best aligns ALL the reported instants of the
 * incident with the candidate's point-like records (packets, session starts). Pairing each reported instant
 * with its nearest packet would be biased: SYN retransmits at +0/+3/+9 s shifted by +4 s pair :37 with :38.
 */
function candidateOffset(c: CandidateBuild, inc: Incident, skew: number): number | null {
  const points = [...new Set(c.matches.filter((m) => m.offsetMs !== null).flatMap((m) => (m.iv.how === 'one-sided' ? m.iv.packets : [m.iv.start])))]
  if (points.length === 0) return null
  const tries = new Set<number>()
  for (const t of inc.times) for (const p of points) if (Math.abs(p - t) <= skew) tries.add(p - t)
  let best: number | null = null
  let bestCost = Infinity
  for (const o of tries) {
    let cost = 0
    for (const t of inc.times) {
      let d = skew
      for (const p of points) d = Math.min(d, Math.abs(t + o - p))
      cost += d
    }
    if (cost < bestCost || (cost === bestCost && best !== null && Math.abs(o) < Math.abs(best))) {
      bestCost = cost
      best = o
    }
  }
  return best
}

function baseConfidence(c: CandidateBuild): number {
  if (c.how === 'translation') return c.destChecked === 'none' ? 0.9 : 0.95
  if (c.how === 'port-block') return 0.9
  // one-sided: rests on the assumption that the NAT kept the source port
  return c.destChecked === 'ip+port' ? 0.9 : c.destChecked === 'masked+port' ? 0.85 : c.destChecked === 'port' ? 0.8 : 0.4
}

function describeNat(c: CandidateBuild, inc: Incident): string {
  const pub = `${inc.publicIp}:${inc.publicPort}`
  const n = new Set(c.matches.map((m) => m.timeIndex)).size
  const times = inc.times.length > 1 ? ` (${n} of ${inc.times.length} reported instants)` : ''
  if (c.how === 'translation') return `NAT translation ${c.insideIp}:${c.insidePort ?? '?'} → ${pub}${times}`
  if (c.how === 'port-block' && c.matches[0]?.iv.evidence[0]?.role === 'det-nat')
    return `deterministic NAT (RFC 7422): port ${inc.publicPort} of ${inc.publicIp} lies in the block of ${c.insideIp} under the configured rule${times}`
  if (c.how === 'port-block') return `port block of ${inc.publicIp} holding port ${inc.publicPort} allocated to ${c.insideIp}${times}`
  const dest = c.destChecked === 'ip+port' ? 'same destination ip:port' : c.destChecked === 'masked+port' ? 'destination port and the visible octets of the masked destination' : c.destChecked === 'port' ? 'same destination port' : 'no destination to compare'
  return `packets from ${c.insideIp}:${c.insidePort} with the reported source port, ${dest}${times}; the NAT is assumed to keep the source port (one-sided log)`
}

interface Decided {
  status: 'attributed' | 'ambiguous' | 'not-found'
  step: AttributionStep
  reason: string
  chosen: CandidateBuild | null
  natCands: CandidateBuild[]
  confidence: number
}

/**
 * Correlates every incident of a report. `intervals` are the NAT translations (already pre-filtered to the
 * report's addresses); `leases` answers who held an inside address at an instant.
 */
export function correlate(incidents: Incident[], intervals: NatInterval[], leases: LeaseLookup, opts: CorrelateOptions): CorrelateResult {
  const skew = opts.maxSkewMs
  const assumptions: Assumption[] = []
  const perInc = incidents.map((inc) => (usable(inc) ? candidatesFor(inc, intervals, skew) : []))

  // 1. the clock offset the report's unambiguous incidents agree on
  const agreed: number[] = []
  for (const cands of perInc) {
    // only packets are point-like: a translation may have started well before the reported event
    if (cands.length !== 1 || cands[0]!.how !== 'one-sided') continue
    const o = candidateOffset(cands[0]!, incidents[perInc.indexOf(cands)]!, skew)
    if (o !== null) agreed.push(o)
  }
  // the offset counts only where the incidents agree on it (within the tolerance): session starts of long
  // flows or a stray match give scattered offsets, which say nothing about the clocks
  let offset: number | null = null
  let agreeing: number[] = []
  if (agreed.length >= 1) {
    const m = median(agreed)
    agreeing = agreed.filter((x) => Math.abs(x - m) <= OFFSET_TOLERANCE_MS)
    const spread = Math.max(...agreed.map((x) => Math.abs(x - m)))
    if (agreeing.length === agreed.length || (agreeing.length >= 2 && agreeing.length >= 0.75 * agreed.length)) {
      offset = median(agreeing)
      assumptions.push({
        kind: 'clock-offset',
        text: `our logs' clock is ${fmtOffset(offset)} relative to the reporter's, from ${agreeing.length} incident(s) with a single candidate (largest deviation ${(spread / 1000).toFixed(1)} s); matching window ±${skew / 1000} s`,
      })
    } else {
      agreeing = []
      assumptions.push({
        kind: 'clock-offset',
        text: `no clock offset between our logs and the reporter could be established: the ${agreed.length} incident(s) with a single candidate disagree (deviations up to ${(spread / 1000).toFixed(1)} s); matching window ±${skew / 1000} s`,
      })
    }
  }

  // 2. decide each incident
  const decided: Decided[] = incidents.map((inc, i) => decideNat(inc, perInc[i]!, agreeing, offset, opts))

  // 3. lease step for the NAT winners, and for every candidate (to show who they are)
  const outIncidents: Omit<IncidentOut, 'reportedTime'>[] = []
  const clients = new Map<string, ClientSummary>()
  for (const [i, inc] of incidents.entries()) {
    const d = decided[i]!
    const candidates: Candidate[] = d.natCands.map((c) => toCandidate(c, inc, leases, d.chosen === c, skew, offset))
    let att: Attribution
    if (d.status !== 'attributed' || !d.chosen) {
      att = emptyAttribution(d.status, d.step, d.reason, candidates)
    } else {
      const c = d.chosen
      const at = leaseInstant(c, inc, skew, offset)
      const look = opts.haveLeases
        ? leases.lookup(c.insideIp, at)
        : {holders: [], reason: 'no lease sources were given (--dhcp): the client behind the inside address is not named'}
      const natEvidence = evidenceOf(c, inc, skew)
      const natReason = describeNat(c, inc)
      const only = look.holders.length === 1 ? look.holders[0]! : null
      if (only && !only.mac && !only.subscriber && !only.hostname) {
        att = {
          ...emptyAttribution('not-found', 'lease', `${natReason}; but the lease sources only show an unknown device (no MAC, no subscriber) on ${c.insideIp} then: ${look.reason}`, candidates),
          insideIp: c.insideIp,
          insidePort: c.insidePort,
          evidence: [...natEvidence, ...holdingEvidence(only)],
        }
      } else if (only) {
        const h = only
        const graceNote = look.inGrace ? 0.9 : 1
        att = {
          status: 'attributed',
          step: 'done',
          insideIp: c.insideIp,
          insidePort: c.insidePort,
          mac: h.mac,
          hostname: h.hostname,
          subscriber: h.subscriber ?? c.subscriber,
          confidence: round2(d.confidence * graceNote),
          reason: `${d.reason}${d.reason ? '; ' : ''}${natReason}; ${look.reason}`,
          evidence: [...natEvidence, ...holdingEvidence(h)],
          candidates,
        }
      } else if (look.holders.length > 1) {
        att = {
          ...emptyAttribution('ambiguous', 'lease', `${natReason}; but the lease sources name ${look.holders.length} holders of ${c.insideIp} at ${isoUtc(at)}: ${look.reason}`, candidates),
          insideIp: c.insideIp,
          insidePort: c.insidePort,
          evidence: [...natEvidence, ...look.holders.flatMap(holdingEvidence)],
        }
      } else if (c.subscriber) {
        // the NAT record itself names the subscriber (e.g. a PPPoE interface)
        att = {
          status: 'attributed',
          step: 'done',
          insideIp: c.insideIp,
          insidePort: c.insidePort,
          mac: null,
          hostname: null,
          subscriber: c.subscriber,
          confidence: round2(d.confidence * 0.95),
          reason: `${natReason}; the NAT record names the subscriber ${c.subscriber}${opts.haveLeases ? ` (lease sources: ${look.reason})` : ''}`,
          evidence: natEvidence,
          candidates,
        }
      } else {
        att = {
          ...emptyAttribution('not-found', 'lease', `${natReason}; but ${look.reason}`, candidates),
          insideIp: c.insideIp,
          insidePort: c.insidePort,
          evidence: natEvidence,
        }
      }
      if (att.status === 'attributed') addClient(clients, att, i, inc)
    }
    outIncidents.push({
      time: isoUtc(inc.time),
      times: inc.times.map(isoUtc),
      publicIp: inc.publicIp,
      publicPort: inc.publicPort,
      portRole: inc.portRole,
      destIp: inc.destIp,
      ...(inc.destIpMasked ? {destIpMasked: inc.destIpMasked} : {}),
      destPort: inc.destPort,
      protocol: inc.protocol,
      raw: inc.raw,
      ...(inc.outsideOurNetworks ? {outsideOurNetworks: true} : {}),
      logTime: d.chosen ? isoUtc(leaseInstant(d.chosen, inc, skew, offset)) : offset !== null ? isoUtc(inc.time + offset) : null,
      attribution: att,
    })
  }
  return {
    incidents: outIncidents,
    clients: [...clients.values()],
    clockOffsetSeconds: offset === null ? null : Math.round(offset / 100) / 10,
    assumptions,
  }
}

function usable(inc: Incident): boolean {
  return !inc.outsideOurNetworks && inc.publicIp !== null && inc.publicPort !== null && inc.portRole === 'source'
}

function decideNat(inc: Incident, cands: CandidateBuild[], agreed: number[], offset: number | null, opts: CorrelateOptions): Decided {
  const nf = (step: AttributionStep, reason: string): Decided => ({status: 'not-found', step, reason, chosen: null, natCands: cands, confidence: 0})
  if (inc.outsideOurNetworks) return nf('report', `${inc.publicIp} is not in our networks (--our-networks): not ours to attribute`)
  if (inc.publicIp === null) return nf('report', 'the report gives no public IP for this event (pass --public-ip if it masks ours)')
  if (inc.publicPort === null || inc.portRole === null)
    return nf('report', 'the report gives no source port: behind NAT many clients share the public address, so the translation cannot be singled out — ask the reporter for the source port and an exact time with its zone (RFC 6302)')
  if (inc.portRole === 'destination')
    return nf('report', `port ${inc.publicPort} is the port attacked on the victim, not our source port: the translation cannot be singled out without our source port (RFC 6302)`)
  if (inc.portRole === 'listening')
    return nf('report', `port ${inc.publicPort} is a port listening on our address: that is an inbound port forward, not an outbound translation; natrace does not look up port forwards yet`)
  const skewS = opts.maxSkewMs / 1000
  if (cands.length === 0) {
    const t = inc.time
    const covered = opts.natCoverage.some((c) => t >= c.first - opts.maxSkewMs && t <= c.last + opts.maxSkewMs)
    if (!covered) {
      const span = coverageText(opts.natCoverage)
      return nf('nat', `the NAT logs do not cover ${isoUtc(t)} (${span}): logs past retention or missing for that time`)
    }
    return nf('nat', `no NAT record maps ${inc.publicIp}:${inc.publicPort}${inc.destPort !== null ? ` to destination port ${inc.destPort}` : ''} within ±${skewS} s of the reported time, although the logs cover that time`)
  }
  if (cands.length === 1) {
    const c = cands[0]!
    if (c.how === 'one-sided' && c.destChecked === 'none')
      return {status: 'ambiguous', step: 'nat', reason: 'only a one-sided log (inside addresses only) matches, and the report gives no destination to compare: a shared source port alone does not identify a client', chosen: null, natCands: cands, confidence: 0}
    if (c.how === 'one-sided' && inc.publicIp && opts.publicIpConfirmed && !opts.publicIpConfirmed(inc.publicIp))
      return {
        status: 'ambiguous',
        step: 'nat',
        reason: `the matching log is one-sided (inside addresses only) and nothing in the logs shows ${inc.publicIp} as our public address: the client may have gone out through another address; confirm it with --our-networks`,
        chosen: null,
        natCands: cands,
        confidence: 0,
      }
    if (c.matches.every((m) => m.iv.dstUncertain))
      return {
        status: 'ambiguous',
        step: 'nat',
        reason: `the only matching NAT record (${c.insideIp}) is stamped in a repeated DST hour of the log's zone, and the lines read do not show which of its two instants it is: it may not be the reported one (check the full log with \`natrace logs parse\`)`,
        chosen: null,
        natCands: cands,
        confidence: 0,
      }
    let confidence = baseConfidence(c)
    let reason = ''
    const o = candidateOffset(c, inc, opts.maxSkewMs)
    if (offset !== null && o !== null && agreed.length >= 2 && Math.abs(o - offset) > OFFSET_SEPARATION_MS) {
      confidence *= 0.8
      reason = `its time differs by ${fmtOffset(o - offset)} from the clock offset the other incidents agree on`
    }
    const open = c.matches.every((m) => m.iv.end === null && m.iv.how !== 'one-sided')
    if (open) {
      confidence *= 0.9
      reason = `${reason ? `${reason}; ` : ''}no end record of the translation was seen`
    }
    return {status: 'attributed', step: 'done', reason, chosen: c, natCands: cands, confidence}
  }
  // several inside clients fit: only the offset the OTHER incidents agree on may single one out
  const offsets = cands.map((c) => candidateOffset(c, inc, opts.maxSkewMs))
  if (offset !== null && agreed.length >= 2) {
    const close = cands.filter((_, j) => offsets[j] !== null && Math.abs(offsets[j]! - offset) <= OFFSET_TOLERANCE_MS)
    const farOthers = cands.every((c, j) => close.includes(c) || offsets[j] === null || Math.abs(offsets[j]! - offset) >= OFFSET_SEPARATION_MS)
    if (close.length === 1 && farOthers && offsets.every((o) => o !== null)) {
      const c = close[0]!
      return {
        status: 'attributed',
        step: 'done',
        reason: `${cands.length} clients used this port within ±${skewS} s; only ${c.insideIp} fits the clock offset (${fmtOffset(offset)}) that ${agreed.length} other incidents agree on`,
        chosen: c,
        natCands: cands,
        confidence: baseConfidence(c) * 0.85,
      }
    }
  }
  return {
    status: 'ambiguous',
    step: 'nat',
    reason: `${cands.length} inside clients match ${inc.publicIp}:${inc.publicPort} within ±${skewS} s (${cands.map((c) => c.insideIp).join(', ')}) and nothing else in the report singles one out`,
    chosen: null,
    natCands: cands,
    confidence: 0,
  }
}

/**
 * Where the candidate places the incident on our clock. Packets (one-sided logs) are exact: the reported
 * instant plus the candidate's own offset. A translation interval only bounds it: the reported instant plus
 * the offset the report's incidents agree on (if any), kept inside the interval.
 */
function leaseInstant(c: CandidateBuild, inc: Incident, skew: number, agreedOffset: number | null): number {
  const t = inc.times[0]!
  if (c.how === 'one-sided') {
    const o = candidateOffset(c, inc, skew)
    if (o !== null) return t + o
  }
  const m = c.matches.find((x) => x.timeIndex === 0) ?? c.matches[0]!
  const at = t + (agreedOffset ?? 0)
  if (m.iv.how === 'one-sided') return m.logMs
  const {end} = effectiveEnd(m.iv)
  return Math.min(Math.max(at, m.iv.start), end)
}

/**
 * The NAT lines that support a candidate: for point-like records, those that line up with a reported instant
 * once the candidate's offset is applied (within 1 s), else every matching record.
 */
function evidenceOf(c: CandidateBuild, inc: Incident, skew: number): Evidence[] {
  const o = candidateOffset(c, inc, skew)
  const aligned = (m: Match) => m.offsetMs === null || o === null || Math.abs(inc.times[m.timeIndex]! + o - m.logMs) <= 1000
  const seen = new Set<string>()
  const out: Evidence[] = []
  for (const m of c.matches.filter(aligned))
    for (const e of m.evidence) {
      const key = `${e.file}:${e.line}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push(e)
    }
  return out.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
}

function toCandidate(c: CandidateBuild, inc: Incident, leases: LeaseLookup, chosen: boolean, skew: number, agreedOffset: number | null): Candidate {
  const at = leaseInstant(c, inc, skew, agreedOffset)
  const look = leases.lookup(c.insideIp, at)
  const h = look.holders.length === 1 ? look.holders[0]! : null
  const o = candidateOffset(c, inc, skew)
  return {
    insideIp: c.insideIp,
    insidePort: c.insidePort,
    mac: h?.mac ?? null,
    hostname: h?.hostname ?? null,
    subscriber: h?.subscriber ?? c.subscriber,
    offsetSeconds: o === null ? null : Math.round(o / 100) / 10,
    confidence: round2(baseConfidence(c)),
    reason: `${chosen ? 'chosen: ' : ''}${describeNat(c, inc)}; lease: ${look.reason}`,
    evidence: [...evidenceOf(c, inc, skew), ...(h ? holdingEvidence(h) : [])],
  }
}

/**
 * A holding's evidence, in time order: a long-lived lease renewed every hour has thousands of lines. The first
 * records (the start of the holding) and the last ones (up to its end) prove the period; the renewals in
 * between only repeat it (`natrace leases who` lists them all).
 */
export const HOLDING_EVIDENCE_KEEP = 4

function holdingEvidence(h: HoldingPeriod): Evidence[] {
  const ev = h.evidence
  if (ev.length <= 2 * HOLDING_EVIDENCE_KEEP) return ev
  return [...ev.slice(0, HOLDING_EVIDENCE_KEEP), ...ev.slice(-HOLDING_EVIDENCE_KEEP)]
}

function emptyAttribution(status: Attribution['status'], step: AttributionStep, reason: string, candidates: Candidate[]): Attribution {
  return {status, step, insideIp: null, insidePort: null, mac: null, hostname: null, subscriber: null, confidence: 0, reason, evidence: [], candidates}
}

function addClient(clients: Map<string, ClientSummary>, att: Attribution, index: number, inc: Incident): void {
  const key = att.mac ?? att.subscriber ?? att.insideIp!
  const t = isoUtc(inc.time)
  const cur = clients.get(key)
  if (cur) {
    cur.incidents.push(index)
    if (t < cur.firstSeen) cur.firstSeen = t
    if (t > cur.lastSeen) cur.lastSeen = t
  } else {
    clients.set(key, {insideIp: att.insideIp!, mac: att.mac, hostname: att.hostname, subscriber: att.subscriber, incidents: [index], firstSeen: t, lastSeen: t})
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

export function fmtOffset(ms: number): string {
  const s = ms / 1000
  const txt = Math.abs(s) < 10 ? Math.abs(s).toFixed(1) : Math.round(Math.abs(s)).toString()
  return `${s < 0 ? '-' : '+'}${txt} s`
}

function coverageText(cov: {first: number; last: number}[]): string {
  if (cov.length === 0) return 'no NAT record was read at all'
  const first = Math.min(...cov.map((c) => c.first))
  const last = Math.max(...cov.map((c) => c.last))
  return `they run from ${isoUtc(first)} to ${isoUtc(last)}${cov.length > 1 ? ' with gaps possible between files' : ''}`
}
