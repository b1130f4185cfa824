/**
 * The review screen once the attribution is known: header, incident list, the selected incident's candidates
 * and evidence, a status line and the key footer; plus help, info, note prompt, draft preview, "written" and
 * quit confirmation screens. Sized from the terminal (80×24 and up), redrawn on resize.
 */
import {useMemo, useRef, useState, type ReactNode} from 'react'
import {Box, useApp, useInput, type Key} from 'ink'
import type {AttributionResult} from '../model.js'
import {
  NO_DECISIONS,
  accept,
  acceptNeedsReason,
  reject,
  setNote,
  snapshot,
  toDecisions,
  undo,
  type DecisionMap,
  type ReviewDecision,
} from './decisions.js'
import {Detail, defaultCandidate, detailRows} from './Detail.js'
import {Header, headerRows} from './Header.js'
import {Incidents} from './Incidents.js'
import {NoteInput} from './NoteInput.js'
import {Rows, seg, windowRows, type Row} from './rows.js'
import {
  MAIN_KEYS,
  confirmQuitRows,
  helpRows,
  infoRows,
  keysRow,
  previewRows,
  previewTabs,
  writtenRows,
  type DraftPreview,
  type PreviewTab,
} from './Screens.js'
import {safe} from './text.js'
import {useTermSize, type Size} from './theme.js'

/** How the review reaches the draft writer (src/draft), injected so the screen is testable on its own. */
export interface DraftIO {
  /** where `w` writes, as shown to the operator */
  outDir: string
  preview(result: AttributionResult, decisions: ReviewDecision[]): Promise<DraftPreview>
  /** writes the drafts; resolves with the written file paths and what to fix before sending */
  write(result: AttributionResult, decisions: ReviewDecision[]): Promise<{files: string[]; warnings?: string[]}>
}

export interface ReviewAppProps {
  result: AttributionResult
  drafts: DraftIO
  /** fixed size (tests); default: the terminal's, following resizes */
  size?: Size
  /** called with the decisions in force when the operator quits */
  onQuit?: (decisions: ReviewDecision[]) => void
}

type NotePurpose = 'note' | 'accept' | 'reject'

type Mode =
  | {kind: 'main'}
  | {kind: 'help'}
  | {kind: 'info'; scroll: number}
  | {kind: 'note'; purpose: NotePurpose; cand: number}
  | {kind: 'preview'; tabs: PreviewTab[]; tab: number; scroll: number}
  | {kind: 'written'; files: string[]; warnings: string[]; decisions: number}
  | {kind: 'confirm-quit'}
  | {kind: 'busy'; what: string}

interface Message {
  text: string
  tone: 'info' | 'ok' | 'warn' | 'error'
}

const TONE_COLOR: Record<Message['tone'], string | undefined> = {info: undefined, ok: 'green', warn: 'yellow', error: 'red'}

function errText(err: unknown): string {
  const e = err as {oneLine?: () => string; message?: string}
  return safe(typeof e?.oneLine === 'function' ? e.oneLine() : (e?.message ?? String(err)))
}

