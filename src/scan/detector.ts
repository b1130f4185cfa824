/**
 * The streaming scan detector: NatEvents in (any NAT / firewall format), detections out. Never keeps the
 * events: per source it keeps counters and bounded sets for one window (closed after `idleMs` of silence or
 * `windowMs` of span), plus a FIFO of first contacts waiting for their outcome.
 *
 * Contacts. A one-sided packet line (ipfw, pf, iptables) from an inside address is an outbound contact; a
 * packet from outside to an inside address is a reply when that inside source contacted that peer (it answers
 * the first contact) or when it looks like one (source port below destination port, destination ephemeral),
 * else an inbound contact. A session record (conntrack, SRX, FortiGate, …) is a contact from its inside
 * address, or from the remote side when it is a port forward or when the initiator is outside.
 *
 * Outcomes of first contacts (the input of the Threshold Random Walk, see trw.ts): a reply packet (one-sided
 * logs; silence for `replyTimeoutMs` = unanswered, only once the log has shown replies at all), conntrack
 * DESTROY [ASSURED] / [UNREPLIED] / UPDATE, FortiGate rcvdpkt=, SRX packets from the server.
 */
import type {Evidence, NatEvent} from '../model.js'
import type {ScanContact} from '../nat/contact.js'
import {isInsideAddress, isInsideV4, quadKey} from '../io/net.js'
import {
  C_BT,
  C_COMMON,
  C_HIGH,
  C_MULTI,
  C_SIG,
  CLASS,
  COMMON_CLIENT,
  GROUP,
  groupKey,
  ICMP_KEY,
  isBitTorrentPort,
  packetLevel,
  protoTag,
  signatureOf,
  tagName,
} from './signatures.js'
import {HostTable, IntTable} from './hosts.js'
import {trwSteps, type TrwSteps} from './trw.js'
import type {Explanation, PortRange, RawDetection, ScanDirection, ScanKind, ScanOptions, ScanThresholds} from './types.js'

export const DEFAULT_THRESHOLDS: ScanThresholds = {
  verticalPorts: 20,
  horizontalHosts: 25,
  horizontalHostsCommon: 500,
  mixedHosts: 50,
  mixedPorts: 10,
  synOnly: 20,
  theta0: 0.8,
  theta1: 0.2,
  alpha: 0.01,
  beta: 0.99,
  trwMinFailures: 6,
  answeredBenign: 0.5,
}

export const DEFAULT_WINDOW_MS = 60 * 60_000
export const DEFAULT_IDLE_MS = 10 * 60_000
export const DEFAULT_REPLY_TIMEOUT_MS = 15_000
export const DEFAULT_SESSION_TIMEOUT_MS = 5 * 60_000

/** outcome of a first contact */
const PENDING = 0
const ANSWERED = 1
const UNANSWERED = 2
const UNKNOWN = 3

/** ports at or above this are "high" (peer-to-peer, ephemeral) unless a signature names them */
const HIGH = 10_000

/**
 * One contacted host of a source, packed in a small integer (no object per host: the hot path allocates
 * nothing for the common one-port host). Bits 0-17 the first port key, 18-19 the outcome of the first
 * contact, then flags. Hosts with more ports also have an entry in Source.multi.
 */
const H_OUT_SHIFT = 18
const H_OUTCOME = 3 << H_OUT_SHIFT
/** outcome from a reply packet (one-sided logs) rather than from a later record (sessions) */
const H_BYREPLY = 1 << 20
/** counted in the TRW walk */
const H_TRW = 1 << 21
/** contacted on a port outside BitTorrent, common client and high ports */
const H_UNCOMMON = 1 << 22
const H_UDPHIGH = 1 << 23
const H_TCP = 1 << 24
const H_MULTI = 1 << 25
const PORT_MASK = (1 << 18) - 1

const outcomeOf = (v: number) => (v & H_OUTCOME) >> H_OUT_SHIFT

/** What the detector reads of a record: a NatEvent, or the scan fast path's ScanContact (no evidence object). */
type Rec = Pick<NatEvent, 'kind' | 'time' | 'protocol' | 'insideIp' | 'insidePort' | 'outsideIp' | 'outsidePort' | 'destIp' | 'destPort'> &
  Pick<NatEvent, 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'replied'> &
  Partial<Pick<ScanContact, 'srcKey' | 'dstKey' | 'insideKey' | 'outsideKey' | 'destKey' | 'assured'>>

interface MultiPort {
  ports: Set<number>
  /** distinct low ports (below 10000, BitTorrent excluded), the first port included */
  nlow: number
}

class Source {
  first: number
  last: number
  packets = 0
  hosts = new HostTable()
  multi = new Map<string, MultiPort>()
  hostCount = 0
  pairs = 0
  groupHosts = new Map<number, number>()
  groupPackets = new Map<number, number>()
  ports = new Set<number>()
  portOverflow = 0
  minPort = [Infinity, Infinity, Infinity]
  maxPort = [-1, -1, -1]
  tagPackets = [0, 0, 0]
  protoMask = 0
  maxLow = 0
  maxLowHost = ''
  bt = 0
  common = 0
  uncommon = 0
  high = 0
  udpHigh = 0
  udpHighAnswered = 0
  udpHighResolved = 0
  uncommonHosts = 0
  uncommonPorts = 0
  answered = 0
  unanswered = 0
  unknown = 0
  tcpAnswered = 0
  tcpUnanswered = 0
  llr = 0
  trials = 0
  trwFail = 0
  /** failures since the walk last restarted (a benign decision) */
  walkFail = 0
  trwDecided: 'scanner' | null = null
  trwAt: number | null = null
  trwAfter: number | null = null
  trwBenign = 0
  synOnly = 0
  withAck = 0
  evidence: Evidence[] = []
  sigEvidence = new Map<string, Evidence>()
  /** the last contact's evidence; null with lastLine > 0: a fast-path line not built yet (lastFile…lastRole) */
  lastEv: Evidence | null = null
  lastFile = ''
  lastLine = 0
  lastText = ''
  lastRole = ''
  flagged: ScanKind | null = null
  /** pairs count at which the full verdict is computed again after one that flagged nothing */
  nextCheck = 0
  lastDst = ''
  lastDstKey = 0
  /** the peer whose reply was seen last (its next packets skip the host lookup) */
  lastReplyFrom = ''
  lastReplyKey = 0
  lastDport = -2
  lastSport = -2
  lastTime = -1
  closed = false

