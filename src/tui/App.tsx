/**
 * The review screen once the attribution is known: header, incident list, the selected incident's candidates
 * and evidence, a status line and the key footer; plus help, info, note prompt, draft preview, "written" and
 * quit confirmation screens. Sized from the terminal (80×24 and up), redrawn on resize.
 */
import {useContext, useRef, useState, type ReactNode} from 'react'
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
import {Detail, defaultCandidate, detailRows, detailView} from './Detail.js'
import {Header, headerRows} from './Header.js'
import {Incidents} from './Incidents.js'
import {NoteInput, editNote} from './NoteInput.js'
import {Rows, rowText, seg, windowRows, type Row} from './rows.js'
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
import {clip, safe, wrapWords} from './text.js'
import {InputRouter, useTermSize, type Size} from './theme.js'

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
  /** called after each successful write of the drafts */
  onWritten?: (files: string[], warnings: string[]) => void
}

type NotePurpose = 'note' | 'accept' | 'reject'

type Mode =
  | {kind: 'main'}
  | {kind: 'help'; scroll: number}
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

interface UiState {
  sel: number
  cand: number
  scroll: number
  mode: Mode
  decisions: DecisionMap
  /** snapshot of the decisions last written */
  saved: string
  msg: Message | null
  note: {value: string; error: string | null}
}

interface Layout {
  width: number
  height: number
  headerMax: number
  bodyH: number
  listH: number
  detailH: number
}

function layoutOf(result: AttributionResult, size: Size, statusRows = 1): Layout {
  const width = Math.max(40, size.columns)
  // one row less than the terminal: ink redraws the whole screen (flicker) when output fills it
  const height = Math.max(12, size.rows - 1)
  const headerMax = height >= 34 ? 3 + Math.min(result.assumptions.length + 1, 8) : 4
  const header = headerRows(result, headerMax).length
  const footer = 1 + statusRows
  const bodyH = Math.max(6, height - header - footer)
  const listH = Math.min(result.incidents.length + 1, Math.max(4, Math.floor(bodyH * (height >= 34 ? 0.3 : 0.35))))
  const detailH = Math.max(3, bodyH - listH)
  return {width, height, headerMax, bodyH, listH, detailH}
}

/** How many incidents' decisions differ from what was last written. */
function unsavedCount(result: AttributionResult, s: UiState): number {
  const before = new Map((JSON.parse(s.saved) as ReviewDecision[]).map((d) => [d.incident, JSON.stringify(d)]))
  let n = 0
  const seen = new Set<number>()
  for (const d of toDecisions(result, s.decisions)) {
    seen.add(d.incident)
    if (before.get(d.incident) !== JSON.stringify(d)) n++
  }
  for (const k of before.keys()) if (!seen.has(k)) n++
  return n
}

function initialState(result: AttributionResult): UiState {
  const first = result.incidents[0]
  return {
    sel: 0,
    cand: first ? defaultCandidate(first) : 0,
    scroll: 0,
    mode: {kind: 'main'},
    decisions: NO_DECISIONS,
    saved: snapshot(result, NO_DECISIONS),
    msg: null,
    note: {value: '', error: null},
  }
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
}

/** The key of one character of a chunk of input. */
function keyOf(ch: string): Key {
  return {
    ...NO_KEY,
    return: ch === '\r' || ch === '\n',
    tab: ch === '\t',
    backspace: ch === '\b',
    delete: ch === '\u007f',
    shift: /^[A-Z]$/.test(ch),
  }
}

const clampTo = (v: number, len: number, h: number) => Math.max(0, Math.min(v, Math.max(0, len - (h - 1))))

