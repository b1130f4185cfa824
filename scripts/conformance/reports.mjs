/**
 * Report conformance: runs the BUILT readReport over <corpus>/reports/*.{eml,json,txt} and compares with
 * expected.json (ip, port, portRole, time, ticket; the incident count when given). Never special-cases a file.
 *
 *   node scripts/conformance/reports.mjs [corpusDir]       (default ../shared/corpus, relative to the repo)
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

function canonical(ip, canonicalIp) {
  if (ip === null || ip === undefined) return null
  return canonicalIp(String(ip)) ?? String(ip)
}

function expectedTime(e) {
  if (e.timeZoneStated === false) return e.timeIfAssumedZone ?? null
  return e.time ?? null
}

export async function run(corpusDir = resolve(here, '../../../shared/corpus')) {
  const dir = existsSync(join(corpusDir, 'reports', 'expected.json')) ? join(corpusDir, 'reports') : corpusDir
  const {readReport} = await import('../../dist/src/report/index.js')
  const {canonicalIp} = await import('../../dist/src/io/net.js')
  const {isoUtc} = await import('../../dist/src/io/time.js')
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'))
  const details = []
  let matched = 0
  for (const exp of expected.reports) {
    const d = {file: exp.file, expectedFormat: exp.format, ok: false, problems: []}
    try {
      const r = await readReport(join(dir, exp.file))
      d.format = r.format
      if ((exp.ticket ?? null) !== (r.ticket ?? null)) d.problems.push(`ticket ${JSON.stringify(r.ticket)} != ${JSON.stringify(exp.ticket)}`)
      const want = exp.incidentCount ?? exp.incidents.length
      if (r.incidents.length !== want) d.problems.push(`${r.incidents.length} incidents, expected ${want}`)
      const got = r.incidents.map((i) => ({
        ip: i.publicIp,
        port: i.publicPort,
        portRole: i.portRole,
        times: i.times.map(isoUtc),
      }))
      for (const e of exp.incidents) {
        const ip = canonical(e.ipCanonical ?? e.ip, canonicalIp)
        const time = expectedTime(e)
        const hit = got.find((g) => g.ip === ip && g.port === (e.port ?? null) && g.portRole === (e.portRole ?? null) && (time === null || g.times.includes(time)))
        if (!hit) {
          const near = got.find((g) => g.ip === ip)
          d.problems.push(`missing ${ip}:${e.port} ${e.portRole} ${time}` + (near ? ` (have ${near.ip}:${near.port} ${near.portRole} ${near.times[0]})` : got[0] ? ` (first: ${got[0].ip}:${got[0].port} ${got[0].portRole} ${got[0].times[0]})` : ''))
        }
      }
    } catch (err) {
      d.problems.push(`error: ${err.oneLine ? err.oneLine() : err.message}`)
    }
    d.ok = d.problems.length === 0
    if (d.ok) matched++
    details.push(d)
  }
  return {name: 'reports', total: expected.reports.length, matched, details}
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const res = await run(process.argv[2] ? resolve(process.argv[2]) : undefined)
  for (const d of res.details) console.log(`${d.ok ? 'ok  ' : 'FAIL'} ${d.file} [${d.format ?? '-'} / ${d.expectedFormat}]${d.ok ? '' : ': ' + d.problems.join('; ')}`)
  console.log(`reports: ${res.matched}/${res.total} matched`)
}
