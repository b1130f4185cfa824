/**
 * Entry of the interactive review: renders the ink app full-screen (alternate screen buffer, restored on exit)
 * and resolves with how the session ended.
 */
import {createElement} from 'react'
import {render} from 'ink'
import {Review, type ReviewOutcome, type ReviewProps} from './Review.js'

export type {DraftIO} from './App.js'
export type {ReviewDecision} from './decisions.js'
export type {DraftPreview} from './Screens.js'
export type {ReviewOutcome} from './Review.js'
export {colorFromEnv} from './theme.js'

const ALT_ON = '\u001b[?1049h\u001b[H'
const ALT_OFF = '\u001b[?1049l'

/** Runs a review session in the terminal. `stdout`/`stdin` must be TTYs (the command checks). */
export async function runReview(
  props: Omit<ReviewProps, 'onDone'>,
  io: {stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream} = {},
): Promise<ReviewOutcome> {
  const stdout = io.stdout ?? process.stdout
  const stdin = io.stdin ?? process.stdin
  // stays 130 when the session ends without saying how: Ctrl-C (ink exits on it)
  let outcome: ReviewOutcome = {exitCode: 130, decisions: []}
  stdout.write(ALT_ON)
  const restore = () => stdout.write(ALT_OFF)
  process.once('exit', restore)
  try {
    const app = render(
      createElement(Review, {
        ...props,
        onDone: (o: ReviewOutcome) => {
          outcome = o
        },
      }),
      {stdout, stdin, exitOnCtrlC: true, patchConsole: true},
    )
    await app.waitUntilExit()
  } finally {
    process.off('exit', restore)
    restore()
  }
  return outcome
}