  constructor(
    readonly ip: string,
    /** quadKey(ip): the key in ScanDetector.byKey, 0 when the address is no canonical IPv4 */
    readonly key: number,
    readonly dir: ScanDirection,
    t: number,
  ) {
    this.first = t
    this.last = t
  }
}

export interface Verdict {
  kind: ScanKind | null
  reason: string
  /** why it is p2p (when it is), also when a scan was found beside it */
  p2p: string | null
}

const LOOKS_PORTLESS = (proto: string | null) => proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp' && proto !== 'udplite'

export class ScanDetector {
  readonly t: ScanThresholds
  readonly steps: TrwSteps
  /** open windows by source address, in creation order; IPv4 sources also by quadKey (the hot-path lookup) */
  private sources = new Map<string, Source>()
  private byKey = new IntTable<Source>()
  /** first contacts waiting for their outcome, in time order: source, host, time, packed host (parallel arrays) */
  private pSrc: Source[] = []
  private pDst: string[] = []
  private pAt: number[] = []
  private pV: number[] = []
  private pK: number[] = []
  private pendingHead = 0
  private ourPublic = new Set<string>()
  private repliesSeen = false
  private lastOutside = ''
  private lastOutsideKey = 0
  private watermark = -Infinity
  private nextSweep = -Infinity
  private done: RawDetection[] = []
  private explained: Explanation[] = []
  private explainSeen = false
  readonly windowMs: number
  readonly idleMs: number
  readonly replyTimeoutMs: number
  readonly sessionTimeoutMs: number
  readonly maxSources: number
  readonly maxHosts: number
  /** events seen and contacts counted (for the summary) */
  events = 0
  contacts = 0
  replies = 0

  constructor(readonly opts: ScanOptions = {}) {
    const t = {...DEFAULT_THRESHOLDS}
    for (const k of Object.keys(DEFAULT_THRESHOLDS) as (keyof ScanThresholds)[]) {
      const v = opts[k]
      if (v !== undefined) t[k] = v
    }
    this.t = t
    this.steps = trwSteps(t)
    this.windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS
    this.replyTimeoutMs = opts.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS
    this.maxSources = opts.maxSources ?? 200_000
    this.maxHosts = opts.maxHostsPerSource ?? 4096
  }

  /** Sources currently tracked (memory bound check). */
  get tracked(): number {
    return this.sources.size
  }

  /** the current record's evidence (built on demand for a ScanContact), its raw text */
  private curEv: Evidence | null = null
  private curC: ScanContact | null = null
  private text = ''

  /** Feeds one normalised record. `format` is the name of the format that read it. */
  observe(ev: NatEvent, format: string): void {
    this.curEv = ev.evidence
    this.curC = null
    this.text = ev.evidence.text
    this.record(ev, format)
  }

  /**
   * Feeds one line read by a format's scan fast path (NatFormat.scanContact): the same as observe() of the
   * NatEvent parse() gives for that line; the evidence object is built only when a detection keeps the line.
   * `c` may be reused by the caller once this returns.
   */
  observeContact(c: ScanContact, format: string): void {
    this.curEv = null
    this.curC = c
    this.text = c.text
    this.record(c, format)
  }

  /** the current record's evidence (one object per record, also when asked twice) */
  private evidenceNow(): Evidence {
    return (this.curEv ??= this.curC!.evidence())
  }

  private record(ev: Rec, format: string): void {
    this.events++
    const t = ev.time
    if (t > this.watermark) {
      this.watermark = t
      if (t >= this.nextSweep) this.sweep(t)
    }
    if (this.opts.sinceMs !== undefined && t < this.opts.sinceMs) return
    if (this.opts.untilMs !== undefined && t > this.opts.untilMs) return
    if (ev.kind === 'packet') this.packet(ev, format)
    else if (ev.kind !== 'port-block') this.session(ev, format)
  }

