/**
 * Addresses at the edge: canonical IP strings (ip-num), inside-range tests, MAC normalisation.
 */
import {IPv4, IPv4CidrRange, IPv6, IPv6CidrRange} from 'ip-num'

/** Canonical form of an IPv4/IPv6 address (v6 lower-case compressed; v4-mapped v6 → v4), or null. */
export function canonicalIp(text: string): string | null {
  // a canonical dotted quad (most addresses in most lines) is its own canonical form
  if (quadKey(text) !== 0) return text
  let t = text.trim()
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1)
  t = t.replace(/%[\w.-]+$/, '') // zone index / route domain
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(t)) {
    const parts = t.split('.').map(Number)
    if (parts.some((p) => p > 255)) return null
    return parts.join('.')
  }
  if (t.includes(':') && /^[0-9a-fA-F:.]+$/.test(t)) {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(t)
    if (mapped) return canonicalIp(mapped[1]!)
    const groups = v6Groups(t)
    return groups ? compressV6(groups) : null
  }
  return null
}

/**
 * The eight 16-bit groups of an IPv6 address in any valid writing (with "::", leading zeros, an IPv4 tail),
 * or null. Hand-written because it runs on every IPv6 log line; checked against ip-num in the tests.
 */
export function v6Groups(text: string): number[] | null {
  let s = text
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.', lastColon)) {
    const q = s.slice(lastColon + 1).split('.')
    if (q.length !== 4 || q.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return null
    const [a, b, c, d] = q.map(Number) as [number, number, number, number]
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const dbl = s.indexOf('::')
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null
  let parts: string[]
  if (dbl >= 0) {
    const head = dbl === 0 ? [] : s.slice(0, dbl).split(':')
    const tail = dbl + 2 === s.length ? [] : s.slice(dbl + 2).split(':')
    const missing = 8 - head.length - tail.length
    if (missing < 1) return null
    parts = [...head, ...Array<string>(missing).fill('0'), ...tail]
  } else parts = s.split(':')
  if (parts.length !== 8) return null
  const out: number[] = []
  for (const p of parts) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null
    out.push(parseInt(p, 16))
  }
  return out
}

/** RFC 5952 text of eight groups: lower case, no leading zeros, the longest (leftmost) run of ≥2 zero groups as "::". */
export function compressV6(g: number[]): string {
  let bestAt = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i]
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (bestAt < 0) return hex.join(':')
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`
}

export function isIPv4(ip: string): boolean {
  return ip.includes('.') && !ip.includes(':')
}

/** Address blocks that are "inside" by default: RFC 1918, RFC 6598 CGNAT shared space, ULA, link-local. */
export const DEFAULT_INSIDE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10']

export class CidrSet {
  private v4: IPv4CidrRange[] = []
  private v6: IPv6CidrRange[] = []

  constructor(cidrs: string[]) {
    for (const c of cidrs) this.add(c)
  }

  /** throws Error with the bad value on an invalid CIDR */
  add(cidr: string): void {
    const c = cidr.includes('/') ? cidr.trim() : `${cidr.trim()}/${cidr.includes(':') ? 128 : 32}`
    const [addr, len] = c.split('/')
    const ip = canonicalIp(addr ?? '')
    if (!ip) throw new Error(`not an IP network: ${cidr}`)
    try {
      if (isIPv4(ip)) this.v4.push(IPv4CidrRange.fromCidr(`${ip}/${len}`))
      else this.v6.push(IPv6CidrRange.fromCidr(`${ip}/${len}`))
    } catch {
      throw new Error(`not an IP network: ${cidr}`)
    }
  }

  has(ip: string): boolean {
    try {
      if (isIPv4(ip)) {
        const a = IPv4.fromString(ip).value
        return this.v4.some((r) => a >= r.getFirst().value && a <= r.getLast().value)
      }
      const a = IPv6.fromString(ip).value
      return this.v6.some((r) => a >= r.getFirst().value && a <= r.getLast().value)
    } catch {
      return false
    }
  }
}

const insideDefault = new CidrSet(DEFAULT_INSIDE)

/**
 * The IPv4 part of DEFAULT_INSIDE by the first two octets (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16):
 * the one place the rule is written, for the callers that already hold the octets (fast paths keyed by int32).
 */
export function isInsideV4(a: number, b: number): boolean {
  return a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254)
}

/** Private / CGNAT / ULA address: a client behind NAT. */
export function isInsideAddress(ip: string): boolean {
  if (isIPv4(ip)) {
    // fast path without BigInt or allocation for the common v4 ranges (runs on every log line)
    const d1 = ip.indexOf('.')
    const d2 = ip.indexOf('.', d1 + 1)
    const a = +ip.slice(0, d1)
    const b = +ip.slice(d1 + 1, d2)
    return isInsideV4(a, b)
  }
  return insideDefault.has(ip)
}

/**
 * Normalises a MAC in any usual writing (aa:bb:.., AA-BB-.., aabb.ccdd.eeff, aabb-ccdd-eeff, aabbccddeeff,
 * with an ISC "1:" hardware-type prefix or Windows' bare hex) to lower-case colon form, or null.
 */
export function normalizeMac(text: string): string | null {
  if (text.length === 17 && canonicalMacAt(text, 0)) return text
  let t = text.trim().toLowerCase()
  t = t.replace(/^(?:1,|1:|01:)(?=(?:[0-9a-f]{1,2}[:-]){5}[0-9a-f]{1,2}$)/, '')
  let hex: string
  if (/^([0-9a-f]{1,2}[:-]){5}[0-9a-f]{1,2}$/.test(t)) {
    hex = t
      .split(/[:-]/)
      .map((p) => p.padStart(2, '0'))
      .join('')
  } else if (/^[0-9a-f]{4}([.-])[0-9a-f]{4}\1[0-9a-f]{4}$/.test(t)) hex = t.replace(/[.-]/g, '')
  else if (/^[0-9a-f]{12}$/.test(t)) hex = t
  else return null
  return hex.match(/../g)!.join(':')
}

/** "aa:bb:cc:dd:ee:ff" in lower-case hex at t[at] (17 characters), normalizeMac's form, as RouterOS and most lease sources write it */
export function canonicalMacAt(t: string, at: number): boolean {
  for (let i = 0; i < 17; i++) {
    const c = t.charCodeAt(at + i)
    if (i % 3 === 2 ? c !== 58 : !((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * A canonical dotted quad (no leading zeros, as canonicalIp writes it) as a non-zero int32, else 0 (also for
 * 0.0.0.0): one key per address string, so a table keyed by it finds exactly what a Map keyed by the string does.
 */
export function quadKey(ip: string): number {
  const n = ip.length
  if (n < 7 || n > 15) return 0
  let k = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = ip.charCodeAt(i)
    if (c === 46) {
      if (digits === 0) return 0
      k = (k << 8) | octet
      octet = 0
      digits = 0
      dots++
      continue
    }
    const d = c - 48
    if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return 0
    octet = octet * 10 + d
    digits++
    if (octet > 255) return 0
  }
  if (dots !== 3 || digits === 0) return 0
  return (k << 8) | octet
}

/** The dotted quad of a quadKey. */
export function keyToIpv4(k: number): string {
  return `${(k >>> 24) & 255}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`
}
