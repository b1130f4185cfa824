/**
 * Shapes of `natrace scan`: options of the streaming detector and the detections it reports.
 * Times are ms UTC inside; ISO strings only in the output objects (DetectionOut).
 */
import type {Evidence} from '../model.js'

export type ScanKind = 'vertical' | 'horizontal' | 'mixed' | 'syn-only' | 'p2p'
export type ScanDirection = 'out' | 'in'

export interface ScanThresholds {
  /** distinct ports (below 10000, BitTorrent range excluded) on ONE host → vertical scan; default 20 */
  verticalPorts: number
  /** distinct hosts on one port (group) → horizontal sweep; default 25 */
  horizontalHosts: number
  /** distinct hosts on one common client port (80/443/53/…) → horizontal sweep; default 500 */
  horizontalHostsCommon: number
  /** mixed/random: distinct hosts and distinct uncommon ports; defaults 50 and 10 */
  mixedHosts: number
  mixedPorts: number
  /** SYN-only / unanswered attempts to distinct host:port pairs with none answered; default 20 */
  synOnly: number
  /** TRW parameters (Jung et al. 2004) */
  theta0: number
  theta1: number
  /** false-positive (α) and detection (β, "PD") rates */
  alpha: number
  beta: number
  /** the walk decides "scanner" only once this many first contacts failed since it last restarted; default 6 */
  trwMinFailures: number
  /** share of answered first contacts above which count rules on common ports are set aside; default 0.5 */
  answeredBenign: number
}

export interface ScanOptions extends Partial<ScanThresholds> {
  /** longest span of one source's window before its counts restart, ms; default 1 h */
  windowMs?: number
  /** a source silent this long is closed (its window ends), ms; default 10 min */
  idleMs?: number
  /** a one-sided contact without a reply after this long counts as failed (when the log shows replies), ms; default 15 s */
  replyTimeoutMs?: number
  /** a session contact without a closing record after this long has an unknown outcome, ms; default 5 min */
  sessionTimeoutMs?: number
  /** which directions to report; default both */
  direction?: 'in' | 'out' | 'both'
  /** only contacts at or after / before these instants */
  sinceMs?: number
  untilMs?: number
  /** our public address space (CIDR set test); absent: learnt from NAT records */
  isOurs?: (ip: string) => boolean
  /** keep an explanation of this source's verdicts */
  explainIp?: string
  /** bounds */
  maxSources?: number
  maxHostsPerSource?: number
  /** called when a source crosses a threshold (follow mode); the detector keeps counting */
  onAlert?: (d: RawDetection) => void
}

/** A detection inside the detector (times ms, attribution not yet done). */
export interface RawDetection {
  kind: ScanKind
  direction: ScanDirection
  dangerLevel: number
  sourceIp: string
  targets: {
    hosts: number
    /** a few target hosts (the most probed first) */
    sampleHosts: string[]
    ports: number[]
    portCount: number
    portRanges: PortRange[]
  }
  protocols: string[]
  packets: number
  firstSeen: number
  lastSeen: number
  signatures: string[]
  reason: string
  evidence: Evidence[]
  /** first contacts whose outcome the log shows */
  outcomes: {answered: number; unanswered: number; unknown: number}
  trw: {decided: 'scanner' | 'benign' | null; decidedAt: number | null; afterContacts: number | null; llr: number}
  tcpFlags?: {synOnly: number; withAck: number}
}

export interface PortRange {
  protocol: string
  from: number
  to: number
  /** distinct ports in [from, to] */
  distinct: number
  packets: number
  /** psad's digest form: "[10-10000: 204 packets]" */
  text: string
}

/** What `--explain IP` says about one window of a source. */
export interface Explanation {
  ip: string
  firstSeen: number
  lastSeen: number
  verdict: ScanKind | 'not-flagged'
  reason: string
  metrics: Record<string, number | string | null>
}