  private packet(ev: Rec, format: string): void {
    const src = ev.srcIp
    const dst = ev.dstIp
    if (!src || !dst) return
    const sk = ev.srcKey ?? quadKey(src)
    const dk = ev.dstKey ?? quadKey(dst)
    const ins = ev.insideIp
    const proto = ev.protocol
    const sport = ev.srcPort ?? null
    const dport = ev.dstPort ?? null
    if (ins !== null && ins === src) {
      // an inside host answering: a LAN server's reply to a client, or an inside server's reply to a remote contact
      if (this.reply(dst, dk, src, sk, ev.time)) return
      if (looksLikeReply(proto, sport, dport) && (insideK(dk, dst) || this.ourPublic.has(dst))) return
      this.contact(src, sk, sport, dst, dk, dport, proto, 'out', ev.time, PENDING, true, synOf(ev, format, this.text), ev)
      return
    }
    const ours = this.opts.isOurs
    if (ins !== null && ins === dst) {
      if (this.reply(dst, dk, src, sk, ev.time)) return
      if (looksLikeReply(proto, sport, dport)) return
      // ICMP towards our clients is mostly errors and echo replies from routers on the way: never an inbound sweep
      if (LOOKS_PORTLESS(proto)) return
      this.contact(src, sk, sport, dst, dk, dport, proto, 'in', ev.time, PENDING, true, synOf(ev, format, this.text), ev)
      return
    }
    // neither side inside: a public host of ours, or the NAT'd side of a client's traffic
    if (ours) {
      if (ours(src)) this.contact(src, sk, sport, dst, dk, dport, proto, 'out', ev.time, PENDING, true, synOf(ev, format, this.text), ev)
      else if (ours(dst) && !this.reply(dst, dk, src, sk, ev.time) && !looksLikeReply(proto, sport, dport))
        this.contact(src, sk, sport, dst, dk, dport, proto, 'in', ev.time, PENDING, true, synOf(ev, format, this.text), ev)
      return
    }
    if (this.ourPublic.has(src)) return
    if (looksLikeReply(proto, sport, dport)) {
      // whoever receives replies is one of ours (the NAT address): its own lines are no inbound scan
      if (this.ourPublic.size < 4096) this.ourPublic.add(dst)
      return
    }
    if (LOOKS_PORTLESS(proto)) return // ICMP errors / echo replies to our public address
    this.contact(src, sk, sport, dst, dk, dport, proto, 'in', ev.time, PENDING, true, synOf(ev, format, this.text), ev)
  }

  private session(ev: Rec, format: string): void {
    const init = ev.insideIp
    const resp = ev.destIp
    if (!init || !resp) return
    const ik = ev.insideKey ?? quadKey(init)
    const rk = ev.destKey ?? quadKey(resp)
    const outside = ev.outsideIp
    const ok = outside ? (ev.outsideKey ?? quadKey(outside)) : 0
    if (outside && (ok !== 0 ? ok !== this.lastOutsideKey : outside !== this.lastOutside)) {
      this.lastOutside = outside
      this.lastOutsideKey = ok
      if (outside !== init && this.ourPublic.size < 4096 && !insideK(ok, outside)) this.ourPublic.add(outside)
    }
    const outcome = sessionOutcome(ev, format, this.text)
    if (insideK(ik, init)) {
      const ip = ev.insidePort
      const rp = ev.destPort
      // a port forward (destination NAT): the inside server answers a remote client on its service port
      if (outside && ev.outsidePort !== null && ev.outsidePort === ip && ip !== null && rp !== null && ip < 1024 && rp >= 1024 && !insideK(rk, resp)) {
        this.contact(resp, rk, rp, outside, ok, ev.outsidePort, ev.protocol, 'in', ev.time, outcome, false, 0, ev)
        return
      }
      this.contact(init, ik, ip, resp, rk, rp, ev.protocol, 'out', ev.time, outcome, false, 0, ev)
      return
    }
    // our source NAT translated the initiator (a public-to-public NAT), or a customer's routed public address
    // (no NAT) that --our-networks names: outbound
    if ((outside && outside !== init) || this.opts.isOurs?.(init)) {
      this.contact(init, ik, ev.insidePort, resp, rk, ev.destPort, ev.protocol, 'out', ev.time, outcome, false, 0, ev)
      return
    }
    // the initiator is outside (traffic to the router itself, inbound policies)
    this.contact(init, ik, ev.insidePort, resp, rk, ev.destPort, ev.protocol, 'in', ev.time, outcome, false, 0, ev)
  }

  /** A packet from `remote` to inside `local`: the answer to local's first contact of remote? */
  private reply(local: string, localKey: number, remote: string, remoteKey: number, t: number): boolean {
    const s = localKey !== 0 ? this.byKey.get(localKey) : this.sources.get(local)
    if (!s) return false
    if (remoteKey !== 0 ? s.lastReplyKey === remoteKey : s.lastReplyFrom === remote) {
      // the next packet of an answered connection
      this.replies++
      return true
    }
    const rk = remoteKey !== 0 ? remoteKey : quadKey(remote)
    const v = s.hosts.get(rk, remote)
    if (v === undefined) return false
    this.repliesSeen = true
    this.replies++
    // an IPv4 peer is compared by key: its string is not kept (a string per line would outlive the young generation)
    s.lastReplyFrom = remoteKey !== 0 ? '' : remote
    s.lastReplyKey = remoteKey
    const o = outcomeOf(v)
    // a late reply also corrects a contact already counted as unanswered
    if (o === PENDING || (o === UNANSWERED && v & H_BYREPLY)) s.hosts.set(rk, remote, this.resolve(s, v, ANSWERED, t))
    return true
  }

