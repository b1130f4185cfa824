/**
 * RFC 5322 messages for the drafts, composed by nodemailer's MailComposer (never hand-made MIME). Every header
 * value that comes from the report is untrusted: folded to one line, stripped of controls, and addresses and
 * Message-IDs must have the shape of one address / one id or they are left out (with a warning).
 */
import MailComposer from 'nodemailer/lib/mail-composer'
import addressparser from 'nodemailer/lib/addressparser'
import {oneLineSafe} from '../io/sanitize.js'

export interface Mailbox {
  name: string
  address: string
}

// one addr-spec: no spaces, quotes, brackets, commas or semicolons; a dotted domain
const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\.]+$/u

/** Parses a list of untrusted address strings; keeps only well-formed single addresses. */
export function safeMailboxes(values: (string | null | undefined)[], warn: (msg: string) => void, what: string): Mailbox[] {
  const out: Mailbox[] = []
  for (const v of values) {
    if (!v) continue
    if (/[\r\n\u2028\u2029]/.test(v)) {
      warn(`${what}: an address with a line break was dropped`)
      continue
    }
    const flat = oneLineSafe(v)
    const parsed = addressparser(flat, {flatten: true}) as {name?: string; address?: string}[]
    if (parsed.length === 0) warn(`${what}: "${flat.slice(0, 80)}" is not an e-mail address`)
    for (const p of parsed) {
      const address = (p.address ?? '').trim()
      if (!ADDRESS.test(address)) {
        warn(`${what}: "${(address || flat).slice(0, 80)}" is not an e-mail address`)
        continue
      }
      out.push({name: oneLineSafe(p.name ?? '').replace(/["\\]/g, ''), address})
    }
  }
  return out
}

export function dedupeMailboxes(list: Mailbox[], exclude: Mailbox[] = []): Mailbox[] {
  const seen = new Set(exclude.map((m) => m.address.toLowerCase()))
  return list.filter((m) => {
    const k = m.address.toLowerCase()
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** "<id@host>" from an untrusted Message-ID, or null when it is not exactly one id. */
export function safeMessageId(value: string | null | undefined): string | null {
  if (!value || /[\r\n\u2028\u2029]/.test(value)) return null
  const v = oneLineSafe(value)
  const m = /^<?([^\s<>]+@[^\s<>]+?)>?$/.exec(v)
  return m ? `<${m[1]}>` : null
}

/** A subject for the reply: "Re: " + the original subject (ticket tag kept), one line. */
export function replySubject(subject: string | null, ticket: string | null, fallback: string): string {
  let s = oneLineSafe(subject ?? '')
  const t = oneLineSafe(ticket ?? '')
  if (!s) s = t ? `[${t}] ${fallback}` : fallback
  else if (t && !s.includes(t)) s = `${s} [${t}]`
  if (!/^(?:re|res|resp|aw|sv)\s*:/i.test(s)) s = `Re: ${s}`
  return s.slice(0, 900)
}

export interface ComposeOptions {
  from: Mailbox | string
  to: Mailbox[]
  cc?: Mailbox[]
  replyTo?: Mailbox | string
  subject: string
  text: string
  inReplyTo?: string | null
  references?: string[]
  autoSubmitted?: boolean
  date: Date
  messageId?: string
}

function fmt(m: Mailbox | string): string | {name: string; address: string} {
  return typeof m === 'string' ? m : m.name ? {name: m.name, address: m.address} : m.address
}

/** Builds the message; header values are folded to one line again here, whatever the caller passed. */
export async function composeEml(o: ComposeOptions): Promise<string> {
  const headers: Record<string, string> = {}
  if (o.autoSubmitted) headers['Auto-Submitted'] = 'auto-replied'
  const mail = {
    from: fmt(o.from),
    to: o.to.map(fmt),
    ...(o.cc && o.cc.length ? {cc: o.cc.map(fmt)} : {}),
    ...(o.replyTo ? {replyTo: fmt(o.replyTo)} : {}),
    subject: oneLineSafe(o.subject),
    text: o.text,
    date: o.date,
    ...(o.inReplyTo ? {inReplyTo: o.inReplyTo} : {}),
    ...(o.references && o.references.length ? {references: o.references} : {}),
    ...(o.messageId ? {messageId: o.messageId} : {}),
    headers,
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const node = new MailComposer(mail as any).compile()
  const buf: Buffer = await node.build()
  return buf.toString('utf8')
}
