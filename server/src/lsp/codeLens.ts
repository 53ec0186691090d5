// CodeLens: above each SQL site production runs, what it costs production ("prod: 1,240 calls/min · mean 38 ms · 21%
// of DB time"). Built from the last analysis (its statements carry the snapshot's or live mode's numbers): no database
// round trip per request. VS Code shows lenses natively; Neovim through vim.lsp.codelens.

import type { CodeLens } from 'vscode-languageserver';
import type { FileAnalysis } from '../engine/analyze';
import { describeRuntimeCost } from '../engine/snapshot/match';

export function runtimeCodeLenses(analysis: FileAnalysis | undefined): CodeLens[] {
  if (!analysis) return [];
  const lenses: CodeLens[] = [];
  const seen = new Set<string>();
  for (const statement of analysis.statements) {
    if (!statement.runtimeCost) continue;
    const title = describeRuntimeCost(statement.runtimeCost);
    // Variants of one conditional site start at the same place: one lens.
    const key = `${statement.range.start.line}:${statement.range.start.character}:${title}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // No command: a label, not an action (VS Code shows it as plain text).
    lenses.push({ range: statement.range, command: { title, command: '' } });
  }
  return lenses;
}

/** What decides whether a client must ask for the lenses again: their texts (edits move them; the client follows edits itself). */
export function codeLensKey(lenses: CodeLens[]): string {
  return lenses.map((lens) => lens.command?.title ?? '').join('\n');
}
