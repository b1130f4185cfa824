import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

/*
 * `natrace review` in a real terminal: the BUILT CLI (npm run build first) runs inside tmux on samples/ (see
 * samples/README.md); keys go in with send-keys, the screen comes back with capture-pane. Needs tmux
 * (apt-get install -y tmux); without it the terminal test is skipped, saying so.
 */
const ROOT = resolve(__dirname, '../..')
const REPORT = join(ROOT, 'samples/reports/nicbr-portscan.eml')
const SAMPLE_ARGS = ['--nat-logs', join(ROOT, 'samples/nat'), '--dhcp', join(ROOT, 'samples/dhcp'), '--public-ip', '203.0.113.5', '--log-tz', 'America/Sao_Paulo']

const HAS_TMUX = spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status === 0
// a private tmux server for this run, so nothing else's sessions are touched
const SOCKET = `natrace-e2e-${process.pid}`
const SESSION = 'review'

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const screen = (session = SESSION) => tmux('capture-pane', '-p', '-t', session)
/** the pane with its colours, as SGR sequences */
const screenWithStyle = (session = SESSION) => tmux('capture-pane', '-p', '-e', '-t', session)
// SGR colour parameters: 30–38 / 90–97 foreground, 40–48 / 100–107 background
const COLOUR = /\u001b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7]|4[0-8]|10[0-7])(?:;[0-9;]*)?m/
const keys = (...k: string[]) => tmux('send-keys', '-t', SESSION, ...k)
const typeText = (text: string) => tmux('send-keys', '-t', SESSION, '-l', text)

