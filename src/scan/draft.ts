/**
 * `natrace scan --draft DIR`: an alert e-mail to the operator's abuse desk (the digest) and one notice per named
 * customer whose device scanned out, plus the detections as JSON evidence. Drafts only: nothing is sent.
 *
 * The wording lives in the draft templates (templates/<lang>/scan-alert.eta, scan-alert-subject.eta,
 * scan-notice.eta, scan-notice-subject.eta), loaded like the reply/notice templates of `natrace draft`, so an
 * operator's template directory overrides them file by file. The alert goes to our own desk and may name
 * customers; a notice's view is built from that one device's detections only, so no template can put another
 * customer's data into it. Every string a view holds is stripped of controls (hostnames come from DHCP clients,
 * log text from the network), the rendered text is stripped again, and the messages are composed by nodemailer's
 * MailComposer (src/draft/mail.ts), which folds and encodes the headers.
 * Lease sources hold no customer e-mail: notices are written without a To, for the operator to address.
 */
import {mkdir} from 'node:fs/promises'
import {loadOperatorConfig} from '../draft/config.js'
import {normalizeLang} from '../draft/language.js'
import {writeInside} from '../draft/index.js'
import {composeEml, safeMailboxes, type Mailbox} from '../draft/mail.js'
import {locateTemplate, renderTemplate} from '../draft/templates.js'
import {operatorOf, utcText, zoneText, type Operator} from '../draft/view.js'
import {UsageError} from '../io/errors.js'
import {oneLineSafe, stripControls} from '../io/sanitize.js'
import {systemZone, toZone} from '../io/time.js'
import {renderScanText} from './render.js'
import type {DetectionOut, ScanResult} from './run.js'

export interface ScanDraftOptions {
  outDir: string
  /** operator config file (default: natrace.config.json / ~/.config/natrace/config.json) */
  config?: string
  /** language of the drafts: en, pt-BR, es, or one the template directory provides (default: the config's customerLanguage, else en) */
  lang?: string
  /** the operator's templates: DIR/<lang>/<name>.eta, else DIR/<name>.eta, else the shipped file */
  templatesDir?: string
  now?: Date
}

export interface ScanDraftFiles {
  alert: string
  notices: string[]
  evidence: string
  warnings: string[]
}

/** What one named device did, as the alert lists it and its notice tells it. */
export interface ScanDeviceView {
  /** lower-case colon form */
  mac: string
  /** the DHCP client's own name (untrusted: controls removed, one line, at most 120 characters) */
  hostname: string | null
  insideIp: string
  subscriber: string | null
  /** scan kinds seen from this device: vertical, horizontal, … */
  kinds: string[]
  /** distinct target hosts, summed over its detections */
  hosts: number
  packets: number
  /** "TCP 23, 2323 (Mirai-style …)": ports probed and signature names, one line */
  ports: string
  portRanges: {protocol: string; from: number; to: number; distinct: number}[]
  /** matched signature names (without their detail) */
  signatures: string[]
  firstUtc: string
  lastUtc: string
  /** first and last packet in the operator's zone: "2024-03-05 07:02:00 -03:00 (America/Sao_Paulo)" */
  first: string
  last: string
}

/** Data of templates/<lang>/scan-notice.eta and scan-notice-subject.eta: this one device, nothing else. */
export interface ScanNoticeView {
  lang: string
  operator: Operator
  /** the operator's zone (config timeZone, else the system zone) */
  zone: string
  generatedAt: string
  device: ScanDeviceView
}

/** Data of templates/<lang>/scan-alert.eta and scan-alert-subject.eta, for the operator's own abuse desk. */
export interface ScanAlertView {
  lang: string
  operator: Operator
  zone: string
  generatedAt: string
  /** scan detections (p2p clients not counted) */
  scans: number
  /** peer-to-peer clients recognised (not scans) */
  p2p: number
  /** customer devices named (one notice each) */
  named: number
  /** outbound scans whose inside source could not be named (ambiguous / not found) */
  unnamed: number
  /** the named devices and the notice file drafted for each */
  devices: (ScanDeviceView & {notice: string})[]
  /** the text digest of `natrace scan` (controls stripped) */
  digest: string
}

