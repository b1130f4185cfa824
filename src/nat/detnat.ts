/**
 * Deterministic NAT (RFC 7422, "Deterministic Address Mapping to Reduce Logging in Carrier-Grade NAT
 * Deployments"): the CGN logs nothing per subscriber because each inside address owns a fixed block of
 * ports on a fixed public address, computed from the configuration. natrace computes the same mapping,
 * both ways, from the operator's description of it:
 *
 *   100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000[,order=sequential|round-robin][,from=ISO][,to=ISO]
 *
 * INSIDE and PUBLIC are a CIDR, a first-last range ("203.0.113.1-203.0.113.30") or one address (IPv4 only,
 * like RFC 7422). ports = the translated port range (default 1024-65535), block = ports per subscriber
 * (default: the RFC's computation, floor(ports / ceil(inside / public))), from/to = the period this
 * configuration was live (ISO-8601 with an offset or Z; to is exclusive).
 *
 * The mapping: inside addresses in ascending order, each given the next free block of ports, filling one
 * public address before moving to the next (this is how we read RFC 7422 section 2 and its worked example;
 * the RFC text could not be re-checked while writing this, so the order is a setting, not a hard rule):
 *   blocksPerIp = floor((portHi − portLo + 1) / block), inside index i (0 = first inside address)
 *   order=sequential (default): public = publicFirst + floor(i / blocksPerIp), block b = i mod blocksPerIp
 *   order=round-robin (consecutive inside addresses spread over the public addresses first, an option some
 *   CGN vendors offer): public = publicFirst + (i mod publicCount), block b = floor(i / publicCount)
 *   ports = portLo + b·block … portLo + (b+1)·block − 1
 * Juniper's "Understanding Deterministic NAPT Algorithm" (MX MS-MPC and MX-SPC3) works the same way:
 * Pr_Offset = subscriber − Base_PR_Prefix (the first usable pre-NAT address), PR_Port_Offset =
 * Pr_Offset × Block_Size counted from port 1024 over the pool addresses in order, default Block_Size =
 * int(64512 / ceil(inside / public)) — which is our default too. Juniper skips the network and broadcast
 * addresses of the inside prefix unless include-boundary-addresses is set: describe such a setup with the
 * usable range ("100.64.0.1-100.64.3.254=…") so offsets start where the device's do.
 * Vendors differ in details (order, skipped addresses, the first port, what happens to the ports left over
 * after the last full block — here they belong to nobody): check the device's own mapping once against
 * `natrace detnat table`, and give the exact ranges the device uses.
 * The inverse takes (public, port) to (public index p, block b) and back to i; ports beyond the last full
 * block, or blocks no inside address owns, map to nobody (null — never a guess). A configuration whose
 * inside range needs more blocks than the public range offers is rejected: it cannot be deterministic.
 */
import {existsSync, readFileSync} from 'node:fs'
import {FixedOffsetZone} from 'luxon'
import {NatraceError, UsageError} from '../io/errors.js'
import {canonicalIp} from '../io/net.js'
import {isoUtc, parseIso} from '../io/time.js'

export type DetNatOrder = 'sequential' | 'round-robin'

export interface DetNatRule {
  /** the spec as the operator wrote it (or built from a config entry) */
  spec: string
  /** where it came from: "--det-nat" or "FILE entry N" */
  source: string
  insideFirst: number
  insideCount: number
  publicFirst: number
  publicCount: number
  portLo: number
  portHi: number
  block: number
  blocksPerIp: number
  order: DetNatOrder
  /** validity period, ms UTC, from inclusive / to exclusive; null = unbounded */
  from: number | null
  to: number | null
  /** true when block was computed (not given) */
  blockComputed: boolean
}

export interface PortRange {
  first: number
  last: number
}

export interface DetNatInsideHit {
  insideIp: string
  publicIp: string
  rule: DetNatRule
  portRange: PortRange
}

export interface DetNatOutsideHit {
  insideIp: string
  publicIp: string
  rule: DetNatRule
  portRange: PortRange
}

function v4ToInt(ip: string): number | null {
  const c = canonicalIp(ip)
  if (!c || c.includes(':')) return null
  const p = c.split('.').map(Number)
  return ((p[0]! * 256 + p[1]!) * 256 + p[2]!) * 256 + p[3]!
}

