/**
 * Everything the operator sends after an attribution (issue 6):
 * - reply.eml to the reporter: threaded (In-Reply-To/References), `Re: <subject>` with the ticket tag, To the
 *   reporter, Cc every address the report asks to copy, in the reporter's language; it never names the customer;
 * - customer-notice-<n>.txt (and .eml when the customer's e-mail is known) per client identified;
 * - evidence.md + evidence.json: the internal evidence pack with SHA-256 of every input.
 * Decisions of the operator (accept a candidate / reject an attribution) are applied first and recorded.
 */
import {randomBytes} from 'node:crypto'
import {statSync} from 'node:fs'
import {mkdir, readdir, rename, stat, unlink, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import type {AttributionResult} from '../model.js'
import {UsageError} from '../io/errors.js'
import {oneLineSafe} from '../io/sanitize.js'
import {systemZone, toZone} from '../io/time.js'
import {loadOperatorConfig, type OperatorConfig} from './config.js'
import {applyDecisions, finalClients, type DecidedIncident, type Decision, type FinalClient} from './decide.js'
import {evidenceJson, evidenceMarkdown, hashInputs, type EvidenceContext, type FileHash} from './evidence.js'
import {normalizeLang, replyLanguage} from './language.js'
import {composeEml, dedupeMailboxes, replySubject, safeMailboxes, safeMessageId, type Mailbox} from './mail.js'
import {locateTemplate, natraceVersion, renderTemplate} from './templates.js'
import {buildNoticeView, buildReplyView, measuresFor, operatorOf, type NoticeView, type ReplyView} from './view.js'

export type {Decision, DecidedIncident, FinalClient, Outcome} from './decide.js'
export type {OperatorConfig} from './config.js'
export type {ReplyView, NoticeView} from './view.js'
export {loadOperatorConfig, applyDecisions, finalClients}

export interface DraftOptions {
  outDir: string
  /** language of the reply (overrides the reporter's detected language) */
  lang?: string
  /** language of customer notices (default: config.customerLanguage, else the reply's language) */
  customerLang?: string
  /** directory with the operator's templates (DIR/<lang>/<name>.eta or DIR/<name>.eta) */
  templatesDir?: string
  config?: OperatorConfig
  decisions?: Decision[]
  /** the drafts are sent without a human reading them: marks the reply `Auto-Submitted: auto-replied` */
  unattended?: boolean
  /** path of the original report, for SHA-256 and Message-ID threading (default: result.report.file) */
  reportSource?: string
  /** the generation instant, ms UTC (default: now); for reproducible output */
  now?: number
}

export interface DraftFiles {
  reply: string
  customerNotices: string[]
  evidenceMd: string
  evidenceJson: string
  /** problems the operator should fix before sending (no From configured, a dropped address, …) */
  warnings: string[]
}

export interface RenderedNotice {
  /** label for display: "#1 joao-pc 00:1e:c2:aa:bb:cc 192.168.0.23" */
  client: string
  n: number
  text: string
  subject: string
  /** the customer's address when known (the notice is then also written as .eml) */
  to: string | null
}

export interface RenderedDrafts {
  /** a readable preview of reply.eml: its headers and body (the file itself is composed by MailComposer) */
  replyEml: string
  replyText: string
  notices: RenderedNotice[]
  evidenceMd: string
  evidenceJson: object
  warnings: string[]
}

const FALLBACK_SUBJECT: Record<string, string> = {
  'pt-BR': 'Notificação de incidente',
  es: 'Notificación de incidente',
  en: 'Abuse report',
}
const PLACEHOLDER_FROM = 'abuse@example.invalid'

interface ReplyHeaders {
  from: Mailbox
  to: Mailbox[]
  cc: Mailbox[]
  replyTo: Mailbox | null
  subject: string
  inReplyTo: string | null
  references: string[]
  autoSubmitted: boolean
}

interface Prepared {
  lang: string
  noticeLang: string
  decided: DecidedIncident[]
  clients: FinalClient[]
  replyView: ReplyView
  replyText: string
  headers: ReplyHeaders
  notices: (RenderedNotice & {view: NoticeView; from: Mailbox; replyTo: Mailbox | null; toBox: Mailbox | null})[]
  warnings: string[]
  now: number
}

function first(list: Mailbox[]): Mailbox | null {
  return list[0] ?? null
}

function prepare(result: AttributionResult, opts: Omit<DraftOptions, 'outDir'>): Prepared {
  const warnings: string[] = []
  const warn = (m: string) => warnings.push(m)
  const cfg = opts.config ?? {}
  const now = opts.now ?? Date.now()
  const lang = replyLanguage(result.report, opts.lang)
  const noticeLang = normalizeLang(opts.customerLang ?? cfg.customerLanguage ?? lang)
  // customers read their local time: the configured zone, else the zone the operator gave for the NAT logs
  const flagged = result.inputs.nat.find((i) => i.zoneHow === 'flag')?.zone
  const noticeZone = cfg.timeZone ?? flagged ?? systemZone()
  try {
    toZone(noticeZone)
  } catch (err) {
    throw new UsageError(`config "timeZone": ${(err as Error).message}`)
  }

  const decided = applyDecisions(result, opts.decisions)
  const clients = finalClients(result, decided)

  // sender: configured and trusted, but still checked for shape
  let from = first(safeMailboxes([cfg.from ?? cfg.abuseAddress], warn, 'config "from"'))
  if (!from) {
    warn(`no sender address configured: the reply is From ${PLACEHOLDER_FROM}; set "from" in natrace.config.json or pass --from`)
    from = {name: cfg.organisation ? oneLineSafe(cfg.organisation) : '', address: PLACEHOLDER_FROM}
  }
  const replyTo = cfg.replyTo ? first(safeMailboxes([cfg.replyTo], warn, 'config "replyTo"')) : null
  const operator = operatorOf(cfg, from.address)

  // recipients: from the untrusted report
  const r = result.report
  let to = safeMailboxes([r.from], warn, 'report From')
  const copies = safeMailboxes(r.replyTo, warn, 'report reply/copy address')
  if (to.length === 0 && copies.length) to = [copies[0]!]
  if (to.length === 0) warn('the report gives no usable reporter address: fill in To before sending the reply')
  const cc = dedupeMailboxes(copies, [...to, from])
  const messageId = safeMessageId(r.messageId)
  if (r.messageId && !messageId) warn('the report Message-ID is malformed: the reply is not threaded (In-Reply-To left out)')
  if (!r.messageId) warn('the report has no Message-ID: the reply cannot be threaded')
  const headers: ReplyHeaders = {
    from,
    to,
    cc,
    replyTo,
    subject: replySubject(r.subject, r.ticket, FALLBACK_SUBJECT[lang] ?? FALLBACK_SUBJECT.en!),
    inReplyTo: messageId,
    references: messageId ? [messageId] : [],
    autoSubmitted: !!opts.unattended,
  }

  const replyView = buildReplyView(result, decided, lang, operator, measuresFor(cfg, lang), now)
  const replyText = renderTemplate('reply', lang, replyView, opts.templatesDir)

  const customerFrom = first(safeMailboxes([cfg.customerFrom], warn, 'config "customerFrom"')) ?? from
  const notices = clients.map((c) => {
    const view = buildNoticeView(result, decided, c, noticeLang, noticeZone, operator, now)
    const text = renderTemplate('notice', noticeLang, view, opts.templatesDir)
    const subject = oneLineSafe(renderTemplate('notice-subject', noticeLang, view, opts.templatesDir)).slice(0, 300)
    const toBox = c.email ? first(safeMailboxes([c.email], warn, `customer ${c.n} e-mail`)) : null
    const label = [`#${c.n}`, c.subscriber, c.hostname, c.mac, c.insideIp].filter(Boolean).map((x) => oneLineSafe(String(x))).join(' ')
    return {client: label, n: c.n, text, subject, to: toBox?.address ?? null, view, from: customerFrom, replyTo, toBox}
  })
  return {lang, noticeLang, decided, clients, replyView, replyText, headers, notices, warnings, now}
}

/**
 * Checks the options that do not depend on the attribution (language overrides have templates, the template
 * directory exists, the configured zone is valid), so a command can fail before reading gigabytes of logs.
 */
export function checkDraftOptions(opts: Omit<DraftOptions, 'outDir'>): void {
  if (opts.templatesDir) {
    let ok = false
    try {
      ok = statSync(opts.templatesDir).isDirectory()
    } catch {
      ok = false
    }
    if (!ok) throw new UsageError(`--templates ${opts.templatesDir}: not a directory`)
  }
  const langs = [
    ...(opts.lang ? [['reply', normalizeLang(opts.lang)] as const] : []),
    ...((opts.customerLang ?? opts.config?.customerLanguage) ? [['notice', normalizeLang((opts.customerLang ?? opts.config?.customerLanguage)!)] as const] : []),
  ]
  for (const [name, lang] of langs) locateTemplate(name, lang, opts.templatesDir)
  if (opts.config?.timeZone) {
    try {
      toZone(opts.config.timeZone)
    } catch (err) {
      throw new UsageError(`config "timeZone": ${(err as Error).message}`)
    }
  }
}

function mailboxText(m: Mailbox): string {
  return m.name ? `${m.name} <${m.address}>` : m.address
}

/** Headers as they will be written, for display only (no MIME). */
function previewHeaders(h: ReplyHeaders): string {
  const lines = [`From: ${mailboxText(h.from)}`, `To: ${h.to.map(mailboxText).join(', ')}`]
  if (h.cc.length) lines.push(`Cc: ${h.cc.map(mailboxText).join(', ')}`)
  if (h.replyTo) lines.push(`Reply-To: ${mailboxText(h.replyTo)}`)
  lines.push(`Subject: ${h.subject}`)
  if (h.inReplyTo) lines.push(`In-Reply-To: ${h.inReplyTo}`, `References: ${h.references.join(' ')}`)
  if (h.autoSubmitted) lines.push('Auto-Submitted: auto-replied')
  return lines.join('\n')
}

function evidenceContext(result: AttributionResult, p: Prepared, opts: Omit<DraftOptions, 'outDir'>, hashes?: Map<string, FileHash>): EvidenceContext {
  return {
    result,
    decided: p.decided,
    clients: p.clients,
    ...(hashes ? {hashes} : {}),
    ...(opts.reportSource ? {reportSource: opts.reportSource} : {}),
    replyLanguage: p.lang,
    noticeLanguage: p.noticeLang,
    drafts: {reply: 'reply.eml', notices: p.notices.flatMap((n) => noticeFiles(n))},
    warnings: p.warnings,
    generatedAt: p.now,
    version: natraceVersion(),
  }
}

function noticeFiles(n: {n: number; to: string | null}): string[] {
  return [`customer-notice-${n.n}.txt`, ...(n.to ? [`customer-notice-${n.n}.eml`] : [])]
}

/** Renders every draft in memory (for the TUI preview); writes nothing. Hashes are left to writeDrafts. */
export function renderDrafts(result: AttributionResult, opts: Omit<DraftOptions, 'outDir'>): RenderedDrafts {
  const p = prepare(result, opts)
  const ctx = evidenceContext(result, p, opts)
  return {
    replyEml: `${previewHeaders(p.headers)}\n\n${p.replyText}`,
    replyText: p.replyText,
    notices: p.notices.map(({client, n, text, subject, to}) => ({client, n, text, subject, to})),
    evidenceMd: evidenceMarkdown(ctx),
    evidenceJson: evidenceJson(ctx),
    warnings: p.warnings,
  }
}

function replyMail(p: Prepared) {
  const h = p.headers
  return {
    from: h.from,
    to: h.to,
    cc: h.cc,
    ...(h.replyTo ? {replyTo: h.replyTo} : {}),
    subject: h.subject,
    text: p.replyText,
    inReplyTo: h.inReplyTo,
    references: h.references,
    autoSubmitted: h.autoSubmitted,
    date: new Date(p.now),
  }
}

/** The reply as an RFC 5322 message (MailComposer), without writing it. */
export async function composeReply(result: AttributionResult, opts: Omit<DraftOptions, 'outDir'>): Promise<string> {
  return composeEml(replyMail(prepare(result, opts)))
}

/**
 * Writes into a fixed file name inside `dir`: a fresh temporary file then a rename, so a symlink planted at the
 * target is replaced, never followed.
 */
export async function writeInside(dir: string, name: string, data: string): Promise<string> {
  const target = join(dir, name)
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
  await writeFile(tmp, data, {flag: 'wx', mode: 0o600})
  try {
    await rename(tmp, target)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  return target
}

/**
 * Renders and writes reply.eml, customer-notice-<n>.txt/.eml, evidence.md and evidence.json into outDir.
 * `opts.config` undefined: natrace.config.json / ~/.config/natrace/config.json is loaded (renderDrafts does not).
 */
export async function writeDrafts(result: AttributionResult, opts: DraftOptions): Promise<DraftFiles> {
  // without an explicit config (e.g. `attribute --draft`), the operator's default config file applies
  if (opts.config === undefined) opts = {...opts, config: await loadOperatorConfig()}
  const p = prepare(result, opts)
  const dir = resolve(opts.outDir)
  try {
    await mkdir(dir, {recursive: true})
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory')
  } catch (err) {
    throw new UsageError(`--out ${opts.outDir}: cannot use it as the output directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  const hashes = await hashInputs(result, opts.reportSource)
  const ctx = evidenceContext(result, p, opts, hashes)

  // notices of an earlier run in this directory must not be sent by mistake to a customer not named now
  const keep = new Set(p.notices.flatMap((n) => noticeFiles(n)))
  for (const f of await readdir(dir)) {
    if (/^customer-notice-\d+\.(?:txt|eml)$/.test(f) && !keep.has(f)) await unlink(join(dir, f))
  }

  const reply = await writeInside(dir, 'reply.eml', await composeEml(replyMail(p)))
  const customerNotices: string[] = []
  for (const n of p.notices) {
    customerNotices.push(await writeInside(dir, `customer-notice-${n.n}.txt`, n.text))
    if (n.toBox) {
      const eml = await composeEml({
        from: n.from,
        to: [n.toBox],
        ...(n.replyTo ? {replyTo: n.replyTo} : {}),
        subject: n.subject,
        text: n.text,
        date: new Date(p.now),
      })
      customerNotices.push(await writeInside(dir, `customer-notice-${n.n}.eml`, eml))
    }
  }
  const evidenceMd = await writeInside(dir, 'evidence.md', evidenceMarkdown(ctx))
  const evidenceJsonPath = await writeInside(dir, 'evidence.json', `${JSON.stringify(evidenceJson(ctx), null, 2)}\n`)
  return {reply, customerNotices, evidenceMd, evidenceJson: evidenceJsonPath, warnings: p.warnings}
}
