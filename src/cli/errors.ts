/**
 * How commands turn failures into the one-line messages and exit codes the README documents: a NatraceError
 * keeps its own line and code, oclif's parse errors are usage errors (2), anything else is an internal error
 * reported in one line (exit 1) — a stack trace only with DEBUG=natrace.
 */
import {Errors} from '@oclif/core'
import {EXIT, NatraceError} from '../io/errors.js'
import {stripControls} from '../io/sanitize.js'

export function failureOf(err: unknown): {message: string; exit: number} {
  if (err instanceof NatraceError) return {message: stripControls(err.oneLine()), exit: err.exitCode}
  if (err instanceof Errors.CLIError) {
    const exit = (err as Errors.CLIError).oclif?.exit
    return {message: stripControls(err.message.split('\n')[0] ?? ''), exit: typeof exit === 'number' ? exit : EXIT.usage}
  }
  const e = err as NodeJS.ErrnoException
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.path === 'string')
    return {message: `${e.path}: ${e.code === 'ENOENT' ? 'does not exist' : e.code === 'EACCES' ? 'permission denied' : e.message}`, exit: EXIT.badInput}
  if (process.env.DEBUG?.includes('natrace')) console.error(err)
  const msg = err instanceof Error ? err.message : String(err)
  return {message: `internal error: ${stripControls(msg).split('\n')[0]} (run with DEBUG=natrace for details, and please report it)`, exit: EXIT.badInput}
}
