/**
 * The index file (DuckDB): NAT records and lease records of the indexed logs, keyed for the lookups an
 * attribution makes — (public IP, public port, time) for translations and port blocks, (inside port, time)
 * for one-sided packet logs, (inside IP, time) for leases. Each row keeps the whole record as JSON, so an
 * indexed attribution feeds the engine exactly the records a scan would have parsed.
 */
import {DuckDBInstance, type DuckDBConnection} from '@duckdb/node-api'

export const SCHEMA_VERSION = 2

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (
     id INTEGER PRIMARY KEY, path VARCHAR, family VARCHAR, size BIGINT, mtime_ms DOUBLE, head_hash VARCHAR,
     compressed VARCHAR, format VARCHAR, zone VARCHAR, zone_how VARCHAR, years VARCHAR, first_ms BIGINT, last_ms BIGINT,
     records BIGINT, lines BIGINT, malformed BIGINT, dst_repeated INTEGER, dst_gap INTEGER, indexed_at DOUBLE,
     first_line INTEGER, first_text VARCHAR, last_line INTEGER, last_text VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS nat (
     file_id INTEGER, line INTEGER, time BIGINT, kind VARCHAR, outside_ip VARCHAR, outside_port INTEGER,
     outside_port_end INTEGER, inside_port INTEGER, ev VARCHAR, src_ip VARCHAR, dst_ip VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS leases (file_id INTEGER, line INTEGER, time BIGINT, ip VARCHAR, ev VARCHAR)`,
]

export interface IndexDb {
  instance: DuckDBInstance
  conn: DuckDBConnection
  close(): void
}

export async function openIndexDb(path: string, opts: {readOnly?: boolean} = {}): Promise<IndexDb> {
  const instance = await DuckDBInstance.create(path, {
    ...(opts.readOnly ? {access_mode: 'READ_ONLY'} : {}),
    memory_limit: '192MB',
    threads: '2',
  })
  const conn = await instance.connect()
  if (!opts.readOnly) {
    for (const sql of DDL) await conn.run(sql)
    await conn.run(`INSERT OR REPLACE INTO meta VALUES ('schema', '${SCHEMA_VERSION}')`)
  }
  return {
    instance,
    conn,
    close() {
      conn.closeSync()
      instance.closeSync()
    },
  }
}

/** A string as an SQL literal. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}
