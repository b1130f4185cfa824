/**
 * One-line text input for the operator's note / reason. Enter saves, Esc cancels, Ctrl-U clears.
 * Presentational: the review screen owns the single key handler (a freshly mounted input handler subscribes a
 * little after it is drawn and can miss the first keys typed, see theme.tsx), and feeds keys through `editNote`.
 * Typed or pasted text is stripped of control characters (a paste may carry escapes).
 */
import {useContext} from 'react'
import {Box, Text, type Key} from 'ink'
import {T, ThemeContext} from './theme.js'
import {stripControls} from '../io/sanitize.js'

export const NOTE_MAX = 500

export type NoteEdit = {kind: 'edit'; value: string} | {kind: 'submit'; value: string} | {kind: 'cancel'} | {kind: 'ignore'}

/** What a key does to the text being typed. */
export function editNote(value: string, input: string, key: Key): NoteEdit {
  if (key.escape) return {kind: 'cancel'}
  if (key.return) return {kind: 'submit', value: value.trim()}
  if (key.backspace || key.delete) return {kind: 'edit', value: value.slice(0, -1)}
  if (key.ctrl && input === 'u') return {kind: 'edit', value: ''}
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return {kind: 'ignore'}
  // a paste arrives as one chunk, maybe with line breaks or escapes: keep its text, on one line
  const clean = stripControls(input.replace(/[\r\n\t\u2028\u2029]+/g, ' '))
  if (!clean) return {kind: 'ignore'}
  return {kind: 'edit', value: (value + clean).replace(/ {2,}/g, ' ').slice(0, NOTE_MAX)}
}

export interface NoteInputProps {
  prompt: string
  value: string
  error?: string | null
  hint?: string
  width: number
}

export function NoteInput({prompt, value, error, hint, width}: NoteInputProps) {
  const {color} = useContext(ThemeContext)
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
        {error ? <T color="red">{error}</T> : <T dimColor>{hint ?? 'Enter save · Esc cancel · Ctrl-U clear'}</T>}
      </Text>
    </Box>
  )
}
