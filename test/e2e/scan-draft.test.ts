/**
 * End to end: the BUILT CLI — `natrace scan --draft DIR` on the planted-scanner campus: the alert and the
 * notices go through the templates (an operator's --templates directory overrides them), and a language
 * natrace cannot write is refused before any log is read.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {simpleParser} from 'mailparser'
import {afterAll, describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'bin/run.js')
const campus = (p: string) => join(root, 'test/fixtures/scan/campus', p)
const tmp = mkdtempSync(join(tmpdir(), 'natrace-scan-draft-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function natrace(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, TZ: 'UTC'}, cwd: root})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('natrace scan --draft', () => {
  it("writes the alert and one notice per named scanner, the notice from the operator's own template", async () => {
    const tpl = join(tmp, 'tpl')
    mkdirSync(join(tpl, 'en'), {recursive: true})
    writeFileSync(join(tpl, 'en', 'scan-notice-subject.eta'), 'CUSTOM notice for <%= it.device.mac %>')
    const out = join(tmp, 'out')
    const run = natrace(['scan', '--nat-logs', campus('security'), '--dhcp', campus('dhcpd.leases'), '--log-tz', 'UTC', '--draft', out, '--templates', tpl, '--lang', 'en'])
    expect(run.code).toBe(0)
    const files = readdirSync(out).sort()
    expect(files).toContain('scan-alert.eml')
    expect(files).toContain('scan-evidence.json')
    // the three planted scanners (nmap, Mirai-style, slow SSH); not the BitTorrent client nor the web client
    expect(files.filter((f) => f.startsWith('notice-'))).toEqual(['notice-3c-52-82-55-01-aa.eml', 'notice-3c-52-82-66-02-bb.eml', 'notice-b0-c5-54-77-03-cc.eml'])
    const nmap = await simpleParser(readFileSync(join(out, 'notice-3c-52-82-66-02-bb.eml')))
    expect(nmap.subject).toBe('CUSTOM notice for 3c:52:82:66:02:bb')
    expect(nmap.text).not.toContain('b0:c5:54:77:03:cc') // another customer's device is never in a notice
    const alert = await simpleParser(readFileSync(join(out, 'scan-alert.eml')))
    expect(alert.text).toContain('3c:52:82:66:02:bb') // the alert (to our own desk) names the scanner
    // no temporary files left behind
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('refuses a language it cannot write in one line (exit 2) and writes nothing', () => {
    const out = join(tmp, 'nope')
    const run = natrace(['scan', '--nat-logs', campus('security'), '--draft', out, '--lang', 'de'])
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain('de')
    expect(() => readdirSync(out)).toThrow()
  })
})
