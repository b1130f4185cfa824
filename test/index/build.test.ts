import {appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {buildIndex} from '../../src/index/build.js'
import {natDir, openIndexDb} from '../../src/index/schema.js'
import {IndexReader} from '../../src/index/query.js'
import type {NatraceError} from '../../src/io/errors.js'
import type {Incident} from '../../src/model.js'

const samples = resolve(import.meta.dirname, '../../samples')

async function paths(db: string): Promise<string[]> {
  const d = await openIndexDb(db, {readOnly: true})
  try {
    return (await d.conn.runAndReadAll('SELECT path FROM files ORDER BY path')).getRows().map((r) => String(r[0]))
  } finally {
    d.close()
  }
}

/**
 * The NAT rows the index holds, counted in its Parquet files, and those files against the indexed NAT logs
 * with records (one file each, named by the log's id, nothing else in the directory).
 */
async function natRows(db: string): Promise<{rows: number; files: string[]; ids: string[]}> {
  const d = await openIndexDb(db, {readOnly: true})
  try {
    const files = readdirSync(natDir(db)).sort()
    const ids = (await d.conn.runAndReadAll(`SELECT id FROM files WHERE family = 'nat' AND records > 0`)).getRows().map((r) => `${r[0]}.parquet`).sort()
    const rows = files.length ? Number((await d.conn.runAndReadAll(`SELECT count(*) FROM read_parquet('${natDir(db)}/*.parquet')`)).getRows()[0]![0]) : 0
    return {rows, files, ids}
  } finally {
    d.close()
  }
}

describe('natrace index is incremental', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const nat = join(dir, 'nat')
  mkdirSync(nat)
  for (const f of ['security.1.gz', 'security.0.gz', 'security']) copyFileSync(join(samples, 'nat', f), join(nat, f))
  const db = join(dir, 'x.duckdb')
  const opts = {logTz: 'America/Sao_Paulo', threads: 1}

  it('skips files already indexed, follows a rotation rename, and re-indexes a file that grew without duplicating rows', async () => {
    const first = await buildIndex([nat], db, opts)
    expect(first.indexed).toBe(3)
    const total = first.totalNatRecords
    const rows = await natRows(db)
    expect(rows.rows).toBe(total)
    expect(rows.files).toEqual(rows.ids)
    // what a build that stopped half-way leaves (a file of its own, a file of an id no log has): removed by the next
    writeFileSync(join(natDir(db), '99.parquet.part'), 'x')
    writeFileSync(join(natDir(db), '98.parquet'), 'x')

    const again = await buildIndex([nat], db, opts)
    expect(again).toMatchObject({indexed: 0, unchanged: 3, natRecords: 0, totalNatRecords: total})
    expect(await natRows(db)).toEqual(rows)

    // rotation: .1.gz -> .2.gz and .0.gz -> .1.gz; the live file gets one more line
    renameSync(join(nat, 'security.1.gz'), join(nat, 'security.2.gz'))
    renameSync(join(nat, 'security.0.gz'), join(nat, 'security.1.gz'))
    appendFileSync(join(nat, 'security'), 'Jun 18 17:31:02 gw kernel: ipfw: 1 Count TCP 192.168.0.10:50001 8.8.8.8:443 in via em1\n')
    const rotated = await buildIndex([nat], db, opts)
    expect(rotated).toMatchObject({indexed: 1, renamed: 2, unchanged: 0})
    expect(rotated.totalNatRecords).toBe(total + 1)
    // the grown file's old rows are gone with its old id, its new rows under the new one
    const after = await natRows(db)
    expect(after.rows).toBe(total + 1)
    expect(after.files).toEqual(after.ids)
    expect(after.files).not.toEqual(rows.files)
    expect(await paths(db)).toEqual([join(nat, 'security'), join(nat, 'security.1.gz'), join(nat, 'security.2.gz')])
  })
})

describe('natrace index over identical copies of a log (same size, mtime and head)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('indexes each copy once and finds every one unchanged the next time, the index not growing', async () => {
    // an archive and its backup copy (cp -p) both given to the index, and a rotation inside the archive
    for (const d of ['a', 'b']) {
      mkdirSync(join(dir, d))
      for (const f of ['security.1.gz', 'security.0.gz']) {
        copyFileSync(join(samples, 'nat', f), join(dir, d, f))
        utimesSync(join(dir, d, f), 1_700_000_000, 1_700_000_000 + f.length)
      }
    }
    const db = join(dir, 'x.duckdb')
    const opts = {logTz: 'America/Sao_Paulo', threads: 1}
    const first = await buildIndex([join(dir, 'a'), join(dir, 'b')], db, opts)
    expect(first).toMatchObject({indexed: 4, unchanged: 0, renamed: 0})
    for (let run = 0; run < 2; run++) {
      const again = await buildIndex([join(dir, 'a'), join(dir, 'b')], db, opts)
      expect(again).toMatchObject({indexed: 0, unchanged: 4, renamed: 0, totalNatRecords: first.totalNatRecords})
    }
    // the backup copy rotated: b's .1.gz -> .2.gz, .0.gz -> .1.gz (the same contents as a's under other names)
    renameSync(join(dir, 'b', 'security.1.gz'), join(dir, 'b', 'security.2.gz'))
    renameSync(join(dir, 'b', 'security.0.gz'), join(dir, 'b', 'security.1.gz'))
    const rotated = await buildIndex([join(dir, 'a'), join(dir, 'b')], db, opts)
    expect(rotated).toMatchObject({indexed: 0, unchanged: 2, renamed: 2, totalNatRecords: first.totalNatRecords})
    const names = ['a/security.0.gz', 'a/security.1.gz', 'b/security.1.gz', 'b/security.2.gz']
    expect(await paths(db)).toEqual(names.map((n) => join(dir, n)))
  })
})

