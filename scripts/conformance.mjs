#!/usr/bin/env node
/**
 * `npm run conformance`: runs natrace's BUILT parsers over the third-party real-world corpus in
 * ../shared/corpus (when present; it is never copied into this repository) and prints how many samples
 * match their expected.json. Each area has its own checker in scripts/conformance/<area>.mjs exporting
 * `run(corpusDir) → {name, total, matched, details}`.
 *
 *   npm run build && npm run conformance [-- --verbose] [-- --json FILE]
 */
import {existsSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const corpus = resolve(process.env.NATRACE_CORPUS ?? join(here, '..', '..', 'shared', 'corpus'))
const verbose = process.argv.includes('--verbose')
const jsonAt = process.argv.indexOf('--json')
if (!existsSync(corpus)) {
  console.log(`no corpus at ${corpus}: nothing to check (set NATRACE_CORPUS to its folder)`)
  process.exit(0)
}
if (!existsSync(join(here, '..', 'dist', 'src'))) {
  console.error('natrace is not built: run `npm run build` first')
  process.exit(1)
}
const rows = []
for (const area of ['reports', 'nat', 'leases']) {
  const checker = join(here, 'conformance', `${area}.mjs`)
  if (!existsSync(checker)) {
    rows.push({name: area, total: 0, matched: 0, note: 'no checker yet'})
    continue
  }
  try {
    const mod = await import(pathToFileURL(checker).href)
    const r = await mod.run(join(corpus, area))
    rows.push(r)
    if (verbose) for (const d of r.details ?? []) if (!d.ok) console.log(`  ${area}: ${JSON.stringify(d)}`)
  } catch (e) {
    rows.push({name: area, total: 0, matched: 0, note: `checker failed: ${e.message}`})
  }
}
console.log('area      matched / total')
for (const r of rows) console.log(`${r.name.padEnd(9)} ${String(r.matched).padStart(7)} / ${r.total}${r.note ? `   (${r.note})` : ''}`)
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(rows, null, 2))
