/**
 * Helpers shared by report formats: the sender organisation, body language, reply-to requests,
 * ticket tags, protocol names.
 */
import {oneLineSafe} from '../io/sanitize.js'
import type {ReportMessage} from './types.js'

/** Sender domains whose organisation name is known (for the reply's salutation). */
const ORGS: Array<[RegExp, string]> = [
  [/(^|\.)cert\.br$/i, 'CERT.br'],
  [/(^|\.)registro\.br$/i, 'Registro.br'],
  [/(^|\.)nic\.br$/i, 'NIC.br'],
  [/(^|\.)shadowserver\.org$/i, 'Shadowserver'],
  [/(^|\.)spamcop\.net$/i, 'SpamCop'],
  [/(^|\.)netcraft\.com$/i, 'Netcraft'],
  [/(^|\.)blocklist\.de$/i, 'blocklist.de'],
  [/(^|\.)abuseix\.com$/i, 'Abusix'],
]

export function domainOf(address: string | null): string | null {
  if (!address) return null
  const at = address.lastIndexOf('@')
  if (at < 0) return null
  const d = address.slice(at + 1).trim().toLowerCase().replace(/[>\s].*$/, '')
  return d || null
}

/** The sender organisation (known domains) or the From domain, or the display name. */
export function reporterOf(msg: ReportMessage): string | null {
  const d = domainOf(msg.fromAddress)
  if (d) {
    for (const [re, name] of ORGS) if (re.test(d)) return name
    return d
  }
  return msg.fromName ? oneLineSafe(msg.fromName) : null
}

const WORDS: Record<string, string[]> = {
  'pt-BR': ['não', 'você', 'para', 'com', 'uma', 'notificação', 'rede', 'seu', 'sua', 'está', 'são', 'também', 'atenciosamente', 'prezados', 'endereço', 'abaixo', 'cópia', 'responsável', 'incidente', 'máquina', 'esta', 'foi', 'pelo', 'ao', 'dos', 'das'],
  es: ['usted', 'para', 'con', 'una', 'notificación', 'red', 'su', 'está', 'también', 'saludos', 'estimados', 'dirección', 'abajo', 'copia', 'responsable', 'incidente', 'máquina', 'esta', 'fue', 'por', 'el', 'los', 'las', 'del'],
  en: ['the', 'you', 'your', 'with', 'this', 'that', 'please', 'network', 'address', 'below', 'regards', 'from', 'report', 'abuse', 'have', 'been', 'was', 'are', 'our', 'and', 'of'],
}

/** "pt-BR" / "es" / "en" by common-word counts; null when too little text to tell. */
export function detectLanguage(text: string): string | null {
  // addresses and URLs are not language ("example.com" is not Portuguese "com")
  // (each alternative starts only at a token start: a long token is scanned once, not once per position)
  const prose = text.replace(/(?<!\S)[^\s@]+@\S+|(?<![a-z])[a-z]+:\/\/\S+|(?<![\w.-])[\w-]+(?:\.[\w-]+)+/gi, ' ')
  const words = prose.toLowerCase().match(/[a-záàâãéêíóôõúüçñ]+/g) ?? []
  if (words.length < 5) return null
  const counts = new Map<string, number>()
  const sets = Object.entries(WORDS).map(([lang, ws]) => [lang, new Set(ws)] as const)
  for (const w of words) for (const [lang, set] of sets) if (set.has(w)) counts.set(lang, (counts.get(lang) ?? 0) + 1)
  // letters only Portuguese / Spanish use
  const pt = (prose.match(/[ãõç]|ção|ções/gi) ?? []).length
  const es = (prose.match(/[ñ¿¡]|ción|ciones/gi) ?? []).length
  counts.set('pt-BR', (counts.get('pt-BR') ?? 0) + pt * 2)
  counts.set('es', (counts.get('es') ?? 0) + es * 2)
  let best: string | null = null
  let bestN = 2
  for (const [lang, n] of counts) if (n > bestN) [best, bestN] = [lang, n]
  return best
}

export const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g

/**
 * Addresses the body asks replies be sent or copied to: e-mail addresses on a line that speaks of
 * copying/replying ("responda com cópia para", "copia a", "reply to", "Cc:") or on the next few non-empty
 * lines. When the request points at addresses "listed above" (acima, above, arriba), the message's Cc
 * header addresses (`listedAbove`) are included too.
 */
