/**
 * Shared shapes of natrace. Every other module imports these; this module imports nothing.
 *
 * Conventions:
 * - instants are numbers: milliseconds since the Unix epoch, UTC (`ms`). ISO strings only at the output edge.
 * - IPs are canonical strings (IPv4 dotted quad, IPv6 lower-case compressed); ports are numbers.
 * - MACs are lower-case colon-separated ("00:1e:c2:aa:bb:cc"); the raw form stays in the evidence text.
 * - protocol is a lower-case transport name ("tcp", "udp", "icmp", ...) or null when the source does not say.
 */

/** One line (or record) of an input file that supports a claim. */
export interface Evidence {
  file: string
  /** 1-based line number of the (first) line of the record */
  line: number
  /** the raw text, terminal escapes stripped at render time */
  text: string
  /** what this line proves, e.g. "outbound packet", "DHCPACK", "lease block" */
  role?: string
}

/** How a timestamp's zone was decided. Rendered in `assumptions`. */
export type ZoneHow =
  | 'stated' // the text carries an offset or a zone (Z, +0200, -03:00, UTC, EDT…)
  | 'epoch' // an epoch number: no zone needed
  | 'format' // the format is defined in a zone (dhcpd.leases: UTC)
  | 'sender' // the reporter's known convention (registro.br → America/Sao_Paulo)
  | 'flag' // the user gave --log-tz / --report-tz
  | 'header' // fallback: the zone of the report's Date: header
  | 'system' // nothing said: the system zone

export interface ZoneDecision {
  /** IANA zone name or fixed offset ("UTC", "America/Sao_Paulo", "UTC-3") */
  zone: string
  how: ZoneHow
}

/** A statement about an assumption the run made; shown to the operator and kept in the JSON. */
export interface Assumption {
  /** short machine key, e.g. "report-zone", "log-zone", "syslog-year", "clock-offset", "dst-ambiguous" */
  kind: string
  /** human sentence */
  text: string
  /** file the assumption applies to, when it is about one input */
  file?: string
}

export type PortRole = 'source' | 'destination' | 'listening'

/** One reported event (after duplicate rows collapsed). */
export interface Incident {
  /** first reported instant, ms UTC */
  time: number
  /** all reported instants of this incident (retransmits, duplicate rows), ascending, ms UTC */
  times: number[]
  publicIp: string | null
  publicPort: number | null
  portRole: PortRole | null
  destIp: string | null
  /**
   * the destination as written when the report masks part of it ("xxx.xxx.3.103"): destIp stays null and
   * the engine matches the visible octets
   */
  destIpMasked?: string
  destPort: number | null
  protocol: string | null
  /** the zone this incident's time was read in and why */
  zone: ZoneDecision
  /** the report text line(s) it came from */
  raw: string
  /** 1-based line number in the report body where known */
  rawLine?: number
  /** the public IP is outside the operator's --our-networks: flagged, not to be attributed (report reader) */
  outsideOurNetworks?: boolean
}

export interface Report {
  /** path of the report file */
  file: string
  /** detected format name, e.g. "registro-br", "generic-text" */
  format: string
  /** reporter organisation or sender domain */
  reporter: string | null
  /** reporter's ticket id to quote in a reply */
  ticket: string | null
  subject: string | null
  messageId: string | null
  /** the From address of the report */
  from: string | null
  /** addresses the report asks to be answered / copied */
  replyTo: string[]
  /** Date: header instant, ms UTC */
  date: number | null
  /** BCP-47-ish language of the report body when recognisable ("pt-BR", "en", "es") */
  language: string | null
  assumptions: Assumption[]
  incidents: Incident[]
}

/** A normalised NAT / firewall log record. Vendor-blind. */
export type NatKind = 'session-start' | 'session-end' | 'session' | 'mapping' | 'port-block' | 'packet'

export interface NatEvent {
  kind: NatKind
  /** instant of the record (start for sessions and blocks), ms UTC */
  time: number
  /** end of the session / block when known, ms UTC */
  end: number | null
  protocol: string | null
  /** the client's private (pre-NAT) address */
  insideIp: string | null
  insidePort: number | null
  /** the public (post-NAT) address */
  outsideIp: string | null
  outsidePort: number | null
  /** last port of a port block (inclusive) */
  outsidePortEnd: number | null
  /** the remote peer */
  destIp: string | null
  destPort: number | null
  subscriber: string | null
  /**
   * For kind "packet" (one-sided logs such as ipfw, pf, iptables): the addresses as written on the line.
   * inside/outside/dest above are filled only where the line itself proves them (e.g. a private source).
   */
  srcIp?: string | null
  srcPort?: number | null
  dstIp?: string | null
  dstPort?: number | null
  /** "in" / "out" as logged, and the interface */
  dir?: 'in' | 'out' | null
  iface?: string | null
  /** conntrack-style: the session was never answered ([UNREPLIED]) / was answered */
  replied?: boolean | null
  /** the time was in a repeated DST hour and resolved by order; the other candidate instant */
  timeAlt?: number
  /**
   * For kinds "mapping" and "port-block": which moment of the mapping's / block's life this record states.
   * "open" = allocated / built (held from `time`, end unknown unless `end` is set), "interim" = still held
   * (a liveness record: held at least over [time, end]), "close" = released / torn down at `end` (held from
   * `time` when the line gives a duration, else `time` = `end` = the release instant). Absent when the source
   * does not say.
   */
  phase?: 'open' | 'interim' | 'close'
  evidence: Evidence
}

