/**
 * Worker thread of the index build: reads one log file whole (every record, no pre-filter) and appends its
 * rows to the temporary TSV of its family that the main thread loads into DuckDB (shared by the files of one
 * load batch: each write is one append of whole rows). Memory stays bounded by the read buffers: rows go to
 * disk every MiB.
 */
import {parentPort} from 'node:worker_threads'
import {type IndexJob} from './read.js'
import {readToTsv} from './sink.js'

parentPort?.on('message', async (job: IndexJob) => {
  try {
    const result = await readToTsv(job)
    parentPort!.postMessage({ok: true, id: job.id, result})
  } catch (e) {
    parentPort!.postMessage({ok: false, id: job.id, message: (e as Error).message ?? String(e)})
  }
})
