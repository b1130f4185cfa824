/**
 * Threshold Random Walk (Jung, Paxson, Berger, Balakrishnan: "Fast Portscan Detection Using Sequential
 * Hypothesis Testing", IEEE S&P 2004). Each first contact of a source to a new host is a Bernoulli trial:
 * success (the host answered) with probability θ0 for a benign source, θ1 for a scanner. The log-likelihood
 * ratio walks up by ln((1-θ1)/(1-θ0)) on a failure and down by ln(θ1/θ0) on a success; it decides "scanner"
 * at ln(β/α) and "benign" at ln((1-β)/(1-α)). Defaults θ0 = 0.8, θ1 = 0.2, α = 0.01, β = 0.99 decide after
 * 4 failures (or 4 successes) in a row.
 */
export interface TrwParams {
  theta0: number
  theta1: number
  alpha: number
  beta: number
}

export interface TrwSteps {
  fail: number
  success: number
  upper: number
  lower: number
}

export function trwSteps(p: TrwParams): TrwSteps {
  if (!(p.theta1 < p.theta0) || p.theta0 >= 1 || p.theta1 <= 0) throw new Error('TRW needs 0 < θ1 < θ0 < 1')
  if (!(p.alpha > 0 && p.alpha < p.beta && p.beta < 1)) throw new Error('TRW needs 0 < α < β < 1')
  return {
    fail: Math.log((1 - p.theta1) / (1 - p.theta0)),
    success: Math.log(p.theta1 / p.theta0),
    upper: Math.log(p.beta / p.alpha),
    lower: Math.log((1 - p.beta) / (1 - p.alpha)),
  }
}

/** Runs a walk over outcomes (true = answered); the decision and after how many trials. Used by tests and --explain. */
export function trwDecide(outcomes: boolean[], p: TrwParams): {decision: 'scanner' | 'benign' | null; after: number | null; llr: number} {
  const s = trwSteps(p)
  let llr = 0
  for (const [i, ok] of outcomes.entries()) {
    llr += ok ? s.success : s.fail
    if (llr >= s.upper) return {decision: 'scanner', after: i + 1, llr}
    if (llr <= s.lower) return {decision: 'benign', after: i + 1, llr}
  }
  return {decision: null, after: null, llr}
}
