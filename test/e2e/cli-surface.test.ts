/**
 * The command and flag surface is a contract scripts rely on: a renamed or removed flag must be a visible,
 * deliberate change. The snapshot is test/e2e/cli-surface.json; to change the surface on purpose, regenerate it
 * with `NATRACE_UPDATE_SURFACE=1 npx vitest run test/e2e/cli-surface.test.ts` and commit it with the change.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {Config} from '@oclif/core'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const snapshotPath = join(import.meta.dirname, 'cli-surface.json')

async function surface(): Promise<Record<string, {args: string[]; flags: Record<string, string>}>> {
  const config = await Config.load(root)
  const out: Record<string, {args: string[]; flags: Record<string, string>}> = {}
  for (const c of [...config.commands].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (c.pluginName !== 'natrace') continue
    const flags: Record<string, string> = {}
    for (const [name, f] of Object.entries(c.flags).sort(([a], [b]) => (a < b ? -1 : 1))) {
      flags[name] = `${f.type}${'multiple' in f && f.multiple ? '[]' : ''}${f.required ? ' required' : ''}`
    }
    out[c.id] = {args: Object.keys(c.args ?? {}), flags}
  }
  return out
}

describe('CLI surface', () => {
  it('matches the checked-in snapshot (commands, arguments, flag names and kinds)', async () => {
    const now = await surface()
    if (process.env.NATRACE_UPDATE_SURFACE || !existsSync(snapshotPath)) writeFileSync(snapshotPath, JSON.stringify(now, null, 2) + '\n')
    expect(now).toEqual(JSON.parse(readFileSync(snapshotPath, 'utf8')))
  })

  it('keeps the attribute flags the issues spell out', async () => {
    const flags = Object.keys((await surface()).attribute!.flags)
    for (const f of ['nat-logs', 'dhcp', 'log-tz', 'report-tz', 'public-ip', 'max-skew', 'json', 'draft']) expect(flags).toContain(f)
  })
})
