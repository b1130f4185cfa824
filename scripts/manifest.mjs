#!/usr/bin/env node
/**
 * Writes oclif.manifest.json after the build (`npm run build` runs it). Without a manifest oclif imports every
 * command module (ink, React, DuckDB, mailparser…) to learn their flags before running any one of them: about
 * 0.6 CPU-s and 25 MB of start-up. The manifest is made by @oclif/core itself from the built commands, so it
 * cannot drift from them as long as it is rebuilt with them; it is not committed (.gitignore).
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Config} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = join(root, 'oclif.manifest.json')
rmSync(file, {force: true}) // never build the new manifest from the old one
const config = await Config.load(root)
const plugin = config.getPluginsList().find((p) => p.root === config.root || p.name === config.pjson.name)
if (!plugin) throw new Error('natrace plugin not found by @oclif/core')
const {manifest} = plugin
// a command module that fails to import is left out by oclif with a warning: refuse a partial manifest
const built = readdirSync(join(root, 'dist/commands'), {recursive: true}).filter((f) => String(f).endsWith('.js')).length
if (Object.keys(manifest.commands).length !== built) {
  console.error(`oclif loaded ${Object.keys(manifest.commands).length} of the ${built} built commands: no manifest written (fix the build error above)`)
  process.exit(1)
}
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n')
console.error(`oclif.manifest.json: ${Object.keys(manifest.commands).length} commands`)
