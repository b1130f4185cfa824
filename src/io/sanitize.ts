/**
 * Text from reports and logs is untrusted: strip terminal control sequences (CSI, OSC, other ESC
 * sequences) and C0/C1 control characters before it reaches a terminal, keeping tabs.
 */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

export function stripControls(text: string): string {
  return text.replace(ANSI, '').replace(CONTROLS, '')
}

/** For one-line fields (headers, table cells): controls stripped and every line break folded to a space. */
export function oneLineSafe(text: string): string {
  return stripControls(text.replace(/[\r\n\u2028\u2029]+/g, ' ')).trim()
}
