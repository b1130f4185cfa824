import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, it, vi} from 'vitest'
import type {Progress, ProgressSink} from '../correlate/options.js'
import {ProgressView} from './Progress.js'
import {advance, initialProgress, viewPhase} from './progress.js'
import {Review} from './Review.js'
import {sampleResult} from '../../test/tui/fixtures.js'
import {KEY, fakeDrafts, press, see} from '../../test/tui/helpers.js'
import {NatraceError} from '../io/errors.js'

afterEach(() => cleanup())

const GiB = 1024 ** 3
const p = (x: Partial<Progress> & Pick<Progress, 'phase'>): Progress => ({
  filesDone: 0,
  filesTotal: 0,
  bytesRead: 0,
  bytesTotal: 0,
  lines: 0,
  matched: 0,
  ...x,
})

describe('progress arithmetic', () => {
  it('measures rate and ETA from the bytes read since the phase began', () => {
    let s = initialProgress(0)
    s = advance(s, p({phase: 'report'}), 0)
    s = advance(s, p({phase: 'nat', filesTotal: 4, bytesTotal: 4 * GiB, file: 'nat/cgnat.log.3.gz'}), 1_000)
    s = advance(s, p({phase: 'nat', filesTotal: 4, filesDone: 1, bytesRead: GiB, bytesTotal: 4 * GiB, lines: 5_000_000, matched: 2}), 11_000)
    const v = viewPhase(s, 'nat', 11_000)!
    expect(v.bytesPerSecond).toBeCloseTo(GiB / 10)
    expect(v.etaSeconds).toBeCloseTo(30)
    expect(v.fraction).toBeCloseTo(0.25)
    expect(v.linesPerSecond).toBeCloseTo(500_000)
    // entering the next phase finishes this one; its ETA becomes 0 and its clock stops
    s = advance(s, p({phase: 'leases', filesTotal: 1, bytesTotal: 1000}), 50_000)
    const done = viewPhase(s, 'nat', 60_000)!
    expect(done.finished).toBe(true)
    expect(done.etaSeconds).toBe(0)
    expect(done.elapsedMs).toBe(10_000)
  })

  it('says the ETA is unknown until something was read', () => {
    let s = initialProgress(0)
    s = advance(s, p({phase: 'nat', filesTotal: 1, bytesTotal: 1000}), 0)
    expect(viewPhase(s, 'nat', 5000)!.etaSeconds).toBeNull()
  })
})

describe('live progress view', () => {
  it('shows the file being read, files done, bytes, rate, ETA and matches so far', async () => {
    let s = initialProgress(0)
    s = advance(s, p({phase: 'report'}), 0)
    s = advance(s, p({phase: 'nat', filesTotal: 4, bytesTotal: 4 * GiB, file: 'nat/cgnat.log.3.gz'}), 1_000)
    s = advance(
      s,
      p({phase: 'nat', file: 'nat/cgnat.log.2.gz', filesTotal: 4, filesDone: 1, bytesRead: GiB, bytesTotal: 4 * GiB, lines: 5_000_000, matched: 2}),
      11_000,
    )
    const {lastFrame} = render(<ProgressView state={s} now={11_000} width={80} title="reports/nicbr.eml" />)
    const f = lastFrame() ?? ''
    expect(f).toContain('✔ Reading the report')
    expect(f).toContain('▸ Reading NAT logs  files 2/4')
    expect(f).toContain('nat/cgnat.log.2.gz')
    expect(f).toMatch(/\[#+\.+\]\s+25%\s+1\.0 GiB \/ 4\.0 GiB\s+102 MiB\/s\s+ETA 30s/)
    expect(f).toContain('5.0M lines (500k/s) · 2 matched an incident so far')
    expect(f).toContain('Reading lease sources')
    expect(f).toContain('elapsed 11s')
    for (const l of f.split('\n')) expect([...l].length).toBeLessThanOrEqual(80)
  })

  it('strips escapes from file names', async () => {
    let s = initialProgress(0)
    s = advance(s, p({phase: 'nat', filesTotal: 1, bytesTotal: 10, file: 'nat/\u001b[2Jevil.log'}), 0)
    const {lastFrame} = render(<ProgressView state={s} now={10} width={80} title="r.eml" />)
    expect(lastFrame()).toContain('nat/evil.log')
    expect(lastFrame()).not.toContain('\u001b[2J')
  })
})

describe('review session', () => {
  it('shows progress while the attribution runs, then the review screen, which takes keys at once', async () => {
    let sink: ProgressSink = () => undefined
    let finish: () => void = () => undefined
    const load = vi.fn(
      (onProgress: ProgressSink) =>
        new Promise<ReturnType<typeof sampleResult>>((resolve) => {
          sink = onProgress
          finish = () => resolve(sampleResult())
        }),
    )
    const onDone = vi.fn()
    const {lastFrame, stdin} = render(
      <Review title="reports/nicbr.eml" load={load} drafts={fakeDrafts()} size={{columns: 80, rows: 24}} tickMs={10} onDone={onDone} />,
    )
    const frame = () => lastFrame() ?? ''
    await see(frame, 'natrace review · reports/nicbr.eml', 'Reading the report')
    sink(p({phase: 'nat', file: 'nat/cgnat.log', filesTotal: 2, bytesRead: 512, bytesTotal: 2048, lines: 10, matched: 1}))
    await see(frame, 'nat/cgnat.log', '25%', '1 matched an incident so far')
    finish()
    await see(frame, 'Incident #1')
    await press(stdin, KEY.down)
    await see(frame, 'Incident #2')
    await press(stdin, 'q')
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({exitCode: 0, decisions: []}))
  })

  it('ends with the failure of the run, shown in one line, and its exit code', async () => {
    const onDone = vi.fn()
    const err = new NatraceError('no such file', 1, 'reports/missing.eml')
    const {lastFrame} = render(
      <Review title="reports/missing.eml" load={() => Promise.reject(err)} drafts={fakeDrafts()} size={{columns: 80, rows: 24}} onDone={onDone} />,
    )
    await see(() => lastFrame(), 'natrace review: reports/missing.eml: no such file')
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({exitCode: 1, error: err, decisions: []}))
  })

  it('aborts on q while the logs are read', async () => {
    const onDone = vi.fn()
    const {stdin, lastFrame} = render(
      <Review title="r.eml" load={() => new Promise(() => undefined)} drafts={fakeDrafts()} size={{columns: 80, rows: 24}} onDone={onDone} />,
    )
    await see(() => lastFrame(), 'q abort')
    await press(stdin, 'q')
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({exitCode: 130, decisions: []}))
  })
})
