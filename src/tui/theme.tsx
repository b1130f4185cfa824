/**
 * Colour policy of the review screen. With NO_COLOR (https://no-color.org) every colour is dropped; meaning
 * is always carried by text too (status labels, "▸" selection marks), never by colour alone.
 */
import {createContext, useContext, useEffect, useState, type MutableRefObject, type ReactNode} from 'react'
import {Text, useStdout, type Key, type TextProps} from 'ink'

export interface Theme {
  color: boolean
}

export const ThemeContext = createContext<Theme>({color: true})

/** NO_COLOR set to any non-empty value turns colour off. */
export function colorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '')
}

/** ink's Text, minus colours when the theme says so. */
export function T(props: TextProps & {children?: ReactNode}) {
  const {color} = useContext(ThemeContext)
  if (color) return <Text {...props} />
  const {color: _c, backgroundColor: _b, inverse: _i, ...rest} = props
  return <Text {...rest} />
}

export interface Size {
  columns: number
  rows: number
}

/**
 * The terminal size, read at every render (so a screen mounted late still sees the current size) and
 * re-rendering on resize. `fixed` (tests) overrides it.
 */
export function useTermSize(fixed?: Size): Size {
  const {stdout} = useStdout()
  const [, setTick] = useState(0)
  useEffect(() => {
    if (fixed) return
    const onResize = () => setTick((n) => n + 1)
    stdout?.on('resize', onResize)
    return () => {
      stdout?.off('resize', onResize)
    }
  }, [stdout, fixed])
  return fixed ?? {columns: stdout?.columns || 80, rows: stdout?.rows || 24}
}

export type KeyHandler = (input: string, key: Key) => void

/**
 * Where the session's single ink input subscription sends keys. A screen mounted later (the review after the
 * progress view) registers its handler here during render: a freshly mounted useInput subscribes in a passive
 * effect, which runs some milliseconds after the frame is drawn (longer on a loaded machine) — a key typed or
 * pasted in that gap would be lost.
 */
export const InputRouter = createContext<MutableRefObject<KeyHandler | null> | null>(null)
