/**
 * Juniper port block allocation (PBA) logs: one record per block of public ports handed to a subscriber.
 *
 * MX with MS-DPC / MS-MPC (Junos Address Aware), the trailing hex is the epoch (seconds) of the event:
 *   Mar 14 10:00:00 mx-cgn (FPC Slot 2, PIC Slot 0) {cgn-sset}[jservices-nat]: JSERVICES_NAT_PORT_BLOCK_ALLOC: 100.64.7.21 -> 203.0.113.70:2048-2303 0x67d3fe80
 *   … JSERVICES_NAT_PORT_BLOCK_RELEASE: (same) … / JSERVICES_NAT_PORT_BLOCK_ACTIVE: (interim, same)
 *
 * Next-gen services (MX-SPC3, SRX) text and structured forms:
 *   RT_NAT: RT_SRC_NAT_PBA_ALLOC: Subscriber 100.64.7.21 used/maximum [1/8] blocks, allocates port block [2048-2303] from 203.0.113.70 in source pool cgn-pool lsys_id: 0 epoch 0x67d3fe80
 *   RT_SRC_NAT_PBA_RELEASE: Subscriber … releases port block [2048-2303] from 203.0.113.70 …
 *   RT_SRC_NAT_PBA_INTERIM: Subscriber … port block [2048-2303] from 203.0.113.70 …
 *   RT_NAT - RT_SRC_NAT_PBA_ALLOC [junos@2636.1.1.1.2.x internal-ip="100.64.7.21" block-port-low="2048"
 *     block-port-high="2303" reflexive-ip="203.0.113.70" nat-pool-name="cgn-pool" epoch-time-64="67d3fe80"]
 *
 * The epoch field (hex seconds, UTC) is preferred over the syslog header, whose zone and year are guesses;
 * the header is used when the epoch is absent or implausible. kind "port-block", phase open / interim / close.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalIp} from '../../io/net.js'
import type {Resolved} from '../../io/time.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {detectScore, evidence, port, portBlockEvent, MAX_RECORD_LINE, tooLong} from '../syslog.js'
import {ciscoStamp} from './cisco-asa.js'
import {juniperSrx} from './juniper-srx.js'

export const PBA_MARKS = ['JSERVICES_NAT_PORT_BLOCK_', 'RT_SRC_NAT_PBA_']

const TAG = /\b(?:JSERVICES_NAT_PORT_BLOCK_(ALLOC|RELEASE|ACTIVE)|RT_SRC_NAT_PBA_(ALLOC|RELEASE|INTERIM))\b:?/
const SESSION = /\b(?:RT_FLOW_SESSION_(?:CREATE|CLOSE)|APPTRACK_SESSION_(?:CREATE|CLOSE)|JSERVICES_SESSION_(?:OPEN|CLOSE)|MSVCS_LOG_SESSION_(?:OPEN|CLOSE))/
const MS = /^\s*([0-9A-Fa-f.:]+) -> ([0-9A-Fa-f.:]+?):(\d+)-(\d+)(?:\s+(0x[0-9A-Fa-f]+|\d+))?/
const NG = /Subscriber ([0-9A-Fa-f.:]+)\b.*?port block \[(\d+)-(\d+)\] from ([0-9A-Fa-f.:]+)(?:.*?\bepoch (0x[0-9A-Fa-f]+|[0-9A-Fa-f]+))?/

/**
 * The key="value" parameters of an RFC 5424 structured-data element, looked up on demand (hot path: an SRX
 * record carries ~40 parameters and we need ~10). A value's own quotes are escaped (\\"), so ` key="` can
 * only start a parameter.
 */
export interface SdParams {
  get(key: string): string | undefined
  has(key: string): boolean
}

