/**
 * Addresses at the edge: canonical IP strings (ip-num), inside-range tests, MAC normalisation.
 */
import {IPv4, IPv4CidrRange, IPv6, IPv6CidrRange, Validator, collapseIPv6Number} from 'ip-num'

/** Canonical form of an IPv4/IPv6 address (v6 lower-case compressed; v4-mapped v6 → v4), or null. */
export function canonicalIp(text: string): string | null {
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
    if (!Validator.isValidIPv6String(t)[0]) return null
    try {
      return collapseIPv6Number(IPv6.fromString(t).toString()).toLowerCase()
    } catch {
      return null
    }
  }
  return null
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

/** Private / CGNAT / ULA address: a client behind NAT. */
export function isInsideAddress(ip: string): boolean {
  if (isIPv4(ip)) {
    // fast path without BigInt for the common v4 ranges
    const [a, b] = ip.split('.').map(Number) as [number, number]
    if (a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254)) return true
    return false
  }
  return insideDefault.has(ip)
}

/**
 * Normalises a MAC in any usual writing (aa:bb:.., AA-BB-.., aabb.ccdd.eeff, aabb-ccdd-eeff, aabbccddeeff,
 * with an ISC "1:" hardware-type prefix or Windows' bare hex) to lower-case colon form, or null.
 */
export function normalizeMac(text: string): string | null {
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
