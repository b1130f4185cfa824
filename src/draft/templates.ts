/**
 * Draft wording lives in eta template files: templates/<lang>/{reply,notice,notice-subject}.eta (and the
 * scan-alert*, scan-notice* of `natrace scan --draft`) shipped with the package, overridable per file with
 * `--templates DIR` (DIR/<lang>/<name>.eta, else DIR/<name>.eta). Templates are the operator's own files
 * (trusted); the data they render is not, and is sanitised before it gets here.
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Eta} from 'eta'
import {NatraceError, UsageError} from '../io/errors.js'

export type TemplateName =
  | 'reply'
  | 'notice'
  | 'notice-subject'
  | 'scan-alert'
  | 'scan-alert-subject'
  | 'scan-notice'
  | 'scan-notice-subject'

let root: string | undefined

/** The package root: the nearest directory up from this module with package.json and templates/. */
function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return (root = dir)
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  throw new NatraceError('the shipped templates/ directory is missing from the installation')
}

/** The package's templates/ directory (works from src/ under vitest and from dist/ when installed). */
export function shippedTemplatesDir(): string {
  return join(packageRoot(), 'templates')
}

/** natrace's version, for the evidence pack. */
export function natraceVersion(): string {
  try {
    const v = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {version?: unknown}).version
    return typeof v === 'string' ? v : 'unknown'
  } catch {
    return 'unknown'
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/** Where a template comes from: the override directory first, then the shipped one. */
export function locateTemplate(name: TemplateName, lang: string, templatesDir?: string): string {
  const file = `${name}.eta`
  if (templatesDir) {
    for (const p of [join(templatesDir, lang, file), join(templatesDir, file)]) if (isFile(p)) return resolve(p)
  }
  const shipped = join(shippedTemplatesDir(), lang, file)
  if (isFile(shipped)) return shipped
  throw new UsageError(
    `no "${name}" template for language "${lang}"` +
      (templatesDir ? ` in ${templatesDir} or the shipped templates` : '') +
      ': shipped languages are pt-BR, en, es (use --lang, or --templates DIR with DIR/' + lang + '/' + file + ')',
  )
}

/** Languages available for a name, for messages. */
export function hasTemplate(name: TemplateName, lang: string, templatesDir?: string): boolean {
  try {
    locateTemplate(name, lang, templatesDir)
    return true
  } catch {
    return false
  }
}

const etas = new Map<string, Eta>()

function etaFor(dir: string): Eta {
  let e = etas.get(dir)
  if (!e) {
    // plain text: no HTML escaping; a newline right after a tag is eaten so control lines leave no blank line
    e = new Eta({views: dir, autoEscape: false, autoTrim: [false, 'nl'], cache: false, useWith: false})
    etas.set(dir, e)
  }
  return e
}

/** Renders a template with data; a broken template gives a one-line error naming the file. */
export function renderTemplate(name: TemplateName, lang: string, data: object, templatesDir?: string): string {
  const file = locateTemplate(name, lang, templatesDir)
  const text = readFileSync(file, 'utf8')
  try {
    return etaFor(dirname(file)).renderString(text, data)
  } catch (err) {
    throw new NatraceError(`template error: ${(err as Error).message.split('\n')[0]}`, 1, file)
  }
}
