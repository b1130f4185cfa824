import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {trwDecide, trwSteps} from '../../src/scan/trw.js'
import {DEFAULT_THRESHOLDS} from '../../src/scan/detector.js'

const P = {theta0: DEFAULT_THRESHOLDS.theta0, theta1: DEFAULT_THRESHOLDS.theta1, alpha: DEFAULT_THRESHOLDS.alpha, beta: DEFAULT_THRESHOLDS.beta}

describe('Threshold Random Walk', () => {
  it('decides "scanner" after 4 unanswered first contacts with the paper\'s defaults', () => {
    expect(trwDecide([false, false, false], P).decision).toBe(null)
    expect(trwDecide([false, false, false, false], P)).toMatchObject({decision: 'scanner', after: 4})
  })

  it('decides "benign" after 4 answered first contacts', () => {
    expect(trwDecide([true, true, true, true], P)).toMatchObject({decision: 'benign', after: 4})
  })

  it('needs more failures when successes are mixed in', () => {
    expect(trwDecide([false, true, false, false, false], P).decision).toBe(null)
    expect(trwDecide([false, true, false, false, false, false], P)).toMatchObject({decision: 'scanner', after: 6})
  })

  it('refuses parameters that make no test (θ1 ≥ θ0, α ≥ β)', () => {
    expect(() => trwSteps({...P, theta1: 0.9})).toThrow(/θ1/)
    expect(() => trwSteps({...P, alpha: 0.995})).toThrow(/α/)
  })

  it('never decides "benign" sooner when a success becomes a failure (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), {minLength: 1, maxLength: 30}), fc.nat(), (xs, k) => {
        const i = k % xs.length
        if (!xs[i]) return
        const worse = [...xs]
        worse[i] = false
        const a = trwDecide(xs, P)
        const b = trwDecide(worse, P)
        // the walk of the worse sequence is never below: a scanner verdict stays, benign never comes earlier
        if (a.decision === 'scanner') expect(b.decision).toBe('scanner')
        if (b.decision === 'benign') expect(a.decision === 'benign' && a.after! <= b.after!).toBe(true)
      }),
    )
  })
})