export function ReviewApp({result, drafts, size: fixed, onQuit}: ReviewAppProps) {
  const {exit} = useApp()
  const size = useTermSize(fixed)
  const width = Math.max(40, size.columns)
  // one row less than the terminal: ink redraws the whole screen (flicker) when output fills it
  const height = Math.max(12, size.rows - 1)
  const incidents = result.incidents

  const [sel, setSel] = useState(0)
  const [decisions, setDecisions] = useState<DecisionMap>(NO_DECISIONS)
  const [cand, setCand] = useState(() => (incidents[0] ? defaultCandidate(incidents[0]) : 0))
  const [scroll, setScroll] = useState(0)
  const [mode, setMode] = useState<Mode>({kind: 'main'})
  const [saved, setSaved] = useState(() => snapshot(result, NO_DECISIONS))
  const [msg, setMsg] = useState<Message | null>(null)

  const current = snapshot(result, decisions)
  const unsavedCount = useMemo(() => {
    const before = new Map((JSON.parse(saved) as ReviewDecision[]).map((d) => [d.incident, JSON.stringify(d)]))
    const now = toDecisions(result, decisions)
    let n = 0
    const seen = new Set<number>()
    for (const d of now) {
      seen.add(d.incident)
      if (before.get(d.incident) !== JSON.stringify(d)) n++
    }
    for (const k of before.keys()) if (!seen.has(k)) n++
    return n
  }, [saved, result, decisions])
  const unsaved = current !== saved

  // layout: header | incident list | detail | status + keys
  const headerMax = height >= 34 ? 3 + Math.min(result.assumptions.length + 1, 8) : 4
  const header = headerRows(result, headerMax).length
  const footer = 2
  const bodyH = Math.max(6, height - header - footer)
  const listH = Math.min(incidents.length + 1, Math.max(4, Math.floor(bodyH * (height >= 34 ? 0.3 : 0.35))))
  const detailH = Math.max(3, bodyH - listH)
  const pageStep = Math.max(1, detailH - 2)

  const inc = incidents[sel]
  const cands = inc?.attribution.candidates ?? []
  const say = (text: string, tone: Message['tone'] = 'info') => setMsg({text, tone})
  const noteH = mode.kind === 'note' ? 3 : 0
  const detailLen = inc ? detailRows(inc, sel, cand, decisions.get(sel), width).length : 0
  const maxScroll = Math.max(0, detailLen - (detailH - noteH - 1))
  const infoLen = mode.kind === 'info' ? infoRows(result, width).length : 0
  const previewLen = mode.kind === 'preview' ? previewRows(mode.tabs, mode.tab, width).lines.length : 0
  const clampTo = (v: number, len: number, h: number) => Math.max(0, Math.min(v, Math.max(0, len - (h - 1))))

  const select = (i: number) => {
    if (incidents.length === 0) return
    const n = Math.max(0, Math.min(incidents.length - 1, i))
    setSel(n)
    setCand(defaultCandidate(incidents[n]!, decisions.get(n)))
    setScroll(0)
    setMsg(null)
  }
  const moveCand = (delta: number, wrap = false) => {
    if (cands.length === 0) return
    let n = cand + delta
    if (wrap) n = (n + cands.length) % cands.length
    setCand(Math.max(0, Math.min(cands.length - 1, n)))
    setScroll(0)
  }

  const quit = () => {
    onQuit?.(toDecisions(result, decisions))
    exit()
  }

  const runWrite = (then?: 'quit') => {
    const ds = toDecisions(result, decisions)
    const snap = snapshot(result, decisions)
    setMode({kind: 'busy', what: `Writing drafts to ${drafts.outDir} …`})
    drafts.write(result, ds).then(
      ({files, warnings = []}) => {
        setSaved(snap)
        say(`Drafts written to ${drafts.outDir} (${files.length} files)`, 'ok')
        if (then === 'quit') {
          onQuit?.(ds)
          exit()
          return
        }
        setMode({kind: 'written', files, warnings, decisions: ds.length})
      },
      (err: unknown) => {
        say(`Could not write the drafts: ${errText(err)}`, 'error')
        setMode({kind: 'main'})
      },
    )
  }

  const runPreview = () => {
    setMode({kind: 'busy', what: 'Rendering the drafts …'})
    drafts.preview(result, toDecisions(result, decisions)).then(
      (p) => setMode({kind: 'preview', tabs: previewTabs(p), tab: 0, scroll: 0}),
      (err: unknown) => {
        say(`Could not render the drafts: ${errText(err)}`, 'error')
        setMode({kind: 'main'})
      },
    )
  }

  const onNote = (purpose: NotePurpose, candIdx: number, text: string) => {
    setMode({kind: 'main'})
    if (!inc) return
    if (purpose === 'accept') {
      const c = cands[candIdx]
      if (!c) return
      setDecisions(accept(decisions, sel, c, text))
      say(`#${sel + 1}: accepted ${safe(c.insideIp)} — your reason is recorded`, 'ok')
    } else if (purpose === 'reject') {
      setDecisions(reject(decisions, sel, text))
      say(`#${sel + 1}: rejected — nobody will be named for it`, 'warn')
    } else {
      setDecisions(setNote(decisions, sel, text))
      say(text ? `#${sel + 1}: note saved` : `#${sel + 1}: note removed`)
    }
  }

  // ink may deliver a key before the handler of the latest render is subscribed: always call the latest one
  const handler = useRef<(input: string, key: Key) => void>(() => undefined)
  handler.current = (input: string, key: Key) => {
      switch (mode.kind) {
        case 'busy':
        case 'note':
          return
        case 'help':
          if (key.escape || input === '?' || input === 'q') setMode({kind: 'main'})
          return
        case 'written':
          setMode({kind: 'main'})
          return
        case 'confirm-quit':
          if (input === 'y') quit()
          else if (input === 'w') runWrite('quit')
          else if (key.escape || input === 'n' || input === 'q') setMode({kind: 'main'})
          return
        case 'info': {
          if (key.escape || input === 'i' || input === 'q') setMode({kind: 'main'})
          else if (key.downArrow || input === 'j') setMode({...mode, scroll: clampTo(mode.scroll + 1, infoLen, bodyH)})
          else if (key.upArrow || input === 'k') setMode({...mode, scroll: clampTo(mode.scroll - 1, infoLen, bodyH)})
          else if (key.pageDown || input === ' ' || input === 'J')
            setMode({...mode, scroll: clampTo(mode.scroll + bodyH - 2, infoLen, bodyH)})
          else if (key.pageUp || input === 'K') setMode({...mode, scroll: clampTo(mode.scroll - bodyH + 2, infoLen, bodyH)})
          return
        }
        case 'preview': {
          const n = mode.tabs.length
          if (key.escape || input === 'd' || input === 'q') setMode({kind: 'main'})
          else if (key.rightArrow || key.tab || input === 'l') setMode({...mode, tab: (mode.tab + 1) % n, scroll: 0})
          else if (key.leftArrow || input === 'h') setMode({...mode, tab: (mode.tab - 1 + n) % n, scroll: 0})
          else if (key.downArrow || input === 'j') setMode({...mode, scroll: clampTo(mode.scroll + 1, previewLen, bodyH - 1)})
          else if (key.upArrow || input === 'k') setMode({...mode, scroll: clampTo(mode.scroll - 1, previewLen, bodyH - 1)})
          else if (key.pageDown || input === ' ' || input === 'J')
            setMode({...mode, scroll: clampTo(mode.scroll + bodyH - 3, previewLen, bodyH - 1)})
          else if (key.pageUp || input === 'K') setMode({...mode, scroll: clampTo(mode.scroll - bodyH + 3, previewLen, bodyH - 1)})
          return
        }
        case 'main':
          break
      }
      if (key.upArrow || input === 'k') return select(sel - 1)
      if (key.downArrow || input === 'j') return select(sel + 1)
      if (key.home || input === 'g') return select(0)
      if (key.end || input === 'G') return select(incidents.length - 1)
      if (key.leftArrow || input === 'h') return moveCand(-1)
      if (key.rightArrow || input === 'l') return moveCand(1)
      if (key.tab) return moveCand(key.shift ? -1 : 1, true)
      if (key.pageDown || input === 'J' || input === ' ') return setScroll(Math.min(maxScroll, scroll + pageStep))
      if (key.pageUp || input === 'K') return setScroll(Math.max(0, Math.min(maxScroll, scroll) - pageStep))
      if (input === '?') return setMode({kind: 'help'})
      if (input === 'i') return setMode({kind: 'info', scroll: 0})
      if (input === 'q' || key.escape) {
        if (unsaved) return setMode({kind: 'confirm-quit'})
        return quit()
      }
      if (input === 'w') return runWrite()
      if (input === 'd') return runPreview()
      if (!inc) return
      if (input === 'a') {
        const c = cands[cand]
        if (!c) return say(`#${sel + 1} has no candidate to accept`, 'warn')
        const a = inc.attribution
        if (a.status === 'attributed' && acceptNeedsReason(result, sel, c)) {
          return say(
            `#${sel + 1}: natrace named ${safe(a.insideIp)}; a candidate it set aside cannot be accepted — reject (r) if the answer is wrong`,
            'warn',
          )
        }
        if (acceptNeedsReason(result, sel, c)) return setMode({kind: 'note', purpose: 'accept', cand})
        setDecisions(accept(decisions, sel, c))
        return say(`#${sel + 1}: accepted ${safe(c.insideIp)}`, 'ok')
      }
      if (input === 'r') return setMode({kind: 'note', purpose: 'reject', cand})
      if (input === 'n') return setMode({kind: 'note', purpose: 'note', cand})
      if (input === 'u') {
        if (!decisions.has(sel)) return say(`#${sel + 1} has no decision to undo`)
        setDecisions(undo(decisions, sel))
        setCand(defaultCandidate(inc))
        return say(`#${sel + 1}: decision and note removed`)
      }
  }
  useInput((input, key) => handler.current(input, key), {isActive: mode.kind !== 'note'})

  // ---- render
  let body: ReactNode
  if (mode.kind === 'help') body = <Paged rows={helpRows(width)} scroll={0} height={bodyH} width={width} />
  else if (mode.kind === 'info') body = <Paged rows={infoRows(result, width)} scroll={mode.scroll} height={bodyH} width={width} />
  else if (mode.kind === 'confirm-quit') body = <Rows rows={confirmQuitRows(unsavedCount, width)} width={width} />
  else if (mode.kind === 'written')
    body = <Paged rows={writtenRows(mode.files, mode.warnings, drafts.outDir, mode.decisions, width)} scroll={0} height={bodyH} width={width} />
  else if (mode.kind === 'preview') {
    const {bar, lines} = previewRows(mode.tabs, mode.tab, width)
    body = (
      <Box flexDirection="column">
        <Rows rows={[bar]} width={width} />
        <Paged rows={lines} scroll={mode.scroll} height={bodyH - 1} width={width} />
      </Box>
    )
  } else {
    const c = cands[cand]
    const noteBox =
      mode.kind === 'note' && inc ? (
        <NoteInput
          width={width}
          initial={mode.purpose === 'note' ? (decisions.get(sel)?.note ?? '') : ''}
          required={mode.purpose === 'accept'}
          prompt={
            mode.purpose === 'accept'
              ? `#${sel + 1}: why accept ${safe(cands[mode.cand]?.insideIp)}? Your reason overrules natrace and is recorded (required)`
              : mode.purpose === 'reject'
                ? `#${sel + 1}: why reject natrace's answer? (recorded; Enter to skip)`
                : `#${sel + 1}: note for the evidence pack (empty removes it)`
          }
          onSubmit={(t) => onNote(mode.purpose, mode.cand, t)}
          onCancel={() => {
            setMode({kind: 'main'})
            say('cancelled')
          }}
        />
      ) : null
    body = (
      <Box flexDirection="column">
        <Incidents result={result} selected={sel} decisions={decisions} height={listH} width={width} />
        {inc ? (
          <Detail
            inc={inc}
            index={sel}
            candIdx={c ? cand : 0}
            decision={decisions.get(sel)}
            width={width}
            height={detailH - noteH}
            scroll={scroll}
          />
        ) : (
          <Rows rows={[[seg('The report names no incident.', {color: 'yellow'})]]} width={width} />
        )}
        {noteBox}
      </Box>
    )
  }

  const status: Row =
    mode.kind === 'busy'
      ? [seg(mode.what, {color: 'cyan', bold: true})]
      : msg
        ? [seg(msg.text, {color: TONE_COLOR[msg.tone], bold: msg.tone !== 'info'})]
        : [
            seg(`${decisions.size} decision${decisions.size === 1 ? '' : 's'}`, {dim: true}),
            seg(unsaved ? ` · ${unsavedCount} not written (w)` : ' · all written', {
              color: unsaved ? 'yellow' : undefined,
              dim: !unsaved,
            }),
            seg(` · out ${safe(drafts.outDir)}`, {dim: true}),
          ]
  const keys =
    mode.kind === 'main'
      ? keysRow(MAIN_KEYS, width)
      : mode.kind === 'preview'
        ? keysRow(
            [
              ['←→', 'tab'],
              ['↑↓ PgUp/PgDn', 'scroll'],
              ['Esc', 'back'],
            ],
            width,
          )
        : mode.kind === 'note' || mode.kind === 'busy'
          ? []
          : mode.kind === 'confirm-quit'
            ? keysRow(
                [
                  ['w', 'write+quit'],
                  ['y', 'quit'],
                  ['Esc', 'stay'],
                ],
                width,
              )
            : keysRow([['Esc', 'back']], width)

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header result={result} width={width} maxRows={headerMax} />
      <Box flexDirection="column" height={bodyH} overflow="hidden">
        {body}
      </Box>
      <Rows rows={[status, keys]} width={width} />
    </Box>
  )
}

/** A scrollable block of rows with a position line when it does not fit. */
function Paged({rows, scroll, height, width}: {rows: Row[]; scroll: number; height: number; width: number}) {
  if (rows.length <= height) return <Rows rows={rows} width={width} />
  const w = windowRows(rows, scroll, height - 1)
  const pos: Row = [
    seg(`  lines ${w.offset + 1}–${w.offset + w.rows.length} of ${rows.length}${w.below ? ' · ↓/PgDn more' : ''}`, {dim: true}),
  ]
  return <Rows rows={[...w.rows, pos]} width={width} />
}
