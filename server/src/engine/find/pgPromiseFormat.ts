// pg-promise formats a query in the client before PostgreSQL sees it: named variables `${name}`, `$(name)`,
// `$<name>`, `$[name]`, `$/name/` (in a normal string, not a JS template: pg-promise fills them from an object) and
// index variables `$1` with filters (`$1:name`, `$1:csv`, `${table~}`, `${where:raw}`). Its query files (`QueryFile`,
// .sql files) are written the same way. None of these is PostgreSQL syntax, so reading them as written gives a false
// syntax error; read as pg-promise fills them in, they are values (`$n`), a list of values, or a name or raw text
// known only at run time (the site is skipped, saying which). https://github.com/vitaly-t/pg-promise#query-formatting
//
// Only forms PostgreSQL's grammar never accepts are taken: `$` followed by `{ ( < [ /` outside strings, quoted
// identifiers, dollar quotes and comments, and `$1:word` (one colon: `$1::int` is a cast) outside square brackets
// (`arr[$1:$2]` is a slice). The symbolic filters on index variables (`$1^`, `$1~`, `$1#`) are left alone: they read as
// PostgreSQL's operators `^`, `~` and `#`.

import type { SkippedSite, SqlSite, TemplateParameter } from '../types';
import { fileOffsetOf, spliceSite, type SiteEdit } from './siteEdits';
import { highestParameterNumber, isDigit, isIdentifierPart, skipQuotedOrComment } from './sqlLexer';

export type FormattingKind = 'value' | 'list' | 'name' | 'raw';

export interface FormattingVariable {
  /** Range of the whole variable in the text, `${table~}` or `$1:csv`. */
  start: number;
  end: number;
  /** For an index variable (`$1:json`), where its filter starts: the `$1` before it is PostgreSQL's own parameter. */
  filterStart?: number;
  kind: FormattingKind;
}

