/**
 * Worker thread of the index build: reads one log file whole (every record, no pre-filter) and writes its
 * rows (sink.ts): NAT rows to the log's Parquet file beside the index, lease rows appended to the load batch's
 * TSV that the main thread loads into DuckDB. Memory stays bounded: rows go to disk a Parquet row group or
 * 64 KiB of text at a time.
 */
import {parentPort} from 'node:worker_threads'
import {type IndexJob} from './read.js'
import {readForIndex} from './sink.js'

parentPort?.on('message', async (job: IndexJob) => {
  try {
    const result = await readForIndex(job)
    parentPort!.postMessage({ok: true, id: job.id, result})
  } catch (e) {
    parentPort!.postMessage({ok: false, id: job.id, message: (e as Error).message ?? String(e)})
  }
})
