/**
 * Operator details for the drafts (organisation, signature, sender addresses, wording of measures), read from
 * `natrace.config.json` in the working directory or `~/.config/natrace/config.json` ($XDG_CONFIG_HOME honoured).
 * Command-line flags override single fields (see commands/draft.ts).
 */
import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {NatraceError, UsageError} from '../io/errors.js'

export interface OperatorConfig {
  /** organisation name signing the replies, e.g. "Example Telecom" */
  organisation?: string
  /** From of the reply to the reporter, e.g. "Example Telecom Abuse <abuse@example.net>" */
  from?: string
  /** the abuse desk address quoted in texts (default: the address of `from`) */
  abuseAddress?: string
  /** Reply-To of the drafts, when different from From */
  replyTo?: string
  /** signature lines appended to every draft */
  signature?: string
  /** From of customer notices (default: `from`) */
  customerFrom?: string
  /** language of customer notices: "pt-BR", "en", "es" (default: the reply's language) */
  customerLanguage?: string
  /** zone customer notices show local times in (default: the system zone) */
  timeZone?: string
  /**
   * The measures taken, as the reply states them when a customer was identified. A string for every
   * language, or one text per language ({"pt-BR": "...", "en": "..."}). Default: the template's wording.
   */
  measures?: string | Record<string, string>
}

const STRING_KEYS = ['organisation', 'from', 'abuseAddress', 'replyTo', 'signature', 'customerFrom', 'customerLanguage', 'timeZone'] as const

/** Where the config is looked for when no path is given, in order. */
export function defaultConfigPaths(cwd = process.cwd()): string[] {
  const xdg = process.env.XDG_CONFIG_HOME && process.env.XDG_CONFIG_HOME.trim() ? process.env.XDG_CONFIG_HOME : join(homedir(), '.config')
  return [join(cwd, 'natrace.config.json'), join(xdg, 'natrace', 'config.json')]
}

/** Checks the parsed JSON against OperatorConfig; throws a one-line error naming the file and key. */
export function validateConfig(raw: unknown, file: string): OperatorConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NatraceError('the operator config must be a JSON object', 1, file)
  const obj = raw as Record<string, unknown>
  const out: OperatorConfig = {}
  for (const k of STRING_KEYS) {
    const v = obj[k]
    if (v === undefined || v === null) continue
    if (typeof v !== 'string') throw new NatraceError(`"${k}" must be a string`, 1, file)
    out[k] = v
  }
  const m = obj.measures
  if (m !== undefined && m !== null) {
    if (typeof m === 'string') out.measures = m
    else if (typeof m === 'object' && !Array.isArray(m) && Object.values(m).every((x) => typeof x === 'string')) out.measures = {...(m as Record<string, string>)}
    else throw new NatraceError('"measures" must be a string or an object of strings per language', 1, file)
  }
  return out
}

/**
 * Loads the operator config. With a path the file must exist; without one the first existing default path is
 * read, and no file at all gives an empty config (drafts then say so in their warnings).
 */
export async function loadOperatorConfig(path?: string): Promise<OperatorConfig> {
  const candidates = path ? [path] : defaultConfigPaths()
  for (const file of candidates) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (!path && (code === 'ENOENT' || code === 'ENOTDIR')) continue
      if (code === 'ENOENT') throw new UsageError(`${file}: config file not found`)
      throw new NatraceError(`cannot read the config file (${code ?? 'error'})`, 1, file)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new NatraceError(`not valid JSON: ${(err as Error).message}`, 1, file)
    }
    return validateConfig(parsed, file)
  }
  return {}
}
