/**
 * One file's rows written for the index: NAT rows to the file's Parquet file (NatParquet, a row group at a
 * time), lease rows appended to its load batch's temporary TSV in chunks of whole rows (about 64 KiB each,
 * one write per chunk on a file opened for appending, so the jobs of one batch can share the file). Small
 * chunks, not 1 MiB: the rows waiting in a chunk survive the young generation's collections, and with 1 MiB
 * chunks copying them was a fifth of a worker's time.
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import {familyOf, readIndexFile, type IndexJob, type IndexJobResult} from './read.js'
import {NatParquet} from './rows.js'

const CHUNK = 1 << 16

/** Rows buffered for one temporary TSV file. */
class Out {
  private fd = -1
  private text = ''
  constructor(private readonly path: string) {}
  add(rows: string): void {
    this.text += rows
    if (this.text.length > CHUNK) this.flush()
  }
  /** One append of whole rows; a short write (disk full) fails the job rather than leaving half a row. */
  flush(): void {
    if (!this.text.length) return
    if (this.fd < 0) this.fd = openSync(this.path, 'a')
    const bytes = Buffer.from(this.text)
    const n = writeSync(this.fd, bytes)
    if (n !== bytes.length) throw new Error(`short write to the index's temporary file (${n} of ${bytes.length} bytes): is the disk full?`)
    this.text = ''
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
  }
}

export async function readForIndex(job: IndexJob): Promise<IndexJobResult> {
  const {family, ...head} = await familyOf(job)
  const lease = new Out(job.leaseTsv)
  const nat = new NatParquet(job.natFile)
  let ok = false
  try {
    const r = await readIndexFile(job, family, {nat, lease: (t) => lease.add(t)}, head)
    lease.flush()
    ok = true
    return r
  } finally {
    lease.close()
    if (!ok) nat.abandon()
  }
}
