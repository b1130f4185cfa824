/**
 * `natrace scan --follow`: the detector fed from growing logs (follow.ts). Each source that crosses a
 * threshold is printed once (text block, or one NDJSON line with --json), attributed through the lease
 * sources as they are at that moment (re-read when they change), and not again within the quiet period
 * (on the log's clock). Memory stays bounded: the detector's windows expire, the quiet-period table is pruned.
 */
import {stat} from 'node:fs/promises'
import {expandInputs} from '../io/files.js'
import {formatWarning, type Warning} from '../io/errors.js'
import {natFormats} from '../nat/registry.js'
import type {HoldingIndex} from '../lease/holdings.js'
import {ScanDetector} from './detector.js'
import {feeder, scanFormats} from './fastpath.js'
import {followFiles} from './follow.js'
import {detectionText} from './render.js'
import {detectionOut, detectorOptions, loadHoldings, type ScanRunOptions} from './run.js'
import type {RawDetection} from './types.js'

export interface LiveOptions {
  quietMs: number
  fromStart?: boolean
  json: boolean
  write: (text: string) => void
  warn: (text: string) => void
  pollMs?: number
  signal?: AbortSignal
}

/** Alerts once per source per quiet period; the table forgets sources whose quiet period is over. */
export class QuietTable {
  private last = new Map<string, number>()
  constructor(readonly quietMs: number) {}

  /** true when `key` may alert at `now` (and records it) */
  allow(key: string, now: number): boolean {
    const prev = this.last.get(key)
    if (prev !== undefined && Math.abs(now - prev) < this.quietMs) return false
    this.last.set(key, now)
    if (this.last.size > 10_000) for (const [k, t] of this.last) if (now - t >= this.quietMs) this.last.delete(k)
    return true
  }

  get size(): number {
    return this.last.size
  }
}

export async function runFollow(opts: ScanRunOptions, live: LiveOptions): Promise<void> {
  const dopts = detectorOptions(opts)
  const quiet = new QuietTable(live.quietMs)
  const queue: RawDetection[] = []
  const det = new ScanDetector({
    ...dopts,
    onAlert: (d) => {
      if (quiet.allow(`${d.direction} ${d.sourceIp}`, d.lastSeen)) queue.push(d)
    },
  })
  const files = (await expandInputs(opts.natLogs, 'NAT log')).filter((f) => f.compressed === null)
  if (files.length === 0) live.warn('nothing to follow: every NAT log given is compressed (give the live log)')

  // lease sources: re-read when one of them changed (checked at most every 2 s)
  let holdings: HoldingIndex | null = null
  let stamp = ''
  let checked = 0
  const leaseStamp = async () => {
    if (opts.dhcp.length === 0) return ''
    const parts: string[] = []
    for (const f of await expandInputs(opts.dhcp, 'lease source').catch(() => [])) {
      const st = await stat(f.path).catch(() => null)
      parts.push(`${f.path}:${st?.mtimeMs ?? 0}:${st?.size ?? 0}`)
    }
    return parts.join('|')
  }
  const leases = async () => {
    if (opts.dhcp.length === 0) return null
    if (Date.now() - checked < 2000 && holdings) return holdings
    checked = Date.now()
    const s = await leaseStamp()
    if (s !== stamp || !holdings) {
      const w: Warning[] = []
      holdings = (await loadHoldings(opts, null, w))?.holdings ?? null
      for (const x of w) live.warn(`warning: ${formatWarning(x)}`)
      stamp = s
    }
    return holdings
  }
  if (opts.dhcp.length) await leases()

  const flush = async () => {
    if (queue.length === 0) return
    const h = await leases()
    for (const raw of queue.splice(0)) {
      const d = detectionOut(raw, h)
      if (live.json) live.write(JSON.stringify(d) + '\n')
      else live.write([`ALERT ${d.source.ip}${d.source.mac ? ` (${d.source.mac}${d.source.hostname ? ` "${d.source.hostname}"` : ''})` : ''}`, ...detectionText(d)].join('\n') + '\n\n')
    }
  }
  const ac = new AbortController()
  const stop = () => ac.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  live.signal?.addEventListener('abort', stop)
  let flushing: Promise<void> = Promise.resolve()
  await followFiles(
    files.map((f) => f.path),
    scanFormats(natFormats),
    {
      zone: opts.logTz,
      format: opts.natFormat,
      fromStart: live.fromStart,
      pollMs: live.pollMs,
      signal: ac.signal,
      onRecord: feeder(det),
      onWarning: (w) => live.warn(`warning: ${formatWarning(w)}`),
      onReady: () => live.warn(`following ${files.length} file(s); alerts are printed as sources cross thresholds (Ctrl-C to stop)`),
      onIdle: () => {
        flushing = flushing.then(flush)
      },
    },
  )
  await flushing
  await flush()
}
