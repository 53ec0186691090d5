// Asks for the values of a statement's parameters before EXPLAIN ANALYZE: one input box per `$n`, titled with the
// type PostgreSQL infers and the expression it came from (`$2 · integer · from ${limit}`), prefilled with what was
// typed last time at this site. A site is the file and the statement's text (its fingerprint), not a line number,
// so edits elsewhere in the file keep the values. Escape at any box cancels the whole run.

import * as vscode from 'vscode';
import type { ExplainAnalyzeResult, StatementParameter } from '../../server/src/lsp/protocol';

type NeedsValues = NonNullable<ExplainAnalyzeResult['needsValues']>;

/** What a person types for SQL NULL. */
const NULL_TEXT = 'NULL';

export function rememberedValuesKey(document: vscode.Uri, fingerprint: string): string {
  return `pglens.parameterValues:${vscode.workspace.asRelativePath(document, true)}:${fingerprint}`;
}

/** The values for `$1..$n` (null for SQL NULL), or undefined when the person pressed Escape. */
export async function askParameterValues(state: vscode.Memento, document: vscode.Uri, request: NeedsValues): Promise<(string | null)[] | undefined> {
  const key = rememberedValuesKey(document, request.fingerprint);
  const remembered = state.get<string[]>(key, []);
  const typed: string[] = [];
  for (const [i, parameter] of request.parameters.entries()) {
    const value = await askOne(parameter, remembered[i] ?? '', i + 1, request.parameters.length);
    if (value === undefined) return undefined;
    typed.push(value);
  }
  await state.update(key, typed);
  return typed.map((value) => (value.trim().toUpperCase() === NULL_TEXT ? null : value));
}

export function parameterTitle(parameter: StatementParameter): string {
  return [`$${parameter.index}`, parameter.type, ...(parameter.source ? [`from ${parameter.source}`] : [])].join(' · ');
}

function askOne(parameter: StatementParameter, value: string, step: number, totalSteps: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = parameterTitle(parameter);
    box.step = step;
    box.totalSteps = totalSteps;
    box.value = value;
    box.ignoreFocusOut = true;
    box.prompt = `Value for $${parameter.index} (${parameter.type}) for EXPLAIN ANALYZE; ${NULL_TEXT} for SQL NULL. It is bound as a parameter, never pasted into the SQL.`;
    const validate = (text: string) => (box.validationMessage = formatProblem(parameter.type, text));
    validate(value);
    let accepted = false;
    box.onDidChangeValue(validate);
    box.onDidAccept(() => {
      if (box.validationMessage) return;
      accepted = true;
      resolve(box.value);
      box.hide();
    });
    box.onDidHide(() => {
      if (!accepted) resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

/**
 * The obvious mistakes said while typing (a letter in an integer); everything else PostgreSQL checks, with the
 * type's own input function, and the server answers with one line.
 */
function formatProblem(type: string, text: string): string | undefined {
  const value = text.trim();
  if (value.toUpperCase() === NULL_TEXT) return undefined;
  if (/^(smallint|integer|bigint)$/.test(type) && !/^[+-]?\d+$/.test(value)) return `${type}: a whole number, or ${NULL_TEXT}`;
  if (/^(numeric|real|double precision)$/.test(type) && !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) && !/^(NaN|[+-]?Infinity)$/i.test(value)) {
    return `${type}: a number, or ${NULL_TEXT}`;
  }
  return undefined;
}
