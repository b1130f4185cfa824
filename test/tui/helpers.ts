/** Helpers for driving ink components under ink-testing-library. */
import {vi} from 'vitest'
import type {DraftIO} from '../../src/tui/App.js'
import type {ReviewDecision} from '../../src/tui/decisions.js'
import type {DraftPreview} from '../../src/tui/Screens.js'

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  tab: '\t',
}

export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms))

/**
 * Sends keys one by one. The screen acts on each key at once (its state is not tied to React's render timing),
 * so no wait is needed between keys — except after a lone Esc, which ink only knows is Esc (not the start of an
 * escape sequence) on a later turn of the event loop.
 */
export async function press(stdin: {write: (s: string) => void}, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    stdin.write(k)
    await tick(k === KEY.escape ? 40 : 1)
  }
}

/** Types text one character at a time, as fast as a paste-happy operator. */
export async function type(stdin: {write: (s: string) => void}, text: string): Promise<void> {
  for (const ch of text) stdin.write(ch)
  await tick(1)
}

/**
 * Waits until the frame contains every text / matches every pattern, and returns it. Keys are handled in order
 * at once, but React commits the frame a little later (longer on a loaded machine): assertions poll.
 */
export async function see(frame: () => string | undefined, ...wanted: Array<string | RegExp>): Promise<string> {
  const ok = (f: string) => wanted.every((w) => (typeof w === 'string' ? f.includes(w) : w.test(f)))
  try {
    return await until(frame, ok, 5000)
  } catch {
    const f = frame() ?? ''
    const missing = wanted.filter((w) => !(typeof w === 'string' ? f.includes(w) : w.test(f)))
    throw new Error(`frame lacks ${missing.map(String).join(', ')}; last frame:\n${f}`)
  }
}

/** Waits until the frame satisfies `ok` (async work such as writing drafts). */
export async function until(frame: () => string | undefined, ok: (f: string) => boolean, ms = 2000): Promise<string> {
  const end = Date.now() + ms
  for (;;) {
    const f = frame() ?? ''
    if (ok(f)) return f
    if (Date.now() > end) throw new Error(`frame never matched; last frame:\n${f}`)
    await tick(10)
  }
}

export interface FakeDrafts extends DraftIO {
  writes: ReviewDecision[][]
  previews: ReviewDecision[][]
}

/** A draft writer that records the decisions it was given. */
export function fakeDrafts(opts: {preview?: DraftPreview; fail?: string} = {}): FakeDrafts {
  const writes: ReviewDecision[][] = []
  const previews: ReviewDecision[][] = []
  return {
    outDir: 'natrace-drafts',
    writes,
    previews,
    preview: vi.fn(async (_r, d: ReviewDecision[]) => {
      previews.push(d)
      return (
        opts.preview ?? {
          replyText: 'Subject: Re: [NicBr-20260314-0042] Notificacao\n\nPrezados,\nO incidente foi tratado.',
          notices: [{client: '#1 sub-1042 joao-pc', text: 'Dear customer,\nwe observed traffic from your connection.'}],
          warnings: ['no sender address configured'],
        }
      )
    }),
    write: vi.fn(async (_r, d: ReviewDecision[]) => {
      if (opts.fail) throw new Error(opts.fail)
      writes.push(d)
      return {
        files: ['/tmp/x/natrace-drafts/reply.eml', '/tmp/x/natrace-drafts/customer-notice-1.txt', '/tmp/x/natrace-drafts/evidence.md', '/tmp/x/natrace-drafts/evidence.json'],
        warnings: [],
      }
    }),
  }
}
