/**
 * The operator's decisions in a review session, as pure data: accept a candidate, reject the engine's answer,
 * add a note. They are handed to the draft writer exactly as `natrace draft` takes them.
 */
import type {AttributionResult, Candidate} from '../model.js'

/** One decision as the draft writer takes it (same shape as src/draft's Decision). */
export interface ReviewDecision {
  /** index into result.incidents */
  incident: number
  action: 'accept' | 'reject'
  insideIp?: string
  mac?: string | null
  note?: string
}

/** What the operator said about one incident; `action` null means "only a note so far". */
export interface IncidentDecision {
  action: 'accept' | 'reject' | null
  insideIp?: string
  mac?: string | null
  note?: string
}

export type DecisionMap = ReadonlyMap<number, IncidentDecision>

export const NO_DECISIONS: DecisionMap = new Map()

/**
 * Whether accepting this candidate overrules the engine (so the operator's reason is required): the incident is
 * ambiguous / not found, or the candidate is not the one the engine attributed.
 */
export function acceptNeedsReason(result: AttributionResult, incident: number, cand: Candidate): boolean {
  const a = result.incidents[incident]?.attribution
  if (!a) return true
  return a.status !== 'attributed' || a.insideIp !== cand.insideIp || (a.mac ?? null) !== (cand.mac ?? null)
}

export function accept(map: DecisionMap, incident: number, cand: Candidate, note?: string): DecisionMap {
  const next = new Map(map)
  const prev = map.get(incident)
  const n = note?.trim() || prev?.note
  next.set(incident, {action: 'accept', insideIp: cand.insideIp, mac: cand.mac, ...(n ? {note: n} : {})})
  return next
}

export function reject(map: DecisionMap, incident: number, note?: string): DecisionMap {
  const next = new Map(map)
  const prev = map.get(incident)
  const n = note?.trim() || prev?.note
  next.set(incident, {action: 'reject', ...(n ? {note: n} : {})})
  return next
}

/** Sets (or with empty text, removes) the note of an incident, keeping its action. */
export function setNote(map: DecisionMap, incident: number, note: string): DecisionMap {
  const next = new Map(map)
  const prev = map.get(incident) ?? {action: null}
  const n = note.trim()
  const {note: _old, ...rest} = prev
  const d: IncidentDecision = n ? {...rest, note: n} : rest
  if (d.action === null && !d.note) next.delete(incident)
  else next.set(incident, d)
  return next
}

/** Forgets the operator's decision and note for an incident. */
export function undo(map: DecisionMap, incident: number): DecisionMap {
  const next = new Map(map)
  next.delete(incident)
  return next
}

/** Is this candidate the one the operator accepted for the incident? */
export function isAccepted(d: IncidentDecision | undefined, cand: Candidate): boolean {
  return d?.action === 'accept' && d.insideIp === cand.insideIp && (d.mac ?? null) === (cand.mac ?? null)
}

/**
 * The decisions for the draft writer, by incident. A note without accept/reject keeps the engine's outcome:
 * it becomes an accept of the engine's attribution when there is one, otherwise a reject (nobody is blamed),
 * so the note still reaches the evidence pack without changing who is named.
 */
export function toDecisions(result: AttributionResult, map: DecisionMap): ReviewDecision[] {
  const out: ReviewDecision[] = []
  for (const [incident, d] of [...map.entries()].sort((a, b) => a[0] - b[0])) {
    const note = d.note ? {note: d.note} : {}
    if (d.action === 'accept' && d.insideIp) {
      out.push({incident, action: 'accept', insideIp: d.insideIp, mac: d.mac ?? null, ...note})
    } else if (d.action === 'reject') {
      out.push({incident, action: 'reject', ...note})
    } else if (d.note) {
      const a = result.incidents[incident]?.attribution
      if (a?.status === 'attributed' && a.insideIp) {
        out.push({incident, action: 'accept', insideIp: a.insideIp, mac: a.mac ?? null, ...note})
      } else {
        out.push({incident, action: 'reject', ...note})
      }
    }
  }
  return out
}

/** A stable fingerprint of the decisions, to tell whether they changed since the last write. */
export function snapshot(result: AttributionResult, map: DecisionMap): string {
  return JSON.stringify(toDecisions(result, map))
}
