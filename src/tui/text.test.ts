import {describe, expect, it} from 'vitest'
import {clip, formatBytes, formatDuration, formatOffset, hostPort, safe, safeLines, shortIso, wrapLine, wrapWords} from './text.js'
import {headerRows} from './Header.js'
import {rowText} from './rows.js'
import {sampleResult} from '../../test/tui/fixtures.js'

describe('screen text helpers', () => {
  it('folds untrusted text to one safe line: escapes, controls, breaks and tabs', () => {
    expect(safe('a\u001b[2J\u001b]0;title\u0007b\r\nc\td\u009bX')).toBe('ab c d')
    expect(safeLines('one\r\ntwo\u001b[31m red\n\tthree')).toEqual(['one', 'two red', '    three'])
  })

  it('wraps prose at words, cuts only words longer than a row, keeps indentation', () => {
    expect(wrapWords('held 192.168.0.35 from 2013-06-18T14:28:01Z to 2013-06-18T22:28:01Z', 30)).toEqual([
      'held 192.168.0.35 from',
      '2013-06-18T14:28:01Z to',
      '2013-06-18T22:28:01Z',
    ])
    expect(wrapWords('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)])
    expect(wrapLine('  - a list item that is long enough to wrap', 20)).toEqual(['  - a list item that', '  is long enough to', '  wrap'])
    expect(wrapLine('', 20)).toEqual([''])
  })

  it('formats sizes, durations, offsets and endpoints the way the screen shows them', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB')
    expect(formatDuration(125)).toBe('2m05s')
    expect(formatDuration(3720)).toBe('1h02m')
    expect(formatOffset(4)).toBe('+4 s')
    expect(formatOffset(-75)).toBe('-75 s (1m15s)')
    expect(formatOffset(null)).toBe('unknown')
    expect(hostPort('2001:db8::1', 443)).toBe('[2001:db8::1]:443')
    expect(hostPort(null, 80)).toBe('?:80')
    expect(shortIso('2026-03-14T18:22:05.000Z')).toBe('2026-03-14 18:22:05Z')
    expect(clip('abcdef', 4)).toBe('abc…')
  })

  it('lists as many assumptions as a tall terminal has room for, the rest behind i', () => {
    const r = sampleResult()
    r.assumptions = Array.from({length: 12}, (_, i) => ({kind: 'k', text: `assumption ${i + 1}`}))
    const rows = headerRows(r, 8).map(rowText)
    expect(rows).toHaveLength(8)
    expect(rows.filter((l) => l.startsWith('• '))).toHaveLength(4)
    expect(rows).toContain('… 8 more assumptions  ⚠ 1 warning  (i: details)')
    expect(rows.at(-1)).toMatch(/^Subject: /)
    // 80×24: one summary row
    const small = headerRows(r, 4).map(rowText)
    expect(small[2]).toMatch(/^Assumptions \(12, i: all\)  ⚠ 1 warning: assumption 1 · assumption 2/)
  })
})
