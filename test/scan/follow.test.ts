import {appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {ScanContact} from '../../src/nat/contact.js'
import {natFormats} from '../../src/nat/registry.js'
import {followFiles} from '../../src/scan/follow.js'
import {QuietTable} from '../../src/scan/live.js'
import {ipfwLine, T0} from './helpers.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const line = (i: number) => ipfwLine(T0 + i * 1000, 'TCP', `10.1.0.7:${40000 + i}`, `192.0.2.${i % 250}:23`)

describe('following a growing log', () => {
  it('reads appended lines with their true line numbers, follows a rotation and a truncation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrace-follow-'))
    dirs.push(dir)
    const path = join(dir, 'security')
    writeFileSync(path, `${line(0)}\n${line(1)}\n${line(2).slice(0, 30)}`) // the partial last line is not read yet
    const got: {line: number; port: number | null}[] = []
    const warnings: string[] = []
    const ac = new AbortController()
    let ready = false
    const done = followFiles([path], natFormats, {
      zone: 'UTC',
      pollMs: 20,
      signal: ac.signal,
      onReady: () => (ready = true),
      onWarning: (w) => warnings.push(w.message),
      onRecord: (ev) => got.push({line: ev instanceof ScanContact ? ev.line : ev.evidence.line, port: ev.srcPort ?? null}),
    })
    await until(() => ready)
    appendFileSync(path, `${line(2).slice(30)}\n${line(3)}\n`)
    await until(() => got.length === 2)
    expect(got).toEqual([
      {line: 3, port: 40002},
      {line: 4, port: 40003},
    ])
    // newsyslog: the file is moved away and a new one created; the old one still gets its last line first
    appendFileSync(path, `${line(4)}\n`)
    renameSync(path, `${path}.0`)
    writeFileSync(path, `${line(5)}\n`)
    await until(() => got.length === 4)
    expect(got.slice(2)).toEqual([
      {line: 5, port: 40004},
      {line: 1, port: 40005},
    ])
    // copytruncate: the file shrinks and is read again from its start
    writeFileSync(path, '')
    await new Promise((r) => setTimeout(r, 100))
    appendFileSync(path, `${line(6)}\n`)
    await until(() => got.length === 5)
    expect(got[4]).toEqual({line: 1, port: 40006})
    expect(warnings.some((w) => /rotated/.test(w))).toBe(true)
    expect(warnings.some((w) => /truncated/.test(w))).toBe(true)
    ac.abort()
    await done
  })
})

describe('quiet period', () => {
  it('never alerts the same source twice within the quiet period, and again after it', () => {
    const q = new QuietTable(3600_000)
    expect(q.allow('out 10.1.0.7', T0)).toBe(true)
    expect(q.allow('out 10.1.0.7', T0 + 59 * 60_000)).toBe(false)
    expect(q.allow('out 10.1.0.8', T0 + 60_000)).toBe(true)
    expect(q.allow('out 10.1.0.7', T0 + 61 * 60_000)).toBe(true)
  })
})
