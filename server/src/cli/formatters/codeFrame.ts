// The source line(s) of a finding with a caret under its range, like ESLint's codeframe and tsc --pretty:
//
//     14 |   const rows = await pool.query(
//   > 15 |     'select * from orders where customer_id = $1',
//        |                    ^^^^^^
//
// Long lines are shown as a window around the range, tabs as spaces, so the caret stays under the text.

import type { SourceRange } from '../../engine/types';

/** At most this many lines of a range are shown (a statement over 30 lines would bury the headline). */
const MAX_RANGE_LINES = 3;
/** Width of the source text shown per line; longer lines are clipped around the range with "…". */
const MAX_WIDTH = 100;

export function codeFrame(lines: readonly string[], range: SourceRange, paint: (code: string, text: string) => string = (_c, t) => t): string[] {
  const first = range.start.line;
  if (first < 0 || first >= lines.length) return [];
  const last = Math.min(range.end.line, lines.length - 1, first + MAX_RANGE_LINES - 1);
  const gutterWidth = String(last + 1).length;
  const out: string[] = [];
  for (let line = first; line <= last; line++) {
    const text = lines[line].replace(/\r$/, '');
    const from = line === first ? range.start.character : firstNonBlank(text);
    const to = line === range.end.line ? Math.max(from + 1, range.end.character) : Math.max(from + 1, text.length);
    const window = clipWindow(text, from, to);
    const gutter = String(line + 1).padStart(gutterWidth);
    out.push(`${line === first ? paint('31;1', '>') : ' '} ${paint('2', `${gutter} |`)} ${window.text}`);
    out.push(`  ${paint('2', `${' '.repeat(gutterWidth)} |`)} ${' '.repeat(window.caretStart)}${paint('31;1', '^'.repeat(Math.max(1, window.caretEnd - window.caretStart)))}`);
  }
  if (range.end.line > last) out.push(`  ${paint('2', `${' '.repeat(gutterWidth)} |`)} ${paint('2', `… ${range.end.line - last} more line${range.end.line - last === 1 ? '' : 's'}`)}`);
  return out;
}

function firstNonBlank(text: string): number {
  const match = /\S/.exec(text);
  return match ? match.index : 0;
}

/** The part of a line to show and where the caret goes in it (tabs expanded to two spaces, both sides clipped). */
function clipWindow(text: string, from: number, to: number): { text: string; caretStart: number; caretEnd: number } {
  // Expand tabs, keeping the range's offsets in step.
  const expandedOffset = (offset: number) => offset + (text.slice(0, offset).match(/\t/g)?.length ?? 0);
  const expanded = text.replace(/\t/g, '  ');
  let start = expandedOffset(Math.min(from, text.length));
  let end = expandedOffset(Math.min(to, text.length));
  if (end <= start) end = start + 1;
  if (expanded.length <= MAX_WIDTH) return { text: expanded, caretStart: start, caretEnd: Math.min(end, Math.max(expanded.length, start + 1)) };
  // Keep some text before the range, and as much of the range as fits.
  const left = Math.max(0, Math.min(start - 20, expanded.length - MAX_WIDTH));
  const right = Math.min(expanded.length, left + MAX_WIDTH);
  const prefix = left > 0 ? '…' : '';
  const suffix = right < expanded.length ? '…' : '';
  start = start - left + prefix.length;
  end = Math.min(end, right) - left + prefix.length;
  return { text: `${prefix}${expanded.slice(left, right)}${suffix}`, caretStart: start, caretEnd: Math.max(end, start + 1) };
}
