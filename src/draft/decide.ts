/**
 * The operator's decisions applied to an attribution, before anything is drafted: accepting one candidate of an
 * ambiguous incident (the note becomes the recorded reason) or rejecting an attributed one. The original
 * attribution is kept next to the final one for the evidence pack.
 */
import type {Attribution, AttributionResult, Candidate, ClientSummary, IncidentOut} from '../model.js'
import {UsageError} from '../io/errors.js'

export interface Decision {
  /** 0-based index into result.incidents (as ClientSummary.incidents) */
  incident: number
  action: 'accept' | 'reject'
  /** which candidate is accepted (by inside IP and/or MAC); may be left out when there is one candidate */
  insideIp?: string
  mac?: string | null
  /** the operator's reason, kept in the evidence pack (never in the reply to the reporter) */
  note?: string
}

/**
 * What the reply says about one incident:
 * - notified: the customer was identified (and will be notified);
 * - ambiguous: the logs point at several customers; more data needed;
 * - unresolved: natrace named a customer but the operator rejected it;
 * - not-ours: the reported address is not in our networks;
 * - no-port: a shared address without the source port cannot be attributed (RFC 6302);
 * - not-covered: our logs do not cover the reported time (retention / rotation);
 * - no-match: the logs cover the time but hold no matching translation.
 */
export type Outcome = 'notified' | 'ambiguous' | 'unresolved' | 'not-ours' | 'no-port' | 'not-covered' | 'no-match'

export interface DecidedIncident {
  index: number
  incident: IncidentOut
  /** natrace's attribution, untouched */
  original: Attribution
  /** after the operator's decision */
  final: Attribution
  decidedBy: 'natrace' | 'operator'
  decision?: Decision
  outcome: Outcome
  /** what the reporter is asked for, when the incident stays unattributed */
  missing: ('source-port' | 'zoned-time' | 'more-events')[]
}

/** A client after decisions, with a stable 1-based number used in the notice file names. */
export interface FinalClient extends ClientSummary {
  n: number
  email: string | null
}

function matchesCandidate(c: Candidate, d: Decision): boolean {
  if (d.insideIp !== undefined && c.insideIp !== d.insideIp) return false
  if (d.mac !== undefined && d.mac !== null && (c.mac ?? '').toLowerCase() !== d.mac.toLowerCase()) return false
  return true
}

function emailOf(x: {email?: string | null}): string | null {
  return typeof x.email === 'string' && x.email.trim() ? x.email.trim() : null
}

const NOT_OURS = /not (?:one of )?our|outside (?:of )?our|not ours|not in (?:our|the configured)|our-networks/i
const NOT_COVERED = /retention|not cover|outside (?:the )?(?:log )?coverage|no logs? (?:for|at|cover)|before the (?:first|earliest)|after the (?:last|latest)|logs? (?:start|end)s? (?:after|before)/i

function coveredByNat(result: AttributionResult, ms: number): boolean | null {
  const spans = result.inputs.nat.filter((i) => !i.skipped && i.firstTime && i.lastTime)
  if (spans.length === 0) return null
  return spans.some((i) => Date.parse(i.firstTime!) <= ms && ms <= Date.parse(i.lastTime!))
}

function classify(result: AttributionResult, inc: IncidentOut, final: Attribution, rejected: boolean): Outcome {
  if (rejected) return 'unresolved'
  if (final.status === 'attributed') return 'notified'
  if (final.status === 'ambiguous') return 'ambiguous'
  if (inc.outsideOurNetworks || NOT_OURS.test(final.reason)) return 'not-ours'
  if (inc.publicPort === null || inc.portRole === 'destination') return 'no-port'
  // the translation was found but no lease names its holder: for the reporter, the customer is not confirmed
  if (final.step === 'lease') return 'unresolved'
  const t = Date.parse(inc.time)
  if (NOT_COVERED.test(final.reason) || coveredByNat(result, t) === false) return 'not-covered'
  return 'no-match'
}

function missingOf(inc: IncidentOut, outcome: Outcome): DecidedIncident['missing'] {
  if (outcome === 'notified' || outcome === 'not-ours' || outcome === 'not-covered') return []
  const out: DecidedIncident['missing'] = []
  if (inc.publicPort === null || inc.portRole === 'destination') out.push('source-port')
  // RFC 6302: a shared address needs the exact time with its zone (and the port) to be attributed
  out.push('zoned-time')
  if (outcome === 'ambiguous') out.push('more-events')
  return out
}

