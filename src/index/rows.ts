/**
 * Rows of the index as tab-separated text (loaded by DuckDB's COPY): no field can hold a tab or a newline
 * (numbers, addresses, kinds, and JSON, which escapes control characters). `\N` is NULL.
 */
import type {LeaseEvent, NatEvent} from '../model.js'

const n = (v: string | number | null | undefined) => (v === null || v === undefined ? '\\N' : String(v))

// evidence.file is left out (the files table names the file, also after a rotation renamed it)
export function natRow(fileId: number, e: NatEvent): string {
  e.evidence.file = ''
  return `${fileId}\t${e.evidence.line}\t${Math.round(e.time)}\t${e.kind}\t${n(e.outsideIp)}\t${n(e.outsidePort)}\t${n(e.outsidePortEnd)}\t${n(e.insidePort)}\t${JSON.stringify(e)}\t${n(e.srcIp)}\t${n(e.dstIp)}\n`
}

export function leaseRow(fileId: number, e: LeaseEvent): string {
  e.evidence.file = ''
  return `${fileId}\t${e.evidence.line}\t${Math.round(e.time)}\t${n(e.ip)}\t${JSON.stringify(e)}\n`
}

export const COPY_OPTIONS = `(DELIMITER '\t', QUOTE '', ESCAPE '', HEADER false, NULL '\\N')`
