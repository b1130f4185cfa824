/**
 * The index: a DuckDB file of the indexed files and their lease records, and beside it a directory
 * (`FILE.nat`, natDir) of one Parquet file a NAT log (rows.ts NatParquet), keyed for the lookups an attribution
 * makes — (public IP, public port, time) for translations and port blocks, (inside port, time) for one-sided
 * packet logs, (inside IP, time) for leases. A NAT record is a row of its lookup keys and a payload (its other
 * fields and the evidence line) in a compressed block of 512 records (rows.ts); a lease row keeps the record as
 * JSON; so an indexed attribution feeds the engine exactly the records a scan would have parsed.
 *
 * Schema 9 (NAT rows as a Parquet file a log, read by DuckDB's read_parquet: loading them into a DuckDB table was
 * a tenth of the build's work) replaced schema 8 (IPv4 addresses of `nat` as numbers: rows.ts), which replaced
 * schema 7 (a payload string found in the record's line stored as its place there), which replaced schema 6
 * (payload blocks in a binary layout, the kind as a number), which replaced schema 5 (the same blocks as JSON),
 * which replaced schema 3 (every field and the evidence line as columns), which replaced schema 2 (whole records
 * as JSON); schema 4 kept the blocks in a table of their own. An index of another schema is refused with a
 * one-line message to build it again (`schemaError`).
 */
import {DuckDBInstance, type DuckDBConnection} from '@duckdb/node-api'
import {join} from 'node:path'
import {NatraceError} from '../io/errors.js'

export const SCHEMA_VERSION = 9

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (
     id INTEGER PRIMARY KEY, path VARCHAR, family VARCHAR, size BIGINT, mtime_ms DOUBLE, head_hash VARCHAR,
     compressed VARCHAR, format VARCHAR, zone VARCHAR, zone_how VARCHAR, years VARCHAR, first_ms BIGINT, last_ms BIGINT,
     records BIGINT, lines BIGINT, malformed BIGINT, dst_repeated INTEGER, dst_gap INTEGER, indexed_at DOUBLE,
     first_line INTEGER, first_text VARCHAR, last_line INTEGER, last_text VARCHAR,
     -- a NAT log's rows: the range of their time (NULL: none), their Parquet file natFile(db, id)
     nat_time_min DOUBLE, nat_time_max DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS leases (file_id INTEGER, line INTEGER, time BIGINT, ip VARCHAR, ev VARCHAR)`,
  // lease rows are looked up by address over all time (no time range to prune by): an ART index, used by
  // DuckDB for \`ip = '…'\` (not for IN lists), so a lookup reads a few rows instead of the whole table
  `CREATE INDEX IF NOT EXISTS leases_ip ON leases (ip)`,
]

export interface IndexDb {
  instance: DuckDBInstance
  conn: DuckDBConnection
  close(): void
}

/** The schema version an index file was built with (null: none recorded, e.g. a new file). */
export async function schemaOf(conn: DuckDBConnection): Promise<string | null> {
  const tables = (await conn.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'`)).getRows()[0]![0]
  if (Number(tables) === 0) return null
  const v = (await conn.runAndReadAll(`SELECT v FROM meta WHERE k = 'schema'`)).getRows()[0]?.[0]
  return v === undefined || v === null ? null : String(v)
}

/** The one-line complaint about an index of another schema version. */
export function schemaError(version: string | null): string {
  return `this index was built by another version of natrace (schema ${version ?? 'unknown'}, expected ${SCHEMA_VERSION}): delete it and build it again with \`natrace index PATH… --db FILE\``
}

/**
 * Opens (creates) an index file. `threads`: DuckDB's threads (default 2); the build passes 1, as its worker
 * threads already keep both cores busy parsing and a second DuckDB thread only contends with them.
 */
export async function openIndexDb(path: string, opts: {readOnly?: boolean; threads?: number} = {}): Promise<IndexDb> {
  const instance = await DuckDBInstance.create(path, {
    ...(opts.readOnly ? {access_mode: 'READ_ONLY'} : {}),
    memory_limit: '192MB',
    threads: String(opts.threads ?? 2),
  })
  const conn = await instance.connect()
  const db = {
    instance,
    conn,
    close() {
      conn.closeSync()
      instance.closeSync()
    },
  }
  if (!opts.readOnly) {
    const version = await schemaOf(conn)
    if (version !== null && version !== String(SCHEMA_VERSION)) {
      db.close()
      throw new NatraceError(schemaError(version), 1, path)
    }
    for (const sql of DDL) await conn.run(sql)
    await conn.run(`INSERT OR REPLACE INTO meta VALUES ('schema', '${SCHEMA_VERSION}')`)
  }
  return db
}

/** The directory of an index's NAT rows (a Parquet file a NAT log), beside its DuckDB file. */
export function natDir(db: string): string {
  return `${db}.nat`
}

/** The Parquet file of the NAT rows of the indexed file `id`. */
export function natFile(db: string, id: number): string {
  return join(natDir(db), `${id}.parquet`)
}

/** A string as an SQL literal. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}
