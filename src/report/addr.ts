/**
 * Addresses in report text: IPv4/IPv6 with optional ports in the writings reports use
 * (1.2.3.4:80, 1.2.3.4/80, 1.2.3.4.80, [2001:db8::1]:80, 2001:db8::1.80 (tcpdump), 1.2.3.4 port 80),
 * and masked addresses (x.x.x.x, xxx.xxx.3.103, 200.160.x.x, 200.160.*.*).
 */
import {canonicalIp} from '../io/net.js'

export interface AddrToken {
  /** canonical IP, or null when masked */
  ip: string | null
  masked: boolean
  /** the raw text of the address (without port) */
  text: string
  port: number | null
  index: number
  length: number
}

const OCTET_OR_MASK = '(?:\\d{1,3}|[xX*#]{1,3})'
const V4 = `${OCTET_OR_MASK}(?:\\.${OCTET_OR_MASK}){3}`
const V6 = '(?:\\[?[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:%\\w+)?\\]?)'
// port separators: ":" "/" "." (tcpdump v4) or "#"; or " port N"
const TOKEN = new RegExp(`(?<![\\w.:/-])(${V4}|${V6})(?:([:/.#])(\\d{1,5})(?![\\d.]))?(?:\\s+port\\s+(\\d{1,5}))?(?![\\w:])`, 'g')

function validPort(s: string | undefined): number | null {
  if (s === undefined) return null
  const n = Number(s)
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null
}

/** All IPv4/IPv6 addresses (and masked v4 addresses) in a text, in order. */
export function findAddresses(text: string): AddrToken[] {
  const out: AddrToken[] = []
  TOKEN.lastIndex = 0
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    let raw = m[1]!
    let sep = m[2]
    let portText = m[3] ?? m[4]
    const v6 = raw.includes(':')
    if (v6) {
      // tcpdump writes v6 ports after a dot; a bracketed form after a colon
      if (sep === ':' && !raw.endsWith(']')) {
        // "2001:db8::1:80" is ambiguous: keep it all as the address
        raw = `${raw}:${portText}`
        sep = undefined
        portText = m[4]
      }
      // "15:53:34" is a time, not an address: a v6 address has "::" or 7 colons
      const colons = raw.split(':').length - 1
      if (!raw.includes('::') && colons !== 7) continue
      const ip = canonicalIp(raw)
      if (!ip) continue
      out.push({ip, masked: false, text: raw.replace(/^\[|\]$/g, ''), port: validPort(portText), index: m.index, length: m[0].length})
      continue
    }
    const octets = raw.split('.')
    const masked = octets.some((o) => !/^\d+$/.test(o))
    if (masked) {
      // at least one masked octet AND not a plain word: "x.x.x.x", "xxx.xxx.3.103", "200.160.x.x"
      if (octets.some((o) => /^\d+$/.test(o) && Number(o) > 255)) continue
      out.push({ip: null, masked: true, text: raw, port: validPort(portText), index: m.index, length: m[0].length})
      continue
    }
    const ip = canonicalIp(raw)
    if (!ip) continue
    // "1.2.3.4.80" only when the separator is a dot and the 5th part is a port
    out.push({ip, masked: false, text: raw, port: sep === '.' || sep === ':' || sep === '/' || sep === '#' ? validPort(portText) : validPort(m[4]), index: m.index, length: m[0].length})
  }
  return out
}

/** Adds the v4 forms "a.b.c.d" of a text's addresses, for quick checks. */
export function hasAddress(text: string): boolean {
  return findAddresses(text).some((a) => a.ip !== null)
}