  private contact(
    src: string,
    srcKey: number,
    sport: number | null,
    dst: string,
    dstKey: number,
    dport: number | null,
    proto: string | null,
    dir: ScanDirection,
    t: number,
    outcome: number,
    byReply: boolean,
    syn: number,
    ev: Rec,
  ): void {
    const want = this.opts.direction
    if (want !== undefined && want !== 'both' && want !== dir) return
    let s = srcKey !== 0 ? this.byKey.get(srcKey) : this.sources.get(src)
    if (s !== undefined && (t - s.last > this.idleMs || t - s.first > this.windowMs)) {
      this.close(s)
      s = undefined
    }
    if (s === undefined) {
      if (this.sources.size >= this.maxSources) this.evict()
      s = new Source(src, srcKey, dir, t)
      this.sources.set(src, s)
      if (srcKey !== 0) this.byKey.set(srcKey, s)
    }
    // the same packet logged again on another interface / a SYN retransmission
    const p = dport ?? -1
    const sp = sport ?? -1
    if (byReply) {
      if (s.lastDport === p && s.lastSport === sp && t - s.lastTime <= 1000 && (dstKey !== 0 ? s.lastDstKey === dstKey : s.lastDst === dst)) {
        s.lastTime = t
        return
      }
      s.lastDst = dstKey !== 0 ? '' : dst
      s.lastDstKey = dstKey
      s.lastDport = p
      s.lastSport = sp
      s.lastTime = t
    }
    if (t > s.last) s.last = t
    if (t < s.first) s.first = t
    this.contacts++
    const tag = protoTag(proto)
    const key = dport === null ? (tag === 2 ? ICMP_KEY : tag * 65536) : tag * 65536 + dport
    s.protoMask |= 1 << tag
    if (syn === 2) s.withAck++
    if (s.evidence.length < 3) s.evidence.push(this.evidenceNow())
    s.lastEv = this.curEv
    if (this.curEv === null) {
      const c = this.curC!
      s.lastFile = c.file
      s.lastLine = c.line
      s.lastText = c.text
      s.lastRole = c.role
    }

    const hk = dstKey !== 0 ? dstKey : quadKey(dst)
    let v = s.hosts.get(hk, dst)
    let newPair = false
    let newHost = false
    let nlow = 0
    const c = CLASS[key]!
    const lowPort = (c & (C_BT | C_HIGH)) === 0 && dport !== null
    if (v === undefined) {
      newHost = true
      newPair = true
      s.hostCount++
      v = key | (byReply ? H_BYREPLY : 0) | (tag === 0 ? H_TCP : 0)
      if ((c & (C_BT | C_HIGH)) === 0) v |= H_TRW
      if ((c & (C_BT | C_COMMON | C_HIGH)) === 0) {
        v |= H_UNCOMMON
        s.uncommonHosts++
      }
      if (tag === 1 && c & C_HIGH) v |= H_UDPHIGH
      nlow = lowPort ? 1 : 0
      if (outcome === PENDING) {
        this.pSrc.push(s)
        this.pDst.push(hk !== 0 ? '' : dst) // settle() finds an IPv4 host by its key alone
        this.pAt.push(t)
        this.pV.push(v)
        this.pK.push(hk)
      } else v = this.resolve(s, v, outcome, t)
      if (s.hosts.size < this.maxHosts) s.hosts.set(hk, dst, v)
    } else if ((v & PORT_MASK) !== key) {
      let m = v & H_MULTI ? s.multi.get(dst) : undefined
      if (m === undefined || !m.ports.has(key)) {
        newPair = true
        if (m === undefined) {
          m = {ports: new Set([v & PORT_MASK]), nlow: (CLASS[v & PORT_MASK]! & (C_BT | C_HIGH)) === 0 && (v & PORT_MASK) % 65536 !== 0 ? 1 : 0}
          s.multi.set(dst, m)
          v |= H_MULTI
        }
        m.ports.add(key)
        if (lowPort) m.nlow++
        nlow = m.nlow
        if (!(v & H_UNCOMMON) && (c & (C_BT | C_COMMON | C_HIGH)) === 0 && dport !== null) {
          v |= H_UNCOMMON
          s.uncommonHosts++
        }
        s.hosts.set(hk, dst, v)
      }
    } else if (outcome !== PENDING && outcomeOf(v) === PENDING && !(v & H_BYREPLY)) {
      // a later record of the same session tells how the first contact ended
      s.hosts.set(hk, dst, this.resolve(s, v, outcome, t))
    }
    const kind = ev.kind
    if (kind === 'packet' || kind === 'session-start' || newPair || kind === 'session') {
      s.packets++
      s.tagPackets[tag]!++
      if (c & C_SIG) {
        const g = GROUP[key]!
        s.groupPackets.set(g, (s.groupPackets.get(g) ?? 0) + 1)
      }
    }
    if (!newPair) return

    // a new (host, port) pair
    s.pairs++
    if (syn === 1) s.synOnly++
    if (dport !== null) {
      if (dport < s.minPort[tag]!) s.minPort[tag] = dport
      if (dport > s.maxPort[tag]!) s.maxPort[tag] = dport
    }
    if (!s.ports.has(key)) {
      if (s.ports.size < 16_384) {
        s.ports.add(key)
        if (dport !== null && (c & (C_BT | C_COMMON | C_HIGH)) === 0) s.uncommonPorts++
      } else s.portOverflow++
    }
    if (c & C_BT) s.bt++
    else if (c & C_COMMON) s.common++
    else if (c & C_HIGH) {
      s.high++
      if (tag === 1) s.udpHigh++
    } else s.uncommon++
    if (c & C_SIG && s.sigEvidence.size < 4) {
      const name = signatureOf(key)!.name
      if (!s.sigEvidence.has(name)) s.sigEvidence.set(name, (s.lastEv = this.evidenceNow()))
    }
    const g = GROUP[key]!
    const gh = (s.groupHosts.get(g) ?? 0) + (newHost || !(c & C_MULTI) || !sameGroup(s.multi.get(dst), g, key) ? 1 : 0)
    if (s.groupHosts.size < 4096 || s.groupHosts.has(g)) s.groupHosts.set(g, gh)
    if (nlow > s.maxLow) {
      s.maxLow = nlow
      s.maxLowHost = dst
    }
    if (s.flagged === null && s.pairs >= s.nextCheck) this.check(s, gh, g)
  }

