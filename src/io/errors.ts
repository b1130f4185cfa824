/**
 * Errors the operator sees: one line naming the file (and line) and what to do. Exit codes are a contract
 * (README): 0 all attributed, 1 bad input, 2 usage error, 3 some incident ambiguous / not found.
 */
export const EXIT = {ok: 0, badInput: 1, usage: 2, unresolved: 3} as const

export class NatraceError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message)
    this.name = 'NatraceError'
  }

  /** "file:line: message" */
  oneLine(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : ''
    return `${where}${this.message}`.replace(/\s*\n\s*/g, ' ')
  }
}

export class UsageError extends NatraceError {
  constructor(message: string) {
    super(message, EXIT.usage)
  }
}

/** A problem with one input that did not stop the run (a truncated .gz, a binary file, an overlong line). */
export interface Warning {
  file: string
  line?: number
  message: string
}

export function formatWarning(w: Warning): string {
  return `${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`
}