describe('an index whose directory of NAT records cannot be made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('is refused in one line that names the path and what to do', async () => {
    const db = join(dir, 'x.duckdb')
    writeFileSync(natDir(db), 'a file where the directory goes')
    await expect(buildIndex([join(samples, 'nat')], db, {logTz: 'America/Sao_Paulo', threads: 1})).rejects.toMatchObject({
      file: natDir(db),
      message: "cannot make the directory of the index's NAT records (EEXIST): remove or rename what is there, or choose another --db",
    })
  })
})

describe('an index of another schema version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('is refused with a one-line message to build it again, by the build and by the lookup', async () => {
    const db = join(dir, 'old.duckdb')
    const d = await openIndexDb(db)
    await d.conn.run(`UPDATE meta SET v = '2' WHERE k = 'schema'`)
    d.close()
    const rebuild = /^this index was built by another version of natrace \(schema 2, expected \d+\): delete it and build it again/
    await expect(buildIndex([join(samples, 'nat')], db, {threads: 1})).rejects.toThrow(rebuild)
    await expect(IndexReader.open(db)).rejects.toThrow(rebuild)
    await expect(IndexReader.open(db)).rejects.toSatisfy((e: NatraceError) => !e.oneLine().includes('\n'))
  })
})

describe('a NAT log of a known format without any record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('is indexed with no rows, alone and next to a file with rows', async () => {
    const empty = join(dir, 'quiet.log')
    writeFileSync(empty, 'Jun 18 17:31:02 gw kernel: em0: link state changed to UP\n')
    copyFileSync(join(samples, 'nat', 'security'), join(dir, 'security'))
    const opts = {natFormat: 'ipfw', threads: 1, logTz: 'UTC'}
    expect(await buildIndex([empty], join(dir, 'x.duckdb'), opts)).toMatchObject({indexed: 1, unknown: 0, natRecords: 0})
    const s = await buildIndex([empty, join(dir, 'security')], join(dir, 'x.duckdb'), opts)
    expect(s).toMatchObject({indexed: 1, unchanged: 1, unknown: 0})
    expect(s.natRecords).toBeGreaterThan(0)
    expect(s.totalNatRecords).toBe(s.natRecords)
  })
})

describe('an indexed lookup by public address', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('finds the translations of an IPv4 address (stored as a number) and of an IPv6 one (stored as text), and no other', async () => {
    const log = resolve(import.meta.dirname, '../fixtures/nat/conntrack/linux-cgnat-events/events.log')
    const db = join(dir, 'x.duckdb')
    await buildIndex([log], db, {threads: 1, logTz: 'UTC'})
    const reader = await IndexReader.open(db)
    try {
      const at = (ms: number) => ({from: ms - 60_000, to: ms + 60_000})
      const incident = (publicIp: string, publicPort: number, time: number) =>
        ({time, times: [time], publicIp, publicPort, portRole: 'source', destIp: null, destPort: null, protocol: null, zone: {zone: 'UTC', how: 'flag'}, raw: ''}) as Incident
      const year = {anchorMs: 1772572442000, mode: 'nearest', anchorWhat: 'test'} as const
      const found = async (ip: string, port: number, time: number) =>
        (await reader.nat([incident(ip, port, time)], [at(time)], year)).flatMap((r) => r.records.map((e) => `${e.evidence.line} ${e.insideIp}`))
      expect(await found('198.51.100.44', 61812, 1772572442118)).toEqual(['1 100.70.3.21', '3 100.70.3.21', '4 100.70.3.21', '5 100.70.3.21'])
      expect(await found('fd00:9::21', 41000, 1772572480000)).toEqual(['7 fd00:9::21'])
      expect(await found('198.51.100.45', 61812, 1772572442118)).toEqual([])
      const seen = await reader.seenPublicIps(['198.51.100.44', 'fd00:9::21', '2001:db8:aa::80', '192.0.2.1'], [at(1772572480000)])
      // (2001:db8:aa::80 is only a destination: no translation to it, no packet log)
      expect(seen.sort()).toEqual(['198.51.100.44', 'fd00:9::21'])
    } finally {
      reader.close()
    }
  })
})