export function intToV4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** "100.64.0.0/22", "203.0.113.1-203.0.113.30", "203.0.113.7" → first address and count. */
function v4Range(text: string, what: string): {first: number; count: number} {
  const t = text.trim()
  if (t.includes(':')) throw new UsageError(`--det-nat: ${what} "${t}": deterministic NAT (RFC 7422) is IPv4 only`)
  const slash = t.indexOf('/')
  if (slash >= 0) {
    const base = v4ToInt(t.slice(0, slash))
    const len = /^\d{1,2}$/.test(t.slice(slash + 1)) ? Number(t.slice(slash + 1)) : NaN
    if (base === null || !(len >= 0 && len <= 32)) throw new UsageError(`--det-nat: ${what} "${t}" is not an IPv4 network (e.g. 100.64.0.0/22)`)
    const size = 2 ** (32 - len)
    if (base % size !== 0) throw new UsageError(`--det-nat: ${what} "${t}" has host bits set (the network is ${intToV4(base - (base % size))}/${len})`)
    return {first: base, count: size}
  }
  const dash = t.indexOf('-')
  if (dash >= 0) {
    const a = v4ToInt(t.slice(0, dash))
    const b = v4ToInt(t.slice(dash + 1))
    if (a === null || b === null || b < a) throw new UsageError(`--det-nat: ${what} "${t}" is not an IPv4 range first-last (e.g. 203.0.113.1-203.0.113.30)`)
    return {first: a, count: b - a + 1}
  }
  const a = v4ToInt(t)
  if (a === null) throw new UsageError(`--det-nat: ${what} "${t}" is not an IPv4 address, range or network`)
  return {first: a, count: 1}
}

function instant(text: string, key: string): number {
  const r = parseIso(text, FixedOffsetZone.utcInstance)
  if (!r) throw new UsageError(`--det-nat: ${key}="${text}" is not an ISO-8601 time (e.g. 2025-01-01T00:00:00Z)`)
  if (!r.stated) throw new UsageError(`--det-nat: ${key}="${text}" has no zone: write it with Z or an offset (e.g. 2025-01-01T00:00:00-03:00)`)
  return r.ms
}

/**
 * Parses one deterministic NAT description. Throws UsageError with a one-line explanation of what is wrong
 * (bad network, port range, block size, a mapping that does not fit, a validity period without a zone).
 */
export function parseDetNatSpec(text: string, source = '--det-nat'): DetNatRule {
  const spec = text.trim()
  const parts = spec.split(',').map((s) => s.trim())
  const head = parts.shift() ?? ''
  const eq = head.indexOf('=')
  if (eq < 0) throw new UsageError(`--det-nat "${spec}": expected INSIDE=PUBLIC,ports=LO-HI,block=N (e.g. 100.64.0.0/22=203.0.113.0/27,ports=1024-65535,block=2000)`)
  const inside = v4Range(head.slice(0, eq), 'inside')
  const pub = v4Range(head.slice(eq + 1), 'public')
  let portLo = 1024
  let portHi = 65535
  let block: number | null = null
  let order: DetNatOrder = 'sequential'
  let from: number | null = null
  let to: number | null = null
  for (const p of parts) {
    if (p === '') continue
    const i = p.indexOf('=')
    const key = (i < 0 ? p : p.slice(0, i)).trim().toLowerCase()
    const val = i < 0 ? '' : p.slice(i + 1).trim()
    if (key === 'ports') {
      const m = /^(\d{1,5})-(\d{1,5})$/.exec(val)
      if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) throw new UsageError(`--det-nat: ports="${val}" must be LO-HI within 0-65535 (e.g. ports=1024-65535)`)
      portLo = Number(m[1])
      portHi = Number(m[2])
    } else if (key === 'block') {
      if (!/^\d{1,5}$/.test(val) || Number(val) < 1) throw new UsageError(`--det-nat: block="${val}" must be a number of ports per subscriber (e.g. block=2000)`)
      block = Number(val)
    } else if (key === 'order') {
      if (val !== 'sequential' && val !== 'round-robin') throw new UsageError(`--det-nat: order="${val}" must be sequential or round-robin`)
      order = val
    } else if (key === 'from') from = instant(val, 'from')
    else if (key === 'to') to = instant(val, 'to')
    else throw new UsageError(`--det-nat: unknown setting "${key}" (known: ports, block, order, from, to)`)
  }
  const nPorts = portHi - portLo + 1
  const blockComputed = block === null
  if (block === null) block = Math.floor(nPorts / Math.ceil(inside.count / pub.count))
  if (block < 1) throw new UsageError(`--det-nat "${spec}": ${inside.count} inside addresses do not fit in ${pub.count} public address(es) × ${nPorts} ports`)
  if (block > nPorts) throw new UsageError(`--det-nat: block=${block} is larger than the port range ${portLo}-${portHi} (${nPorts} ports)`)
  const blocksPerIp = Math.floor(nPorts / block)
  if (blocksPerIp * pub.count < inside.count)
    throw new UsageError(
      `--det-nat "${spec}": does not fit — ${inside.count} inside addresses need ${inside.count} blocks, but ${pub.count} public address(es) × ${blocksPerIp} blocks of ${block} ports = ${blocksPerIp * pub.count}`,
    )
  if (from !== null && to !== null && to <= from) throw new UsageError(`--det-nat: to (${isoUtc(to)}) is not after from (${isoUtc(from)})`)
  return {spec, source, insideFirst: inside.first, insideCount: inside.count, publicFirst: pub.first, publicCount: pub.count, portLo, portHi, block, blocksPerIp, order, from, to, blockComputed}
}

