#!/usr/bin/env node
/**
 * Throughput of `natrace scan` (issue 8: the detector keeps up with ≥ 1 million log lines/s per core on
 * conntrack/ipfw). Not a test: run `npm run build` first, then `node scripts/bench-scan.mjs [lines]`
 * (default 1,000,000 lines per format).
 *
 * A deterministic generator writes a campus day in memory — 2,000 clients browsing (answered), a BitTorrent
 * client, a Mirai-style telnet sweeper and an nmap vertical scan — as ipfw `count log` lines (RFC 3339
 * stamps, replies included) and as conntrack -E -o timestamp NEW/DESTROY events; each line is a flat string
 * decoded from a buffer, as src/io/lines.ts hands them over. For each format it times
 *   scan:        what `natrace scan` does per line — the format's scan fast path (NatFormat.scanContact, the
 *                full parser for the lines it leaves) and the detector (the figure of the issue);
 *   detector:    ScanDetector.observeContact() alone, on the lines extracted beforehand (records cold in
 *                memory: a pessimistic figure);
 *   extract:     the scan fast path alone;
 *   full+detect: the full parser (the format's parseFull: regular expressions, one NatEvent per line) and
 *                ScanDetector.observe() per line (the scan path before the fast path);
 *   parse:       the full parser alone;
 *   file:        runScan() on the lines written to a file — reading, decoding and line splitting included
 *                (src/io), the whole `natrace scan` minus the CLI start — and file-full: the same without the
 *                scan fast path (fastPath: false: a NatEvent per line from parse(), which has a fast path of
 *                its own for the usual lines since the index build needed one).
 * Each is run once untimed to warm the JIT up (a long scan runs optimised code), then 3 times (a fresh detector
 * each time); the median CPU time counts (process.cpuUsage: user +
 * system, one thread), so that a busy shared machine does not hide the per-core figure. Detections of the
 * fast and the full path are compared (a mismatch is reported). Prints one JSON object per measurement and a
 * summary; exit code 0 (the figure is for the operator, not a gate).
 */
