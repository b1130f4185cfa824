import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import {sampleResult} from '../../test/tui/fixtures.js'
import {fakeDrafts, see} from '../../test/tui/helpers.js'

// colours must be possible in this test process to show that NO_COLOR removes them: chalk (inside ink) reads
// FORCE_COLOR when first loaded, so everything ink is imported after setting it
let render: typeof import('ink-testing-library').render
let cleanup: typeof import('ink-testing-library').cleanup
let ReviewApp: typeof import('./App.js').ReviewApp
let ThemeContext: typeof import('./theme.js').ThemeContext
let colorFromEnv: typeof import('./theme.js').colorFromEnv
beforeAll(async () => {
  process.env.FORCE_COLOR = '1'
  ;({render, cleanup} = await import('ink-testing-library'))
  ;({ReviewApp} = await import('./App.js'))
  ;({ThemeContext, colorFromEnv} = await import('./theme.js'))
})
afterEach(() => cleanup?.())

// SGR colour codes: 30–37, 90–97 foreground, 40–47, 100–107 background, 38/48 extended, 7 inverse
const COLOUR = /\u001b\[(?:3[0-8]|4[0-8]|9[0-7]|10[0-7]|7)(?:;[0-9;]*)?m/

describe('colour', () => {
  it('colours statuses by default', async () => {
    const {lastFrame} = render(
      <ThemeContext.Provider value={{color: true}}>
        <ReviewApp result={sampleResult()} drafts={fakeDrafts()} size={{columns: 80, rows: 24}} />
      </ThemeContext.Provider>,
    )
    const f = await see(() => lastFrame(), 'ATTRIBUTED')
    expect(f).toMatch(COLOUR)
  })

  it('uses no colour with NO_COLOR, and still says every status and the selection in text', async () => {
    expect(colorFromEnv({NO_COLOR: '1'})).toBe(false)
    expect(colorFromEnv({NO_COLOR: ''})).toBe(true)
    expect(colorFromEnv({})).toBe(true)
    const {lastFrame} = render(
      <ThemeContext.Provider value={{color: false}}>
        <ReviewApp result={sampleResult()} drafts={fakeDrafts()} size={{columns: 80, rows: 24}} />
      </ThemeContext.Provider>,
    )
    const f = await see(() => lastFrame(), 'ATTRIBUTED')
    expect(f).not.toMatch(COLOUR)
    expect(f).toContain('✔ ATTRIBUTED')
    expect(f).toContain('? AMBIGUOUS')
    expect(f).toContain('✘ NOT FOUND')
    expect(f).toContain('▸#1')
  })
})
