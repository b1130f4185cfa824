/**
 * Reads a report file into a ReportMessage: RFC 5322 e-mail (mailparser: MIME, quoted-printable, base64,
 * charsets, RFC 2047 headers, forwarded message/rfc822 parts), or a bare text / JSON file.
 * Header values are kept raw (untrusted); nothing here prints them.
 */
import {readFile, stat} from 'node:fs/promises'
import {basename} from 'node:path'
import type {ParsedMail} from 'mailparser'
import {NatraceError} from '../io/errors.js'
import type {MessagePart, ReportMessage} from './types.js'
import {parseDateHeader} from './time.js'

/** Reports larger than this are refused (a report is an e-mail, not a log). */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024
const MAX_DEPTH = 4

export async function loadMessage(path: string): Promise<ReportMessage> {
  let buf: Buffer
  let mtimeMs = 0
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw new NatraceError('is a directory, not a report file', 1, path)
    if (st.size > MAX_REPORT_BYTES) throw new NatraceError(`too large for a report (${st.size} bytes)`, 1, path)
    buf = await readFile(path)
    mtimeMs = st.mtimeMs
  } catch (err) {
    if (err instanceof NatraceError) throw err
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? (err as Error).message})`
    throw new NatraceError(`${why}: cannot read the report`, 1, path)
  }
  const msg = await parseMessageBuffer(buf, path)
  msg.mtimeMs = mtimeMs
  return msg
}

/** True for data that is not text: NUL bytes or many control bytes in the first 8 KB. */
export function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192)
  let ctl = 0
  for (let i = 0; i < n; i++) {
    const b = buf[i]!
    if (b === 0) return true
    if (b < 8 || (b > 13 && b < 32 && b !== 27)) ctl++
  }
  return n > 0 && ctl / n > 0.1
}

/** Decodes bytes in a charset; unknown charsets fall back to UTF-8, invalid UTF-8 to Windows-1252. */
export function decodeText(buf: Buffer, charset?: string | null): string {
  if (charset) {
    try {
      return new TextDecoder(charset.trim().toLowerCase()).decode(buf)
    } catch {
      // unknown charset label: fall through
    }
  }
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(buf)
  } catch {
    return new TextDecoder('windows-1252').decode(buf)
  }
}

const HEADER_LINE = /^[!-9;-~]{1,76}:[ \t]?/
const MAIL_HEADERS = /^(from|to|subject|date|received|return-path|message-id|mime-version|content-type|delivered-to|x-[\w-]+|reply-to|sender|envelope-to|x-arf|dkim-signature|arc-[\w-]+|authentication-results)$/i

const STRONG_HEADERS = /^(from|received|return-path|message-id|mime-version|delivered-to|dkim-signature|x-arf|x-xarf)$/i

/** True when the text starts with an RFC 5322 header block. */
export function looksLikeEmail(text: string): boolean {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/, 60)
  let known = 0
  let strong = 0
  let i = 0
  for (; i < lines.length; i++) {
    const l = lines[i]!
    if (l === '') break
    if (/^[ \t]/.test(l) && i > 0) continue
    if (!HEADER_LINE.test(l)) {
      if (i === 0 && /^From \S/.test(l)) continue // mbox separator
      return false
    }
    const name = l.slice(0, l.indexOf(':'))
    if (MAIL_HEADERS.test(name)) known++
    if (STRONG_HEADERS.test(name)) strong++
  }
  // a text report may start with "Date: …" / "Source: …" lines: only a real mail header block counts
  return i > 0 && (strong >= 1 || known >= 3)
}

export async function parseMessageBuffer(buf: Buffer, file: string): Promise<ReportMessage> {
  if (buf.length === 0) throw new NatraceError('empty file: not a report', 1, file)
  if (buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) {
    // a downloaded report archive (Shadowserver .csv.zip): read it as the report's only attachment
    return {...bare(file, ''), parts: [{contentType: 'application/zip', filename: basename(file), content: buf, text: null}]}
  }
  if (looksBinary(buf)) throw new NatraceError('binary file: not an abuse report (expected an .eml, text or JSON file)', 1, file)
  const head = decodeText(buf.subarray(0, 16384))
  if (looksLikeEmail(head)) return fromMail(buf, file, 0)
  const text = decodeText(buf).replace(/^\uFEFF/, '')
  return bare(file, text)
}

function bare(file: string, text: string): ReportMessage {
  return {
    file,
    isEmail: false,
    headers: new Map(),
    subject: null,
    fromAddress: null,
    fromName: null,
    date: null,
    dateOffset: null,
    messageId: null,
    replyToHeader: [],
    text,
    parts: [],
    json: tryJson(text),
    forwarded: [],
  }
}

function tryJson(text: string): unknown {
  const t = text.trim()
  if (!/^[{[]/.test(t)) return undefined
  try {
    return JSON.parse(t)
  } catch {
    return undefined
  }
}

function unfoldHeaders(mail: ParsedMail): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const h of mail.headerLines ?? []) {
    const idx = h.line.indexOf(':')
    const value = h.line.slice(idx + 1).replace(/\r?\n[ \t]+/g, ' ').trim()
    const key = h.key.toLowerCase()
    const list = out.get(key) ?? []
    list.push(value)
    out.set(key, list)
  }
  return out
}

/** Minimal HTML → text: block tags become line breaks, cells spaces, entities decoded. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, '')
      // source line breaks are spaces in HTML (except inside <pre>)
      .replace(/(<pre[\s>][\s\S]*?<\/pre\s*>)|\s+/gi, (m: string, pre?: string) => pre ?? ' ')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|div|tr|li|h\d|table|pre|blockquote)\s*>/gi, '\n')
      .replace(/<(p|div|li|h\d|table|pre|blockquote)(\s[^>]*)?>/gi, '\n')
      .replace(/<\/t[dh]\s*>/gi, '\t')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t]*\t[ \t]*/g, '\t')
    .replace(/\t+$/gm, '')
    .replace(/^[ \t]+(?=\S)/gm, '')
    .replace(/\n{3,}/g, '\n\n')
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = {
    amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', szlig: 'ß', ordm: 'º', ordf: 'ª', laquo: '«', raquo: '»',
    ndash: '–', mdash: '—', hellip: '…', euro: '€', copy: '©', reg: '®', deg: '°', middot: '·', iexcl: '¡', iquest: '¿',
  }
  const marks: Record<string, string> = {acute: '\u0301', grave: '\u0300', tilde: '\u0303', circ: '\u0302', uml: '\u0308', cedil: '\u0327', ring: '\u030a'}
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    const acc = /^([a-zA-Z])(acute|grave|tilde|circ|uml|cedil|ring)$/.exec(e)
    if (acc) return (acc[1]! + marks[acc[2]!]!).normalize('NFC')
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : ''
    }
    return named[e.toLowerCase()] ?? all
  })
}

function charsetOf(att: {headers?: Map<string, unknown>; contentType?: string}): string | null {
  const ct = att.headers?.get('content-type') as {params?: Record<string, string>} | string | undefined
  if (ct && typeof ct === 'object' && ct.params?.charset) return ct.params.charset
  return null
}

const TEXTUAL = /^(text\/|message\/(feedback-report|delivery-status|disposition-notification)|application\/(json|xml|x-yaml|yaml|xarf|.*\+json|.*\+xml|csv))/i

async function fromMail(buf: Buffer, file: string, depth: number): Promise<ReportMessage> {
  let mail: ParsedMail
  try {
    // loaded on first use: a JSON or text report never pays mailparser's start-up
    const {simpleParser} = await import('mailparser')
    mail = await simpleParser(buf, {skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true})
  } catch (err) {
    throw new NatraceError(`cannot parse the e-mail (${(err as Error).message})`, 1, file)
  }
  const headers = unfoldHeaders(mail)
  const dateRaw = headers.get('date')?.[0] ?? null
  const dh = dateRaw ? parseDateHeader(dateRaw) : null
  const from = mail.from?.value?.[0]
  const replyTo = (mail.replyTo?.value ?? []).map((a) => a.address).filter((a): a is string => !!a)
  const parts: MessagePart[] = []
  const forwarded: ReportMessage[] = []
  let text = mail.text ?? ''
  // HTML-only message: mailparser's own conversion runs table cells together; use ours (cells → tabs)
  if (typeof mail.html === 'string' && (!text.trim() || !/^Content-Type:[ \t]*text\/plain/im.test(buf.toString('latin1')))) text = htmlToText(mail.html)
  for (const att of mail.attachments ?? []) {
    const contentType = (att.contentType || 'application/octet-stream').toLowerCase()
    if (contentType === 'message/rfc822' && depth < MAX_DEPTH) {
      try {
        const inner = await fromMail(att.content, file, depth + 1)
        forwarded.push(inner, ...inner.forwarded)
        inner.forwarded = []
        parts.push(...inner.parts)
        continue
      } catch {
        // unreadable forwarded message: keep it as a plain part
      }
    }
    const isText = TEXTUAL.test(contentType) || (att.filename ? /\.(txt|csv|json|xml|ya?ml)$/i.test(att.filename) : false)
    parts.push({
      contentType,
      filename: att.filename ?? null,
      content: att.content,
      text: contentType === 'text/html' ? htmlToText(decodeText(att.content, charsetOf(att as never))) : isText ? decodeText(att.content, charsetOf(att as never)) : null,
    })
  }
  if (depth < MAX_DEPTH && !(mail.attachments ?? []).some((a) => /message\/rfc822/i.test(a.contentType ?? ''))) {
    // mailparser folds inline message/rfc822 parts into the body text and drops their headers: read them raw
    for (const inner of rawRfc822Parts(buf)) {
      try {
        const m = await fromMail(inner, file, depth + 1)
        forwarded.push(m, ...m.forwarded)
        m.forwarded = []
        parts.push(...m.parts)
      } catch {
        // unreadable forwarded message: ignore
      }
    }
  }
  forwarded.push(...inlineForwards(text, file))
  const warnings: string[] = []
  for (const m of buf.toString('latin1').matchAll(/charset\s*=\s*"?([^";\s]+)/gi)) {
    const cs = m[1]!.toLowerCase().replace(/['"]+$/, '')
    try {
      new TextDecoder(cs)
    } catch {
      const w = `unknown charset "${cs.slice(0, 40)}": that text was read as UTF-8 / Windows-1252`
      if (!warnings.includes(w)) warnings.push(w)
    }
  }
  return {
    warnings,
    file,
    isEmail: true,
    headers,
    subject: mail.subject ?? null,
    fromAddress: from?.address ?? null,
    fromName: from?.name || null,
    date: dh?.ms ?? (mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.getTime() : null),
    dateOffset: dh?.offset ?? null,
    messageId: mail.messageId ?? null,
    replyToHeader: replyTo,
    text,
    parts,
    json: tryJson(text),
    forwarded,
  }
}

/** The body plus every textual part and forwarded body: the text generic formats search. */
export function allText(msg: ReportMessage): string {
  const chunks = [msg.text]
  for (const f of msg.forwarded) chunks.push(f.text)
  for (const p of msg.parts) if (p.text && !/^message\//.test(p.contentType)) chunks.push(p.text)
  return chunks.filter((c) => c && c.trim()).join('\n')
}

/**
 * The bodies of message/rfc822 parts, found in the raw message: the part's headers follow a boundary
 * line, its body runs to the next line with that boundary. Content-Transfer-Encoding base64 / QP decoded.
 */
export function rawRfc822Parts(buf: Buffer): Buffer[] {
  const raw = buf.toString('latin1')
  const out: Buffer[] = []
  const re = /^Content-Type:[ \t]*message\/rfc822\b/gim
  for (const m of raw.matchAll(re)) {
    const before = raw.slice(0, m.index)
    const b = [...before.matchAll(/^--(\S+?)[ \t]*\r?$/gm)].pop()
    if (!b) continue
    const boundary = b[1]!.replace(/--$/, '')
    const rest = raw.slice(m.index)
    const blank = /\r?\n\r?\n/.exec(rest)
    if (!blank) continue
    const headers = raw.slice(b.index! + b[0].length, m.index! + blank.index)
    const bodyStart = m.index! + blank.index + blank[0].length
    const end = raw.indexOf(`\n--${boundary}`, bodyStart)
    const body = raw.slice(bodyStart, end < 0 ? raw.length : end)
    const cte = /^Content-Transfer-Encoding:[ \t]*(base64|quoted-printable)/im.exec(headers)?.[1]?.toLowerCase()
    if (cte === 'base64') out.push(Buffer.from(body.replace(/\s+/g, ''), 'base64'))
    else if (cte === 'quoted-printable') out.push(Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'))
    else out.push(Buffer.from(body, 'latin1'))
  }
  return out
}

const FORWARD_MARK = /^[ \t>]*(?:-{3,}\s*(?:Forwarded message|Original Message|Mensagem encaminhada|Mensaje reenviado|Mensagem original|Mensaje original|Weitergeleitete Nachricht|Message transf[ée]r[ée])\s*-{3,}|Begin forwarded message:|-{5,}\s*Forwarded by)[ \t]*$/gim

/**
 * Inline forwards ("---------- Forwarded message ---------", "-----Original Message-----", "Begin forwarded
 * message:") followed by a From/Subject/Date header block: each becomes a forwarded ReportMessage.
 */
export function inlineForwards(text: string, file: string): ReportMessage[] {
  const out: ReportMessage[] = []
  const marks = [...text.matchAll(FORWARD_MARK)]
  marks.forEach((m, k) => {
    const start = m.index! + m[0].length
    const end = k + 1 < marks.length ? marks[k + 1]!.index! : text.length
    const lines = text.slice(start, end).replace(/^\r?\n/, '').split(/\r?\n/)
    const headers = new Map<string, string[]>()
    let i = 0
    for (; i < lines.length && i < 30; i++) {
      const l = lines[i]!.replace(/^[ \t>]*/, '').replace(/^\*(.+?):\*/, '$1:')
      if (!l.trim()) {
        if (headers.size > 0) break
        continue
      }
      const h = /^([A-Za-z][\w-]{0,30}|De|Para|Assunto|Data|Enviada em|Enviado|Asunto|Fecha)\s*:\s*(.*)$/.exec(l)
      if (!h) break
      const key = ({de: 'from', para: 'to', assunto: 'subject', asunto: 'subject', data: 'date', fecha: 'date', sent: 'date', 'enviada em': 'date', enviado: 'date'} as Record<string, string>)[h[1]!.toLowerCase()] ?? h[1]!.toLowerCase()
      headers.set(key, [...(headers.get(key) ?? []), h[2]!.trim()])
    }
    if (!headers.has('from') && !headers.has('subject')) return
    const body = lines.slice(i).map((l) => l.replace(/^>[ ]?/, '')).join('\n')
    const fromRaw = headers.get('from')?.[0] ?? ''
    const addr = /<?([^\s<>"]+@[^\s<>"]+?)>?\s*$/.exec(fromRaw)?.[1] ?? null
    const dh = headers.get('date')?.[0] ? parseDateHeader(headers.get('date')![0]!) : null
    out.push({
      file,
      isEmail: true,
      headers,
      subject: headers.get('subject')?.[0] ?? null,
      fromAddress: addr,
      fromName: fromRaw.replace(/<[^>]*>/, '').replace(/"/g, '').trim() || null,
      date: dh?.ms ?? null,
      dateOffset: dh?.offset ?? null,
      messageId: null,
      replyToHeader: [],
      text: body,
      parts: [],
      json: undefined,
      forwarded: [],
    })
  })
  return out
}