const SHIPPED = ['en', 'pt-BR', 'es']

/**
 * The language the scan drafts are written in: en, pt-BR, es, or a language the template directory has all four
 * scan-*.eta files for. Throws a UsageError otherwise, so a command can check --lang before scanning.
 */
export function scanDraftLanguage(text: string | undefined, templatesDir?: string): string {
  const lang = text && text.trim() ? normalizeLang(text) : 'en'
  if (SHIPPED.includes(lang)) return lang
  try {
    for (const name of ['scan-alert', 'scan-alert-subject', 'scan-notice', 'scan-notice-subject'] as const) locateTemplate(name, lang, templatesDir)
  } catch {
    throw new UsageError(
      `--lang: scan drafts are written in en, pt-BR or es, not "${oneLineSafe(text ?? '').slice(0, 40)}"` +
        (templatesDir ? ` (${templatesDir} lacks ${lang}/scan-*.eta)` : ''),
    )
  }
  return lang
}

function clean(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null
  const s = oneLineSafe(text)
  if (!s) return null
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** "TCP 23, 2323" when a range holds a few ports the detection lists, else "TCP 10-9957". */
function rangeText(d: DetectionOut, r: DetectionOut['targets']['portRanges'][number]): string {
  const proto = oneLineSafe(r.protocol).toUpperCase().slice(0, 12)
  if (r.from === r.to) return `${proto} ${r.from}`
  if (r.distinct !== r.to - r.from + 1 && r.distinct <= 10) {
    const inside = [...new Set(d.targets.ports.filter((p) => p >= r.from && p <= r.to))].sort((a, b) => a - b)
    if (inside.length === r.distinct) return `${proto} ${inside.join(', ')}`
  }
  return `${proto} ${r.from}-${r.to}`
}

function portsText(ds: DetectionOut[], sigs: string[]): string {
  const ranges = [...new Set(ds.flatMap((d) => d.targets.portRanges.map((r) => rangeText(d, r))))]
  return oneLineSafe(`${ranges.join(', ')}${sigs.length ? ` (${sigs.slice(0, 3).join('; ')})` : ''}`)
}

function deviceView(mac: string, ds: DetectionOut[], zone: string): ScanDeviceView {
  const first = Math.min(...ds.map((d) => Date.parse(d.firstSeen)))
  const last = Math.max(...ds.map((d) => Date.parse(d.lastSeen)))
  const s = ds[0]!.source
  const signatures = [...new Set(ds.flatMap((d) => d.signatures.map((x) => oneLineSafe(x.replace(/:.*$/s, '')))))].filter(Boolean)
  return {
    mac: clean(mac, 60)!,
    hostname: clean(s.hostname, 120),
    insideIp: clean(s.ip, 60) ?? '?',
    subscriber: clean(s.subscriber, 120),
    kinds: [...new Set(ds.map((d) => d.kind))],
    hosts: ds.reduce((n, d) => n + d.targets.hosts, 0),
    packets: ds.reduce((n, d) => n + d.packets, 0),
    ports: portsText(ds, signatures),
    portRanges: ds.flatMap((d) => d.targets.portRanges.map((r) => ({protocol: oneLineSafe(r.protocol).toUpperCase().slice(0, 12), from: r.from, to: r.to, distinct: r.distinct}))),
    signatures,
    firstUtc: utcText(first),
    lastUtc: utcText(last),
    first: zoneText(first, zone),
    last: zoneText(last, zone),
  }
}

/** A file name from a MAC, whatever the lease source held: only letters, digits and dashes. */
function noticeName(mac: string): string {
  return `notice-${mac.replace(/[^0-9a-zA-Z]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'device'}.eml`
}

/** A rendered body: line breaks normalised, controls stripped whatever the template or data held. */
function body(text: string): string {
  return stripControls(text.replace(/\r\n?/g, '\n'))
}

/** A rendered subject: one line, at most 300 characters. */
function subject(text: string): string {
  return oneLineSafe(text).slice(0, 300)
}

export async function writeScanDrafts(result: ScanResult, opts: ScanDraftOptions): Promise<ScanDraftFiles> {
  const cfg = await loadOperatorConfig(opts.config)
  const warnings: string[] = []
  const lang = scanDraftLanguage(opts.lang ?? cfg.customerLanguage, opts.templatesDir)
  const zone = cfg.timeZone ?? systemZone()
  try {
    toZone(zone)
  } catch {
    throw new UsageError(`the config's timeZone "${oneLineSafe(zone).slice(0, 60)}" is not a known zone`)
  }
  const from: Mailbox = safeMailboxes([cfg.from], (m) => warnings.push(m), 'config "from"')[0] ?? {name: 'Abuse desk', address: 'abuse@example.invalid'}
  if (!cfg.from) warnings.push('no operator config (natrace.config.json) with "from": drafts use abuse@example.invalid')
  const desk = safeMailboxes([cfg.abuseAddress ?? cfg.from], (m) => warnings.push(m), 'config "abuseAddress"')[0] ?? from
  const customerFrom = safeMailboxes([cfg.customerFrom], (m) => warnings.push(m), 'config "customerFrom"')[0] ?? from
  const operator = operatorOf(cfg, from.address)
  const date = opts.now ?? new Date()
  const generatedAt = utcText(date.getTime())
  const render = (name: Parameters<typeof renderTemplate>[0], view: object) => renderTemplate(name, lang, view, opts.templatesDir)

  const scans = result.detections.filter((d) => d.kind !== 'p2p')
  const named = new Map<string, DetectionOut[]>()
  for (const d of scans) {
    if (d.direction !== 'out' || d.source.attribution !== 'attributed' || !d.source.mac) continue
    const l = named.get(d.source.mac)
    if (l) l.push(d)
    else named.set(d.source.mac, [d])
  }
  const devices = [...named].map(([mac, ds]) => ({...deviceView(mac, ds, zone), notice: noticeName(mac)}))

  // render everything before writing anything: a broken template leaves no half-written directory
  const alertView: ScanAlertView = {
    lang,
    operator,
    zone,
    generatedAt,
    scans: scans.length,
    p2p: result.detections.length - scans.length,
    named: named.size,
    unnamed: scans.filter((d) => d.direction === 'out' && !(d.source.attribution === 'attributed' && d.source.mac)).length,
    devices,
    digest: body(renderScanText(result)),
  }
  const alertMail = {from, to: [desk], subject: subject(render('scan-alert-subject', alertView)), text: body(render('scan-alert', alertView)), date, autoSubmitted: true}
  const noticeMails = devices.map(({notice, ...device}) => {
    // this device's own data only: the view is built from its detections, never from the whole result
    const view: ScanNoticeView = {lang, operator, zone, generatedAt, device}
    return {file: notice, mail: {from: customerFrom, to: [], subject: subject(render('scan-notice-subject', view)), text: body(render('scan-notice', view)), date}}
  })

  await mkdir(opts.outDir, {recursive: true})
  // temporary file + rename: a symlink planted at a draft's name is replaced, never followed
  const alert = await writeInside(opts.outDir, 'scan-alert.eml', await composeEml(alertMail))
  const notices: string[] = []
  for (const n of noticeMails) notices.push(await writeInside(opts.outDir, n.file, await composeEml(n.mail)))
  if (named.size) warnings.push('lease sources hold no customer e-mail: address the notices before sending them')
  const evidence = await writeInside(opts.outDir, 'scan-evidence.json', JSON.stringify(result, null, 2) + '\n')
  return {alert, notices, evidence, warnings}
}
