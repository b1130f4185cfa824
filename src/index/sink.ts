/**
 * One file's rows appended to its family's temporary TSV in chunks of whole rows (about 1 MiB each, one
 * write per chunk on a file opened for appending, so the jobs of one batch can share the file).
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import {familyOf, readIndexFile, type IndexJob, type IndexJobResult} from './read.js'

const CHUNK = 1 << 20

/** One append of whole rows; a short write (disk full) fails the job rather than leaving half a row. */
function append(fd: number, text: string): void {
  const b = Buffer.from(text)
  const n = writeSync(fd, b)
  if (n !== b.length) throw new Error(`short write to the index's temporary file (${n} of ${b.length} bytes): is the disk full?`)
}

export async function readToTsv(job: IndexJob): Promise<IndexJobResult> {
  const family = await familyOf(job)
  if (family === null) return readIndexFile(job, family, () => {})
  const fd = openSync(family === 'nat' ? job.out.nat : job.out.lease, 'a')
  try {
    let buf = ''
    const r = await readIndexFile(job, family, (row) => {
      buf += row
      if (buf.length > CHUNK) {
        append(fd, buf)
        buf = ''
      }
    })
    if (buf.length) append(fd, buf)
    return r
  } finally {
    closeSync(fd)
  }
}
