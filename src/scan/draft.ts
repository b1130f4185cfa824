/**
 * `natrace scan --draft DIR`: an alert e-mail to the operator's abuse desk (the digest) and one notice per named
 * customer whose device scanned out, plus the detections as JSON evidence. Drafts only: nothing is sent. Messages
 * are composed by nodemailer's MailComposer (src/draft/mail.ts); log text in them is stripped of controls.
 * Lease sources hold no customer e-mail: notices are written without a To, for the operator to address.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {loadOperatorConfig} from '../draft/config.js'
import {composeEml, safeMailboxes, type Mailbox} from '../draft/mail.js'
import {UsageError} from '../io/errors.js'
import {oneLineSafe, stripControls} from '../io/sanitize.js'
import {formatInZone, systemZone, toZone} from '../io/time.js'
import {renderScanText} from './render.js'
import type {DetectionOut, ScanResult} from './run.js'

export interface ScanDraftOptions {
  outDir: string
  /** operator config file (default: natrace.config.json / ~/.config/natrace/config.json) */
  config?: string
  /** language of customer notices: en, pt-BR, es (default: the config's customerLanguage, else en) */
  lang?: string
  now?: Date
}

export interface ScanDraftFiles {
  alert: string
  notices: string[]
  evidence: string
  warnings: string[]
}

type Lang = 'en' | 'pt-BR' | 'es'

const TEXT: Record<Lang, {subject: string; hello: string; body: (x: NoticeFacts) => string; advice: string; bye: string}> = {
  en: {
    subject: 'Security notice: a device on your connection is scanning the Internet',
    hello: 'Dear customer,',
    body: (x) =>
      `our network monitoring saw the device with hardware address ${x.mac}${x.host ? ` ("${x.host}")` : ''}, connected to our network as ${x.ip}, try to open connections to ${x.hosts} address(es) on ${x.ports} between ${x.first} and ${x.last}. This pattern is typical of malicious software (for example Mirai on cameras and routers) or of scanning tools, and it harms other networks.`,
    advice: 'Please check that device: update its software or firmware, change default passwords, remove software you do not know, and disable remote access you do not use. Reply to this message if you need help or believe this is a mistake.',
    bye: 'Kind regards,',
  },
  'pt-BR': {
    subject: 'Aviso de segurança: um dispositivo da sua conexão está fazendo varreduras na Internet',
    hello: 'Prezado(a) cliente,',
    body: (x) =>
      `o monitoramento da nossa rede observou o dispositivo de endereço físico ${x.mac}${x.host ? ` ("${x.host}")` : ''}, conectado à nossa rede como ${x.ip}, tentando abrir conexões com ${x.hosts} endereço(s) em ${x.ports} entre ${x.first} e ${x.last}. Esse padrão é típico de programas maliciosos (por exemplo o Mirai em câmeras e roteadores) ou de ferramentas de varredura, e prejudica outras redes.`,
    advice: 'Por favor, verifique esse dispositivo: atualize o software ou firmware, troque senhas padrão, remova programas que não conhece e desative acessos remotos que não usa. Responda a esta mensagem se precisar de ajuda ou achar que se trata de um engano.',
    bye: 'Atenciosamente,',
  },
  es: {
    subject: 'Aviso de seguridad: un dispositivo de su conexión está escaneando Internet',
    hello: 'Estimado/a cliente:',
    body: (x) =>
      `el monitoreo de nuestra red observó el dispositivo con dirección física ${x.mac}${x.host ? ` ("${x.host}")` : ''}, conectado a nuestra red como ${x.ip}, intentando abrir conexiones con ${x.hosts} dirección(es) en ${x.ports} entre ${x.first} y ${x.last}. Este patrón es típico de software malicioso (por ejemplo Mirai en cámaras y routers) o de herramientas de escaneo, y perjudica a otras redes.`,
    advice: 'Por favor revise ese dispositivo: actualice su software o firmware, cambie las contraseñas por defecto, elimine programas que no conozca y desactive accesos remotos que no utilice. Responda a este mensaje si necesita ayuda o cree que se trata de un error.',
    bye: 'Atentamente,',
  },
}

interface NoticeFacts {
  mac: string
  host: string | null
  ip: string
  hosts: number
  ports: string
  first: string
  last: string
}

