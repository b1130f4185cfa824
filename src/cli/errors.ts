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
    const text = err.message.replace(/^The following errors? occurred:\s*/i, '').replace(/\s*See more help with --help\s*$/i, '')
    return {message: `${stripControls(text).replace(/\s*\n\s*/g, '; ')} (see --help)`, exit: typeof exit === 'number' && exit !== 1 ? exit : EXIT.usage}
  }
  const e = err as NodeJS.ErrnoException
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.path === 'string')
    return {message: `${e.path}: ${e.code === 'ENOENT' ? 'does not exist' : e.code === 'EACCES' ? 'permission denied' : e.message}`, exit: EXIT.badInput}
  if (process.env.DEBUG?.includes('natrace')) console.error(err)
  const msg = err instanceof Error ? err.message : String(err)
  return {message: `internal error: ${stripControls(msg).split('\n')[0]} (run with DEBUG=natrace for details, and please report it)`, exit: EXIT.badInput}
}

/** The part of an oclif Command that `fail` uses. */
interface FailingCommand {
  jsonEnabled(): boolean
  exit(code?: number): never
}

/**
 * Ends a command on an error: one line on stderr ("natrace: file:line: what to do"), or with --json an
 * `{"error": {"message", "exitCode"}}` object on stdout; the process exits with the documented code.
 * Returns (with --json) so that oclif prints nothing more.
 */
export function fail(cmd: FailingCommand, err: unknown): undefined {
  const f = failureOf(err)
  process.exitCode = f.exit
  if (cmd.jsonEnabled()) {
    process.stdout.write(`${JSON.stringify({error: {message: f.message, exitCode: f.exit}}, null, 2)}\n`)
    return undefined
  }
  process.stderr.write(`natrace: ${f.message}\n`)
  return cmd.exit(f.exit)
}