/** A normalised lease / session-accounting record. Vendor-blind. */
export type LeaseEventKind =
  | 'lease' // a lease file block: holder in [time, leaseEnd]
  | 'assign' // DHCPACK / allocation
  | 'renew'
  | 'release'
  | 'expire'
  | 'start' // RADIUS Accounting-Start
  | 'interim'
  | 'stop'
  | 'static'

export interface LeaseEvent {
  event: LeaseEventKind
  /** ms UTC */
  time: number
  ip: string
  /** normalised lower-case colon form, null when the source has none (abandoned lease) */
  mac: string | null
  hostname: string | null
  subscriber: string | null
  /** end of the lease this event grants, ms UTC, when the source says */
  leaseEnd: number | null
  timeAlt?: number
  evidence: Evidence
}

/** One continuous holding of an IP by one client, built from lease events. */
export interface HoldingPeriod {
  ip: string
  mac: string | null
  hostname: string | null
  subscriber: string | null
  /** first evidence of the holding, ms UTC (never extended backwards) */
  start: number
  /** last instant the holding is known to be valid (lease end, release, reassignment), ms UTC */
  end: number
  /** how `end` was decided: "lease-end", "release", "expire", "reassigned", "stop", "assumed-lease-time" … */
  endHow: string
  evidence: Evidence[]
}

export type AttributionStatus = 'attributed' | 'ambiguous' | 'not-found'

export interface Candidate {
  insideIp: string
  insidePort: number | null
  mac: string | null
  hostname: string | null
  subscriber: string | null
  /** the customer's e-mail when a source knows it (static map, RADIUS/billing export); optional (added for drafts, issue 6) */
  email?: string | null
  /** median (log time − reported time) of this candidate's matches, seconds */
  offsetSeconds: number | null
  /** 0..1 */
  confidence: number
  /** why this candidate is considered, or why it was set aside */
  reason: string
  evidence: Evidence[]
}

/** Which step of the chain decided the outcome: where a not-found stopped, where an ambiguity lies. */
export type AttributionStep = 'report' | 'nat' | 'lease' | 'done'

export interface Attribution {
  status: AttributionStatus
  /** the step that failed (not-found) or could not decide (ambiguous); "done" when attributed */
  step?: AttributionStep
  insideIp: string | null
  insidePort: number | null
  mac: string | null
  hostname: string | null
  subscriber: string | null
  /** the customer's e-mail when a source knows it (static map, RADIUS/billing export); optional (added for drafts, issue 6) */
  email?: string | null
  /** 0..1 */
  confidence: number
  reason: string
  evidence: Evidence[]
  candidates: Candidate[]
}

/** What a line parser needs to know about the file it reads. */
export interface SourceFile {
  path: string
  /** display name used in evidence (path as given by the user) */
  display: string
  /** bytes on disk */
  size: number
  mtimeMs: number
  compressed: 'gzip' | 'bzip2' | 'xz' | 'zstd' | null
}

/** One incident as `attribute --json` writes it (times as ISO-8601 UTC). */
export interface IncidentOut {
  time: string
  times: string[]
  /** the reported time as the reporter wrote it, in the reporter's zone */
  reportedTime: string
  publicIp: string | null
  publicPort: number | null
  portRole: PortRole | null
  destIp: string | null
  destPort: number | null
  protocol: string | null
  raw: string
  /** true when publicIp is outside --our-networks (flagged, never attributed) */
  outsideOurNetworks?: boolean
  destIpMasked?: string
  /** the time the NAT evidence places the event at on our clock (reported time + clock offset), ISO UTC */
  logTime?: string | null
  attribution: Attribution
}

/** A client named by one or more incidents of the report. */
export interface ClientSummary {
  insideIp: string
  mac: string | null
  hostname: string | null
  subscriber: string | null
  /** the customer's e-mail when a source knows it (static map, RADIUS/billing export); optional (added for drafts, issue 6) */
  email?: string | null
  /** indexes into `incidents` */
  incidents: number[]
  firstSeen: string
  lastSeen: string
}

/** The whole answer of `natrace attribute --json`: a contract other tools script against. */
export interface AttributionResult {
  report: {
    file: string
    format: string
    reporter: string | null
    ticket: string | null
    subject: string | null
    messageId: string | null
    from: string | null
    replyTo: string[]
    date: string | null
    language: string | null
    /** the zone the reporter's zone-less times were read in */
    zone: string
  }
  assumptions: Assumption[]
  incidents: IncidentOut[]
  clients: ClientSummary[]
  /** estimated (log clock − reporter clock), seconds, when the report's events agree on one */
  clockOffsetSeconds: number | null
  inputs: {nat: InputSummary[]; leases: InputSummary[]}
  warnings: string[]
}

export interface InputSummary {
  file: string
  format: string | null
  zone: string
  zoneHow: ZoneHow
  firstTime: string | null
  lastTime: string | null
  records: number
  malformed: number
  /** why the file was not read, when it was skipped */
  skipped?: string
}
