/**
 * The whole `natrace review` session: the live progress view while the attribution runs, then the review
 * screen; a failed run shows its one-line error and ends with exit code 1.
 */
import {useEffect, useRef, useState} from 'react'
import {Box, useApp, useInput, type Key} from 'ink'
import type {Progress, ProgressSink} from '../correlate/options.js'
import type {AttributionResult} from '../model.js'
import {ReviewApp, type DraftIO} from './App.js'
import type {ReviewDecision} from './decisions.js'
import {ProgressView} from './Progress.js'
import {advance, initialProgress, type ProgressState} from './progress.js'
import {Rows, seg} from './rows.js'
import {safe} from './text.js'
import {InputRouter, ThemeContext, useTermSize, type KeyHandler, type Size} from './theme.js'

/** How a review session ended. */
export interface ReviewOutcome {
  /** 0 quit normally; the error's exit code (1 bad input, 2 usage) when the run failed; 130 aborted while reading */
  exitCode: number
  /** the failure of the run, as thrown (the command turns it into its one-line message and exit code) */
  error?: unknown
  decisions: ReviewDecision[]
  /** the files of the last write of the drafts in the session, and what to fix before sending them */
  written?: {files: string[]; warnings: string[]}
}

export interface ReviewProps {
  /** report path as given, shown while loading */
  title: string
  /** runs the attribution, reporting progress */
  load: (onProgress: ProgressSink) => Promise<AttributionResult>
  drafts: DraftIO
  color?: boolean
  size?: Size
  /** clock (tests) */
  now?: () => number
  /** how often the progress view redraws, ms */
  tickMs?: number
  onDone?: (o: ReviewOutcome) => void
}

type State =
  | {kind: 'loading'}
  | {kind: 'ready'; result: AttributionResult}
  | {kind: 'failed'; error: string}

export function Review({title, load, drafts, color = true, size: fixed, now = Date.now, tickMs = 200, onDone}: ReviewProps) {
  const {exit} = useApp()
  const size = useTermSize(fixed)
  const [state, setState] = useState<State>({kind: 'loading'})
  const written = useRef<ReviewOutcome['written']>(undefined)
  const progress = useRef<ProgressState>(initialProgress(now()))
  const [, setTick] = useState(0)

  useEffect(() => {
    let alive = true
    const sink: ProgressSink = (p: Progress) => {
      progress.current = advance(progress.current, p, now())
    }
    load(sink).then(
      (result) => {
        if (alive) setState({kind: 'ready', result})
      },
      (err: unknown) => {
        if (!alive) return
        const e = err as {oneLine?: () => string; message?: string; exitCode?: unknown}
        const text = safe(typeof e?.oneLine === 'function' ? e.oneLine() : (e?.message ?? String(err)))
        setState({kind: 'failed', error: text})
        onDone?.({exitCode: typeof e?.exitCode === 'number' && e.exitCode > 0 ? e.exitCode : 1, error: err ?? new Error(text), decisions: []})
      },
    )
    return () => {
      alive = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  // end once the error frame has been drawn
  useEffect(() => {
    if (state.kind === 'failed') exit()
  }, [state.kind, exit])

  // redraw the progress view at a steady pace (rate and ETA move even when no callback arrives)
  useEffect(() => {
    if (state.kind !== 'loading') return
    const t = setInterval(() => {
      setTick((n) => n + 1)
    }, tickMs)
    return () => clearInterval(t)
  }, [state.kind, tickMs])

  // the one input subscription of the session: while loading it only knows q; then the review screen takes over
  const loading = useRef(true)
  loading.current = state.kind === 'loading'
  const router = useRef<KeyHandler | null>(null)
  const onKey = useRef((input: string, key: Key) => {
    if (!loading.current) {
      router.current?.(input, key)
      return
    }
    if ([...input].includes('q') || key.escape) {
      loading.current = false
      onDone?.({exitCode: 130, decisions: []})
      exit()
    }
  })
  useInput(onKey.current)

  const width = Math.max(40, size.columns)
  let view
  if (state.kind === 'ready') {
    view = (
      <ReviewApp
        result={state.result}
        drafts={drafts}
        size={fixed}
        onQuit={(decisions) => onDone?.({exitCode: 0, decisions, ...(written.current ? {written: written.current} : {})})}
        onWritten={(files, warnings) => {
          written.current = {files, warnings}
        }}
      />
    )
  } else if (state.kind === 'failed') {
    view = <Rows rows={[[seg('natrace review: ', {bold: true}), seg(state.error, {color: 'red', bold: true})]]} width={width} />
  } else {
    view = (
      <Box height={Math.max(12, size.rows - 1)} flexDirection="column">
        <ProgressView state={progress.current} now={now()} width={width} title={title} />
      </Box>
    )
  }
  return (
    <ThemeContext.Provider value={{color}}>
      <InputRouter.Provider value={router}>{view}</InputRouter.Provider>
    </ThemeContext.Provider>
  )
}