/** The rule's inside / public ranges in the form they were given back (for output). */
export function describeRule(r: DetNatRule): {inside: string; public: string; ports: string; block: number; blocksPerPublicIp: number; order: DetNatOrder; from: string | null; to: string | null} {
  const range = (first: number, count: number) => (count === 1 ? intToV4(first) : `${intToV4(first)}-${intToV4(first + count - 1)}`)
  return {
    inside: range(r.insideFirst, r.insideCount),
    public: range(r.publicFirst, r.publicCount),
    ports: `${r.portLo}-${r.portHi}`,
    block: r.block,
    blocksPerPublicIp: r.blocksPerIp,
    order: r.order,
    from: r.from === null ? null : isoUtc(r.from),
    to: r.to === null ? null : isoUtc(r.to),
  }
}

function live(r: DetNatRule, ms: number | null): boolean {
  if (ms === null) return true
  return (r.from === null || ms >= r.from) && (r.to === null || ms < r.to)
}

/** Public address index and block of inside index i. */
function slotOf(r: DetNatRule, i: number): {p: number; b: number} {
  return r.order === 'sequential' ? {p: Math.floor(i / r.blocksPerIp), b: i % r.blocksPerIp} : {p: i % r.publicCount, b: Math.floor(i / r.publicCount)}
}

function rangeOf(r: DetNatRule, b: number): PortRange {
  const first = r.portLo + b * r.block
  return {first, last: first + r.block - 1}
}

/** Every rule live at `ms` (null: any time) that maps public:port to an inside address. */
export function detNatInsideAll(rules: readonly DetNatRule[], publicIp: string, port: number, ms: number | null): DetNatInsideHit[] {
  const pub = v4ToInt(publicIp)
  if (pub === null || !Number.isInteger(port)) return []
  const out: DetNatInsideHit[] = []
  for (const r of rules) {
    if (!live(r, ms)) continue
    const p = pub - r.publicFirst
    if (p < 0 || p >= r.publicCount) continue
    if (port < r.portLo || port > r.portHi) continue
    const b = Math.floor((port - r.portLo) / r.block)
    if (b >= r.blocksPerIp) continue // the leftover ports after the last full block belong to nobody
    const i = r.order === 'sequential' ? p * r.blocksPerIp + b : b * r.publicCount + p
    if (i >= r.insideCount) continue
    out.push({insideIp: intToV4(r.insideFirst + i), publicIp: intToV4(pub), rule: r, portRange: rangeOf(r, b)})
  }
  return out
}

/**
 * The inside address that owned public:port at `ms` (null: ignore validity periods), or null when no rule
 * maps it — or when live rules disagree (then use detNatInsideAll to list them: never pick one).
 */
export function detNatInside(rules: readonly DetNatRule[], publicIp: string, port: number, ms: number | null): DetNatInsideHit | null {
  const all = detNatInsideAll(rules, publicIp, port, ms)
  if (all.length === 0) return null
  return all.every((h) => h.insideIp === all[0]!.insideIp) ? all[0]! : null
}

