#!/usr/bin/env node
/**
 * `npm run bench`: natrace against the by-hand baseline (`zgrep -F <public ip>`) on the same generated files,
 * in one run. Writes a table to stdout and JSON to --json (default /tmp/natrace-bench/bench.json).
 *
 *   npm run bench -- [--size 128MiB] [--days 30] [--per-day 4] [--runs 3] [--data DIR] [--json FILE]
 *                    [--no-index] [--rebuild-index] [--index-runs N] [--big-plain] [--keep]
 *
 * Data: scripts/bench/generate.mjs (deterministic; kept in --data between runs, default
 * /tmp/natrace-bench/data-<size>): a month of rotated gzip'd conntrack / MikroTik / ipfw logs, a Kea lease
 * file and an X-ARF report whose answer is planted. Every natrace run's answer is checked against it.
 *
 * Measured, each case `--runs` times interleaved (medians reported), with /usr/bin/time for peak RSS:
 * - zgrep        `zgrep -F 198.51.100.20 <every NAT file>` > /dev/null (what operators do by hand)
 * - full scan    `natrace attribute … --full-scan` (every file decompressed and pre-filtered)
 * - pruned       `natrace attribute …` (default: files whose span ± 24 h misses the report are not read)
 * - index build  `natrace index <logs> --db …`: reused when the data's index is already built; with
 *                --rebuild-index built anew --index-runs times (default --runs), median reported (sessions/s)
 * - indexed      `natrace attribute --index …` end to end, and the lookup alone in-process (warm)
 * - big plain   with --big-plain: one plain (uncompressed) log of ≥ 2 GB made from the CGNAT files, read by
 *                `attribute --full-scan` once: peak RSS must not follow the file's size
 * - scan          `natrace scan`'s detector (issue 8): scripts/bench-scan.mjs on --scan-lines generated ipfw and
 *                 conntrack lines (default 500,000; --no-scan skips it); its rows go into the JSON as `scan`
 * The CLI's start-up (oclif, imports) is inside every natrace wall time; it is measured alone too.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {generate, parseSize} from './bench/generate.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const get = (k, d) => {
  const i = argv.indexOf(k)
  return i >= 0 ? argv[i + 1] : d
}
const sizeArg = get('--size', '128MiB')
const size = parseSize(sizeArg)
const runs = Number(get('--runs', 3))
const dataDir = get('--data', `/tmp/natrace-bench/data-${sizeArg}`)
const jsonOut = get('--json', '/tmp/natrace-bench/bench.json')
const withIndex = !argv.includes('--no-index')

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts})
}

if (!existsSync(join(root, 'dist/commands/attribute.js')) || argv.includes('--build')) {
  const b = sh('npm', ['run', 'build'], {cwd: root, stdio: 'inherit'})
  if (b.status !== 0) process.exit(1)
}

console.error(`generating (or reusing) ${sizeArg} of NAT logs in ${dataDir} …`)
const m = await generate({out: dataDir, size, days: Number(get('--days', 30)), perDay: Number(get('--per-day', 4))})
const natFiles = m.natDirs.flatMap((d) => readdirSync(d).map((f) => join(d, f))).sort()
const P = m.planted
const bin = join(root, 'bin/run.js')
const attributeArgs = [m.report, '--nat-logs', ...m.natDirs, '--dhcp', m.leaseDir, '--log-tz', m.logTz, '--json']

/** Runs a command under /usr/bin/time: wall (s), peak RSS (MiB), user+sys CPU (s), stdout. */
function timed(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint()
  const r = sh('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], {env: {...process.env, TZ: 'UTC'}, ...opts})
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  const last = r.stderr.trim().split('\n').pop() ?? ''
  const [kb, u, s] = last.split(' ').map(Number)
  return {wall, rssMiB: kb / 1024, cpu: u + s, status: r.status, stdout: r.stdout, stderr: r.stderr}
}

function checkAnswer(stdout, what) {
  let out
  try {
    out = JSON.parse(stdout)
  } catch {
    throw new Error(`${what}: no JSON output`)
  }
  const a = out.incidents?.[0]?.attribution
  const ok = a && a.status === 'attributed' && a.insideIp === P.insideIp && a.insidePort === P.insidePort && a.mac === P.mac && a.hostname === P.hostname
  if (!ok) throw new Error(`${what}: wrong answer ${JSON.stringify(a)?.slice(0, 400)}`)
  return {skipped: out.inputs?.nat?.filter((f) => f.skipped).length ?? 0, files: out.inputs?.nat?.length ?? 0}
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2
}

const samples = {zgrep: [], full: [], pruned: [], indexed: [], startup: []}
let zgrepLines = null
let pruneInfo = null
let indexBuild = null
let lookup = null
const db = join(dataDir, 'index.duckdb')

if (withIndex) {
  // a build's speed moves with a shared machine's load: the median of several builds from scratch
  const rebuild = argv.includes('--rebuild-index')
  const builds = rebuild ? Math.max(1, Number(get('--index-runs', runs))) : 1
  const had = existsSync(db) && !rebuild
  const done = []
  let s = null
  // the index: its DuckDB file (and WAL) and the directory of its NAT rows
  const removeIndex = () => {
    for (const f of [db, `${db}.wal`, `${db}.nat`]) rmSync(f, {force: true, recursive: true})
  }
  const build = () => timed(process.execPath, [bin, 'index', ...m.natDirs, m.leaseDir, '--db', db, '--log-tz', m.logTz, '--json'])
  for (let i = 0; i < builds; i++) {
    if (rebuild) removeIndex()
    console.error(`building the index${builds > 1 ? ` (${i + 1}/${builds})` : ''} …`)
    let r = build()
    if (r.status !== 0 && /built by another version of natrace/.test(r.stdout + r.stderr)) {
      // an index the data directory kept from an older natrace: built anew (and timed as such)
      console.error('the index there is of another schema version: building it anew …')
      removeIndex()
      r = build()
    }
    if (r.status !== 0) throw new Error(`index: ${r.stderr}`)
    s = JSON.parse(r.stdout)
    done.push(r)
  }
  const wall = median(done.map((r) => r.wall))
  indexBuild = {
    wall,
    runsWallS: done.map((r) => r.wall),
    rssMiB: Math.max(...done.map((r) => r.rssMiB)),
    cpu: median(done.map((r) => r.cpu)),
    reused: had && s.indexed === 0,
    natRecords: s.totalNatRecords,
    leaseRecords: s.totalLeaseRecords,
    sessions: m.sessions,
    recordsPerS: s.indexed ? (s.natRecords + s.leaseRecords) / wall : null,
    sessionsPerS: s.indexed ? m.sessions / wall : null,
    // the DuckDB file and the NAT rows' Parquet files beside it
    dbBytes: statSync(db).size + (existsSync(`${db}.nat`) ? readdirSync(`${db}.nat`).reduce((a, f) => a + statSync(join(`${db}.nat`, f)).size, 0) : 0),
  }
}

for (let i = 0; i < runs; i++) {
  console.error(`run ${i + 1}/${runs} …`)
  const st = timed(process.execPath, [bin, '--version'])
  samples.startup.push(st)
  const z = timed('sh', ['-c', `zgrep -F ${P.publicIp} "$@" > /dev/null; test $? -le 1`, 'zgrep', ...natFiles])
  if (z.status !== 0) throw new Error(`zgrep failed: ${z.stderr}`)
  samples.zgrep.push(z)
  if (zgrepLines === null) zgrepLines = Number(sh('sh', ['-c', `zgrep -F ${P.publicIp} "$@" | wc -l`, 'zgrep', ...natFiles]).stdout.trim())
  const f = timed(process.execPath, [bin, 'attribute', ...attributeArgs, '--full-scan'])
  checkAnswer(f.stdout, 'full scan')
  samples.full.push(f)
  const p = timed(process.execPath, [bin, 'attribute', ...attributeArgs])
  pruneInfo = checkAnswer(p.stdout, 'pruned')
  samples.pruned.push(p)
  if (withIndex) {
    const x = timed(process.execPath, [bin, 'attribute', m.report, '--index', db, '--log-tz', m.logTz, '--json'])
    checkAnswer(x.stdout, 'indexed')
    samples.indexed.push(x)
  }
}

if (withIndex) {
  // the lookup alone, in-process, warm: what a resident service or a batch of reports pays per report
  const r = sh(process.execPath, [join(root, 'scripts/bench/lookup.mjs'), db, m.report, m.logTz, '5'], {env: {...process.env, TZ: 'UTC'}})
  if (r.status !== 0) throw new Error(`lookup: ${r.stderr}`)
  lookup = JSON.parse(r.stdout)
}

let bigPlain = null
if (argv.includes('--big-plain')) {
  // one ≥ 2 GB plain log (the CGNAT's rotated files, oldest first, decompressed into one file)
  const dir = join(dataDir, 'big')
  const big = join(dir, 'conntrack-all.log')
  mkdirSync(dir, {recursive: true})
  // from about two months' thirds back (age 90 of 120 at 4 files a day) forward, so the planted day is inside
  const age = (f) => Number(f.split('.')[2])
  const parts = readdirSync(m.natDirs[0]).filter((f) => f.endsWith('.gz') && age(f) <= Math.round((m.natFiles / 3) * 0.75)).sort((a, b) => age(b) - age(a))
  if (!existsSync(big) || statSync(big).size < 2e9) {
    rmSync(big, {force: true})
    for (const f of parts) {
      sh('sh', ['-c', `gzip -dc "$1" >> "$2"`, 'x', join(m.natDirs[0], f), big])
      if (statSync(big).size >= 2e9) break
    }
  }
  console.error(`big plain file: ${(statSync(big).size / 1e9).toFixed(2)} GB …`)
  const r = timed(process.execPath, [bin, 'attribute', m.report, '--nat-logs', big, '--dhcp', m.leaseDir, '--log-tz', m.logTz, '--json', '--full-scan'])
  checkAnswer(r.stdout, 'big plain file')
  bigPlain = {bytes: statSync(big).size, wallS: r.wall, cpuS: r.cpu, rssMiB: r.rssMiB}
  if (!argv.includes('--keep')) rmSync(dir, {recursive: true, force: true})
}

// the scan detector's throughput (per CPU-second, one thread): its own script, rows kept as it prints them
let scan = null
if (!argv.includes('--no-scan')) {
  console.error('scan detector throughput …')
  const r = sh(process.execPath, [join(root, 'scripts/bench-scan.mjs'), String(Number(get('--scan-lines', 500_000)))], {env: {...process.env, TZ: 'UTC'}})
  if (r.status !== 0) throw new Error(`bench-scan: ${r.stderr}`)
  const lines = r.stdout.trim().split('\n')
  const rows = []
  const text = []
  for (const l of lines) {
    try {
      rows.push(JSON.parse(l))
    } catch {
      text.push(l)
    }
  }
  scan = {rows, summary: text}
}

const uncompressedMB = m.uncompressedBytes / 1e6
const summary = (xs) =>
  xs.length
    ? {wallS: median(xs.map((x) => x.wall)), rssMiB: Math.max(...xs.map((x) => x.rssMiB)), cpuS: median(xs.map((x) => x.cpu)), runs: xs.map((x) => Number(x.wall.toFixed(3)))}
    : null
const result = {
  when: new Date().toISOString(),
  machine: {cpu: cpus()[0]?.model ?? '?', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, load: sh('cat', ['/proc/loadavg']).stdout.trim()},
  data: {
    dir: dataDir,
    natFiles: natFiles.length,
    compressedMB: m.compressedBytes / 1e6,
    uncompressedMB,
    sessions: m.sessions,
    lines: m.lines,
    zgrepMatchedLines: zgrepLines,
  },
  runs,
  startup: summary(samples.startup),
  zgrep: summary(samples.zgrep),
  fullScan: summary(samples.full),
  pruned: {...summary(samples.pruned), filesSkipped: pruneInfo?.skipped, files: pruneInfo?.files},
  indexed: summary(samples.indexed),
  indexBuild,
  lookup,
  bigPlain,
  scan,
}
for (const k of ['zgrep', 'fullScan', 'pruned', 'indexed']) if (result[k]?.wallS) result[k].uncompressedMBps = uncompressedMB / result[k].wallS
result.ratios = {
  fullScanVsZgrep: result.fullScan.wallS / result.zgrep.wallS,
  zgrepVsPruned: result.zgrep.wallS / result.pruned.wallS,
  zgrepVsIndexed: result.indexed ? result.zgrep.wallS / result.indexed.wallS : null,
}
mkdirSync(dirname(jsonOut), {recursive: true})
writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n')

const f1 = (x) => (x === null || x === undefined ? '-' : x.toFixed(1))
const f2 = (x) => (x === null || x === undefined ? '-' : x.toFixed(2))
const row = (name, s, note = '') => `| ${name.padEnd(34)} | ${f2(s?.wallS).padStart(8)} | ${f2(s?.cpuS).padStart(8)} | ${f1(s?.uncompressedMBps).padStart(8)} | ${f1(s?.rssMiB).padStart(8)} | ${note}`
console.log(`\nnatrace bench — ${result.data.natFiles} NAT files, ${f1(result.data.compressedMB)} MB gzip'd (${f1(uncompressedMB)} MB plain), ${Math.round(m.sessions).toLocaleString('en')} sessions; medians of ${runs} run(s); load ${result.machine.load}`)
console.log(`machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memGiB} GiB, node ${process.version}\n`)
console.log(`| ${'case'.padEnd(34)} | ${'wall s'.padStart(8)} | ${'cpu s'.padStart(8)} | ${'MB/s'.padStart(8)} | ${'RSS MiB'.padStart(8)} | note`)
console.log(`|${'-'.repeat(36)}|${'-'.repeat(10)}|${'-'.repeat(10)}|${'-'.repeat(10)}|${'-'.repeat(10)}|------`)
console.log(row('zgrep -F <public ip>', result.zgrep, `${zgrepLines} lines matched`))
console.log(row('natrace attribute --full-scan', result.fullScan, `${f2(result.ratios.fullScanVsZgrep)}× zgrep's time`))
console.log(row('natrace attribute (time pruning)', result.pruned, `${pruneInfo?.skipped}/${pruneInfo?.files} files skipped; ${f1(result.ratios.zgrepVsPruned)}× faster than zgrep`))
if (withIndex) {
  console.log(row('natrace attribute --index', result.indexed, `${f1(result.ratios.zgrepVsIndexed)}× faster than zgrep`))
  const buildRuns = indexBuild.runsWallS.length > 1 ? `; median of ${indexBuild.runsWallS.length}: ${indexBuild.runsWallS.map(f1).join(', ')} s` : ''
  console.log(row('natrace index (build)', {wallS: indexBuild.wall, cpuS: indexBuild.cpu, rssMiB: indexBuild.rssMiB}, indexBuild.reused ? 'index reused (already built)' : `${Math.round(indexBuild.sessionsPerS).toLocaleString('en')} sessions/s, ${Math.round(indexBuild.recordsPerS).toLocaleString('en')} records/s, ${f1(indexBuild.dbBytes / 1e6)} MB${buildRuns}`))
  console.log(`| ${'lookup alone (in-process, warm)'.padEnd(34)} | ${f2(lookup.medianS).padStart(8)} | ${''.padStart(8)} | ${''.padStart(8)} | ${''.padStart(8)} | per report, ${lookup.natRecords.toLocaleString('en')} NAT records indexed`)
}
if (bigPlain) console.log(row(`one plain file of ${(bigPlain.bytes / 1e9).toFixed(2)} GB, --full-scan`, {...bigPlain, uncompressedMBps: bigPlain.bytes / 1e6 / bigPlain.wallS}, 'single file: one worker'))
console.log(row('CLI start-up alone (--version)', result.startup))
if (scan) console.log(`\n${scan.summary.join('\n')}`)
console.log(`\nanswer checked on every natrace run: ${P.publicIp}:${P.publicPort} → ${P.insideIp}:${P.insidePort}, ${P.mac} (${P.hostname})`)
console.log(`JSON: ${jsonOut}`)
if (!argv.includes('--keep') && size > 512 * 1024 ** 2) console.error(`(data kept in ${dataDir}: delete it when done)`)
