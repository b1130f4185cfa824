/**
 * ISC dhcpd (and OpenBSD dhcpd) lease database: `dhcpd.leases`, `dhcpd.leases~`.
 *
 *   lease 192.168.0.23 {
 *     starts 2 2013/06/18 18:40:12;     <- UTC (dhcpd.leases(5)); or "starts epoch 1371580812; # local comment"
 *     ends 2 2013/06/18 20:40:12;       <- or "ends never;"
 *     binding state active;             <- free | active | expired | released | abandoned | backup | reset | bootp
 *     hardware ethernet 00:1e:c2:aa:bb:cc;
 *     client-hostname "joao-pc";
 *   }
 *
 * The file is a journal: dhcpd appends a new block for an IP at every change and rewrites the file (keeping
 * only the newest block per IP) about hourly. So it holds recent history only, and `starts` of an active
 * block is the time of the LAST renewal, not of the first assignment — we never read more into it.
 *
 * What one block proves (our choice, documented):
 * - active / bootp / (no state: OpenBSD, dhcpd 2):  `lease` event: the MAC held the IP from `starts` to `ends`
 *   (`ends never` → leaseEnd null = open-ended).
 * - free / expired / backup / reset WITH a hardware line: the block keeps the PAST lease of that hardware
 *   (`ends` = when it ended, `tstp`/`cltt` agree): a `lease` event [starts, ends] plus an `expire` event at
 *   `ends`, so a newer block that ends earlier than an older one (early release) closes the holding there.
 * - released: the same, with a `release` event at `ends` (dhcpd sets ends = release time): no grace after it.
 * - free/backup/... without a hardware line: proves nothing about a client → no event.
 * - abandoned: dhcpd found the address in use by a device that holds no lease (ping answer, DHCPDECLINE).
 *   A `lease` event with mac null over [starts, ends]: "an unknown device used it". Any hardware line left
 *   in an abandoned block is the client that DECLINED (the victim), never the user: it is ignored.
 * The `# …` comments after `epoch N;` are local-time renderings and are never read (they can be wrong).
 */
import type {LeaseFormat} from '../registry.js'
import type {ParseContext} from '../../io/format.js'
import type {Line} from '../../io/lines.js'
import type {LeaseEvent} from '../../model.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf, unquoteIsc} from '../common.js'

interface Block {
  ip: string | null
  ipText: string
  first: Line
  texts: string[]
  depth: number
  starts?: number | null
  ends?: number | null
  /** ends said "never" */
  never?: boolean
  state?: string
  hw?: string
  hostname?: string | null
  bad?: string
}

