/**
 * Palo Alto Networks PAN-OS traffic log, syslog CSV ("Traffic Log Fields" of the PAN-OS admin guide), by
 * column index counted from the first CSV field (FUTURE_USE):
 *
 *   <14>Mar 14 10:17:08 pa-edge 1,2025/03/14 10:17:07,012801000001,TRAFFIC,end,2561,2025/03/14 10:17:07,
 *   10.30.1.5,198.51.100.7,203.0.113.100,198.51.100.7,allow-out,,,ssl,vsys1,trust,untrust,ethernet1/2,
 *   ethernet1/1,fwd,2025/03/14 10:17:07,33112,1,51000,443,24001,443,0x400053,tcp,allow,7734,1758,5976,36,
 *   2025/03/14 10:07:04,586,…
 *
 *   1 receive time · 3 type · 4 subtype (start/end/drop/deny) · 6 generated time · 7 source · 8 destination ·
 *   9 NAT source · 10 NAT destination · 12 source user · 24 source port · 25 destination port ·
 *   26 NAT source port · 27 NAT destination port · 29 protocol · 35 start time · 36 elapsed
 *
 * inside = source/source port, outside = NAT source/NAT source port (only when the NAT source column is
 * filled and not 0.0.0.0), destination = destination/destination port. An "end" record is kind "session"
 * from the start-time column to the generated time (the "elapsed" column counts active time, not the
 * span, and is not used). Inbound destination NAT (a public source, no source NAT, an inside NAT
 * destination) is turned round: inside = NAT destination/port, outside = destination/port, destination =
 * source/port. A "start" record is a session-start. drop/deny records had no session.
 * Times are device-local wall times: the file's zone applies.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalIp, isInsideAddress} from '../../io/net.js'
import type {Resolved} from '../../io/time.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, port, MAX_RECORD_LINE, tooLong} from '../syslog.js'

const HEAD = /(?:^|[\s>])\d+,(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}),[^,]*,TRAFFIC,/

/** Splits one CSV record (double-quoted fields may hold commas and "" escapes). */
export function splitCsv(text: string): string[] {
  const out: string[] = []
  let i = 0
  const n = text.length
  while (i <= n) {
    if (text[i] === '"') {
      let v = ''
      i++
      while (i < n) {
        const c = text[i]!
        if (c === '"') {
          if (text[i + 1] === '"') {
            v += '"'
            i += 2
            continue
          }
          i++
          break
        }
        v += c
        i++
      }
      out.push(v)
      const comma = text.indexOf(',', i)
      if (comma < 0) break
      i = comma + 1
    } else {
      const comma = text.indexOf(',', i)
      if (comma < 0) {
        out.push(text.slice(i))
        break
      }
      out.push(text.slice(i, comma))
      i = comma + 1
    }
  }
  return out
}

function wall(text: string | undefined, ctx: ParseContext): Resolved | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text ?? '')
  if (!m) return undefined
  const w = {year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6])}
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) return undefined
  const r = ctx.time.wall(w)
  return Number.isNaN(r.ms) ? undefined : r
}

const PROTOS = new Set(['tcp', 'udp', 'icmp', 'sctp', 'gre', 'esp', 'ipv6-icmp', 'icmp6'])


function parse(line: Line, ctx: ParseContext): NatEvent | null {
  const text = line.text
  if (!text.includes(',TRAFFIC,')) return null
  const h = HEAD.exec(text)
  if (!h) return null
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, true, 'PAN-OS', MAX_RECORD_LINE)
  const start = text.charCodeAt(h.index) >= 48 && text.charCodeAt(h.index) <= 57 ? h.index : h.index + 1
  const f = splitCsv(text.slice(start))
  const subtype = f[4]
  if (subtype !== 'end' && subtype !== 'start') return null
  const bad = (why: string) => {
    ctx.malformed(line, `PAN-OS TRAFFIC ${subtype}: ${why}`)
    return null
  }
  if (f.length < 37) return bad(`${f.length} columns, expected at least 37`)
  const src = canonicalIp(f[7]!)
  const dst = canonicalIp(f[8]!)
  if (!src || !dst) return bad('source / destination address unreadable')
  const generated = wall(f[6], ctx)
  if (!generated) return bad('generated time unreadable')
  let began = wall(f[35], ctx)
  // a start after the record's own time is a damaged column: keep only what the record itself proves
  if (began && began.ms > generated.ms) began = undefined
  const isEnd = subtype === 'end'
  let e: NatEvent
  if (isEnd) {
    e = blankEvent(began ? 'session' : 'session-end', began ?? generated, evidence(line, ctx, 'traffic log (session end)'))
    e.end = generated.ms
  } else {
    e = blankEvent('session-start', began ?? generated, evidence(line, ctx, 'traffic log (session start)'))
  }
  const proto = (f[29] ?? '').toLowerCase()
  e.protocol = PROTOS.has(proto) ? (proto === 'icmp6' || proto === 'ipv6-icmp' ? 'icmpv6' : proto) : null
  e.insideIp = src
  e.insidePort = port(f[24])
  e.destIp = dst
  e.destPort = port(f[25])
  const nat = f[9] ? canonicalIp(f[9]) : null
  const natDst = f[10] ? canonicalIp(f[10]) : null
  if (nat && nat !== '0.0.0.0' && nat !== '::') {
    e.outsideIp = nat
    e.outsidePort = port(f[26])
  } else if (natDst && natDst !== dst && natDst !== '0.0.0.0' && !isInsideAddress(src) && isInsideAddress(natDst)) {
    // inbound destination NAT: the server behind the public destination is the inside host
    e.insideIp = natDst
    e.insidePort = port(f[27])
    e.outsideIp = dst
    e.outsidePort = port(f[25])
    e.destIp = src
    e.destPort = port(f[24])
  }
  const user = f[12]?.trim()
  if (user) e.subscriber = user
  return e
}

export const panos: NatFormat = {
  name: 'panos',
  description: 'Palo Alto PAN-OS TRAFFIC syslog CSV (source -> NAT source IP/port by column; start time to generated time; device-local times)',
  detect: (sample) => detectScore(sample, (l) => HEAD.test(l)),
  parse,
  prefilter: true,
}
