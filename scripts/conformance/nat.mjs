/**
 * NAT conformance: runs the BUILT NAT parsers over the corpus' nat/*.log files (third-party real lines,
 * never copied into this repository) and compares each line's first event with nat/expected.json.
 *
 * - The format is detected on the whole file (as natrace does); when nothing claims the file, every NAT
 *   format is tried line by line.
 * - Zone-less stamps are read in the zone the upstream test assumed (the line's `assumedZone` or the file's
 *   `upstreamAssumedZone`, first word), the year of year-less stamps nearest the expected time.
 * - A corpus line without any time stamp (expected `time: null`, e.g. a RouterOS message quoted without its
 *   syslog header) gets a synthetic syslog header so it can be parsed; its time is not compared.
 * - Compared: kind (mapped), protocol, time (ms; for a session end also `end`, or the expected sessionStart),
 *   and the address fields: inside/outside/dest ip:port, or src/dst ip:port for "half-flow" (one-sided)
 *   lines, whose inside fields natrace may fill from private addresses (not compared).
 */
import {readFileSync, existsSync} from 'node:fs'
import {join, dirname} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, '..', '..', 'dist', 'src')
const load = (p) => import(pathToFileURL(join(dist, p)).href)

/** expected kind → the NatKinds that say the same */
const KINDS = {
  'half-flow': ['packet'],
  new: ['session-start'],
  destroy: ['session-end'],
  'forward-snat': ['mapping', 'session-start'],
  'session-create': ['session-start'],
  'session-close': ['session-end', 'session'],
  'session-end': ['session-end', 'session'],
  'apptrack-create': ['session-start', 'mapping'],
  'apptrack-close': ['session-end', 'session'],
  'xlate-built': ['session-start', 'mapping'],
  'xlate-teardown': ['session-end', 'session', 'mapping'],
  'conn-built-outbound': ['session-start', 'mapping'],
  'conn-teardown': ['session-end', 'session'],
}
const PROTO_ALIASES = {icmpv6: 'ipv6-icmp', icmp6: 'ipv6-icmp'}
const proto = (p) => (p == null ? null : (PROTO_ALIASES[String(p).toLowerCase()] ?? String(p).toLowerCase()))

function zoneOf(text, fallback) {
  const w = String(text ?? '').trim().split(/[\s,;(]+/)[0]
  if (!w) return fallback
  if (/^(UTC|GMT|Z)$/i.test(w)) return 'UTC'
  if (/^[+-]\d{2}:?\d{2}$/.test(w) || /^[A-Za-z]+\/[A-Za-z_]+/.test(w)) return w
  return fallback
}

const ms = (iso) => (iso == null ? null : Date.parse(iso))

export async function run(corpusDir) {
  const {natFormats} = await load('nat/registry.js')
  const {detectFormat} = await load('io/format.js')
  const {TimeContext} = await load('io/time.js')
  const expected = JSON.parse(readFileSync(join(corpusDir, 'expected.json'), 'utf8'))
  const details = []
  for (const [file, spec] of Object.entries(expected)) {
    const path = join(corpusDir, file)
    if (!existsSync(path)) continue
    const lines = readFileSync(path, 'utf8').split('\n')
    if (lines.at(-1) === '') lines.pop()
    const detected = detectFormat(natFormats, lines)
    const formats = detected ? [detected.format] : natFormats
    const fileZone = zoneOf(spec.upstreamAssumedZone, 'UTC')
    for (const exp of spec.lines ?? []) {
      const raw = lines[exp.line - 1]
      const d = {file, line: exp.line, ok: false, diff: null, format: detected?.format.name ?? null}
      details.push(d)
      if (raw === undefined) {
        d.diff = 'line missing from the corpus file'
        continue
      }
      const zone = zoneOf(exp.assumedZone, fileZone)
      const anchor = ms(exp.time) ?? ms(exp.sessionEnd) ?? Date.now()
      const ctxFor = () => ({
        file: {path, display: file, size: 0, mtimeMs: anchor, compressed: null},
        time: new TimeContext({zone, how: 'flag'}, {anchorMs: anchor, mode: 'nearest', anchorWhat: 'expected time'}),
        state: {},
        malformed: (_l, reason) => (d.malformed = reason),
      })
      const tryParse = (text) => {
        for (const f of formats) {
          const ctx = ctxFor()
          let got = f.parse({no: exp.line, text}, ctx)
          if (got === null && f.flush) got = f.flush(ctx)[0] ?? null
          const ev = Array.isArray(got) ? got[0] : got
          if (ev) return {ev, format: f.name}
        }
        return null
      }
      let r = tryParse(raw)
      if (!r && exp.time == null) {
        r = tryParse(`Jan  1 00:00:00 corpus-host ${raw}`)
        if (r) d.note = 'no time stamp on the line: parsed behind a synthetic syslog header, time not compared'
      }
      if (!r) {
        d.diff = `no event${d.malformed ? ` (malformed: ${d.malformed})` : ''}${detected ? '' : ' (no format claimed the file)'}`
        continue
      }
      const {ev} = r
      d.format = r.format
      const diffs = []
      const cmp = (name, want, got) => {
        if (want === undefined) return
        if ((want ?? null) !== (got ?? null)) diffs.push(`${name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got ?? null)}`)
      }
      const kinds = KINDS[exp.kind]
      if (kinds && !kinds.includes(ev.kind)) diffs.push(`kind: expected ${exp.kind} (${kinds.join('|')}), got ${ev.kind}`)
      cmp('protocol', proto(exp.protocol), proto(ev.protocol))
      if (exp.kind === 'half-flow') {
        cmp('srcIp', exp.srcIp, ev.srcIp)
        cmp('srcPort', exp.srcPort, ev.srcPort)
        cmp('dstIp', exp.dstIp, ev.dstIp)
        cmp('dstPort', exp.dstPort, ev.dstPort)
      } else {
        for (const k of ['insideIp', 'insidePort', 'outsideIp', 'outsidePort', 'destIp', 'destPort']) cmp(k, exp[k], ev[k])
      }
      if (exp.time != null && !d.note) {
        const want = ms(exp.time)
        const starts = [want, ms(exp.sessionStart)].filter((x) => x != null)
        const timeOk = starts.includes(ev.time) || (ev.end != null && ev.end === want)
        if (!timeOk) diffs.push(`time: expected ${exp.time}${exp.sessionStart ? ` (start ${exp.sessionStart})` : ''}, got ${new Date(ev.time).toISOString()}${ev.end != null ? ` (end ${new Date(ev.end).toISOString()})` : ''}`)
      }
      d.ok = diffs.length === 0
      d.diff = d.ok ? null : diffs.join('; ')
    }
  }
  return {name: 'nat', total: details.length, matched: details.filter((x) => x.ok).length, details}
}

// standalone: node scripts/conformance/nat.mjs [corpus/nat]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'corpus', 'nat')
  const r = await run(dir)
  for (const d of r.details) if (!d.ok) console.log(`${d.file}:${d.line} [${d.format}] ${d.diff}`)
  console.log(`nat: ${r.matched} / ${r.total}`)
}