/** Every rule live at `ms` that maps this inside address, with its public address and port range. */
export function detNatOutsideAll(rules: readonly DetNatRule[], insideIp: string, ms: number | null): DetNatOutsideHit[] {
  const ins = v4ToInt(insideIp)
  if (ins === null) return []
  const out: DetNatOutsideHit[] = []
  for (const r of rules) {
    if (!live(r, ms)) continue
    const i = ins - r.insideFirst
    if (i < 0 || i >= r.insideCount) continue
    const {p, b} = slotOf(r, i)
    out.push({insideIp: intToV4(ins), publicIp: intToV4(r.publicFirst + p), rule: r, portRange: rangeOf(r, b)})
  }
  return out
}

/** The public address and port range of an inside address at `ms`, or null when none or ambiguous. */
export function detNatOutside(rules: readonly DetNatRule[], insideIp: string, ms: number | null): DetNatOutsideHit | null {
  const all = detNatOutsideAll(rules, insideIp, ms)
  if (all.length === 0) return null
  const a = all[0]!
  return all.every((h) => h.publicIp === a.publicIp && h.portRange.first === a.portRange.first && h.portRange.last === a.portRange.last) ? a : null
}

/** The whole mapping of a rule, inside address by inside address. */
export function* detNatTable(r: DetNatRule): Generator<{insideIp: string; publicIp: string; portRange: PortRange}> {
  for (let i = 0; i < r.insideCount; i++) {
    const {p, b} = slotOf(r, i)
    yield {insideIp: intToV4(r.insideFirst + i), publicIp: intToV4(r.publicFirst + p), portRange: rangeOf(r, b)}
  }
}

interface ConfigEntry {
  spec?: string
  inside?: string
  public?: string
  ports?: string
  block?: number | string
  order?: string
  from?: string
  to?: string
}

/**
 * A JSON config file: a list of specs or of objects ({spec} or {inside, public, ports, block, order}) with
 * optional from/to, either bare or as {"rules": [...]}. Throws NatraceError naming the file and entry.
 */
export function parseDetNatConfig(text: string, file: string): DetNatRule[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new NatraceError(`not valid JSON (${(e as Error).message.split('\n')[0]}); expected a list of deterministic NAT rules`, 1, file)
  }
  const list = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as {rules?: unknown}).rules) ? (data as {rules: unknown[]}).rules : null
  if (!list || list.length === 0) throw new NatraceError('expected a non-empty list of rules, or {"rules": [...]}', 1, file)
  return list.map((entry, n) => {
    const where = `${file} entry ${n + 1}`
    let spec: string
    if (typeof entry === 'string') spec = entry
    else if (entry && typeof entry === 'object') {
      const e = entry as ConfigEntry
      if (typeof e.spec === 'string') spec = e.spec
      else if (typeof e.inside === 'string' && typeof e.public === 'string') {
        spec = `${e.inside}=${e.public}`
        if (e.ports !== undefined) spec += `,ports=${e.ports}`
        if (e.block !== undefined) spec += `,block=${e.block}`
        if (e.order !== undefined) spec += `,order=${e.order}`
      } else throw new NatraceError(`${where}: needs "spec" or "inside" and "public"`, 1, file)
      if (typeof e.from === 'string') spec += `,from=${e.from}`
      if (typeof e.to === 'string') spec += `,to=${e.to}`
    } else throw new NatraceError(`${where}: expected a string or an object`, 1, file)
    try {
      return parseDetNatSpec(spec, where)
    } catch (err) {
      if (err instanceof NatraceError) throw new NatraceError(`${where}: ${err.message.replace(/^--det-nat:?\s*/, '')}`, err.exitCode, file)
      throw err
    }
  })
}

/** --det-nat values: each a spec, or the path of a JSON config file. */
export function loadDetNat(values: readonly string[]): DetNatRule[] {
  const rules: DetNatRule[] = []
  for (const v of values) {
    if (!v.includes('=') && existsSync(v)) rules.push(...parseDetNatConfig(readFileSync(v, 'utf8'), v))
    else if (!v.includes('=') && (v.endsWith('.json') || v.includes('/'))) throw new NatraceError(`--det-nat ${v}: no such file`, 2)
    else rules.push(parseDetNatSpec(v))
  }
  return rules
}
