/**
 * End to end on samples/ with the BUILT CLI: a full scan, a time-pruned scan and an indexed lookup give the
 * same answers (incidents and clients, with the same evidence).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {AttributionResult} from '../../src/model.js'
import {DuckDBInstance} from '@duckdb/node-api'
import {natDir} from '../../src/index/schema.js'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'bin/run.js')
const sample = (p: string) => join(root, 'samples', p)
const REPORT = sample('reports/nicbr-portscan.eml')
const COMMON = ['--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo', '--json']
const LOGS = ['--nat-logs', sample('nat'), '--dhcp', sample('dhcp')]

function natrace(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, TZ: 'UTC'}, cwd: root})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const answers = (r: AttributionResult) => ({incidents: r.incidents, clients: r.clients, clockOffsetSeconds: r.clockOffsetSeconds})

describe('full scan, pruned scan and index agree on samples/', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-modes-'))
  const db = join(dir, 'samples.duckdb')
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  const full = natrace(['attribute', REPORT, ...LOGS, ...COMMON, '--full-scan'])
  const pruned = natrace(['attribute', REPORT, ...LOGS, ...COMMON, '--prune-margin', '3600'])
  const built = natrace(['index', sample('nat'), sample('dhcp'), '--db', db, '--log-tz', 'America/Sao_Paulo', '--json'])
  const indexed = natrace(['attribute', REPORT, '--index', db, ...COMMON])

  it('reads every file in a full scan', () => {
    expect(full.code).toBe(3)
    const out = JSON.parse(full.stdout) as AttributionResult
    expect(out.inputs.nat.every((f) => f.skipped === undefined)).toBe(true)
    expect(out.incidents.map((i) => i.attribution.status)).toEqual(['not-found', 'attributed', 'attributed', 'ambiguous'])
  })

  it('skips the rotated file that ends hours before every reported instant, and says why', () => {
    const out = JSON.parse(pruned.stdout) as AttributionResult
    const skipped = out.inputs.nat.filter((f) => f.skipped)
    expect(skipped.map((f) => f.file)).toEqual([sample('nat/security.1.gz')])
    expect(skipped[0]!.skipped).toMatch(/next rotated file's first line/)
    expect(out.assumptions.some((a) => a.kind === 'time-pruning')).toBe(true)
  })

  it('gives the same answers pruned as in a full scan', () => {
    expect(answers(JSON.parse(pruned.stdout))).toEqual(answers(JSON.parse(full.stdout)))
  })

  it('indexes the NAT logs and the lease sources', () => {
    expect(built.code).toBe(0)
    const s = JSON.parse(built.stdout) as {indexed: number; natRecords: number; leaseRecords: number}
    expect(s.indexed).toBe(5)
    expect(s.natRecords).toBeGreaterThan(1000)
    expect(s.leaseRecords).toBeGreaterThan(100)
  })

  it('agrees with the full scan when the reported public address is one the logs never show (one-sided logs)', () => {
    const other = COMMON.map((a) => (a === '203.0.113.5' ? '203.0.113.77' : a))
    const scan = JSON.parse(natrace(['attribute', REPORT, ...LOGS, ...other, '--full-scan']).stdout) as AttributionResult
    const ix = JSON.parse(natrace(['attribute', REPORT, '--index', db, ...other]).stdout) as AttributionResult
    expect(scan.incidents.some((i) => i.attribution.status === 'attributed')).toBe(false)
    expect(answers(ix)).toEqual(answers(scan))
  })

  it('gives the same answers from the index (no logs read) as in a full scan', () => {
    expect(indexed.code).toBe(3)
    const out = JSON.parse(indexed.stdout) as AttributionResult
    expect(out.assumptions.some((a) => a.kind === 'index')).toBe(true)
    expect(answers(out)).toEqual(answers(JSON.parse(full.stdout)))
  })
})

describe('an index whose NAT rows are damaged or gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-damaged-'))
  const db = join(dir, 'samples.duckdb')
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  /** Each of the index's Parquet files of NAT rows rewritten by DuckDB with this SELECT list over its rows. */
  async function rewrite(select: string): Promise<void> {
    const inst = await DuckDBInstance.create(':memory:')
    const c = await inst.connect()
    for (const f of readdirSync(natDir(db))) {
      const path = join(natDir(db), f)
      await c.run(`COPY (SELECT ${select} FROM read_parquet('${path}')) TO '${path}.new' (FORMAT parquet)`)
      renameSync(`${path}.new`, path)
    }
    c.closeSync()
    inst.closeSync()
  }

  const refused = (pattern: RegExp) => {
    const r = natrace(['attribute', REPORT, '--index', db, ...COMMON.filter((a) => a !== '--json')])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim()).toMatch(pattern)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }

  it('is refused by the lookup in one line that says to build it again (payload gone or unreadable), rather than answering without evidence', async () => {
    expect(natrace(['index', sample('nat'), sample('dhcp'), '--db', db, '--log-tz', 'America/Sao_Paulo']).code).toBe(0)
    await rewrite('* REPLACE (NULL::BLOB AS payload)')
    refused(/^natrace: the index is damaged \(record \d+ of file .+ has no payload\): delete it and build it again$/)
    // with --json, the same message as oclif's JSON error
    const j = natrace(['attribute', REPORT, '--index', db, ...COMMON])
    expect(j.code).toBe(1)
    expect((JSON.parse(j.stdout) as {error: {message: string}}).error.message).toMatch(/the index is damaged/)
    // blocks whose bytes are not a compressed block: the same kind of message
    await rewrite(`* REPLACE (CASE WHEN seq = 0 THEN '\\x00\\x01\\x02'::BLOB END AS payload)`)
    refused(/^natrace: the index is damaged \(the records of file .+ from 0 on cannot be read: .+\): delete it and build it again$/)
    // a file that is no Parquet file
    for (const f of readdirSync(natDir(db))) writeFileSync(join(natDir(db), f), 'not parquet')
    refused(/^natrace: the index is damaged \(its NAT records cannot be read: .+\): delete it and build it again$/)
  })

  it('is refused in one line when the directory of its NAT rows is gone, and indexed anew by the next build', () => {
    rmSync(db, {force: true})
    rmSync(natDir(db), {recursive: true, force: true})
    expect(natrace(['index', sample('nat'), sample('dhcp'), '--db', db, '--log-tz', 'America/Sao_Paulo']).code).toBe(0)
    const want = natrace(['attribute', REPORT, '--index', db, ...COMMON])
    expect(want.code).toBe(3)
    rmSync(natDir(db), {recursive: true, force: true})
    refused(/^natrace: .+samples\.duckdb: the index's NAT records of .+ are missing \(.+\): keep the directory .+\.nat with the index, or run `natrace index` again to index them anew$/)
    // the next build indexes the files whose rows are gone, and the answer is the same
    const again = natrace(['index', sample('nat'), sample('dhcp'), '--db', db, '--log-tz', 'America/Sao_Paulo', '--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({indexed: 3, unchanged: 2})
    expect(natrace(['attribute', REPORT, '--index', db, ...COMMON]).stdout).toBe(want.stdout)
  })
})

describe('natrace logs inspect --at', () => {
  it('says which files time pruning would skip for an instant, and why', () => {
    const r = natrace(['logs', 'inspect', sample('nat'), '--log-tz', 'America/Sao_Paulo', '--at', '2013-06-18T15:53:34-03:00', '--prune-margin', '3600', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {pruning: {file: string; skip: boolean; reason: string | null}[]}
    expect(out.pruning.map((p) => [p.file, p.skip])).toEqual([
      [sample('nat/security.1.gz'), true],
      [sample('nat/security.0.gz'), false],
      [sample('nat/security'), false],
    ])
    expect(out.pruning[0]!.reason).toMatch(/^its lines run 2013-06-18T15:00:20Z/)
  })
})
