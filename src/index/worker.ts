/**
 * Worker thread of the index build: reads one log file whole (every record, no pre-filter) and writes its
 * rows to a temporary TSV file that the main thread loads into DuckDB. Memory stays bounded by the read
 * buffers: rows go to disk every MiB.
 */
import {closeSync, openSync, writeSync} from 'node:fs'
import {parentPort} from 'node:worker_threads'
import {readIndexFile, type IndexJob, type IndexJobResult} from './read.js'

parentPort?.on('message', async (job: IndexJob) => {
  try {
    const fd = openSync(job.out, 'w')
    let buf: string[] = []
    let size = 0
    const write = (row: string) => {
      buf.push(row)
      size += row.length
      if (size > 1 << 20) {
        writeSync(fd, buf.join(''))
        buf = []
        size = 0
      }
    }
    let result: IndexJobResult
    try {
      result = await readIndexFile(job, write)
      if (buf.length) writeSync(fd, buf.join(''))
    } finally {
      closeSync(fd)
    }
    parentPort!.postMessage({ok: true, id: job.id, result})
  } catch (e) {
    parentPort!.postMessage({ok: false, id: job.id, message: (e as Error).message ?? String(e)})
  }
})