  /** Settles a first contact's outcome: counters and the walk; returns the updated packed host. */
  private resolve(s: Source, v: number, outcome: number, t: number): number {
    const was = outcomeOf(v)
    const nv = (v & ~H_OUTCOME) | (outcome << H_OUT_SHIFT)
    if (was === ANSWERED) return nv
    if (was === UNANSWERED) {
      // a late reply to a contact already counted as unanswered (one-sided logs)
      s.unanswered--
      if (v & H_TCP) s.tcpUnanswered--
      if (v & H_TRW) {
        s.llr -= this.steps.fail
        s.trwFail--
        if (s.walkFail > 0) s.walkFail--
      }
    }
    if (outcome === UNKNOWN) {
      s.unknown++
      return nv
    }
    const ok = outcome === ANSWERED
    if (ok) {
      s.answered++
      if (v & H_TCP) s.tcpAnswered++
    } else {
      s.unanswered++
      if (v & H_TCP) s.tcpUnanswered++
    }
    if (v & H_UDPHIGH) {
      if (was !== UNANSWERED) s.udpHighResolved++
      if (ok) s.udpHighAnswered++
    }
    if (!(v & H_TRW)) return nv
    if (was !== UNANSWERED) s.trials++
    if (ok) {
      s.llr += this.steps.success
      if (s.trwDecided === null && s.llr <= this.steps.lower) {
        // benign for now: the walk restarts, so a host that starts scanning later is still caught
        s.trwBenign++
        s.llr = 0
        s.walkFail = 0
      }
    } else {
      s.llr += this.steps.fail
      s.trwFail++
      s.walkFail++
      if (s.trwDecided === null && s.llr >= this.steps.upper && s.walkFail >= this.t.trwMinFailures) {
        s.trwDecided = 'scanner'
        s.trwAt = t
        s.trwAfter = s.trials
        if (s.flagged === null && !s.closed) this.check(s, 0, -1)
        return nv
      }
    }
    if (!ok && s.flagged === null && !s.closed && s.pairs >= s.nextCheck && (s.trwDecided !== null || s.tcpUnanswered >= this.t.synOnly)) this.check(s, 0, -1)
    return nv
  }

  /** Cheap pre-test on the counters; the full verdict only when one of them crossed its threshold. */
  private check(s: Source, groupHosts: number, group: number): void {
    const t = this.t
    const crossed =
      s.maxLow >= t.verticalPorts ||
      (group >= 0 && groupHosts >= (COMMON_CLIENT.has(group) ? t.horizontalHostsCommon : t.horizontalHosts)) ||
      (s.uncommonHosts >= t.mixedHosts && s.uncommonPorts >= t.mixedPorts) ||
      s.trwDecided !== null ||
      s.synOnly >= t.synOnly ||
      s.tcpUnanswered >= t.synOnly
    if (!crossed) return
    const v = this.classify(s)
    if (v.kind === null || v.kind === 'p2p') {
      // nothing yet: the full verdict again once the pairs grew by a quarter (bounded work per source)
      s.nextCheck = s.pairs + Math.max(8, s.pairs >> 2)
      return
    }
    s.flagged = v.kind
    this.opts.onAlert?.(this.detection(s, v))
  }

  /** The verdict on a source's window so far (also what --explain says). */
  classify(s: Source): Verdict {
    const t = this.t
    const known = s.answered + s.unanswered
    const answeredShare = known >= 10 ? s.answered / known : null
    const p2p = this.p2pReason(s)
    // horizontal: the port group with the most hosts; BitTorrent and (for p2p sources) random high ports never count
    let bestG = -1
    let bestHosts = 0
    for (const [g, n] of s.groupHosts) {
      const port = g % 65536
      if (g < ICMP_KEY && isBitTorrentPort(port)) continue
      if (p2p && g < ICMP_KEY && port >= HIGH && !signatureOf(g)) continue
      if (n > bestHosts) {
        bestHosts = n
        bestG = g
      }
    }
    const commonG = COMMON_CLIENT.has(bestG)
    let horizontal = bestG >= 0 && bestHosts >= (commonG ? t.horizontalHostsCommon : t.horizontalHosts)
    let hNote = ''
    if (horizontal) {
      const g = this.groupOutcomes(s, bestG)
      const gk = g.answered + g.unanswered
      if (gk >= 10 && g.answered / gk >= t.answeredBenign) {
        horizontal = false
        hNote = `${bestHosts} hosts on ${portName(bestG)} but ${g.answered} of ${gk} first contacts answered (a busy client, not a sweep)`
      }
    }
    const vertical = s.maxLow >= t.verticalPorts
    const mixed = s.uncommonHosts >= t.mixedHosts && s.uncommonPorts >= t.mixedPorts && !(answeredShare !== null && answeredShare >= t.answeredBenign)
    // a peer-to-peer source's contacts go to random peers: the walk alone does not make it a scanner
    const trw = s.trwDecided !== null && !p2p
    const synOnly = (s.synOnly >= t.synOnly && s.withAck === 0) || (s.tcpUnanswered >= t.synOnly && s.tcpAnswered === 0)
    const parts: string[] = []
    if (vertical) parts.push(`${s.maxLow} distinct ports below 10000 probed on ${s.maxLowHost} (vertical threshold ${t.verticalPorts}; BitTorrent ports not counted)`)
    if (horizontal) parts.push(`${bestHosts} hosts probed on ${portName(bestG)} (horizontal threshold ${commonG ? t.horizontalHostsCommon : t.horizontalHosts})`)
    if (mixed) parts.push(`${s.uncommonHosts} hosts on ${s.uncommonPorts} uncommon ports (mixed thresholds ${t.mixedHosts} hosts, ${t.mixedPorts} ports)`)
    if (trw)
      parts.push(
        `Threshold Random Walk decided "scanner" after ${s.trwAfter} first contacts (${s.trwFail} unanswered of ${s.trials} with a known outcome; θ0=${t.theta0}, θ1=${t.theta1}, α=${t.alpha}, β=${t.beta})`,
      )
    if (synOnly) parts.push(s.synOnly >= t.synOnly ? `${s.synOnly} SYN-only attempts and no ACK` : `${s.tcpUnanswered} TCP attempts, none answered`)
    let kind: ScanKind | null = null
    if (vertical && (horizontal || mixed)) kind = 'mixed'
    else if (vertical) kind = 'vertical'
    else if (horizontal) kind = 'horizontal'
    else if (mixed) kind = 'mixed'
    else if (trw) kind = this.profile(s)
    else if (synOnly) kind = 'syn-only'
    if (kind !== null) {
      const outcomes = known > 0 ? `; ${s.unanswered} of ${known} hosts never answered the first contact` : '; the log does not show whether contacts were answered'
      const extra = p2p ? `; peer-to-peer traffic set aside (${p2p})` : ''
      return {kind, reason: parts.join('; ') + outcomes + extra, p2p}
    }
    if (p2p) return {kind: 'p2p', reason: p2p, p2p}
    const why: string[] = []
    if (hNote) why.push(hNote)
    why.push(
      `most ports on one host ${s.maxLow} (< ${t.verticalPorts})`,
      `most hosts on one port ${bestHosts}${bestG >= 0 ? ` on ${portName(bestG)}` : ''} (< ${commonG ? t.horizontalHostsCommon : t.horizontalHosts}${commonG ? ', a common client port' : ''})`,
      `${s.uncommonHosts} hosts / ${s.uncommonPorts} ports outside common client services (< ${t.mixedHosts} / ${t.mixedPorts})`,
    )
    if (known > 0)
      why.push(
        `${s.answered} of ${known} hosts answered the first contact; TRW ${s.trwDecided ? 'decided scanner, set aside (peer-to-peer contacts go to random peers)' : s.trwBenign ? `decided benign ${s.trwBenign} time(s)` : 'undecided'} (llr ${s.llr.toFixed(2)})`,
      )
    else why.push('the log does not show whether contacts were answered (no TRW)')
    return {kind: null, reason: `not flagged: ${why.join('; ')}`, p2p: null}
  }

