/**
 * Lease conformance: runs the BUILT lease formats over the corpus' leases/ files (third-party real data,
 * never copied into this repository) and compares what they yield with leases/expected.json
 * (`{files: {name: {format, entries: [{ip, mac, hostname, start, end, event, line?, …}]}}}`).
 *
 * - Each file is read like natrace reads it: format detected on its first lines (else line formats one
 *   line at a time), one parse context per file (multi-line records, flush at the end).
 * - Zone-less stamps are read in UTC, so an expected time "as written" (`timeZoneStated: false`) is compared
 *   field by field (month, day, clock, year when written) with the instant rendered in UTC; ISO times exactly.
 * - Expected entries that grant nothing (discover, offer, request, inform, inform-ack, decline, nak) and
 *   entries with no IP must yield NO event for their line: natrace must not open a holding on them.
 * - Granting / closing entries are matched to an event of the same line (syslog-like files) or the same IP
 *   and start (lease files); compared: event kind, ip, mac, hostname, start, end / lease seconds.
 * Mismatches that are deliberate policy (see src/lease/formats/*) are listed with `policy` so the figure
 * stays honest: they count as not matched.
 */
import {readFileSync, existsSync, statSync} from 'node:fs'
import {join, dirname} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, '..', '..', 'dist', 'src')
const load = (p) => import(pathToFileURL(join(dist, p)).href)

const NO_GRANT = new Set(['discover', 'offer', 'request', 'inform', 'inform-ack', 'decline', 'nak'])
/** expected event → natrace LeaseEvent kinds that say the same */
const KINDS = {
  lease: ['lease'],
  'current-lease': ['lease'],
  abandoned: ['lease'],
  declined: ['lease'],
  'expired-reclaimed': ['lease'],
  ack: ['assign', 'renew'],
  assign: ['assign', 'renew'],
  renew: ['renew', 'assign'],
  release: ['release'],
  deassign: ['release'],
  expire: ['expire'],
  'session-start': ['start'],
}
/** known, deliberate differences (counted as not matched, explained) */
const POLICY = [
  [(e) => e.event === 'release' && /not found/.test(e.note ?? ''), 'a DHCPRELEASE the server did "(not found)" proves nothing: no event'],
  [(e) => e.event === 'declined', 'a declined address proves an unknown device only at the decline instant, not over the probation time'],
  [(e) => e.mac === '00:00:00:00:00:00', 'an all-zero MAC names nobody: read as no MAC'],
  [(e) => e.bindingState === 'backup' && !e.mac, 'a backup/free block without hardware names no client: no event'],
  [(e) => e.start === null && e.event === 'assign', 'a line without any time stamp cannot be placed in time: malformed'],
  [(e) => typeof e.ip === 'string' && e.ip.includes(':') && !e.mac, 'DHCPv6 bindings by DUID are not read (no MAC to name)'],
]

const MON = {jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12}

/** "Jul  4 09:39:40", "Mon Apr 11 15:02:46 2022", "01/01/01 01:01:01", "11:42:32" → fields */
function writtenFields(text) {
  let m = /^(?:[A-Z][a-z]{2} )?([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?: (\d{4}))?$/.exec(text)
  if (m) return {month: MON[m[1].toLowerCase()], day: Number(m[2]), h: Number(m[3]), mi: Number(m[4]), s: Number(m[5]), year: m[6] ? Number(m[6]) : undefined}
  m = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text)
  if (m) return {month: Number(m[1]), day: Number(m[2]), year: 2000 + Number(m[3]), h: Number(m[4]), mi: Number(m[5]), s: Number(m[6])}
  m = /^(\d{2}):(\d{2}):(\d{2})$/.exec(text)
  if (m) return {h: Number(m[1]), mi: Number(m[2]), s: Number(m[3])}
  return undefined
}

function sameTime(want, gotMs, stated) {
  if (want == null) return true
  if (gotMs == null || !Number.isFinite(gotMs)) return false
  if (stated !== false && /Z$|[+-]\d{2}:\d{2}$/.test(want)) return Date.parse(want) === gotMs
  const f = writtenFields(want)
  if (!f) return false
  const d = new Date(gotMs)
  return (
    (f.year === undefined || f.year === d.getUTCFullYear()) &&
    (f.month === undefined || f.month === d.getUTCMonth() + 1) &&
    (f.day === undefined || f.day === d.getUTCDate()) &&
    f.h === d.getUTCHours() && f.mi === d.getUTCMinutes() && f.s === d.getUTCSeconds()
  )
}

