/**
 * The interface every abuse-report format implements (src/report/formats/<name>.ts), and the message
 * shape they read. A format never touches the file system: src/report/message.ts turns a file (.eml,
 * plain text, JSON) into a ReportMessage, src/report/index.ts picks the format with the best detect()
 * score and turns its ParseResult into a Report (zone assumptions, --public-ip, duplicate collapsing).
 */
import type {Assumption, PortRole, ZoneDecision} from '../model.js'

/** One decoded MIME part (attachment, inline part, forwarded message body). */
export interface MessagePart {
  contentType: string
  filename: string | null
  /** decoded bytes */
  content: Buffer
  /** decoded text when the part is textual (charset applied), else null */
  text: string | null
}

export interface ReportMessage {
  /** the path as given */
  file: string
  /** true for an RFC 5322 message, false for a bare text / JSON file */
  isEmail: boolean
  /** lower-case header name → raw decoded value(s) (untrusted; may contain anything but CR/LF) */
  headers: Map<string, string[]>
  subject: string | null
  fromAddress: string | null
  fromName: string | null
  /** Date: header, ms UTC, when it parses */
  date: number | null
  /** the Date: header's offset in minutes east of UTC, when stated as a numeric offset */
  dateOffset: number | null
  messageId: string | null
  replyToHeader: string[]
  /** body text: text/plain parts, else HTML converted to text; forwarded message bodies appended */
  text: string
  /** all non-body parts, including parts of forwarded (message/rfc822) messages */
  parts: MessagePart[]
  /** parsed JSON when the file (or a JSON part) is a JSON document */
  json: unknown
  /** problems met while decoding (unknown charset, unreadable part), shown as report warnings */
  warnings?: string[]
  /** the file's modification time (anchor for year-less stamps when there is no Date header) */
  mtimeMs?: number
  /** headers of forwarded (message/rfc822) messages, outermost first */
  forwarded: ReportMessage[]
}

/** An incident as a format reads it, before --public-ip and duplicate collapsing. */
export interface RawIncident {
  time: number
  /** extra instants already known to belong to this incident */
  times?: number[]
  zone: ZoneDecision
  /** canonical IP, or null when the report masks / omits it (see publicIpMasked) */
  publicIp: string | null
  /** the report writes our IP masked (x.x.x.x): --public-ip fills it */
  publicIpMasked?: boolean
  /** the masked writing ("x.x.x.x", "200.160.x.x"): --public-ip must fit it */
  publicIpPattern?: string
  publicPort: number | null
  portRole: PortRole | null
  destIp: string | null
  /** the destination as written when it is masked ("66.183.x.x"): rows to different masked hosts stay apart */
  destMasked?: string
  destPort: number | null
  protocol: string | null
  raw: string
  rawLine?: number
}

export interface ParseResult {
  incidents: RawIncident[]
  ticket?: string | null
  /** overrides the sender-derived reporter (an organisation named by the format) */
  reporter?: string | null
  /** addresses the report asks replies be sent / copied to (besides Reply-To) */
  replyTo?: string[]
  assumptions?: Assumption[]
  /** false when every row is its own incident (Shadowserver): no duplicate collapsing */
  collapse?: boolean
}

/**
 * A zone for zone-less stamps: the document declares it (how 'stated': "Time Zone: UTC", a "Date (UTC)"
 * column), the format defines it (how 'format') or the sender's known habit (how 'sender').
 */
export interface ZoneConvention {
  zone: string
  how: 'format' | 'sender' | 'stated'
  /** why, for the assumption text ("Registro.br reports are in Brasília time") */
  why: string
}

export interface ParsedTime {
  ms: number
  zone: ZoneDecision
  /** the other instant of a wall time in a repeated DST hour */
  alt?: number
  /** the zone abbreviation was ambiguous (IST, CST…) */
  ambiguous?: string
}

export interface FormatContext {
  msg: ReportMessage
  reportTz?: string
  /**
   * The zone for a stamp that states none, in the documented order: format convention → --report-tz →
   * sender convention → Date-header offset → UTC.
   */
  zoneFor(convention?: ZoneConvention): ZoneDecision
  /** finds and parses the first date/time in a text (whole: the text must be just the stamp); zone-less stamps take zoneFor(convention) */
  parseTime(text: string, convention?: ZoneConvention, whole?: boolean): ParsedTime | undefined
  /** a note for the operator (Assumption kind 'report-warning') */
  warn(text: string): void
}

export interface ReportFormat {
  /** stable name, shown by `natrace report` and in JSON */
  name: string
  description: string
  /** 0..1: how sure this format is that the message is its own */
  detect(msg: ReportMessage): number
  parse(msg: ReportMessage, ctx: FormatContext): ParseResult
}
