/**
 * One-line text input for the operator's note / reason. Enter saves, Esc cancels, Ctrl-U clears.
 * Typed or pasted text is stripped of control characters (a paste may carry escapes).
 */
import {useContext, useRef, useState} from 'react'
import {Box, Text, useInput} from 'ink'
import {T, ThemeContext} from './theme.js'
import {safe} from './text.js'

export interface NoteInputProps {
  prompt: string
  hint?: string
  initial?: string
  /** refuse an empty submit (the reason for overruling natrace is required) */
  required?: boolean
  width: number
  onSubmit: (text: string) => void
  onCancel: () => void
}

export const NOTE_MAX = 500

export function NoteInput({prompt, hint, initial = '', required, width, onSubmit, onCancel}: NoteInputProps) {
  const {color} = useContext(ThemeContext)
  const [value, setValueState] = useState(initial)
  // the latest text, also between renders (keys can arrive faster than ink re-renders)
  const current = useRef(initial)
  const setValue = (v: string) => {
    current.current = v
    setValueState(v)
  }
  const [err, setErr] = useState<string | null>(null)
  useInput((input, key) => {
    const v = current.current
    if (key.escape) return onCancel()
    if (key.return) {
      if (required && !v.trim()) {
        setErr('a reason is required (Esc to cancel)')
        return
      }
      return onSubmit(v.trim())
    }
    if (key.backspace || key.delete) return setValue(v.slice(0, -1))
    if (key.ctrl && input === 'u') return setValue('')
    if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return
    // a paste arrives as one chunk, maybe with line breaks or escapes: keep its text on one line
    const clean = safe(input)
    if (clean) {
      setErr(null)
      setValue((v + clean).slice(0, NOTE_MAX))
    }
  })
  // show the end of a long note so the cursor stays visible
  const room = Math.max(10, width - 4)
  const shown = value.length > room ? `…${value.slice(value.length - room + 1)}` : value
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <T bold color="cyan">
          {prompt}
        </T>
      </Text>
      <Text wrap="truncate-end">
        <T color="cyan">{'> '}</T>
        {shown}
        {color ? <T inverse> </T> : '_'}
      </Text>
      <Text wrap="truncate-end">
        {err ? <T color="red">{err}</T> : <T dimColor>{hint ?? 'Enter save · Esc cancel · Ctrl-U clear'}</T>}
      </Text>
    </Box>
  )
}
