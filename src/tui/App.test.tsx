import {render} from 'ink-testing-library'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {cleanup} from 'ink-testing-library'
import {ReviewApp} from './App.js'
import {manyIncidents, sampleResult} from '../../test/tui/fixtures.js'
import {KEY, fakeDrafts, press, see, tick, type, until} from '../../test/tui/helpers.js'

const SMALL = {columns: 80, rows: 24}

function mount(opts: {size?: {columns: number; rows: number}; drafts?: ReturnType<typeof fakeDrafts>; result?: ReturnType<typeof sampleResult>; onQuit?: () => void} = {}) {
  const drafts = opts.drafts ?? fakeDrafts()
  const r = render(<ReviewApp result={opts.result ?? sampleResult()} drafts={drafts} size={opts.size ?? SMALL} onQuit={opts.onQuit} />)
  return {...r, drafts, frame: () => r.lastFrame() ?? ''}
}

afterEach(() => cleanup())

describe('review screen', () => {
  it('shows the reporter, ticket, format, zones and clock offset, and every incident with its status', async () => {
    const {frame} = mount()
    const f = await see(frame, 'reporter cert.br')
    expect(f).toContain('ticket NicBr-20260314-0042')
    expect(f).toContain('registro-br')
    expect(f).toContain('Clock offset +2 s')
    expect(f).toContain('report America/Sao_Paulo')
    expect(f).toMatch(/Assumptions \(4/)
    expect(f).toMatch(/#1\s+✔ ATTRIBUTED/)
    expect(f).toMatch(/#2\s+\? AMBIGUOUS/)
    expect(f).toMatch(/#3\s+✘ NOT FOUND/)
  })

  it('never lets report text put terminal escapes on the screen', async () => {
    const {frame, stdin} = mount()
    await tick()
    await press(stdin, KEY.down)
    const f = await see(frame, 'Incident #2')
    expect(f).not.toContain('\u001b]')
    expect(f).not.toContain('\u001b[2J')
    expect(f).not.toContain('pwned') // the OSC title payload of the subject
    expect(f).toContain('2026-03-14 15:00:00 FAKE') // the text around the escapes stays readable
  })

  it('fits an 80×24 terminal: no line wider than 80, fewer than 24 rows, keys in the footer', async () => {
    const {frame, stdin} = mount()
    await tick()
    const steps: Array<[string[], string]> = [
      [[], 'Incident #1'],
      [[KEY.down], 'Incident #2'],
      [[KEY.down], 'Incident #3'],
      [['?'], 'Help · keys'],
      [[KEY.escape, 'i'], 'Report, assumptions and inputs'],
    ]
    for (const [keys, shows] of steps) {
      await press(stdin, ...keys)
      const lines = (await see(frame, shows)).split('\n')
      expect(lines.length).toBeLessThanOrEqual(23)
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80)
    }
    await press(stdin, KEY.escape)
    const last = (await see(frame, 'Incident #3')).split('\n').at(-1)!
    expect(last).toContain('a accept')
    expect(last).toContain('q quit')
    expect(last).toContain('? help')
  })

  it('uses the room of a larger terminal: every assumption listed in the header', async () => {
    const {frame} = mount({size: {columns: 140, rows: 45}})
    const f = await see(frame, 'Incident #1')
    expect(f).toContain('• report times without zone read in America/Sao_Paulo')
    expect(f).toContain('• log clock ahead of the reporter by about 2 s')
    expect(f.split('\n').length).toBeLessThanOrEqual(44)
  })

  it('shows the selected incident’s candidates with confidence and the evidence chain with file:line', async () => {
    const {frame, stdin} = mount({size: {columns: 100, rows: 40}})
    let f = await see(frame, 'Incident #1')
    expect(f).toContain('on our clock 2026-03-14 18:22:07Z')
    expect(f).toMatch(/▸ 1\)\s+97%.*100\.64\.3\.17:40112\s+00:1e:c2:aa:bb:01\s+joao-pc/)
    expect(f).toContain('logs/cgnat.log:1204')
    expect(f).toContain('leases/dhcpd.log:88  DHCPACK (lease start)')
    expect(f).toContain('DHCPACK on 100.64.3.17 to 00:1e:c2:aa:bb:01')
    // why the other candidate was set aside
    expect(f).toMatch(/2\) 100\.64\.3\.17 00:1e:c2:aa:bb:99 0%: held 100\.64\.3\.17 until 08:55:00 UTC/)

    await press(stdin, KEY.down)
    f = await see(frame, 'Incident #2')
    expect(f).toContain('two clients used 203.0.113.7:60001')
    expect(f).toContain('logs/cgnat.log.1.gz:77')
    await press(stdin, KEY.right)
    f = await see(frame, /▸ 2\)\s+50%\s+100\.64\.9\.77:41000\s+a4:5e:60:01:02:03\s+sub-3388\s+<cliente3388@example\.com>/)
    expect(f).toContain('logs/cgnat.log.1.gz:91')
    expect(f).toContain('Evidence for 2) 100.64.9.77')

    await press(stdin, KEY.down)
    f = await see(frame, 'No candidate: nobody can be named for this incident.')
    expect(f).toContain('NOT FOUND 0% at the NAT log step')
    expect(f).toContain('203.0.113.7 → xxx.xxx.3.103')
    expect(f).toContain('no source port reported and the NAT logs start')
  })

  it('scrolls a long evidence chain with PgDn/PgUp in 80×24', async () => {
    const {frame, stdin} = mount()
    await tick()
    await see(frame, /rows 1–\d+ of \d+ · PgDn more/)
    expect(frame()).not.toContain('Other candidates')
    await press(stdin, KEY.pageDown)
    await see(frame, 'Other candidates', 'PgUp back')
    await press(stdin, KEY.pageUp)
    await see(frame, 'Incident #1')
  })

  it('keeps the selected incident visible in a long list', async () => {
    const {frame, stdin} = mount({result: manyIncidents(30)})
    await tick()
    await see(frame, '(1–')
    for (let i = 0; i < 20; i++) stdin.write(KEY.down)
    const f = await see(frame, /▸#21/)
    expect(f).toContain('of 30)')
    expect(f).toContain('Incident #21')
  })
})

describe('decisions', () => {
  it('accepts natrace’s candidate of an attributed incident with one key, and writes it into the drafts', async () => {
    const {frame, stdin, drafts} = mount()
    await tick()
    await press(stdin, 'a')
    await see(frame, '#1: accepted 100.64.3.17')
    await see(frame, '1 not written (w)')
    await press(stdin, 'w')
    const f = await until(frame, (x) => x.includes('Drafts written'))
    expect(f).toContain('customer-notice-1.txt')
    expect(f).toContain('evidence.json')
    expect(drafts.writes).toEqual([[{incident: 0, action: 'accept', insideIp: '100.64.3.17', mac: '00:1e:c2:aa:bb:01'}]])
    await press(stdin, ' ')
    await see(frame, 'all written')
  })

  it('accepts a candidate of an ambiguous incident only with the operator’s reason, recorded as the note', async () => {
    const {frame, stdin, drafts} = mount()
    await tick()
    await press(stdin, KEY.down, KEY.right, 'a')
    await see(frame, '#2: why accept 100.64.9.77?')
    await press(stdin, KEY.enter)
    await see(frame, 'a reason is required')
    await type(stdin, 'customer confirmed NTP scan')
    await see(frame, '> customer confirmed NTP scan')
    await press(stdin, KEY.enter)
    let f = await see(frame, /#2\s+\? AMBIGUOUS.*\[accepted 100\.64\.9\.77\]/)
    expect(f).toContain('#2: accepted 100.64.9.77, reason recorded │ 1 decided · 1 not written (w)')
    await press(stdin, 'w')
    await until(frame, (x) => x.includes('Drafts written'))
    expect(drafts.writes.at(-1)).toEqual([
      {incident: 1, action: 'accept', insideIp: '100.64.9.77', mac: 'a4:5e:60:01:02:03', note: 'customer confirmed NTP scan'},
    ])
    f = await see(frame, 'with 1 operator decision')
  })

  it('does not accept a candidate natrace set aside on an attributed incident', async () => {
    const {frame, stdin} = mount()
    await tick()
    await press(stdin, KEY.right, 'a')
    await see(frame, '#1: cannot accept a candidate natrace set aside (r rejects its answer)')
    expect(frame()).not.toContain('accepted')
  })

  it('rejects an attribution with a reason, adds and removes notes, and undoes', async () => {
    const {frame, stdin, drafts} = mount()
    await tick()
    await press(stdin, 'r')
    await see(frame, "why reject natrace's answer?")
    await type(stdin, 'line was a honeypot')
    await press(stdin, KEY.enter)
    await see(frame, /#1\s+✔ ATTRIBUTED.*\[rejected\]/)
    await press(stdin, KEY.down, KEY.down, 'n')
    await type(stdin, 'asked cert.br for the source port')
    await press(stdin, KEY.enter)
    await see(frame, /#3.*\[note\]/)
    await see(frame, 'note: “asked cert.br for the source port”')
    await press(stdin, 'w')
    await until(frame, (x) => x.includes('Drafts written'))
    expect(drafts.writes.at(-1)).toEqual([
      {incident: 0, action: 'reject', note: 'line was a honeypot'},
      {incident: 2, action: 'reject', note: 'asked cert.br for the source port'},
    ])
    await press(stdin, ' ', KEY.up, KEY.up, 'u')
    await see(frame, '#1: decision and note removed')
    expect(frame()).not.toContain('[rejected]')
    await see(frame, '1 not written')
  })

  it('takes keys that arrive in one chunk one by one (fast typing, tmux, ssh)', async () => {
    const {frame, stdin, drafts} = mount()
    await see(frame, 'Incident #1')
    stdin.write('jjk')
    await see(frame, 'Incident #2')
    stdin.write('a') // ambiguous: asks a reason
    await see(frame, '#2: why accept')
    stdin.write('fast typist\r')
    await see(frame, /#2\s+\? AMBIGUOUS\s+\[accepted 100\.64\.9\.2\]/)
    stdin.write('w')
    await until(frame, (x) => x.includes('Drafts written'))
    expect(drafts.writes.at(-1)).toEqual([{incident: 1, action: 'accept', insideIp: '100.64.9.2', mac: '3c:22:fb:10:20:30', note: 'fast typist'}])
  })

  it('never runs a pasted text as commands while a prompt is open', async () => {
    const {frame, stdin, drafts} = mount()
    await see(frame, 'Incident #1')
    await press(stdin, 'n')
    stdin.write('line one\rwq\ny')
    await see(frame, '> line one wq y')
    await press(stdin, KEY.enter)
    await see(frame, '#1: note saved')
    expect(drafts.writes).toEqual([])
  })

  it('cancels a prompt with Esc without deciding anything', async () => {
    const {frame, stdin} = mount()
    await tick()
    await press(stdin, KEY.down, 'a')
    await type(stdin, 'half a reason')
    await press(stdin, KEY.escape)
    await see(frame, 'cancelled')
    expect(frame()).not.toContain('[accepted')
  })

  it('strips control characters typed or pasted into a note, keeping it on one line', async () => {
    const {frame, stdin, drafts} = mount()
    await tick()
    await press(stdin, 'n')
    stdin.write('ok \u0007red\u0085\nnext')
    await tick()
    await press(stdin, KEY.enter, 'w')
    await until(frame, (x) => x.includes('Drafts written'))
    expect(drafts.writes.at(-1)?.[0]?.note).toBe('ok red next')
  })
})

describe('drafts and quitting', () => {
  it('previews the reply and the customer notice, with tabs', async () => {
    const {frame, stdin, drafts} = mount()
    await tick()
    await press(stdin, 'a', 'd')
    let f = await until(frame, (x) => x.includes('Preview:'))
    expect(f).toContain('[Reply to reporter]')
    expect(f).toContain('⚠ no sender address configured')
    expect(f).toContain('Prezados,')
    expect(drafts.previews.at(-1)).toEqual([{incident: 0, action: 'accept', insideIp: '100.64.3.17', mac: '00:1e:c2:aa:bb:01'}])
    await press(stdin, KEY.right)
    f = await see(frame, '[Notice #1 sub-1042 joao-pc]')
    expect(f).toContain('we observed traffic from your connection.')
    await press(stdin, KEY.escape)
    await see(frame, 'Incident #1')
  })

  it('says why the drafts could not be written and keeps the decisions unsaved', async () => {
    const {frame, stdin} = mount({drafts: fakeDrafts({fail: '--out /nope: cannot use it as the output directory (EACCES)'})})
    await tick()
    await press(stdin, 'a', 'w')
    const f = await until(frame, (x) => x.includes('Could not write'))
    // the whole message, on two status rows rather than cut at 80 columns
    expect(f.replace(/\s*\n\s*/g, ' ')).toContain('Could not write the drafts: --out /nope: cannot use it as the output directory (EACCES)')
    await press(stdin, KEY.down)
    await see(frame, '1 not written (w)')
  })

  it('asks before quitting with unwritten decisions; quits at once when all is written', async () => {
    const onQuit = vi.fn()
    const {frame, stdin} = mount({onQuit})
    await tick()
    await press(stdin, 'a', 'q')
    await see(frame, '1 decision is not written to the drafts yet')
    expect(onQuit).not.toHaveBeenCalled()
    await press(stdin, KEY.escape)
    await see(frame, 'Incident #1')
    await press(stdin, 'q', 'y')
    expect(onQuit).toHaveBeenCalledWith([{incident: 0, action: 'accept', insideIp: '100.64.3.17', mac: '00:1e:c2:aa:bb:01'}])

    const quit2 = vi.fn()
    const second = mount({onQuit: quit2})
    await see(second.frame, 'Incident #1')
    await press(second.stdin, 'q')
    await vi.waitFor(() => expect(quit2).toHaveBeenCalledWith([]))
    expect(second.frame()).not.toContain('not written to the drafts yet')
  })

  it('writes then quits from the quit question', async () => {
    const onQuit = vi.fn()
    const {stdin, drafts} = mount({onQuit})
    await tick()
    await press(stdin, 'a', 'q', 'w')
    await vi.waitFor(() => expect(onQuit).toHaveBeenCalled())
    expect(drafts.writes).toHaveLength(1)
  })

  it('lists the key map on ?', async () => {
    const {frame, stdin} = mount({size: {columns: 100, rows: 30}})
    await tick()
    await press(stdin, '?')
    const f = await see(frame, 'Help · keys')
    expect(f).toMatch(/a\s+accept the chosen candidate/)
    expect(f).toMatch(/w\s+write the drafts/)
    await press(stdin, '?')
    expect(await see(frame, 'Incident #1')).not.toContain('Help · keys')
  })
})