export function ReviewApp({result, drafts, size: fixed, onQuit, onWritten}: ReviewAppProps) {
  const {exit} = useApp()
  const size = useTermSize(fixed)
  const incidents = result.incidents
  const [state, setState] = useState<UiState>(() => initialState(result))
  const width0 = Math.max(40, size.columns)
  // a warning or an error that does not fit beside the decision summary gets the status rows to itself (two at
  // most) rather than being cut
  const statusLines = (() => {
    const m = state.msg
    if (!m || (m.tone !== 'error' && m.tone !== 'warn') || state.mode.kind === 'busy') return null
    if (m.text.length + 35 <= width0) return null
    return wrapWords(m.text, width0).slice(0, 2)
  })()
  const lay = layoutOf(result, size, statusLines?.length ?? 1)
  const {width} = lay

  // All screen state lives in one object mirrored in a ref: keys can arrive faster than ink re-renders
  // (key repeat, a paste), and each must act on the state the previous one left.
  const live = useRef(state)
  const layRef = useRef(lay)
  layRef.current = lay
  const update = (fn: (s: UiState) => UiState) => {
    live.current = fn(live.current)
    setState(live.current)
  }
  const say = (text: string, tone: Message['tone'] = 'info') => update((s) => ({...s, msg: {text, tone}}))
  const setMode = (mode: Mode) => update((s) => ({...s, mode}))

  const quit = () => {
    onQuit?.(toDecisions(result, live.current.decisions))
    exit()
  }

  const runWrite = (then?: 'quit') => {
    const ds = toDecisions(result, live.current.decisions)
    const snap = snapshot(result, live.current.decisions)
    setMode({kind: 'busy', what: `Writing drafts to ${safe(drafts.outDir)} …`})
    drafts.write(result, ds).then(
      ({files, warnings = []}) => {
        onWritten?.(files, warnings)
        update((s) => ({...s, saved: snap, msg: {text: `Drafts written to ${safe(drafts.outDir)} (${files.length} files)`, tone: 'ok'}}))
        if (then === 'quit') {
          onQuit?.(ds)
          exit()
          return
        }
        setMode({kind: 'written', files, warnings, decisions: ds.length})
      },
      (err: unknown) => {
        update((s) => ({...s, mode: {kind: 'main'}, msg: {text: `Could not write the drafts: ${errText(err)}`, tone: 'error'}}))
      },
    )
  }

  const runPreview = () => {
    setMode({kind: 'busy', what: 'Rendering the drafts …'})
    drafts.preview(result, toDecisions(result, live.current.decisions)).then(
      (p) => setMode({kind: 'preview', tabs: previewTabs(p), tab: 0, scroll: 0}),
      (err: unknown) => {
        update((s) => ({...s, mode: {kind: 'main'}, msg: {text: `Could not render the drafts: ${errText(err)}`, tone: 'error'}}))
      },
    )
  }

  /** a scroll offset that shows the chosen candidate's row (with `reserve` rows of the pane taken) */
  const scrollToCandidate = (x: UiState, cand: number, reserve: number): number => {
    const inc = incidents[x.sel]
    if (!inc) return 0
    const L = layRef.current
    const {rows, focus} = detailView(inc, x.sel, cand, x.decisions.get(x.sel), L.width)
    const h = L.detailH - reserve - (rows.length > L.detailH - reserve ? 1 : 0)
    if (focus >= x.scroll && focus < x.scroll + h) return x.scroll
    return Math.max(0, focus - 1)
  }

  const openNote = (purpose: NotePurpose) =>
    update((s) => ({
      ...s,
      scroll: scrollToCandidate(s, s.cand, 3),
      mode: {kind: 'note', purpose, cand: s.cand},
      note: {value: purpose === 'note' ? (s.decisions.get(s.sel)?.note ?? '') : '', error: null},
    }))

  const submitNote = (purpose: NotePurpose, candIdx: number, text: string) => {
    const s = live.current
    const inc = incidents[s.sel]
    if (!inc) return setMode({kind: 'main'})
    const n = `#${s.sel + 1}`
    if (purpose === 'accept') {
      const c = inc.attribution.candidates[candIdx]
      if (!c) return setMode({kind: 'main'})
      if (!text) {
        update((x) => ({...x, note: {...x.note, error: 'a reason is required (Esc to cancel)'}}))
        return
      }
      update((x) => ({
        ...x,
        mode: {kind: 'main'},
        decisions: accept(x.decisions, x.sel, c, text),
        msg: {text: `${n}: accepted ${safe(c.insideIp)}, reason recorded`, tone: 'ok'},
      }))
    } else if (purpose === 'reject') {
      update((x) => ({
        ...x,
        mode: {kind: 'main'},
        decisions: reject(x.decisions, x.sel, text),
        msg: {text: `${n}: rejected — nobody will be named for it`, tone: 'warn'},
      }))
    } else {
      update((x) => ({
        ...x,
        mode: {kind: 'main'},
        decisions: setNote(x.decisions, x.sel, text),
        msg: {text: text ? `${n}: note saved` : `${n}: note removed`, tone: 'info'},
      }))
    }
  }

  const onKey = (input: string, key: Key) => {
    const s = live.current
    const L = layRef.current
    const mode = s.mode
    switch (mode.kind) {
      case 'busy':
        return
      case 'note': {
        const e = editNote(s.note.value, input, key)
        if (e.kind === 'cancel') return update((x) => ({...x, mode: {kind: 'main'}, msg: {text: 'cancelled', tone: 'info'}}))
        if (e.kind === 'submit') return submitNote(mode.purpose, mode.cand, e.value)
        if (e.kind === 'edit') update((x) => ({...x, note: {value: e.value, error: null}}))
        return
      }
      case 'help':
      case 'info': {
        const len = (mode.kind === 'help' ? helpRows(L.width) : infoRows(result, L.width)).length
        const to = (v: number) => setMode({...mode, scroll: clampTo(v, len, L.bodyH)})
        if (key.escape || input === 'q' || input === (mode.kind === 'help' ? '?' : 'i')) setMode({kind: 'main'})
        else if (key.downArrow || input === 'j') to(mode.scroll + 1)
        else if (key.upArrow || input === 'k') to(mode.scroll - 1)
        else if (key.pageDown || input === ' ' || input === 'J') to(mode.scroll + L.bodyH - 2)
        else if (key.pageUp || input === 'K') to(mode.scroll - L.bodyH + 2)
        return
      }
      case 'written':
        setMode({kind: 'main'})
        return
      case 'confirm-quit':
        if (input === 'y') quit()
        else if (input === 'w') runWrite('quit')
        else if (key.escape || input === 'n' || input === 'q') setMode({kind: 'main'})
        return
      case 'preview': {
        const n = mode.tabs.length
        const len = previewRows(mode.tabs, mode.tab, L.width).lines.length
        const to = (v: number) => setMode({...mode, scroll: clampTo(v, len, L.bodyH - 1)})
        if (key.escape || input === 'd' || input === 'q') setMode({kind: 'main'})
        else if (key.rightArrow || key.tab || input === 'l') setMode({...mode, tab: (mode.tab + 1) % n, scroll: 0})
        else if (key.leftArrow || input === 'h') setMode({...mode, tab: (mode.tab - 1 + n) % n, scroll: 0})
        else if (key.downArrow || input === 'j') to(mode.scroll + 1)
        else if (key.upArrow || input === 'k') to(mode.scroll - 1)
        else if (key.pageDown || input === ' ' || input === 'J') to(mode.scroll + L.bodyH - 3)
        else if (key.pageUp || input === 'K') to(mode.scroll - L.bodyH + 3)
        return
      }
      case 'main':
        break
    }

    const inc = incidents[s.sel]
    const cands = inc?.attribution.candidates ?? []
    const select = (i: number) => {
      if (incidents.length === 0) return
      const n = Math.max(0, Math.min(incidents.length - 1, i))
      update((x) => ({...x, sel: n, cand: defaultCandidate(incidents[n]!, x.decisions.get(n)), scroll: 0, msg: null}))
    }
    const moveCand = (delta: number, wrap = false) => {
      if (cands.length === 0 || !inc) return
      let n = s.cand + delta
      if (wrap) n = (n + cands.length) % cands.length
      n = Math.max(0, Math.min(cands.length - 1, n))
      update((x) => ({...x, cand: n, scroll: scrollToCandidate(x, n, 0)}))
    }
    const scrollBy = (delta: number) => {
      const len = inc ? detailRows(inc, s.sel, s.cand, s.decisions.get(s.sel), L.width).length : 0
      const max = Math.max(0, len - (L.detailH - 1))
      update((x) => ({...x, scroll: Math.max(0, Math.min(max, x.scroll + delta))}))
    }
    const page = Math.max(1, L.detailH - 2)

    if (key.upArrow || input === 'k') return select(s.sel - 1)
    if (key.downArrow || input === 'j') return select(s.sel + 1)
    if (key.home || input === 'g') return select(0)
    if (key.end || input === 'G') return select(incidents.length - 1)
    if (key.leftArrow || input === 'h') return moveCand(-1)
    if (key.rightArrow || input === 'l') return moveCand(1)
    if (key.tab) return moveCand(key.shift ? -1 : 1, true)
    if (key.pageDown || input === 'J' || input === ' ') return scrollBy(page)
    if (key.pageUp || input === 'K') return scrollBy(-page)
    if (input === '?') return setMode({kind: 'help', scroll: 0})
    if (input === 'i') return setMode({kind: 'info', scroll: 0})
    if (input === 'q' || key.escape) {
      if (snapshot(result, s.decisions) !== s.saved) return setMode({kind: 'confirm-quit'})
      return quit()
    }
    if (input === 'w') return runWrite()
    if (input === 'd') return runPreview()
    if (!inc) return
    const n = `#${s.sel + 1}`
    if (input === 'a') {
      const c = cands[s.cand]
      if (!c) return say(`${n} has no candidate to accept`, 'warn')
      const a = inc.attribution
      if (a.status === 'attributed' && acceptNeedsReason(result, s.sel, c)) {
        return say(`${n}: cannot accept a candidate natrace set aside (r rejects its answer)`, 'warn')
      }
      if (acceptNeedsReason(result, s.sel, c)) return openNote('accept')
      update((x) => ({...x, decisions: accept(x.decisions, x.sel, c), msg: {text: `${n}: accepted ${safe(c.insideIp)}`, tone: 'ok'}}))
      return
    }
    if (input === 'r') return openNote('reject')
    if (input === 'n') return openNote('note')
    if (input === 'u') {
      if (!s.decisions.has(s.sel)) return say(`${n} has no decision to undo`)
      update((x) => ({...x, decisions: undo(x.decisions, x.sel), cand: defaultCandidate(inc), msg: {text: `${n}: decision and note removed`, tone: 'info'}}))
    }
  }
  // one handler for the whole screen, never re-subscribed conditionally (see NoteInput)
  const handler = useRef(onKey)
  handler.current = onKey
  // Keys typed quickly (or sent by tmux / over ssh) can arrive as one chunk, which ink hands over whole: outside
  // a prompt they are taken one by one, each acting on the state the previous one left. In a prompt a chunk is
  // text (a paste: its line breaks become spaces, never commands), but a final Enter still submits.
  const stable = useRef((input: string, key: Key) => {
    const chars = [...input]
    if (chars.length <= 1 || key.ctrl || key.meta) return handler.current(input, key)
    if (live.current.mode.kind === 'note') {
      const text = input.replace(/\r$/, '')
      handler.current(text, NO_KEY)
      if (text !== input) handler.current('\r', keyOf('\r'))
      return
    }
    for (const ch of chars) handler.current(ch, keyOf(ch))
  })
  const router = useContext(InputRouter)
  if (router) router.current = stable.current
  useInput(stable.current, {isActive: router === null})

  // ---- render
  const {sel, cand, scroll, mode, decisions, msg} = state
  const inc = incidents[sel]
  const cands = inc?.attribution.candidates ?? []
  const unsaved = snapshot(result, decisions) !== state.saved
  const pending = unsavedCount(result, state)
  const {bodyH, listH, detailH} = lay

  let body: ReactNode
  if (mode.kind === 'help') body = <Paged rows={helpRows(width)} scroll={mode.scroll} height={bodyH} width={width} />
  else if (mode.kind === 'info') body = <Paged rows={infoRows(result, width)} scroll={mode.scroll} height={bodyH} width={width} />
  else if (mode.kind === 'confirm-quit') body = <Rows rows={confirmQuitRows(pending, width)} width={width} />
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
    const noteBox =
      mode.kind === 'note' && inc ? (
        <NoteInput
          width={width}
          value={state.note.value}
          error={state.note.error}
          prompt={
            mode.purpose === 'accept'
              ? `#${sel + 1}: why accept ${safe(cands[mode.cand]?.insideIp)}? Your reason overrules natrace and is recorded (required)`
              : mode.purpose === 'reject'
                ? `#${sel + 1}: why reject natrace's answer? (recorded; Enter to skip)`
                : `#${sel + 1}: note for the evidence pack (empty removes it)`
          }
        />
      ) : null
    body = (
      <Box flexDirection="column">
        <Incidents result={result} selected={sel} decisions={decisions} height={listH} width={width} />
        {inc ? (
          <Detail
            inc={inc}
            index={sel}
            candIdx={cands[cand] ? cand : 0}
            decision={decisions.get(sel)}
            width={width}
            height={detailH - (noteBox ? 3 : 0)}
            scroll={scroll}
          />
        ) : (
          <Rows rows={[[seg('The report names no incident.', {color: 'yellow'})]]} width={width} />
        )}
        {noteBox}
      </Box>
    )
  }

  const summary: Row = [
    seg(`${decisions.size} decided`, {dim: !unsaved}),
    seg(unsaved ? ` · ${pending} not written (w)` : ' · all written', {color: unsaved ? 'yellow' : undefined, dim: !unsaved}),
  ]
  const status: Row[] = statusLines
    ? statusLines.map((l) => [seg(l, {color: TONE_COLOR[state.msg?.tone ?? 'error'], bold: true})])
    : [statusRow()]
  function statusRow(): Row {
    return mode.kind === 'busy'
      ? [seg(mode.what, {color: 'cyan', bold: true})]
      : msg
        ? [seg(clip(msg.text, Math.max(10, width - rowText(summary).length - 3)), {color: TONE_COLOR[msg.tone], bold: msg.tone !== 'info'}), seg(' │ ', {dim: true}), ...summary]
        : [...summary, seg(` · out ${safe(drafts.outDir)}`, {dim: true})]
  }
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
            : mode.kind === 'help' || mode.kind === 'info'
              ? keysRow(
                  [
                    ['Esc', 'back'],
                    ['↑↓ PgUp/PgDn', 'scroll'],
                  ],
                  width,
                )
              : keysRow([['any key', 'back']], width)

  return (
    <Box flexDirection="column" width={width} height={lay.height}>
      <Header result={result} width={width} maxRows={lay.headerMax} />
      <Box flexDirection="column" height={bodyH} overflow="hidden">
        {body}
      </Box>
      <Rows rows={[...status, keys]} width={width} />
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
