/**
 * One file's rows appended to the temporary TSV of its family in its load batch, in chunks of whole rows (about 64 KiB each, one write per chunk on a file opened for appending, so the
 * jobs of one batch can share the files). Small chunks, not 1 MiB: the text waiting in a chunk survives the
 * young generation's collections, and with 1 MiB chunks copying it was a fifth of a worker's time.
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import {familyOf, readIndexFile, type IndexJob, type IndexJobResult} from './read.js'

const CHUNK = 1 << 16

/** One append of whole rows; a short write (disk full) fails the job rather than leaving half a row. */
function append(fd: number, text: string): void {
  const b = Buffer.from(text)
  const n = writeSync(fd, b)
  if (n !== b.length) throw new Error(`short write to the index's temporary file (${n} of ${b.length} bytes): is the disk full?`)
}

/** Rows buffered for one temporary file. */
class Out {
  private fd = -1
  private buf = ''
  constructor(private readonly path: string) {}
  add(row: string): void {
    this.buf += row
    if (this.buf.length > CHUNK) this.flush()
  }
  flush(): void {
    if (!this.buf.length) return
    if (this.fd < 0) this.fd = openSync(this.path, 'a')
    append(this.fd, this.buf)
    this.buf = ''
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
  }
}

export async function readToTsv(job: IndexJob): Promise<IndexJobResult> {
  const {family, ...head} = await familyOf(job)
  const out = new Out(family === 'lease' ? job.out.lease : job.out.nat)
  try {
    const r = await readIndexFile(job, family, (t) => out.add(t), head)
    out.flush()
    return r
  } finally {
    out.close()
  }
}
