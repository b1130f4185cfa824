/**
 * Worker thread of src/io/parallel.ts: reads one log file per job with readSource and posts the result back.
 * The formats are functions, so the worker loads the registry of the family itself.
 */
import {parentPort} from 'node:worker_threads'
import type {Warning} from './errors.js'
import type {LineFormat} from './format.js'
import {readKept, type WorkerJob, type WorkerReply} from './parallel.js'

const registries = new Map<string, readonly LineFormat<{time: number}>[]>()

async function formatsOf(family: WorkerJob['family']): Promise<readonly LineFormat<{time: number}>[]> {
  let f = registries.get(family)
  if (!f) {
    f = family === 'nat' ? (await import('../nat/registry.js')).natFormats : (await import('../lease/registry.js')).leaseFormats
    registries.set(family, f)
  }
  return f
}

parentPort?.on('message', async (job: WorkerJob) => {
  const post = (m: WorkerReply) => parentPort!.postMessage(m)
  const warnings: Warning[] = []
  let last = 0
  try {
    const {keep, ...opts} = job.opts
    const result = await readKept(job.file, await formatsOf(job.family), {
      ...opts,
      onWarning: (w) => warnings.push(w),
      onProgress: (bytes, lines) => {
        const now = Date.now()
        if (now - last < 200) return
        last = now
        post({type: 'progress', id: job.id, bytes, lines})
      },
    }, keep)
    post({type: 'done', id: job.id, result, warnings})
  } catch (e) {
    post({type: 'error', id: job.id, message: (e as Error).message ?? String(e), warnings})
  }
})
