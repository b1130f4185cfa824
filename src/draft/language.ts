/**
 * Which language a draft is written in. The reporter gets their own language: pt-BR for the Brazilian
 * CERT/NIC senders (registro.br, cert.br, nic.br) or a Portuguese report, es for a Spanish one, en otherwise.
 */
import type {AttributionResult} from '../model.js'

/** Languages with shipped templates. */
export const SHIPPED_LANGUAGES = ['pt-BR', 'en', 'es'] as const

const PT_BR_SENDERS = /(?:^|[.@])(?:registro\.br|cert\.br|nic\.br)$/i

/**
 * Normalises a user- or report-given tag: "pt", "pt_br", "PT-BR" → "pt-BR"; "es-AR", "es_419" → "es";
 * "en-GB" → "en". Other tags are returned trimmed in BCP-47 case (their templates must come from --templates).
 */
export function normalizeLang(tag: string): string {
  const t = tag.trim().replace(/_/g, '-')
  const [primary = '', region] = t.split('-')
  const p = primary.toLowerCase()
  if (p === 'pt') return 'pt-BR'
  if (p === 'es' || p === 'en') return p
  return region ? `${p}-${region.toUpperCase()}` : p
}

function domainOf(address: string | null): string | null {
  if (!address) return null
  const m = /@([^\s>@]+)>?\s*$/.exec(address)
  return m ? m[1]!.toLowerCase() : null
}

/** The reporter's language for the reply: override, then sender, then the report's language, else English. */
export function replyLanguage(report: AttributionResult['report'], override?: string): string {
  if (override && override.trim()) return normalizeLang(override)
  const domain = domainOf(report.from)
  const reporter = (report.reporter ?? '').toLowerCase().trim()
  if ((domain && PT_BR_SENDERS.test(domain)) || PT_BR_SENDERS.test(reporter) || /^registro-br|^cert-br/.test(report.format)) return 'pt-BR'
  if (report.language) {
    const l = normalizeLang(report.language)
    if ((SHIPPED_LANGUAGES as readonly string[]).includes(l)) return l
  }
  // no recognisable body language: the sender's country
  const tld = domain?.split('.').pop() ?? ''
  if (tld === 'br') return 'pt-BR'
  if (SPANISH_TLDS.has(tld)) return 'es'
  return 'en'
}

/** Country domains of Spanish-speaking countries, for a report whose body language is unknown. */
const SPANISH_TLDS = new Set(['es', 'mx', 'ar', 'cl', 'co', 'pe', 've', 'ec', 'bo', 'py', 'uy', 'cr', 'pa', 'gt', 'hn', 'sv', 'ni', 'do', 'cu'])