/** Applies the operator's decisions; throws a UsageError for a decision that names no incident or candidate. */
export function applyDecisions(result: AttributionResult, decisions: Decision[] = []): DecidedIncident[] {
  const byIncident = new Map<number, Decision>()
  for (const d of decisions) {
    if (!Number.isInteger(d.incident) || d.incident < 0 || d.incident >= result.incidents.length) {
      throw new UsageError(`decision for incident ${d.incident}: the report has incidents 0..${result.incidents.length - 1}`)
    }
    byIncident.set(d.incident, d) // the last decision on an incident wins
  }
  return result.incidents.map((incident, index) => {
    const original = incident.attribution
    const d = byIncident.get(index)
    let final: Attribution = original
    let rejected = false
    // accepting natrace's own attribution is a confirmation; naming another candidate is an override
    const confirms =
      original.status === 'attributed' &&
      (d?.insideIp === undefined || d.insideIp === original.insideIp) &&
      (d?.mac === undefined || d.mac === null || (original.mac ?? '').toLowerCase() === d.mac.toLowerCase())
    if (d?.action === 'accept' && !confirms) {
      const cands = original.candidates.filter((c) => matchesCandidate(c, d))
      if (cands.length !== 1) {
        const which = [d.insideIp, d.mac].filter(Boolean).join(' / ') || 'no candidate named'
        throw new UsageError(
          cands.length === 0
            ? `decision for incident ${index}: ${which} is not one of its ${original.candidates.length} candidate(s)`
            : `decision for incident ${index}: ${which} matches ${cands.length} candidates; name the inside IP and MAC`,
        )
      }
      const c = cands[0]!
      final = {
        status: 'attributed',
        insideIp: c.insideIp,
        insidePort: c.insidePort,
        mac: c.mac,
        hostname: c.hostname,
        subscriber: c.subscriber,
        ...(emailOf(c) ? {email: emailOf(c)} : {}),
        confidence: c.confidence,
        reason: `accepted by the operator${d.note ? `: ${d.note}` : ''} (natrace: ${original.reason})`,
        evidence: c.evidence,
        candidates: original.candidates,
      }
    } else if (d?.action === 'accept') {
      final = {...original, reason: d.note ? `${original.reason}; confirmed by the operator: ${d.note}` : original.reason}
    } else if (d?.action === 'reject' && original.status !== 'attributed') {
      // nothing named to reject: the operator's note is kept, the outcome stays natrace's
      final = {...original, reason: d.note ? `${original.reason}; operator: ${d.note}` : original.reason}
    } else if (d?.action === 'reject') {
      rejected = true
      final = {
        ...original,
        status: 'not-found',
        insideIp: null,
        insidePort: null,
        mac: null,
        hostname: null,
        subscriber: null,
        email: null,
        confidence: 0,
        reason: `rejected by the operator${d.note ? `: ${d.note}` : ''} (natrace: ${original.reason})`,
      }
    }
    const outcome = classify(result, incident, final, rejected)
    return {
      index,
      incident,
      original,
      final,
      decidedBy: d ? 'operator' : 'natrace',
      ...(d ? {decision: d} : {}),
      outcome,
      missing: missingOf(incident, outcome),
    }
  })
}

/**
 * The clients named after decisions: one per subscriber, else per MAC, else per inside IP, numbered in order of
 * first incident. E-mail comes from the attribution, else from natrace's client summary for the same client.
 */
export function finalClients(result: AttributionResult, decided: DecidedIncident[]): FinalClient[] {
  const map = new Map<string, FinalClient>()
  for (const d of decided) {
    const a = d.final
    if (a.status !== 'attributed' || d.outcome !== 'notified' || !(a.insideIp || a.mac || a.subscriber)) continue
    const key = a.subscriber ? `s:${a.subscriber}` : a.mac ? `m:${a.mac}` : `i:${a.insideIp}`
    let c = map.get(key)
    if (!c) {
      const known = result.clients.find(
        (k) => (a.subscriber && k.subscriber === a.subscriber) || (a.mac && k.mac === a.mac) || (!a.mac && !a.subscriber && k.insideIp === a.insideIp),
      )
      c = {
        n: map.size + 1,
        insideIp: a.insideIp ?? '',
        mac: a.mac,
        hostname: a.hostname,
        subscriber: a.subscriber,
        email: emailOf(a) ?? (known ? emailOf(known) : null),
        incidents: [],
        firstSeen: d.incident.time,
        lastSeen: d.incident.time,
      }
      map.set(key, c)
    }
    c.incidents.push(d.index)
    const last = d.incident.times[d.incident.times.length - 1] ?? d.incident.time
    if (Date.parse(d.incident.time) < Date.parse(c.firstSeen)) c.firstSeen = d.incident.time
    if (Date.parse(last) > Date.parse(c.lastSeen)) c.lastSeen = last
    c.hostname ??= a.hostname
    c.mac ??= a.mac
  }
  return [...map.values()]
}
