/**
 * One file's rows appended to the temporary TSVs of its load batch (lease rows to one, NAT rows to one a row
 * shape), in chunks of whole rows (about 64 KiB each, one write per chunk on a file opened for appending, so the
 * jobs of one batch can share the files). Small chunks, not 1 MiB: the rows waiting in a chunk survive the
 * young generation's collections, and with 1 MiB chunks copying them was a fifth of a worker's time.
 */
import {closeSync, openSync, writevSync} from 'node:fs'
import {familyOf, natShapeTsv, readIndexFile, type IndexJob, type IndexJobResult} from './read.js'

const CHUNK = 1 << 16

/** Rows buffered for one temporary file: NAT rows as buffers (NatRows), lease rows as text. */
class Out {
  private fd = -1
  private parts: Buffer[] = []
  private text = ''
  private size = 0
  constructor(private readonly path: string) {}
  add(rows: Buffer | string): void {
    if (typeof rows === 'string') this.text += rows
    else {
      this.takeText()
      this.parts.push(rows)
    }
    this.size += rows.length
    if (this.size > CHUNK) this.flush()
  }
  private takeText(): void {
    if (this.text.length === 0) return
    this.parts.push(Buffer.from(this.text))
    this.text = ''
  }
  /** One append of whole rows; a short write (disk full) fails the job rather than leaving half a row. */
  flush(): void {
    if (!this.size) return
    this.takeText()
    if (this.fd < 0) this.fd = openSync(this.path, 'a')
    const bytes = this.parts.reduce((a, b) => a + b.length, 0)
    const n = writevSync(this.fd, this.parts)
    if (n !== bytes) throw new Error(`short write to the index's temporary file (${n} of ${bytes} bytes): is the disk full?`)
    this.parts = []
    this.size = 0
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
  }
}

export async function readToTsv(job: IndexJob): Promise<IndexJobResult> {
  const {family, ...head} = await familyOf(job)
  // lease rows to one TSV, NAT rows to one a shape
  const lease = new Out(job.out.lease)
  const outs = new Map<number, Out>()
  const outOf = (shape: number) => {
    let o = outs.get(shape)
    if (!o) outs.set(shape, (o = new Out(natShapeTsv(job.out.nat, shape))))
    return o
  }
  try {
    const r = await readIndexFile(job, family, (t, shape) => (shape === undefined ? lease : outOf(shape)).add(t), head)
    lease.flush()
    for (const o of outs.values()) o.flush()
    return r
  } finally {
    lease.close()
    for (const o of outs.values()) o.close()
  }
}