import {closeSync, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {natFormats} from '../dist/src/nat/registry.js'
import {TimeContext} from '../dist/src/io/time.js'
import {ScanDetector} from '../dist/src/scan/detector.js'
import {feeder, scanFormats} from '../dist/src/scan/fastpath.js'
import {ScanContact} from '../dist/src/nat/contact.js'
import {runScan} from '../dist/src/scan/run.js'
import {parseFull as conntrackFull} from '../dist/src/nat/formats/conntrack.js'
import {parseFull as ipfwFull} from '../dist/src/nat/formats/ipfw.js'

const N = Number(process.argv[2] ?? 1_000_000)
let seed = 42
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
const pick = (n) => Math.floor(rnd() * n)
const T0 = Date.UTC(2024, 2, 5, 8, 0, 0)
const ip = (a) => `${a + pick(100)}.${pick(256)}.${pick(256)}.${1 + pick(254)}`

/** contacts in time order: {t, src, sport, dst, dport, proto, answered} */
function* contacts() {
  let t = T0
  for (let i = 0; ; i++) {
    t += 2 // 500 contacts per second of log time
    const r = rnd()
    if (r < 0.01) yield {t, src: '10.9.0.77', sport: 40000 + pick(20000), dst: ip(100), dport: pick(5) ? 23 : 2323, proto: 'TCP', answered: false}
    else if (r < 0.02) yield {t, src: '10.9.0.66', sport: 45123, dst: '198.51.100.20', dport: 1 + (i % 10000), proto: 'TCP', answered: pick(50) === 0}
    else if (r < 0.05) yield {t, src: '10.9.0.88', sport: 6881, dst: ip(60), dport: pick(2) ? 6881 + pick(9) : 10000 + pick(55000), proto: pick(2) ? 'TCP' : 'UDP', answered: rnd() < 0.4}
    else yield {t, src: `10.9.${pick(8)}.${1 + pick(250)}`, sport: 30000 + pick(30000), dst: ip(150), dport: pick(4) ? 443 : 80, proto: 'TCP', answered: rnd() < 0.97}
  }
}

const iso = (ms) => new Date(ms).toISOString().replace('Z', '+00:00')
function ipfwLines(n) {
  const out = []
  for (const c of contacts()) {
    const h = `${iso(c.t)} gw kernel: ipfw: 100 Count ${c.proto}`
    out.push(`${h} ${c.src}:${c.sport} ${c.dst}:${c.dport} in via em1`)
    if (c.answered) {
      // an answered connection goes on: a `count log` rule logs each of its packets (1–4 exchanges here)
      const rounds = c.dport === 443 || c.dport === 80 ? 1 + pick(4) : 1
      for (let k = 0; k < rounds; k++) {
        if (k > 0) out.push(`${iso(c.t + 2 * k)} gw kernel: ipfw: 100 Count ${c.proto} ${c.src}:${c.sport} ${c.dst}:${c.dport} in via em1`)
        out.push(`${iso(c.t + 2 * k + 1)} gw kernel: ipfw: 100 Count ${c.proto} ${c.dst}:${c.dport} ${c.src}:${c.sport} out via em1`)
      }
    }
    if (out.length >= n) return out.slice(0, n)
  }
}
function conntrackLines(n) {
  const out = []
  const late = [] // DESTROYs are written later: keep them in a small time-ordered queue
  const st = (x) => `[${Math.floor(x / 1000)}.${String((x % 1000) * 1000).padStart(6, '0')}]`
  for (const c of contacts()) {
    while (late.length && late[0].t <= c.t) out.push(late.shift().text)
    const p = c.proto === 'TCP' ? 'tcp      6' : 'udp      17'
    const orig = `src=${c.src} dst=${c.dst} sport=${c.sport} dport=${c.dport}`
    const repl = `src=${c.dst} dst=203.0.113.7 sport=${c.dport} dport=${c.sport}`
    out.push(`${st(c.t)}\t    [NEW] ${p} 120 SYN_SENT ${orig} [UNREPLIED] ${repl}`)
    const end = c.t + (c.answered ? 1500 : 3000)
    late.push({
      t: end,
      text: c.answered
        ? `${st(end)}\t[DESTROY] ${p} ${orig} packets=6 bytes=900 ${repl} packets=5 bytes=3000 [ASSURED] mark=0 delta-time=1`
        : `${st(end)}\t[DESTROY] ${p} ${orig} packets=1 bytes=60 [UNREPLIED] ${repl} packets=0 bytes=0 mark=0 delta-time=3`,
    })
    if (out.length >= n) return out.slice(0, n)
  }
}

function ctx() {
  return {
    file: {path: 'bench', display: 'bench', size: 0, mtimeMs: Date.UTC(2024, 5, 1), compressed: null},
    time: new TimeContext({zone: 'UTC', how: 'flag'}, {anchorMs: Date.UTC(2024, 5, 1), mode: 'not-after', anchorWhat: 'bench'}),
    state: {},
    malformed() {},
  }
}

/** the lines as flat strings decoded from a buffer (what readLines gives the parsers), 10,000 at a time */
function flat(lines) {
  const out = []
  for (let k = 0; k < lines.length; k += 10_000) {
    const buf = Buffer.from(lines.slice(k, k + 10_000).join('\n') + '\n')
    for (let s = 0, e; (e = buf.indexOf(10, s)) >= 0; s = e + 1) out.push(buf.toString('utf8', s, e))
  }
  return out
}

function timed(fn) {
  const c0 = process.cpuUsage()
  const w0 = performance.now()
  const r = fn()
  const cu = process.cpuUsage(c0)
  return {r, cpuS: (cu.user + cu.system) / 1e6, wallS: (performance.now() - w0) / 1000}
}

async function timedAsync(fn) {
  const c0 = process.cpuUsage()
  const w0 = performance.now()
  const r = await fn()
  const cu = process.cpuUsage(c0)
  return {r, cpuS: (cu.user + cu.system) / 1e6, wallS: (performance.now() - w0) / 1000}
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const found = (det) =>
  det
    .finish()
    .detections.map((d) => `${d.kind}:${d.sourceIp}`)
    .sort()

const REPEATS = 3
const results = []
const dir = mkdtempSync(join(tmpdir(), 'natrace-bench-scan-'))
process.on('exit', () => rmSync(dir, {recursive: true, force: true}))
for (const [name, make] of [['ipfw', ipfwLines], ['conntrack', conntrackLines]]) {
  const fmt = {parse: name === 'ipfw' ? ipfwFull : conntrackFull}
  const fast = scanFormats(natFormats).find((f) => f.name === name)
  const lines = flat(make(N))
  // the detector-only input: every line through the fast path once, outside the clock (copies of the reused
  // record), built just before that measurement and dropped after it (a big live heap slows every collection)
  let contacts = []
  const extracted = () => {
    const c = ctx()
    const out = []
    for (let i = 0; i < lines.length; i++) {
      const r = fast.parse({no: i + 1, text: lines[i]}, c)
      if (r instanceof ScanContact) out.push(Object.assign(new ScanContact(), r))
      else if (r) throw new Error(`bench line ${i + 1} left to the full parser: ${lines[i]}`)
    }
    return out
  }
  // each run reads the first n lines
  const runs = {
    scan(n) {
      const det = new ScanDetector()
      const feed = feeder(det)
      const c2 = ctx()
      for (let i = 0; i < n; i++) {
        const r = fast.parse({no: i + 1, text: lines[i]}, c2)
        if (r) feed(r, name)
      }
      return found(det)
    },
    detector(n) {
      const det = new ScanDetector()
      for (let i = 0; i < n; i++) det.observeContact(contacts[i], name)
      return found(det)
    },
    extract(n) {
      const c2 = ctx()
      let k = 0
      for (let i = 0; i < n; i++) if (fast.parse({no: i + 1, text: lines[i]}, c2)) k++
      return k
    },
    'full+detect'(n) {
      const det = new ScanDetector()
      const c2 = ctx()
      for (let i = 0; i < n; i++) {
        const e = fmt.parse({no: i + 1, text: lines[i]}, c2)
        if (e) det.observe(e, name)
      }
      return found(det)
    },
    parse(n) {
      const c2 = ctx()
      let k = 0
      for (let i = 0; i < n; i++) if (fmt.parse({no: i + 1, text: lines[i]}, c2)) k++
      return k
    },
  }
  const file = join(dir, `${name}.log`)
  const fd = openSync(file, 'w')
  for (let k = 0; k < lines.length; k += 10_000) writeSync(fd, lines.slice(k, k + 10_000).join('\n') + '\n')
  closeSync(fd)
  const fileRun = (fastPath) => async () => (await runScan({natLogs: [file], dhcp: [], logTz: 'UTC', natFormat: name, fastPath})).detections.map((d) => `${d.kind}:${d.source.ip}`).sort()
  runs.file = fileRun(true)
  runs['file-full'] = fileRun(false)
  for (const [what, run] of Object.entries(runs)) {
    const cpu = []
    const wall = []
    let r
    if (what === 'detector') contacts = extracted()
    await run(lines.length) // JIT warm-up (a long scan runs optimised code), not timed
    for (let k = 0; k < REPEATS; k++) {
      global.gc?.()
      const m = await timedAsync(() => run(lines.length))
      cpu.push(m.cpuS)
      wall.push(m.wallS)
      r = m.r
    }
    const cpuS = median(cpu)
    const row = {
      format: name,
      what,
      lines: lines.length,
      cpuSeconds: +cpuS.toFixed(3),
      cpuSecondsRuns: cpu.map((x) => +x.toFixed(3)),
      wallSeconds: +median(wall).toFixed(3),
      linesPerCpuSecond: Math.round(lines.length / cpuS),
      rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20),
      ...(Array.isArray(r) ? {detections: r} : {records: r}),
    }
    results.push(row)
    console.log(JSON.stringify(row))
    contacts = []
  }
}
const M = (x) => `${(x / 1e6).toFixed(2)}M`
const row = (f, w) => results.find((r) => r.format === f && r.what === w)
const summary = ['ipfw', 'conntrack'].map((f) => {
  const same =
    JSON.stringify(row(f, 'scan').detections) === JSON.stringify(row(f, 'full+detect').detections) &&
    JSON.stringify(row(f, 'file').detections) === JSON.stringify(row(f, 'file-full').detections)
  return (
    `${f}: scan path (fast extractor + detector) ${M(row(f, 'scan').linesPerCpuSecond)}, detector alone ${M(row(f, 'detector').linesPerCpuSecond)}, ` +
    `extractor alone ${M(row(f, 'extract').linesPerCpuSecond)}; full parser + detector ${M(row(f, 'full+detect').linesPerCpuSecond)}; ` +
    `runScan on a file ${M(row(f, 'file').linesPerCpuSecond)} (full parsers ${M(row(f, 'file-full').linesPerCpuSecond)})` +
    (same ? '' : ' — DETECTIONS DIFFER between the fast and the full path')
  )
})
console.log(`scan bench (${N} lines per format, lines per CPU-second, median of ${REPEATS}): ${summary.join('; ')}; goal ≥ 1M lines/s per core`)
// how busy the machine was: CPU time stretches on a shared, overloaded host (cache and core contention)
const keys = Array.from({length: 2000}, (_, i) => `10.9.${i >> 8}.${i & 255}`)
const m = new Map(keys.map((k) => [k, 1]))
const probe = Array.from({length: 500_000}, (_, i) => keys[(i * 7) % 2000])
const cal = timed(() => {
  let n = 0
  for (let r = 0; r < 4; r++) for (let i = 0; i < probe.length; i++) if (m.get(probe[i])) n++
  return n
})
console.log(`machine: ${cpus().length} CPU(s), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; calibration: ${((cal.cpuS * 1e9) / 2e6).toFixed(1)} ns per Map.get of a 2000-entry string-keyed Map`)
