import {describe, expect, it} from 'vitest'
import {accept, acceptNeedsReason, reject, setNote, snapshot, toDecisions, undo, NO_DECISIONS} from './decisions.js'
import {applyDecisions} from '../draft/decide.js'
import {sampleResult} from '../../test/tui/fixtures.js'

const result = sampleResult()
const amb = result.incidents[1]!.attribution.candidates

describe('review decisions', () => {
  it('asks for a reason only when the operator overrules natrace', () => {
    const named = result.incidents[0]!.attribution.candidates[0]!
    const setAside = result.incidents[0]!.attribution.candidates[1]!
    expect(acceptNeedsReason(result, 0, named)).toBe(false)
    expect(acceptNeedsReason(result, 0, setAside)).toBe(true)
    expect(acceptNeedsReason(result, 1, amb[0]!)).toBe(true)
  })

  it('hands the draft writer decisions it applies: the accepted ambiguous candidate is attributed with the note', () => {
    const m = accept(NO_DECISIONS, 1, amb[1]!, 'customer confirmed')
    const ds = toDecisions(result, m)
    expect(ds).toEqual([{incident: 1, action: 'accept', insideIp: '100.64.9.77', mac: 'a4:5e:60:01:02:03', note: 'customer confirmed'}])
    const decided = applyDecisions(result, ds)
    expect(decided[1]!.final.status).toBe('attributed')
    expect(decided[1]!.final.insideIp).toBe('100.64.9.77')
    expect(decided[1]!.final.reason).toContain('customer confirmed')
  })

  it('a rejected attribution names nobody in the drafts', () => {
    const ds = toDecisions(result, reject(NO_DECISIONS, 0, 'honeypot'))
    expect(ds).toEqual([{incident: 0, action: 'reject', note: 'honeypot'}])
    expect(applyDecisions(result, ds)[0]!.final.insideIp).toBeNull()
  })

  it('a note alone keeps natrace’s outcome and still reaches the drafts', () => {
    let m = setNote(NO_DECISIONS, 0, 'checked the lease by hand')
    m = setNote(m, 2, 'asked for the source port')
    const ds = toDecisions(result, m)
    expect(ds).toEqual([
      {incident: 0, action: 'accept', insideIp: '100.64.3.17', mac: '00:1e:c2:aa:bb:01', note: 'checked the lease by hand'},
      {incident: 2, action: 'reject', note: 'asked for the source port'},
    ])
    const decided = applyDecisions(result, ds)
    expect(decided[0]!.final.status).toBe('attributed')
    expect(decided[0]!.final.insideIp).toBe('100.64.3.17')
    expect(decided[2]!.final.status).toBe('not-found')
  })

  it('keeps the note when accepting after noting, drops everything on undo, and an emptied note removes it', () => {
    let m = setNote(NO_DECISIONS, 1, 'first look')
    m = accept(m, 1, amb[0]!)
    expect(m.get(1)).toEqual({action: 'accept', insideIp: '100.64.9.2', mac: '3c:22:fb:10:20:30', note: 'first look'})
    expect(setNote(setNote(NO_DECISIONS, 2, 'x'), 2, '  ').has(2)).toBe(false)
    expect(undo(m, 1).has(1)).toBe(false)
    expect(snapshot(result, undo(m, 1))).toBe(snapshot(result, NO_DECISIONS))
  })
})
