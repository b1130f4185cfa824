/**
 * One file's rows appended to its family's temporary TSV in chunks of whole rows (about 1 MiB each, one
 * write per chunk on a file opened for appending, so the jobs of one batch can share the file).
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import {familyOf, readIndexFile, type IndexJob, type IndexJobResult} from './read.js'

const CHUNK = 1 << 20

export async function readToTsv(job: IndexJob): Promise<IndexJobResult> {
  const family = await familyOf(job)
  if (family === null) return readIndexFile(job, family, () => {})
  const fd = openSync(family === 'nat' ? job.out.nat : job.out.lease, 'a')
  try {
    let buf = ''
    const r = await readIndexFile(job, family, (row) => {
      buf += row
      if (buf.length > CHUNK) {
        writeSync(fd, buf)
        buf = ''
      }
    })
    if (buf.length) writeSync(fd, buf)
    return r
  } finally {
    closeSync(fd)
  }
}
