/**
 * What an attribution run takes and reports while it runs. Shared by `attribute`, `draft`, `review` and the
 * index/bench code, so every way of running natrace gives the same answers for the same inputs.
 */

export interface AttributeOptions {
  /** path of the abuse report (.eml, text, JSON) */
  report: string
  /** NAT / firewall log files or directories */
  natLogs: string[]
  /** lease / RADIUS / static-map sources (files or directories) */
  dhcp: string[]
  /** zone of NAT log stamps that carry none (default: system zone) */
  logTz?: string
  /** zone of lease-log stamps that carry none (default: --log-tz, else system zone) */
  dhcpTz?: string
  /** zone of report stamps that carry none (default: the reporter's convention, else UTC) */
  reportTz?: string
  /** our public IP for reports that mask it */
  publicIp?: string
  /** clock tolerance between the reporter and our logs, seconds */
  maxSkew?: number
  /** our address space; reported IPs outside it are flagged, not attributed */
  ourNetworks?: string[]
  /** force a NAT / lease format by name */
  natFormat?: string
  leaseFormat?: string
  /** deterministic NAT rules (RFC 7422) */
  detNat?: string[]
  /** read every NAT log file whole (no time pruning) */
  fullScan?: boolean
  /** time pruning: a file is skipped only when its span ± this many seconds misses every incident (default 86400) */
  pruneMargin?: number
  /** read NAT records and leases from this index (`natrace index`) instead of scanning the logs */
  index?: string
}

export const DEFAULT_MAX_SKEW_SECONDS = 120

export type Phase = 'report' | 'nat' | 'leases' | 'correlate' | 'done'

/** Progress while logs are read (for the TUI's live view and long runs). */
export interface Progress {
  phase: Phase
  /** file being read */
  file?: string
  filesDone: number
  filesTotal: number
  /** bytes read from disk so far over all files of the phase, and their total size on disk */
  bytesRead: number
  bytesTotal: number
  lines: number
  /** NAT records that matched an incident so far */
  matched: number
}

export type ProgressSink = (p: Progress) => void