/** Polls the pane until it shows every text / pattern (the CLI starts, reads the logs, re-renders). */
async function waitFor(wanted: Array<string | RegExp>, ms = 20_000, session = SESSION): Promise<string> {
  const end = Date.now() + ms
  let s = ''
  for (;;) {
    s = screen(session)
    if (wanted.every((w) => (typeof w === 'string' ? s.includes(w) : w.test(s)))) return s
    if (Date.now() > end) throw new Error(`the terminal never showed ${wanted.map(String).join(', ')}; screen:\n${s}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const shq = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`

describe.skipIf(!HAS_TMUX)('natrace review in a real terminal (tmux, built CLI, samples)', () => {
  let cwd: string
  let out: string
  const command = (outDir: string) => [process.execPath, join(ROOT, 'bin/run.js'), 'review', REPORT, ...SAMPLE_ARGS, '--out', outDir].map(shq).join(' ')

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'natrace-e2e-review-'))
    writeFileSync(join(cwd, 'natrace.config.json'), JSON.stringify({organisation: 'Provedor Exemplo', from: 'Provedor Exemplo Abuse <abuse@provedor-exemplo.com.br>'}))
    out = join(cwd, 'drafts')
    // the shell stays after natrace ends so its exit code can be read from the pane
    tmux('new-session', '-d', '-s', SESSION, '-x', '80', '-y', '24', '-c', cwd, '-e', 'TZ=UTC', `${command(out)}; echo "natrace-exit=$?"; sleep 120`)
  })

  afterAll(() => {
    if (HAS_TMUX) spawnSync('tmux', ['-L', SOCKET, 'kill-server'])
  })

  it('reads the samples, then shows the report header and every incident with its status in 80×24', async () => {
    const s = await waitFor(['Incidents 4'], 50_000)
    expect(s).toContain('reporter Registro.br')
    expect(s).toContain('ticket NicBr-20130619-133')
    expect(s).toContain('Clock offset +4 s')
    expect(s).toMatch(/#1\s+✘ NOT FOUND/)
    expect(s).toMatch(/#2\s+✔ ATTRIBUTED .*203\.0\.113\.5:52218/)
    expect(s).toMatch(/#4\s+\? AMBIGUOUS .*203\.0\.113\.5:40001/)
    expect(s).toContain('q quit')
    expect(screenWithStyle()).toMatch(COLOUR) // statuses in colour by default
    const lines = s.replace(/\n+$/, '').split('\n')
    expect(lines.length).toBeLessThanOrEqual(24)
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80)
  })

  it('navigates to an attributed incident and shows its evidence with file:line', async () => {
    keys('Down')
    const s = await waitFor(['Incident #2', 'Candidates (1)'])
    expect(s).toMatch(/▸ 1\)\s+\d+%\s+192\.168\.0\.23:52218\s+00:1e:c2:aa:bb:cc\s+joao-pc/)
    keys('PageDown')
    const ev = await waitFor([/samples\/nat\/security\S*:\d+\s+outbound packet/])
    expect(ev).toContain('ipfw: 1 Count TCP 192.168.0.23:52218')
  })

  it('accepts natrace’s answer, and a candidate of the ambiguous incident with a reason', async () => {
    keys('a')
    await waitFor([/#2\s+✔ ATTRIBUTED \[accepted 192\.168\.0\.23\]/])
    keys('Down', 'Down', 'Right')
    await waitFor(['Incident #4', /▸ 2\)\s+\d+%\s+192\.168\.0\.35/])
    keys('a')
    await waitFor(['#4: why accept 192.168.0.35?'])
    typeText('customer admitted running a scanner')
    await waitFor(['> customer admitted running a scanner'])
    keys('Enter')
    const s = await waitFor([/#4\s+\? AMBIGUOUS\s+\[accepted 192\.168\.0\.35\]/, '2 decided · 2 not written (w)'])
    expect(s).toContain('note: “customer admitted running a scanner”')
  })

  it('previews the reply to the reporter', async () => {
    keys('d')
    const s = await waitFor(['[Reply to reporter]', 'Subject: Re: [NicBr-20130619-133'])
    expect(s).toContain('In-Reply-To:')
    keys('Escape')
    const back = await waitFor(['Candidates (2)'])
    expect(back).not.toContain('[Reply to reporter]')
  })

  it('writes the drafts with the decisions and shows where', async () => {
    keys('w')
    const s = await waitFor(['Drafts written', 'evidence.json'])
    expect(s).toContain(join(out, 'reply.eml').slice(0, 60))
    expect(readdirSync(out).sort()).toEqual(['customer-notice-1.txt', 'customer-notice-2.txt', 'evidence.json', 'evidence.md', 'reply.eml'])
    const ev = JSON.parse(readFileSync(join(out, 'evidence.json'), 'utf8')) as {incidents: Array<{decision?: Record<string, unknown>}>}
    expect(ev.incidents[3]?.decision).toMatchObject({by: 'operator', action: 'accept', insideIp: '192.168.0.35', note: 'customer admitted running a scanner'})
    expect(ev.incidents[1]?.decision).toMatchObject({by: 'operator', action: 'accept', insideIp: '192.168.0.23'})
    // the reply names no customer
    const reply = readFileSync(join(out, 'reply.eml'), 'utf8')
    expect(reply).not.toContain('192.168.0.35')
    expect(reply).not.toContain('sonia-note')
    keys('Space')
    await waitFor(['all written'])
  })

  it('follows a resize: a larger terminal lists every assumption', async () => {
    tmux('resize-window', '-t', SESSION, '-x', '120', '-y', '40')
    const s = await waitFor([/^• /m])
    expect(s.split('\n').some((l) => [...l].length > 80)).toBe(true)
    tmux('resize-window', '-t', SESSION, '-x', '80', '-y', '24')
    await waitFor([/Assumptions \(\d+, i: all\)/])
  })

  it('respects NO_COLOR: no colour at all, statuses still spelled out', async () => {
    tmux('new-session', '-d', '-s', 'nocolor', '-x', '80', '-y', '24', '-c', cwd, '-e', 'TZ=UTC', '-e', 'NO_COLOR=1', `${command(join(cwd, 'nc'))}; echo "natrace-exit=$?"; sleep 120`)
    await waitFor(['Incidents 4'], 50_000, 'nocolor')
    const styled = screenWithStyle('nocolor')
    expect(styled).not.toMatch(COLOUR)
    expect(styled).toContain('✔ ATTRIBUTED')
    // a resize before any key: the review screen (mounted after the progress view) follows it too
    tmux('resize-window', '-t', 'nocolor', '-x', '110', '-y', '30')
    const wide = await waitFor([/natrace review · .*nicbr-portscan\.eml/], 20_000, 'nocolor')
    expect(wide.split('\n').some((l) => [...l].length > 80)).toBe(true)
    // a burst of keys in one write (as over ssh): incident 2, accept, write, back, quit
    tmux('send-keys', '-t', 'nocolor', 'jaw')
    await waitFor(['Drafts written'], 20_000, 'nocolor')
    tmux('send-keys', '-t', 'nocolor', ' q')
    await waitFor(['natrace-exit=0'], 20_000, 'nocolor')
    expect(readdirSync(join(cwd, 'nc'))).toContain('reply.eml')
  })

  it('quits at once when everything is written, exit 0, and gives the terminal back', async () => {
    keys('q')
    const s = await waitFor(['natrace-exit=0'])
    expect(s).not.toContain('Incidents 4') // the alternate screen is gone
    // where the drafts are stays on the terminal
    expect(s).toContain('Drafts written:')
    expect(s).toContain('evidence.json')
    expect(existsSync(join(out, 'reply.eml'))).toBe(true)
  })
})

describe('natrace review without a terminal', () => {
  it('refuses in one line, pointing to attribute / draft, exit 2', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'review', REPORT, ...SAMPLE_ARGS], {encoding: 'utf8', input: ''})
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([
      'natrace review: needs an interactive terminal; in scripts use `natrace attribute` or `natrace draft` with the same flags',
    ])
    expect(r.stdout).toBe('')
  })

  it.skipIf(HAS_TMUX)('is tested in a real terminal only where tmux is installed (apt-get install -y tmux)', () => {
    console.warn('review-tmux: tmux not found, the real-terminal test of `natrace review` was skipped')
  })
})