export function requestedReplyTo(text: string, listedAbove: string[] = []): string[] {
  const out: string[] = []
  const add = (m: string) => {
    const a = oneLineSafe(m).replace(/[.,;:]+$/, '').toLowerCase()
    if (a && !out.includes(a)) out.push(a)
  }
  const lines = text.split(/\r?\n/)
  const ASK = /\b(c[óo]pia|copy|copied|cc|reply|replies|respond|responda|responder|responde|contestar|conteste|envie|send your|answer)\b/i
  for (let i = 0; i < lines.length; i++) {
    if (!ASK.test(lines[i]!)) continue
    let seen = 0
    let found = false
    for (let j = i; j < lines.length && seen < 4; j++) {
      const l = lines[j]!
      if (!l.trim()) {
        if (found) break
        continue
      }
      seen++
      const hits = l.match(EMAIL) ?? []
      if (hits.length === 0 && found) break
      if (hits.length) found = true
      hits.forEach(add)
    }
    if (/\b(acima|above|arriba|anteriores)\b/i.test(lines.slice(i, i + 2).join(' '))) listedAbove.forEach(add)
  }
  return out
}

/** Per-sender ticket tags in subjects: [NicBr-…], [SpamCop (…) id:…], [Issue N], [CSIRT#…], [Ticket#…]. */
export function ticketFromSubject(subject: string | null): string | null {
  if (!subject) return null
  const s = oneLineSafe(subject)
  const nic = /\[\s*(NicBr-[\w-]+?)\s*\]/i.exec(s) ?? /\[\s*(CERT\.br#[\w-]+)\s*\]/i.exec(s)
  if (nic) return nic[1]!
  const sc = /\[SpamCop\s*\([^)]*\)\s*id:\s*(\d+)\s*\]/i.exec(s)
  if (sc) return sc[1]!
  const issue = /(?:^|\[|\s)Issue\s*#?\s*(\d[\w-]*)\b/i.exec(s)
  if (issue) return issue[1]!
  const inc = /\bIncident\s*\[\s*(\d[\w-]*)\s*\]/i.exec(s)
  if (inc) return inc[1]!
  const rid = /\bRID:\s*(\d[\w-]*)/i.exec(s)
  if (rid) return rid[1]!
  const tag = /\[\s*((?:CSIRT|Ticket|Case|Incident|CERT(?:-Bund)?|Abuse(?:IO)?|SIRT|CSIRT-\w+)\s*[#:-]?\s*[\w.-]*\d[\w.-]*)\s*\]/i.exec(s) ??
    /\b((?:Ticket|Case|Incident)\s*(?:ID|No\.?|Number)?\s*[#:]\s*[\w.-]*\d[\w.-]*)/i.exec(s)
  if (tag) return tag[1]!.replace(/\s+/g, ' ')
  return null
}

const PROTO_NUMBERS: Record<string, string> = {'1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '47': 'gre', '50': 'esp', '132': 'sctp'}

/** "6" → "tcp", "TCP" → "tcp"; application protocols (http, ssh) → null. */
export function transportProtocol(text: string | null | undefined): string | null {
  if (!text) return null
  const t = text.trim().toLowerCase()
  if (PROTO_NUMBERS[t]) return PROTO_NUMBERS[t]!
  if (['tcp', 'udp', 'icmp', 'sctp', 'gre', 'esp', 'icmpv6', 'ipv6-icmp'].includes(t)) return t === 'icmpv6' ? 'ipv6-icmp' : t
  return null
}

/**
 * Flat "Key: value" records (X-ARF 0.1/0.2 YAML, feedback-report fields, cyscon/webiron YAML): keys
 * lower-cased, YAML quotes and tags (!!python/unicode) removed, continuation lines joined.
 */
export function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>()
  let last: string | null = null
  for (const line of text.split(/\r?\n/)) {
    if (/^---\s*$|^\.\.\.\s*$/.test(line)) continue
    const m = /^\s{0,8}(?:-\s+)?([A-Za-z][\w./ -]{0,40}?)\s*:(?:\s+(.*)|\s*)$/.exec(line)
    if (m && !/^\s{2,}\S/.test(line.replace(/^\s*-\s+/, ''))) {
      last = m[1]!.toLowerCase().trim()
      const v = cleanYamlValue(m[2] ?? '')
      if (!out.has(last)) out.set(last, v)
      continue
    }
    if (last && /^\s+\S/.test(line) && !line.includes(': ')) out.set(last, `${out.get(last)} ${line.trim()}`.trim())
    else last = null
  }
  return out
}

function cleanYamlValue(v: string): string {
  let s = v.trim().replace(/^!!\S+\s+/, '')
  if ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"'))) s = s.slice(1, -1)
  return s.trim()
}
