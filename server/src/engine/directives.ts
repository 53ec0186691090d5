// Comments that steer pglens from the code: `-- pglens-ignore <rule>[, <rule>]` (or `/* ... */`, `// ...`) on the
// line before a statement silences those rules (all rules when none is named) for that statement;
// `-- pglens: budget 500` sets the cost budget of the next statement; `-- pglens: no-transaction` marks a
// migration that does not run in one transaction.

export interface LineDirectives {
  /** Rules silenced by a directive on this line; an empty set silences every rule. */
  ignore?: Set<string>;
  budget?: number;
}

export interface FileDirectives {
  byLine: Map<number, LineDirectives>;
  noTransaction: boolean;
}

const IGNORE = /pglens-ignore(?![\w-])([ \t]+[\w-]+(?:[ \t]*,[ \t]*[\w-]+)*)?/;
const BUDGET = /pglens:[ \t]*budget[ \t]+(\d+(?:\.\d+)?)/;
const NO_TRANSACTION = /pglens:[ \t]*no-transaction/;

/** One pass over the file; only lines that mention pglens are looked at closely. */
export function readDirectives(text: string): FileDirectives {
  const byLine = new Map<number, LineDirectives>();
  let noTransaction = false;
  if (!text.includes('pglens')) return { byLine, noTransaction };
  const lines = text.split(/\r\n|\r|\n/);
  for (let line = 0; line < lines.length; line++) {
    const content = lines[line];
    if (!content.includes('pglens')) continue;
    const directives: LineDirectives = {};
    const ignore = IGNORE.exec(content);
    if (ignore) {
      directives.ignore = new Set(
        (ignore[1] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      );
    }
    const budget = BUDGET.exec(content);
    if (budget) directives.budget = Number(budget[1]);
    if (NO_TRANSACTION.test(content)) noTransaction = true;
    if (directives.ignore || directives.budget !== undefined) byLine.set(line, directives);
  }
  return { byLine, noTransaction };
}

/** Directives that apply to something starting on `line`: the line itself (a leading comment) and the line before. */
export function directivesFor(directives: FileDirectives, lines: number[]): LineDirectives {
  const result: LineDirectives = {};
  for (const line of lines) {
    for (const candidate of [line - 1, line]) {
      const found = directives.byLine.get(candidate);
      if (!found) continue;
      if (found.ignore) {
        if (!result.ignore) result.ignore = new Set(found.ignore);
        else if (found.ignore.size === 0 || result.ignore.size === 0) result.ignore = new Set();
        else for (const rule of found.ignore) result.ignore.add(rule);
      }
      if (found.budget !== undefined) result.budget = found.budget;
    }
  }
  return result;
}

export function isIgnored(directives: LineDirectives, ruleId: string): boolean {
  return directives.ignore !== undefined && (directives.ignore.size === 0 || directives.ignore.has(ruleId));
}