export function sdParams(text: string, from: number): SdParams {
  const get = (key: string): string | undefined => {
    const pat = key + '="'
    let i = text.indexOf(pat, from)
    while (i >= 0) {
      const c = text.charCodeAt(i - 1)
      if (c === 32 || c === 91 /* [ */) {
        const v0 = i + pat.length
        let j = v0
        let escaped = false
        for (; j < text.length; j++) {
          const ch = text.charCodeAt(j)
          if (ch === 92 /* \ */) {
            escaped = true
            j++
            continue
          }
          if (ch === 34 /* " */) break
        }
        if (j >= text.length) return undefined
        const raw = text.slice(v0, j)
        return escaped ? raw.replace(/\\(["\\\]])/g, '$1') : raw
      }
      i = text.indexOf(pat, i + 1)
    }
    return undefined
  }
  return {get, has: (key) => get(key) !== undefined}
}

const MIN_EPOCH = 946_684_800 // 2000-01-01
const MAX_EPOCH = 4_102_444_800 // 2100-01-01

/** Junos writes the epoch in hex ("0x67d3fe80", "67d3fe80"); a plain decimal is accepted when hex is implausible. */
export function junosEpoch(text: string | undefined): number | null {
  if (!text) return null
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text
  if (/^[0-9A-Fa-f]{1,16}$/.test(hex)) {
    const v = parseInt(hex, 16)
    if (v >= MIN_EPOCH && v <= MAX_EPOCH) return v * 1000
  }
  if (hex === text && /^\d{9,10}$/.test(text)) {
    const v = Number(text)
    if (v >= MIN_EPOCH && v <= MAX_EPOCH) return v * 1000
  }
  return null
}


function parse(line: Line, ctx: ParseContext): NatEvent | NatEvent[] | null {
  const text = line.text
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, TAG.test(text.slice(0, 512)), 'Junos PBA', MAX_RECORD_LINE)
  if (!text.includes('PORT_BLOCK_') && !text.includes('_PBA_')) {
    // session records met in the same file (next-gen services log both)
    return text.includes('_SESSION_') ? juniperSrx.parse(line, ctx) : null
  }
  const tag = TAG.exec(text)
  if (!tag) return null
  const what = tag[1] ?? tag[2]!
  const name = tag[0].replace(/:$/, '')
  const bad = (why: string) => {
    ctx.malformed(line, `${name}: ${why}`)
    return null
  }
  let inside: string | null
  let outside: string | null
  let lo: number | null
  let hi: number | null
  let epoch: string | undefined
  const rest = text.slice(tag.index + tag[0].length)
  if (tag[1]) {
    const m = MS.exec(rest)
    if (!m) return bad('expected "inside -> public:first-last [0xepoch]"')
    inside = canonicalIp(m[1]!)
    outside = canonicalIp(m[2]!)
    lo = port(m[3])
    hi = port(m[4])
    epoch = m[5]
  } else if (rest.includes('internal-ip="')) {
    const p = sdParams(text, tag.index)
    inside = canonicalIp(p.get('internal-ip') ?? '')
    outside = canonicalIp(p.get('reflexive-ip') ?? '')
    lo = port(p.get('block-port-low'))
    hi = port(p.get('block-port-high'))
    epoch = p.get('epoch-time-64') ?? p.get('epoch-time')
  } else {
    const m = NG.exec(rest)
    if (!m) return bad('expected "Subscriber … port block [first-last] from public …"')
    inside = canonicalIp(m[1]!)
    lo = port(m[2])
    hi = port(m[3])
    outside = canonicalIp(m[4]!)
    epoch = m[5]
  }
  if (!inside || !outside || lo === null || hi === null || hi < lo) return bad('addresses or port range unreadable')
  const ep = junosEpoch(epoch)
  let t: Resolved | undefined = ep !== null ? {ms: ep} : undefined
  if (!t) t = ciscoStamp(text, tag.index, ctx)
  if (!t) return bad('no epoch and no readable time stamp')
  const phase = what === 'ALLOC' ? 'open' : what === 'RELEASE' ? 'close' : 'interim'
  return portBlockEvent(t, evidence(line, ctx, phase === 'open' ? 'port block allocated' : phase === 'close' ? 'port block released' : 'port block active (interim)'), {inside, outside, lo, hi, phase})
}

export const juniperPba: NatFormat = {
  name: 'juniper-pba',
  description: 'Juniper port block allocation: MX JSERVICES_NAT_PORT_BLOCK_ALLOC/RELEASE/ACTIVE and next-gen RT_SRC_NAT_PBA_ALLOC/RELEASE/INTERIM (epoch preferred)',
  detect: (sample) => {
    // see juniper-srx: a file dominated by session lines goes to juniper-srx (which reads these lines too)
    let sessions = 0
    let blocks = 0
    for (const l of sample) {
      if (TAG.test(l)) blocks++
      else if (SESSION.test(l)) sessions++
    }
    const s = detectScore(sample, (l) => TAG.test(l) || SESSION.test(l))
    return sessions > blocks ? Math.min(s, 0.4) : s
  },
  parse,
  prefilter: true,
}