function langOf(text: string | undefined): Lang {
  if (!text) return 'en'
  const t = text.toLowerCase()
  if (t.startsWith('pt')) return 'pt-BR'
  if (t.startsWith('es')) return 'es'
  if (t.startsWith('en')) return 'en'
  throw new UsageError(`--lang: notices are written in en, pt-BR or es, not "${text}"`)
}

function portsText(ds: DetectionOut[]): string {
  const sigs = [...new Set(ds.flatMap((d) => d.signatures.map((s) => s.replace(/:.*$/, ''))))]
  const ranges = ds.flatMap((d) => d.targets.portRanges.map((r) => `${r.protocol.toUpperCase()} ${r.from === r.to ? r.from : `${r.from}-${r.to}`}`))
  return oneLineSafe(`${[...new Set(ranges)].join(', ')}${sigs.length ? ` (${sigs.slice(0, 3).join('; ')})` : ''}`)
}

export async function writeScanDrafts(result: ScanResult, opts: ScanDraftOptions): Promise<ScanDraftFiles> {
  const cfg = await loadOperatorConfig(opts.config)
  const warnings: string[] = []
  const lang = langOf(opts.lang ?? cfg.customerLanguage)
  const zone = cfg.timeZone ?? systemZone()
  try {
    toZone(zone)
  } catch {
    throw new UsageError(`the config's timeZone "${zone}" is not a known zone`)
  }
  const from: Mailbox = safeMailboxes([cfg.from], (m) => warnings.push(m), 'config "from"')[0] ?? {name: 'Abuse desk', address: 'abuse@example.invalid'}
  if (!cfg.from) warnings.push('no operator config (natrace.config.json) with "from": drafts use abuse@example.invalid')
  const desk = safeMailboxes([cfg.abuseAddress ?? cfg.from], (m) => warnings.push(m), 'config "abuseAddress"')[0] ?? from
  const customerFrom = safeMailboxes([cfg.customerFrom], (m) => warnings.push(m), 'config "customerFrom"')[0] ?? from
  const sign = [cfg.signature ? stripControls(cfg.signature) : '', cfg.organisation ? oneLineSafe(cfg.organisation) : ''].filter(Boolean).join('\n')
  const date = opts.now ?? new Date()
  await mkdir(opts.outDir, {recursive: true})

  const scans = result.detections.filter((d) => d.kind !== 'p2p')
  const named = new Map<string, DetectionOut[]>()
  for (const d of scans) {
    if (d.direction !== 'out' || d.source.attribution !== 'attributed' || !d.source.mac) continue
    const l = named.get(d.source.mac)
    if (l) l.push(d)
    else named.set(d.source.mac, [d])
  }
  const alertText = [
    `natrace scan found ${scans.length} scan(s); ${named.size} customer device(s) named (notices drafted in this directory).`,
    '',
    renderScanText(result),
    '',
    sign,
  ].join('\n')
  const alert = join(opts.outDir, 'scan-alert.eml')
  await writeFile(
    alert,
    await composeEml({from, to: [desk], subject: `natrace scan: ${scans.length} scan(s), ${named.size} customer device(s) named`, text: alertText, date, autoSubmitted: true}),
  )
  const notices: string[] = []
  const t = TEXT[lang]
  for (const [mac, ds] of named) {
    const first = ds.reduce((m, d) => (d.firstSeen < m ? d.firstSeen : m), ds[0]!.firstSeen)
    const last = ds.reduce((m, d) => (d.lastSeen > m ? d.lastSeen : m), ds[0]!.lastSeen)
    const facts: NoticeFacts = {
      mac,
      host: ds[0]!.source.hostname ? oneLineSafe(ds[0]!.source.hostname) : null,
      ip: ds[0]!.source.ip,
      hosts: ds.reduce((n, d) => n + d.targets.hosts, 0),
      ports: portsText(ds),
      first: formatInZone(Date.parse(first), zone),
      last: formatInZone(Date.parse(last), zone),
    }
    const text = [t.hello, '', t.body(facts), '', t.advice, '', t.bye, sign].join('\n')
    const file = join(opts.outDir, `notice-${mac.replace(/:/g, '-')}.eml`)
    await writeFile(file, await composeEml({from: customerFrom, to: [], subject: t.subject, text, date}))
    notices.push(file)
  }
  if (named.size) warnings.push('lease sources hold no customer e-mail: address the notices before sending them')
  const evidence = join(opts.outDir, 'scan-evidence.json')
  await writeFile(evidence, JSON.stringify(result, null, 2) + '\n')
  return {alert, notices, evidence, warnings}
}
