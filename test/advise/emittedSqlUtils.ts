// Running SQL pglens wrote on a scratch database: its statements as written (with whether they take parameters), and
// CONCURRENTLY left out, since the transaction that keeps the database as it was is one CONCURRENTLY cannot run in.

import { parseToJson } from '../../server/src/engine/parse/libpgQuery';
import { scanTokens } from '../../server/src/engine/sqlText';

/** The statements of a text, each as written, and whether it has parameters. */
export function statementsOf(sql: string): { text: string; parameters: boolean }[] {
  const parsed = parseToJson(sql);
  return ((parsed.stmts ?? []) as { stmt_location?: number; stmt_len?: number }[]).map((s) => {
    const start = s.stmt_location ?? 0;
    const text = (s.stmt_len ? sql.slice(start, start + s.stmt_len) : sql.slice(start)).trim();
    const tokens = scanTokens(text) ?? [];
    return { text, parameters: tokens.some((t) => /^\$\d+$/.test(text.slice(t.start, t.end))) };
  });
}

/** CONCURRENTLY cannot run inside the transaction that keeps the database as it was: the token is left out. */
export function withoutConcurrently(text: string): string {
  const tokens = scanTokens(text) ?? [];
  let out = text;
  for (const token of [...tokens].reverse()) {
    if (text.slice(token.start, token.end).toUpperCase() === 'CONCURRENTLY') out = out.slice(0, token.start) + out.slice(token.end);
  }
  return out;
}

/** A fix's edits applied to a file's text (from the end, so earlier offsets stay valid). */
export function applyEdits(source: string, edits: { start: number; end: number; newText: string }[]): string {
  let out = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  return out;
}