export async function run(corpusDir) {
  const {leaseFormats} = await load('lease/registry.js')
  const {detectFormat} = await load('io/format.js')
  const {TimeContext} = await load('io/time.js')
  const expected = JSON.parse(readFileSync(join(corpusDir, 'expected.json'), 'utf8'))
  const details = []
  for (const [file, spec] of Object.entries(expected.files ?? {})) {
    const path = join(corpusDir, file)
    if (!existsSync(path)) continue
    const lines = readFileSync(path, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''))
    if (lines.at(-1) === '') lines.pop()
    const detected = detectFormat(leaseFormats, lines.slice(0, 200))
    const formats = detected ? [detected.format] : leaseFormats.filter((f) => f.prefilter)
    const malformed = new Map()
    const ctx = {
      file: {path, display: file, size: statSync(path).size, mtimeMs: Date.UTC(2024, 0, 1), compressed: null},
      time: new TimeContext({zone: 'UTC', how: 'flag'}, {anchorMs: Date.UTC(2024, 0, 1), mode: 'nearest', anchorWhat: 'conformance'}),
      state: {},
      malformed: (l, reason) => malformed.set(l.no, reason),
    }
    const events = []
    lines.forEach((text, i) => {
      for (const f of formats) {
        const got = f.parse({no: i + 1, text}, ctx)
        if (got === null) continue
        for (const e of Array.isArray(got) ? got : [got]) events.push({...e, format: f.name})
        break
      }
    })
    for (const f of formats) for (const e of f.flush?.(ctx) ?? []) events.push({...e, format: f.name})
    const used = new Set()
    for (const exp of spec.entries ?? []) {
      const d = {file, line: exp.line ?? null, ip: exp.ip, event: exp.event, ok: false, diff: null, format: detected?.format.name ?? null}
      details.push(d)
      const policy = POLICY.find(([test]) => test(exp))
      const onLine = exp.line != null ? events.filter((e) => e.evidence.line === exp.line) : null
      if (NO_GRANT.has(exp.event) || exp.ip == null) {
        const grants = (onLine ?? events.filter((e) => e.ip === exp.ip)).filter((e) => e.event !== 'release' && e.event !== 'expire' && e.event !== 'stop')
        d.ok = grants.length === 0
        if (!d.ok) d.diff = `expected no holding (${exp.event}), got ${grants.map((e) => e.event).join(', ')}`
        continue
      }
      const kinds = KINDS[exp.event] ?? [exp.event]
      const cands = (onLine ?? events.filter((e) => e.ip === exp.ip)).filter((e) => kinds.includes(e.event) && !used.has(e))
      const stated = exp.timeZoneStated
      const ev = cands.find((e) => e.ip === exp.ip && sameTime(exp.start, e.time, stated)) ?? cands.find((e) => e.ip === exp.ip) ?? cands[0]
      if (!ev) {
        d.diff = `no ${kinds.join('|')} event${malformed.get(exp.line) ? ` (malformed: ${malformed.get(exp.line)})` : ''}`
        if (policy) d.policy = policy[1]
        continue
      }
      used.add(ev)
      const diffs = []
      const cmp = (name, want, got) => {
        if ((want ?? null) !== (got ?? null)) diffs.push(`${name}: expected ${JSON.stringify(want ?? null)}, got ${JSON.stringify(got ?? null)}`)
      }
      cmp('ip', exp.ip, ev.ip)
      cmp('mac', exp.event === 'abandoned' || exp.event === 'declined' ? null : exp.mac, ev.mac)
      cmp('hostname', exp.hostname, ev.hostname)
      if (exp.start != null && !sameTime(exp.start, ev.time, stated)) diffs.push(`start: expected ${exp.start}, got ${new Date(ev.time).toISOString()}`)
      if (exp.end != null && !sameTime(exp.end, ev.leaseEnd, stated)) diffs.push(`end: expected ${exp.end}, got ${ev.leaseEnd == null ? null : new Date(ev.leaseEnd).toISOString()}`)
      if (exp.end === null && exp.event === 'lease' && ev.leaseEnd !== null && Number.isFinite(ev.leaseEnd)) diffs.push(`end: expected none, got ${new Date(ev.leaseEnd).toISOString()}`)
      if (exp.leaseSeconds != null && ev.leaseEnd != null && exp.event !== 'current-lease' && ev.leaseEnd - ev.time !== exp.leaseSeconds * 1000)
        diffs.push(`lease time: expected ${exp.leaseSeconds} s, got ${(ev.leaseEnd - ev.time) / 1000} s`)
      d.format = ev.format
      d.ok = diffs.length === 0
      if (!d.ok) {
        d.diff = diffs.join('; ')
        if (policy) d.policy = policy[1]
      }
    }
  }
  return {name: 'leases', total: details.length, matched: details.filter((x) => x.ok).length, details}
}

// standalone: node scripts/conformance/leases.mjs [corpus/leases]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'corpus', 'leases')
  const r = await run(dir)
  for (const d of r.details) if (!d.ok) console.log(`${d.file}:${d.line ?? d.ip} [${d.format}] ${d.event}: ${d.diff}${d.policy ? `  (policy: ${d.policy})` : ''}`)
  console.log(`leases: ${r.matched} / ${r.total}`)
}
