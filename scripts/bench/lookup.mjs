#!/usr/bin/env node
/**
 * The indexed lookup alone, in-process: runAttribution(report, --index DB) N times after one cold call;
 * prints JSON {coldS, medianS, runs, cpuMedianS, natRecords} (cpu: this process's user+system, DuckDB's
 * threads included). Used by scripts/bench.mjs (needs the built dist/).
 *
 *   node scripts/bench/lookup.mjs DB REPORT LOG_TZ [N]
 */
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const [db, report, logTz, n = '5'] = process.argv.slice(2)
const {runAttribution} = await import(join(root, 'dist/src/correlate/pipeline.js'))
const {openIndexDb} = await import(join(root, 'dist/src/index/schema.js'))
const opts = {report, natLogs: [], dhcp: [], logTz, index: db}
const t0 = performance.now()
await runAttribution(opts)
const coldS = (performance.now() - t0) / 1000
const runs = []
const cpus = []
for (let i = 0; i < Number(n); i++) {
  const t = performance.now()
  const c = process.cpuUsage()
  const r = await runAttribution(opts)
  runs.push((performance.now() - t) / 1000)
  const u = process.cpuUsage(c)
  cpus.push((u.user + u.system) / 1e6)
  if (r.incidents[0].attribution.status !== 'attributed') throw new Error('indexed lookup: not attributed')
}
const d = await openIndexDb(db, {readOnly: true})
const natRecords = Number((await d.conn.runAndReadAll(`SELECT sum(records) FROM files WHERE family = 'nat'`)).getRows()[0][0])
d.close()
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
console.log(JSON.stringify({coldS, medianS: median(runs), runs, cpuMedianS: median(cpus), natRecords}))