  /** Why a source is peer-to-peer, or null. */
  private p2pReason(s: Source): string | null {
    const all = s.pairs
    if (all < 10) return null
    if (s.bt >= 10 && s.bt / all >= 0.5) return `${s.bt} of ${all} contacts to BitTorrent ports 6881–6999`
    const distinctHigh = this.countPorts(s, (k) => k % 65536 >= HIGH)
    if (s.udpHigh >= 20 && s.udpHigh / all >= 0.5 && distinctHigh >= s.udpHigh * 0.5) {
      const answered = s.udpHighResolved > 0 ? s.udpHighAnswered / s.udpHighResolved : null
      if (answered === null) return `UDP fan-out to ${s.udpHigh} peers on ${distinctHigh} random high ports (DHT-like; the log does not show replies)`
      if (answered >= 0.2) return `UDP fan-out to ${s.udpHigh} peers on ${distinctHigh} random high ports, ${Math.round(answered * 100)}% answered (DHT-like)`
    }
    if ((s.high + s.bt) / all >= 0.8 && s.high >= 20 && distinctHigh >= s.high * 0.5)
      return `${s.high + s.bt} of ${all} contacts to ${distinctHigh} random high ports, about one per peer (peer-to-peer pattern)`
    return null
  }

  private countPorts(s: Source, f: (k: number) => boolean): number {
    let n = 0
    for (const k of s.ports) if (k < ICMP_KEY && f(k)) n++
    return n
  }

  private groupOutcomes(s: Source, g: number): {answered: number; unanswered: number} {
    let answered = 0
    let unanswered = 0
    for (const [ip, v] of s.hosts.entries()) {
      if (groupKey(v & PORT_MASK) !== g) {
        const m = v & H_MULTI ? s.multi.get(ip) : undefined
        if (!m || ![...m.ports].some((k) => groupKey(k) === g)) continue
      }
      const o = outcomeOf(v)
      if (o === ANSWERED) answered++
      else if (o === UNANSWERED) unanswered++
    }
    return {answered, unanswered}
  }

  /** The pattern of a TRW-flagged source below the count thresholds. */
  private profile(s: Source): ScanKind {
    let best = 0
    for (const n of s.groupHosts.values()) if (n > best) best = n
    if (s.hostCount >= 2 && best >= s.hostCount * 0.8) return 'horizontal'
    if (s.hostCount === 1) return 'vertical'
    return 'mixed'
  }