const OPEN = /^lease\s+([0-9a-fA-F.:]+)\s*\{/
const DATE = /^(?:\d\s+)?(\d{4})\/(\d{1,2})\/(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s+UTC)?$/i

/** "2 2013/06/18 18:40:12" (UTC), "epoch 1371580812", "never" → ms, null (never), or undefined (unreadable) */
export function iscTime(value: string): number | null | undefined {
  const v = value.trim()
  if (/^never$/i.test(v)) return null
  const ep = /^epoch\s+(\d+)$/i.exec(v)
  if (ep) return Number(ep[1]) * 1000
  const m = DATE.exec(v)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined
  return Date.UTC(y, mo - 1, d, h, mi, s)
}

/** split statements at ';' outside quoted strings */
const STMT = /;(?=(?:[^"]*"[^"]*")*[^"]*$)/

/** braces outside quoted strings */
function braceDelta(s: string): number {
  let d = 0
  let q = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\' && q) i++
    else if (c === '"') q = !q
    else if (!q && c === '#') break
    else if (!q && c === '{') d++
    else if (!q && c === '}') d--
  }
  return d
}

function statement(b: Block, raw: string): void {
  // drop the "# comment" (outside quotes) and the final ';'
  let s = raw.trim()
  const hash = s.search(/;\s*#/)
  if (hash >= 0) s = s.slice(0, hash + 1)
  s = s.replace(/;\s*$/, '').trim()
  if (s === '' || s.startsWith('}') || s.startsWith('#')) return
  const sp = s.indexOf(' ')
  const key = (sp < 0 ? s : s.slice(0, sp)).toLowerCase()
  const rest = sp < 0 ? '' : s.slice(sp + 1).trim()
  if (b.depth > 1) return // inside "on commit { … }" and similar nested blocks
  switch (key) {
    case 'starts':
    case 'ends': {
      const t = iscTime(rest)
      if (t === undefined) b.bad ??= `unreadable "${key}" time "${rest}"`
      else if (key === 'starts') b.starts = t
      else {
        b.ends = t
        b.never = t === null
      }
      break
    }
    case 'binding':
      if (/^state\s/i.test(rest)) b.state = rest.slice(6).trim().toLowerCase()
      break
    case 'abandoned':
      b.state = 'abandoned'
      break
    case 'hardware': {
      const hw = rest.split(/\s+/)
      if (hw.length >= 2) b.hw = hw[hw.length - 1]
      break
    }
    case 'client-hostname':
      b.hostname = cleanHostname(unquoteIsc(rest))
      break
    default:
      break
  }
}

function finish(b: Block, ctx: ParseContext): LeaseEvent[] | null {
  const last = b.texts.length
  const ev = (role: string) => evidenceOf(ctx, {no: b.first.no, text: b.texts.map((t) => t.trim()).join(' ')}, role)
  if (!b.ip) {
    ctx.malformed(b.first, `lease block for "${b.ipText}": not an IP address`)
    return null
  }
  if (b.bad) {
    ctx.malformed(b.first, `lease ${b.ip}: ${b.bad}`)
    return null
  }
  if (b.starts === undefined || b.starts === null) {
    ctx.malformed(b.first, `lease ${b.ip}: block without a "starts" time (${last} lines)`)
    return null
  }
  const state = b.state ?? 'active'
  const starts = b.starts
  const ends = b.ends === undefined || b.ends === null ? null : Math.max(b.ends, starts)
  const role = `lease block (binding state ${b.state ?? 'not given'})`
  if (state === 'abandoned') {
    return [leaseEvent({event: 'lease', time: starts, ip: b.ip, mac: null, leaseEnd: ends ?? starts}, ev(role))]
  }
  const mac = macOf(b.hw)
  if (state === 'active' || state === 'bootp') {
    return [leaseEvent({event: 'lease', time: starts, ip: b.ip, mac, hostname: b.hostname, leaseEnd: ends}, ev(role))]
  }
  // free, expired, released, backup, reset: the past lease of the hardware still named in the block
  if (!mac) return null
  const out = [leaseEvent({event: 'lease', time: starts, ip: b.ip, mac, hostname: b.hostname, leaseEnd: ends}, ev(role))]
  if (ends !== null) {
    out.push(leaseEvent({event: state === 'released' ? 'release' : 'expire', time: ends, ip: b.ip, mac, hostname: b.hostname}, ev(role)))
  }
  return out
}

export const iscLeases: LeaseFormat = {
  name: 'isc-leases',
  description: 'ISC / OpenBSD dhcpd lease database (dhcpd.leases): lease blocks, times in UTC or epoch',
  prefilter: false,
  fixedZone: 'UTC',
  detect(sample) {
    let blocks = 0
    let stamps = 0
    let header = false
    for (const l of sample) {
      const t = l.trim()
      if (OPEN.test(t)) blocks++
      else if (/^(starts|ends|cltt|tstp)\s+(\d\s+\d{4}\/|epoch\s+\d|never)/.test(t)) stamps++
      else if (t.includes('dhcpd.leases(5)') || /^(authoring-byte-order|server-duid)\b/.test(t)) header = true
    }
    if (blocks > 0 && stamps > 0) return 0.95
    if (header) return 0.9
    if (blocks > 0) return 0.6
    return 0
  },
  parse(line, ctx) {
    const st = ctx.state as {isc?: Block}
    const b = st.isc
    if (!b) {
      const t = line.text.trimStart()
      if (!t.startsWith('lease')) return null
      const m = OPEN.exec(t)
      if (!m) return null
      const nb: Block = {ip: clientIp(m[1]), ipText: m[1]!, first: line, texts: [line.text], depth: 1}
      // statements on the opening line itself: "lease 10.0.0.1 { starts …; ends …; }"
      const inner = t.slice(t.indexOf('{') + 1)
      for (const s of inner.split(STMT)) statement(nb, s)
      nb.depth = braceDelta(t)
      if (nb.depth <= 0) return finish(nb, ctx)
      st.isc = nb
      return []
    }
    b.texts.push(line.text)
    const before = b.depth
    const delta = braceDelta(line.text)
    if (before === 1) for (const s of line.text.split(STMT)) statement(b, s)
    b.depth += delta
    if (b.depth <= 0) {
      st.isc = undefined
      return finish(b, ctx)
    }
    if (b.texts.length > 400) {
      ctx.malformed(b.first, `lease ${b.ipText}: block not closed after 400 lines`)
      st.isc = undefined
      return null
    }
    return []
  },
  flush(ctx) {
    const st = ctx.state as {isc?: Block}
    if (st.isc) {
      ctx.malformed(st.isc.first, `lease ${st.isc.ipText}: block not closed at end of file (truncated file?)`)
      st.isc = undefined
    }
    return []
  },
}
