/**
 * The screen is built from rows of styled segments, each row exactly one terminal line (truncated at the
 * width), so every pane can be sized and scrolled by counting rows — the layout fits 80×24 by construction.
 */
import {Box, Text} from 'ink'
import {T} from './theme.js'

export interface Seg {
  text: string
  color?: string
  bold?: boolean
  dim?: boolean
  inverse?: boolean
  underline?: boolean
}

export type Row = Seg[]

export function seg(text: string, style: Omit<Seg, 'text'> = {}): Seg {
  return {text, ...style}
}

export function rowText(row: Row): string {
  return row.map((s) => s.text).join('')
}

/** Renders rows, one line each, cut at the box width. */
export function Rows({rows, width}: {rows: Row[]; width: number}) {
  return (
    <Box flexDirection="column" width={width}>
      {rows.map((row, i) =>
        rowText(row) === '' ? (
          // an empty or blank Text takes no row at all: hold the row open
          <Box key={i} height={1} />
        ) : (
          <Text key={i} wrap="truncate-end">
            {row.map((s, j) => (
              <T key={j} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse} underline={s.underline}>
                {s.text}
              </T>
            ))}
          </Text>
        ),
      )}
    </Box>
  )
}

/** "── Title ─────" rule across the width. */
export function rule(title: string, width: number, style: Omit<Seg, 'text'> = {}): Row {
  const head = title ? `── ${title} ` : ''
  return [seg(head, {bold: true, ...style}), seg('─'.repeat(Math.max(0, width - head.length)), {dim: true})]
}

/** A window of `height` rows starting at `offset` (clamped), plus whether more is above/below. */
export function windowRows<R>(rows: R[], offset: number, height: number): {rows: R[]; offset: number; above: boolean; below: boolean} {
  const h = Math.max(0, height)
  const maxOff = Math.max(0, rows.length - h)
  const off = Math.max(0, Math.min(offset, maxOff))
  return {rows: rows.slice(off, off + h), offset: off, above: off > 0, below: off + h < rows.length}
}