  private detection(s: Source, v: Verdict): RawDetection {
    const ranges: PortRange[] = []
    for (let tag = 0; tag < 2; tag++) {
      if (s.maxPort[tag]! < 0) continue
      const from = s.minPort[tag]!
      const to = s.maxPort[tag]!
      const distinct = this.countPorts(s, (k) => Math.floor(k / 65536) === tag)
      const packets = s.tagPackets[tag]!
      ranges.push({protocol: tagName(tag), from, to, distinct, packets, text: `[${from === to ? from : `${from}-${to}`}: ${packets} packets]`})
    }
    const ports = [...s.ports]
      .filter((k) => k < ICMP_KEY)
      .map((k) => k % 65536)
      .sort((a, b) => a - b)
    const uniq = [...new Set(ports)]
    const sigs = new Map<string, {level: number; hosts: number; packets: number}>()
    for (const [g, n] of s.groupHosts) {
      const sig = signatureOf(g)
      if (!sig) continue
      const cur = sigs.get(sig.name)
      const pk = s.groupPackets.get(g) ?? 0
      if (cur) {
        cur.hosts += n
        cur.packets += pk
      } else sigs.set(sig.name, {level: sig.level, hosts: n, packets: pk})
    }
    const sigList = [...sigs.entries()].sort((a, b) => b[1].level - a[1].level || b[1].hosts - a[1].hosts)
    const sigLevel = sigList.reduce((m, [, x]) => Math.max(m, x.level), 0)
    const danger = v.kind === 'p2p' ? 0 : Math.max(1, Math.min(5, Math.max(packetLevel(s.packets), sigLevel)))
    const protocols: string[] = []
    for (let tag = 0; tag < 3; tag++) if (s.protoMask & (1 << tag)) protocols.push(tag === 2 ? 'other' : tagName(tag))
    const evidence = [...s.evidence]
    for (const e of s.sigEvidence.values()) if (!evidence.includes(e)) evidence.push(e)
    // a fast-path line not kept above: its evidence object is built now (it cannot be among the others)
    if (s.lastEv === null && s.lastLine > 0) s.lastEv = {file: s.lastFile, line: s.lastLine, text: s.lastText, role: s.lastRole}
    if (s.lastEv && !evidence.includes(s.lastEv)) evidence.push(s.lastEv)
    const sample = [...s.multi.entries()].sort((a, b) => b[1].ports.size - a[1].ports.size).map(([ip]) => ip)
    for (const [ip] of s.hosts.entries()) {
      if (sample.length >= 10) break
      sample.push(ip)
    }
    const sampleHosts = [...new Set(sample.slice(0, 10))].slice(0, 5)
    const d: RawDetection = {
      kind: v.kind!,
      direction: s.dir,
      dangerLevel: danger,
      sourceIp: s.ip,
      targets: {hosts: s.hostCount, sampleHosts, ports: uniq.slice(0, 64), portCount: uniq.length + s.portOverflow, portRanges: ranges},
      protocols,
      packets: s.packets,
      firstSeen: s.first,
      lastSeen: s.last,
      signatures: sigList.map(([name, x]) => `${name}: ${x.hosts} host(s), ${x.packets} packet(s)`),
      reason: v.reason,
      evidence,
      outcomes: {answered: s.answered, unanswered: s.unanswered, unknown: s.unknown},
      trw: {decided: s.trwDecided ?? (s.trwBenign > 0 ? 'benign' : null), decidedAt: s.trwAt, afterContacts: s.trwAfter, llr: Math.round(s.llr * 100) / 100},
    }
    if (s.synOnly > 0 || s.withAck > 0) d.tcpFlags = {synOnly: s.synOnly, withAck: s.withAck}
    return d
  }

  /** Ends a source's window: its final verdict joins the results. */
  private close(s: Source): void {
    if (s.closed) return
    s.closed = true
    if (this.sources.get(s.ip) === s) {
      this.sources.delete(s.ip)
      if (s.key !== 0) this.byKey.delete(s.key)
    }
    const v = this.classify(s)
    if (this.opts.explainIp === s.ip) {
      this.explainSeen = true
      this.explained.push({
        ip: s.ip,
        firstSeen: s.first,
        lastSeen: s.last,
        verdict: v.kind ?? 'not-flagged',
        reason: v.reason,
        metrics: {
          direction: s.dir,
          packets: s.packets,
          hosts: s.hostCount,
          hostPortPairs: s.pairs,
          maxPortsOnOneHost: s.maxLow,
          uncommonHosts: s.uncommonHosts,
          uncommonPorts: s.uncommonPorts,
          bitTorrentContacts: s.bt,
          commonClientContacts: s.common,
          highPortContacts: s.high,
          answered: s.answered,
          unanswered: s.unanswered,
          trwLlr: Math.round(s.llr * 100) / 100,
          trwDecided: s.trwDecided,
          trwBenignDecisions: s.trwBenign,
        },
      })
    }
    // following (onAlert): alerts were given as thresholds were crossed; closed windows are not kept
    if (v.kind !== null && !this.opts.onAlert) this.done.push(this.detection(s, v))
  }

  /** Resolves overdue first contacts and closes idle windows, on the log's own clock. */
  private sweep(now: number): void {
    this.nextSweep = now + 1000
    const n = this.pAt.length
    let i = this.pendingHead
    while (i < n) {
      const at = this.pAt[i]!
      const byReply = (this.pV[i]! & H_BYREPLY) !== 0
      const limit = byReply ? this.replyTimeoutMs : this.sessionTimeoutMs
      if (now - at < limit) break
      this.settle(i, byReply && this.repliesSeen ? UNANSWERED : UNKNOWN, at + limit)
      i++
    }
    this.pendingHead = i
    if (i > 65_536 && i * 2 > n) {
      this.pSrc = this.pSrc.slice(i)
      this.pDst = this.pDst.slice(i)
      this.pAt = this.pAt.slice(i)
      this.pV = this.pV.slice(i)
      this.pK = this.pK.slice(i)
      this.pendingHead = 0
    }
    if (now >= this.nextIdleSweep) {
      this.nextIdleSweep = now + Math.max(1000, Math.floor(this.idleMs / 4))
      for (const s of this.sources.values()) if (now - s.last > this.idleMs || now - s.first > this.windowMs) this.close(s)
    }
  }

  private nextIdleSweep = -Infinity

  /** Settles pending entry i if its contact is still pending (its window may have closed meanwhile). */
  private settle(i: number, outcome: number, t: number): void {
    const s = this.pSrc[i]!
    if (s.closed) return
    const dst = this.pDst[i]!
    const k = this.pK[i]!
    const stored = s.hosts.get(k, dst)
    const v = stored ?? this.pV[i]!
    if (outcomeOf(v) !== PENDING) return
    const nv = this.resolve(s, v, outcome, t)
    if (stored !== undefined) s.hosts.set(k, dst, nv)
  }

  private evict(): void {
    // the oldest tenth of the windows (Map order = creation order) close early
    let n = Math.max(1, Math.floor(this.maxSources / 10))
    for (const s of this.sources.values()) {
      if (n-- <= 0) break
      this.close(s)
    }
  }