const NAMED_VARIABLE = /\$([{(<[/])\s*([A-Za-z0-9$_.]+)\s*(\^|~|#|:raw|:alias|:name|:json|:csv|:list|:value)?\s*([})>\]/])/y;
const INDEX_FILTER = /:(raw|alias|name|json|csv|list|value)(?![A-Za-z0-9_$:])/y;
const CLOSING: Record<string, string> = { '{': '}', '(': ')', '<': '>', '[': ']', '/': '/' };

function kindOfFilter(filter: string | undefined): FormattingKind {
  switch (filter) {
    case undefined:
    case ':json':
    case ':value':
    case '#':
      return 'value';
    case ':csv':
    case ':list':
      return 'list';
    case ':name':
    case ':alias':
    case '~':
      return 'name';
    default:
      return 'raw';
  }
}

/** pg-promise's formatting variables in `text`, in order; empty when it has none (the common case, found fast). */
export function pgPromiseVariables(text: string): FormattingVariable[] {
  if (text.indexOf('$') < 0) return [];
  const found: FormattingVariable[] = [];
  const skip = { unterminated: false, comment: false };
  let bracketDepth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 91 /* [ */) bracketDepth++;
    else if (c === 93 /* ] */ && bracketDepth > 0) bracketDepth--;
    else if (c === 36 /* $ */ && (i === 0 || !isIdentifierPart(text.charCodeAt(i - 1)))) {
      const variable = variableAt(text, i, bracketDepth > 0);
      if (variable) {
        found.push(variable);
        i = variable.end;
        continue;
      }
    }
    const end = skipQuotedOrComment(text, i, skip);
    i = end >= 0 ? end : i + 1;
  }
  return found;
}

function variableAt(text: string, i: number, inBrackets: boolean): FormattingVariable | undefined {
  const next = text.charAt(i + 1);
  if (next in CLOSING) {
    NAMED_VARIABLE.lastIndex = i;
    const match = NAMED_VARIABLE.exec(text);
    if (!match || CLOSING[match[1]] !== match[4]) return undefined;
    return { start: i, end: i + match[0].length, kind: kindOfFilter(match[3]) };
  }
  if (inBrackets || !isDigit(text.charCodeAt(i + 1))) return undefined;
  let j = i + 1;
  while (isDigit(text.charCodeAt(j))) j++;
  INDEX_FILTER.lastIndex = j;
  const match = INDEX_FILTER.exec(text);
  if (!match) return undefined;
  return { start: i, end: j + match[0].length, filterStart: j, kind: kindOfFilter(match[0]) };
}

/** A list filled in by `:csv`/`:list` is planned as two values only where a list of values stands: `IN (...)`. */
export function listStandsAt(textBefore: string): boolean {
  return /\bin\s*\(\s*$/i.test(textBefore);
}

/** Why a site with this variable is skipped, or undefined when it is read (a value, or a list inside `IN (...)`). */
export function formattingSkipReason(text: string, variable: FormattingVariable): string | undefined {
  const written = text.slice(variable.start, variable.end);
  switch (variable.kind) {
    case 'value':
      return undefined;
    case 'list':
      if (listStandsAt(text.slice(0, variable.start))) return undefined;
      return `SQL built at run time from \`${written}\`, a list pg-promise fills in where no IN (...) stands: cannot be known statically`;
    case 'name':
      return `SQL built at run time from \`${written}\`, a name pg-promise fills in: cannot be known statically`;
    default:
      return `SQL built at run time from \`${written}\`, text pg-promise pastes in: cannot be known statically`;
  }
}

/**
 * The site as pg-promise formats it: value variables become `$n` (each mapped to the variable as written), a list
 * inside `IN (...)` two of them, an index variable's value filter (`$1:json`) is dropped; or a skip when a variable
 * is a name or raw text. Undefined when the site has no variable. The result is marked assembled: if it does not
 * parse, that is this reading's fault, never a syntax error of the user's.
 */
export function readPgPromiseFormatting(site: SqlSite): SqlSite | SkippedSite | undefined {
  const variables = pgPromiseVariables(site.text);
  if (variables.length === 0) return undefined;
  for (const variable of variables) {
    const reason = formattingSkipReason(site.text, variable);
    if (reason !== undefined) {
      const written = site.text.slice(variable.start, variable.end);
      return { file: site.file, fileStart: site.fileStart, fileEnd: site.fileEnd, reason, expression: written };
    }
  }
  let next = Math.max(site.parameterCount, highestParameterNumber(site.text));
  const edits: SiteEdit[] = [];
  for (const variable of variables) {
    const written = site.text.slice(variable.start, variable.end);
    const fileStart = fileOffsetOf(site, variable.start);
    const fileEnd = fileOffsetOf(site, variable.end - 1) + 1;
    const parameter = (sqlStart: number): TemplateParameter => {
      const index = ++next;
      return { index, sqlStart, sqlLength: `$${index}`.length, fileStart, fileEnd, expressionText: written };
    };
    if (variable.filterStart !== undefined) {
      // `$1:json` is `$1`; `$1:csv` in IN (...) is `$1, $k`.
      if (variable.kind === 'value') edits.push({ start: variable.filterStart, end: variable.end, text: '', parameters: [] });
      else {
        const added = parameter(2);
        edits.push({ start: variable.filterStart, end: variable.end, text: `, $${added.index}`, parameters: [added] });
      }
    } else if (variable.kind === 'value') {
      const added = parameter(0);
      edits.push({ start: variable.start, end: variable.end, text: `$${added.index}`, parameters: [added] });
    } else {
      const first = parameter(0);
      const second = parameter(`$${first.index}, `.length);
      edits.push({ start: variable.start, end: variable.end, text: `$${first.index}, $${second.index}`, parameters: [first, second] });
    }
  }
  return { ...spliceSite(site, edits, next), assembled: true, valuesPastedBy: 'pg-promise' };
}
