#!/usr/bin/env node
/**
 * `npm test`: builds the CLI (end-to-end tests run the built one), runs the whole vitest suite, and closes
 * with one plain line "Tests: N passed, N failed, N skipped" that CI reads. Exit code is vitest's.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const build = spawnSync(npm, ['run', 'build'], {stdio: 'inherit'})
if (build.status !== 0) {
  console.log('Tests: 0 passed, 1 failed (the build failed)')
  process.exit(build.status ?? 1)
}
const dir = mkdtempSync(join(tmpdir(), 'natrace-test-'))
const report = join(dir, 'vitest.json')
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]
const run = spawnSync('npx', args, {stdio: 'inherit'})
let line = 'Tests: 0 passed, 1 failed (vitest wrote no results)'
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  line = `Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`
}
rmSync(dir, {recursive: true, force: true})
console.log(line)
process.exit(run.status ?? 1)