  /** End of input: every pending contact is settled and every window closed. Returns all detections. */
  finish(): {detections: RawDetection[]; explanations: Explanation[]; explainSeen: boolean} {
    for (let i = this.pendingHead; i < this.pAt.length; i++) {
      // the log ended: contacts past their timeout failed; younger ones stay unknown
      const at = this.pAt[i]!
      const byReply = (this.pV[i]! & H_BYREPLY) !== 0
      const limit = byReply ? this.replyTimeoutMs : this.sessionTimeoutMs
      const overdue = this.watermark - at >= limit
      this.settle(i, overdue && byReply && this.repliesSeen ? UNANSWERED : UNKNOWN, at + limit)
    }
    this.pSrc = []
    this.pDst = []
    this.pAt = []
    this.pV = []
    this.pK = []
    this.pendingHead = 0
    for (const s of [...this.sources.values()]) this.close(s)
    const detections = this.done
    this.done = []
    return {detections, explanations: this.explained, explainSeen: this.explainSeen}
  }
}

function sameGroup(m: MultiPort | undefined, g: number, key: number): boolean {
  // whether this host was already counted for group g (by an earlier port of the same group)
  if (m) for (const k of m.ports) if (k !== key && groupKey(k) === g) return true
  return false
}

/** "tcp/23 (Telnet…)" style name of a port group key. */
export function portName(g: number): string {
  if (g === ICMP_KEY) return 'ICMP'
  const tag = Math.floor(g / 65536)
  const port = g % 65536
  const sig = signatureOf(g)
  const base = sig && sig.ports.length > 1 ? `${tagName(tag)}/${sig.ports.join('+')}` : `${tagName(tag)}/${port}`
  return sig ? `${base} (${sig.name.replace(/ \([^)]*\)$/, '')})` : base
}

/** A packet from a low service port to an ephemeral port: an answer, not a first contact. */
function looksLikeReply(proto: string | null, sport: number | null, dport: number | null): boolean {
  if (sport === null || dport === null) return false
  if (proto !== 'tcp' && proto !== 'udp') return false
  return sport < dport && dport >= 1024 && (sport < HIGH || isBitTorrentPort(sport))
}

/** 1 = a SYN without ACK, 2 = a segment with ACK, 0 = not logged (formats that log TCP flags: iptables, pf). */
function synOf(ev: Rec, format: string, text: string): number {
  if (ev.protocol !== 'tcp') return 0
  if (format === 'iptables') {
    const r = text.indexOf(' RES=0x')
    if (r < 0) return 0
    const u = text.indexOf(' URGP=', r)
    const flags = text.slice(r + 7, u < 0 ? text.length : u)
    if (flags.indexOf(' ACK') >= 0) return 2
    return flags.indexOf(' SYN') >= 0 ? 1 : 0
  }
  if (format === 'pf') {
    const f = text.slice(text.lastIndexOf(' ') + 1).split(',')
    const at = f[8] === '4' ? 23 : f[8] === '6' ? 20 : -1
    const flags = at > 0 ? f[at] : undefined
    if (!flags) return 0
    if (flags.includes('A')) return 2
    return flags.includes('S') ? 1 : 0
  }
  return 0
}

const SRX_SERVER = /packets-from-server="(\d+)"/
const SRX_PAIRS = / (\d+)\((\d+)\) (\d+)\((\d+)\) \d+ /
const FGT_RCVD = /\brcvdpkt=(\d+)/

/** How a session record says its first contact ended: answered, unanswered, unknown, or pending (an opening). */
function sessionOutcome(ev: Rec, format: string, text: string): number {
  const kind = ev.kind
  if (kind === 'session-start') return PENDING
  if (format === 'conntrack' || format === 'ulogd') {
    if (kind === 'mapping') return ev.replied === true ? ANSWERED : PENDING
    if (ev.replied === false) return UNANSWERED
    // near the end of the line; a fast-path contact says when it saw the [ASSURED] token (the text has it then)
    if (ev.assured === true || text.lastIndexOf('[ASSURED]') >= 0) return ANSWERED
    // a reply came but the handshake never completed (RST to a closed port) for TCP; UDP was answered
    return ev.protocol === 'tcp' ? UNANSWERED : ev.replied === true ? ANSWERED : UNKNOWN
  }
  if (format === 'fortigate') {
    const m = FGT_RCVD.exec(text)
    return m ? (m[1] === '0' ? UNANSWERED : ANSWERED) : UNKNOWN
  }
  if (format === 'juniper-srx') {
    const m = SRX_SERVER.exec(text) ?? SRX_PAIRS.exec(text)
    if (!m) return UNKNOWN
    const n = m.length > 2 ? m[3]! : m[1]!
    return n === '0' ? UNANSWERED : ANSWERED
  }
  if (ev.replied === true) return ANSWERED
  if (ev.replied === false && kind !== 'mapping') return UNANSWERED
  return kind === 'mapping' ? PENDING : UNKNOWN
}

/** inside(ip) of an address with its quadKey (0: not a canonical dotted quad, ask inside()) */
function insideK(k: number, ip: string): boolean {
  if (k === 0) return inside(ip)
  return isInsideV4(k >>> 24, (k >>> 16) & 255)
}

/** isInsideAddress with a fast path for dotted quads (the detector asks it several times per record). */
function inside(ip: string): boolean {
  if (ip.indexOf(':') >= 0) return isInsideAddress(ip)
  let i = 0
  let a = 0
  for (; i < ip.length; i++) {
    const c = ip.charCodeAt(i)
    if (c === 46) break
    a = a * 10 + c - 48
  }
  let b = 0
  for (i++; i < ip.length; i++) {
    const c = ip.charCodeAt(i)
    if (c === 46) break
    b = b * 10 + c - 48
  }
  return isInsideV4(a, b)
}
