/** Feeds invented log lines through the real NAT parsers into a ScanDetector. */
import type {ParseContext} from '../../src/io/format.js'
import {TimeContext} from '../../src/io/time.js'
import type {NatEvent} from '../../src/model.js'
import {natFormats} from '../../src/nat/registry.js'
import {ScanDetector} from '../../src/scan/detector.js'
import {feeder, scanFormats} from '../../src/scan/fastpath.js'
import {expect} from 'vitest'
import type {RawDetection, ScanOptions} from '../../src/scan/types.js'

export function ctxFor(file = 'test.log'): ParseContext {
  return {
    file: {path: file, display: file, size: 0, mtimeMs: Date.UTC(2024, 5, 1), compressed: null},
    time: new TimeContext({zone: 'UTC', how: 'flag'}, {anchorMs: Date.UTC(2024, 5, 1), mode: 'not-after', anchorWhat: 'test'}),
    state: {},
    malformed() {},
  }
}

export function parse(format: string, lines: string[], file = 'test.log'): NatEvent[] {
  const f = natFormats.find((x) => x.name === format)!
  const ctx = ctxFor(file)
  const out: NatEvent[] = []
  lines.forEach((text, i) => {
    const r = f.parse({no: i + 1, text}, ctx)
    if (r === null) throw new Error(`${format} did not read line ${i + 1}: ${text}`)
    out.push(...(Array.isArray(r) ? r : [r]))
  })
  return out
}

/**
 * The lines through the full parser into a detector — and again through the scan fast path (the format's
 * scanContact where it has one, as `natrace scan` reads them): both must detect exactly the same.
 */
export function scan(format: string, lines: string[], opts: ScanOptions = {}): {detections: RawDetection[]; det: ScanDetector; explain: string[]} {
  const det = new ScanDetector(opts)
  for (const ev of parse(format, lines)) det.observe(ev, format)
  const r = det.finish()
  const fast = scanFast(format, lines, opts)
  expect(fast.detections).toEqual(r.detections)
  expect(fast.explanations).toEqual(r.explanations)
  expect([fast.det.events, fast.det.contacts, fast.det.replies]).toEqual([det.events, det.contacts, det.replies])
  return {detections: r.detections, det, explain: r.explanations.map((e) => `${e.verdict}: ${e.reason}`)}
}

/** The lines as `natrace scan` reads them: scanFormats (fast path, full parser for the rest) into a detector. */
export function scanFast(format: string, lines: string[], opts: ScanOptions = {}, file = 'test.log') {
  const f = scanFormats(natFormats).find((x) => x.name === format)!
  const ctx = ctxFor(file)
  const det = new ScanDetector(opts)
  const feed = feeder(det)
  lines.forEach((text, i) => {
    const r = f.parse({no: i + 1, text}, ctx)
    if (r === null) throw new Error(`${format} did not read line ${i + 1}: ${text}`)
    for (const x of Array.isArray(r) ? r : [r]) feed(x, format)
  })
  return {...det.finish(), det}
}

export const T0 = Date.UTC(2024, 2, 5, 10, 0, 0)
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00')

/** An ipfw count line (RFC 3339 stamp) of one packet. */
export function ipfwLine(ms: number, proto: 'TCP' | 'UDP', src: string, dst: string, dir: 'in via em1' | 'out via em1' | 'in via em0' = 'in via em1'): string {
  return `${iso(ms)} gw kernel: ipfw: 100 Count ${proto} ${src} ${dst} ${dir}`
}

/** A client's packet and, when answered, the peer's reply 20 ms later (as the LAN-side ipfw rule logs them). */
export function ipfwContact(ms: number, proto: 'TCP' | 'UDP', client: string, cport: number, peer: string, pport: number, answered: boolean): string[] {
  const out = [ipfwLine(ms, proto, `${client}:${cport}`, `${peer}:${pport}`)]
  if (answered) out.push(ipfwLine(ms + 20, proto, `${peer}:${pport}`, `${client}:${cport}`, 'out via em1'))
  return out
}

/** conntrack -E -o timestamp NEW + DESTROY of one contact (DESTROY after `after` ms). */
export function conntrackContact(ms: number, proto: 'tcp' | 'udp', client: string, cport: number, peer: string, pport: number, answered: boolean, after = 30_000): {at: number; text: string}[] {
  const st = (x: number) => `[${Math.floor(x / 1000)}.${String((x % 1000) * 1000).padStart(6, '0')}]`
  const pn = proto === 'tcp' ? 'tcp      6' : 'udp      17'
  const orig = `src=${client} dst=${peer} sport=${cport} dport=${pport}`
  const repl = `src=${peer} dst=203.0.113.7 sport=${pport} dport=${cport + 1}`
  return [
    {at: ms, text: `${st(ms)}\t    [NEW] ${pn} 120 SYN_SENT ${orig} [UNREPLIED] ${repl}`},
    {
      at: ms + after,
      text: answered
        ? `${st(ms + after)}\t[DESTROY] ${pn} ${orig} packets=5 bytes=700 ${repl} packets=4 bytes=2100 [ASSURED] mark=0 delta-time=${after / 1000}`
        : `${st(ms + after)}\t[DESTROY] ${pn} ${orig} packets=1 bytes=60 [UNREPLIED] ${repl} packets=0 bytes=0 mark=0 delta-time=${after / 1000}`,
    },
  ]
}

export function byTime(xs: {at: number; text: string}[]): string[] {
  return xs.sort((a, b) => a.at - b.at).map((x) => x.text)
}

/** A deterministic pseudo-random generator (tests must not depend on Math.random). */
export function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32
}

export function randomIp(r: () => number, first = 100): string {
  return `${first + Math.floor(r() * 100)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`
}
