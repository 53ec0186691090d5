// Just enough of PostgreSQL's lexer to find where quotes, comments and statements end without parsing:
// the .sql splitter, `$n` counting and the "does this string read as SQL" test all stand on it.
// Lexical rules: https://www.postgresql.org/docs/current/sql-syntax-lexical.html

const CH_TAB = 9;
const CH_LF = 10;
const CH_VT = 11;
const CH_FF = 12;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_DQUOTE = 34;
const CH_DOLLAR = 36;
const CH_QUOTE = 39;
const CH_STAR = 42;
const CH_MINUS = 45;
const CH_SLASH = 47;
const CH_0 = 48;
const CH_9 = 57;
const CH_BACKSLASH = 92;
const CH_UNDERSCORE = 95;

export function isSqlWhitespace(c: number): boolean {
  return c === CH_SPACE || c === CH_LF || c === CH_TAB || c === CH_CR || c === CH_FF || c === CH_VT;
}

export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** First character of an unquoted identifier or keyword (letters, `_`, anything non-ASCII). */
export function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === CH_UNDERSCORE || c >= 0x80;
}

/** Later characters of an unquoted identifier: PostgreSQL also allows digits and `$` there. */
export function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c) || c === CH_DOLLAR;
}

/** Index after the word starting at `i` (identifier characters, or a number's digits and letters). */
export function wordEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && isIdentifierPart(text.charCodeAt(j))) j++;
  return j;
}

/** End of the `--` comment starting at `i` (the newline is not part of it). */
export function lineCommentEnd(text: string, i: number): number {
  const newline = text.indexOf('\n', i + 2);
  return newline < 0 ? text.length : newline;
}

/** End of the block comment starting at `i`; PostgreSQL block comments nest. -1 when it never ends. */
export function blockCommentEnd(text: string, i: number): number {
  let depth = 1;
  let j = i + 2;
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === CH_SLASH && text.charCodeAt(j + 1) === CH_STAR) {
      depth++;
      j += 2;
    } else if (c === CH_STAR && text.charCodeAt(j + 1) === CH_SLASH) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return -1;
}

/**
 * End of the quoted string starting at the quote `i` (`'` or `"`), doubled quotes being escapes; with
 * `backslashEscapes` (E'...' strings) a backslash escapes the next character too. -1 when it never ends.
 */
export function quotedEnd(text: string, i: number, backslashEscapes: boolean): number {
  const quote = text.charCodeAt(i);
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) j += 2;
      else return j + 1;
    } else if (c === CH_BACKSLASH && backslashEscapes) j += 2;
    else j++;
  }
  return -1;
}

/**
 * The dollar-quote delimiter (`$$` or `$tag$`) starting at `i`, or undefined when the `$` starts something
 * else (a `$1` parameter). The caller makes sure the `$` does not continue an identifier (`a$b$`).
 */
export function dollarQuoteDelimiter(text: string, i: number): string | undefined {
  const next = text.charCodeAt(i + 1);
  if (next === CH_DOLLAR) return '$$';
  if (!isIdentifierStart(next)) return undefined;
  let j = i + 2;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === CH_DOLLAR) return text.slice(i, j + 1);
    if (!isIdentifierStart(c) && !isDigit(c)) return undefined;
    j++;
  }
  return undefined;
}

/** Whether the `'` at `i` opens an E'...' string (backslash escapes), i.e. follows a lone `E` or `e`. */
export function isEscapeStringQuote(text: string, i: number): boolean {
  const prefix = text.charCodeAt(i - 1);
  if (prefix !== 69 /* E */ && prefix !== 101 /* e */) return false;
  return i < 2 || !isIdentifierPart(text.charCodeAt(i - 2));
}

/**
 * If a string, quoted identifier, dollar quote or comment starts at `i`, the index after it (the text's
 * length when it never ends); otherwise -1. `unterminated` is set when it runs to the end of the text.
 */
export function skipQuotedOrComment(text: string, i: number, result: { unterminated: boolean; comment: boolean }): number {
  const c = text.charCodeAt(i);
  let end = -1;
  result.unterminated = false;
  result.comment = false;
  if (c === CH_QUOTE) {
    end = quotedEnd(text, i, isEscapeStringQuote(text, i));
  } else if (c === CH_DQUOTE) {
    end = quotedEnd(text, i, false);
  } else if (c === CH_MINUS && text.charCodeAt(i + 1) === CH_MINUS) {
    result.comment = true;
    return lineCommentEnd(text, i);
  } else if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
    result.comment = true;
    end = blockCommentEnd(text, i);
  } else if (c === CH_DOLLAR && (i === 0 || !isIdentifierPart(text.charCodeAt(i - 1)))) {
    const delimiter = dollarQuoteDelimiter(text, i);
    if (delimiter === undefined) return -1;
    const close = text.indexOf(delimiter, i + delimiter.length);
    end = close < 0 ? -1 : close + delimiter.length;
  } else {
    return -1;
  }
  if (end < 0) {
    result.unterminated = true;
    return text.length;
  }
  return end;
}

/** Highest `$n` parameter written in `text`, outside strings, quoted identifiers and comments; 0 if none. */
export function highestParameterNumber(text: string): number {
  if (text.indexOf('$') < 0) return 0;
  // From the start, since a quote or comment opened before a `$` hides it; only the few characters that
  // open something are acted on.
  let highest = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case CH_DOLLAR: {
        if (i > 0 && isIdentifierPart(text.charCodeAt(i - 1))) {
          i++; // `a$1` is one identifier
          break;
        }
        if (isDigit(text.charCodeAt(i + 1))) {
          let j = i + 1;
          let value = 0;
          while (j < n && isDigit(text.charCodeAt(j))) value = value * 10 + (text.charCodeAt(j++) - CH_0);
          if (value > highest) highest = value;
          i = j;
          break;
        }
        const delimiter = dollarQuoteDelimiter(text, i);
        if (delimiter === undefined) {
          i++;
          break;
        }
        const close = text.indexOf(delimiter, i + delimiter.length);
        i = close < 0 ? n : close + delimiter.length;
        break;
      }
      case CH_QUOTE: {
        const end = quotedEnd(text, i, isEscapeStringQuote(text, i));
        i = end < 0 ? n : end;
        break;
      }
      case CH_DQUOTE: {
        const end = quotedEnd(text, i, false);
        i = end < 0 ? n : end;
        break;
      }
      case CH_MINUS:
        i = text.charCodeAt(i + 1) === CH_MINUS ? lineCommentEnd(text, i) : i + 1;
        break;
      case CH_SLASH: {
        if (text.charCodeAt(i + 1) !== CH_STAR) {
          i++;
          break;
        }
        const end = blockCommentEnd(text, i);
        i = end < 0 ? n : end;
        break;
      }
      default:
        i++;
    }
  }
  return highest;
}

/** Index of the first character at or after `i` that is not whitespace, a comment or (optionally) `(`. */
export function skipTriviaAndParens(text: string, i: number, skipParens: boolean): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSqlWhitespace(c) || (skipParens && c === 40 /* ( */)) i++;
    else if (c === CH_MINUS && text.charCodeAt(i + 1) === CH_MINUS) i = lineCommentEnd(text, i);
    else if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
      const end = blockCommentEnd(text, i);
      i = end < 0 ? n : end;
    } else break;
  }
  return i;
}

/** Words that can start a PostgreSQL statement (https://www.postgresql.org/docs/current/sql-commands.html). */
const STATEMENT_KEYWORDS = new Set([
  'abort', 'alter', 'analyse', 'analyze', 'begin', 'call', 'checkpoint', 'close', 'cluster', 'comment', 'commit',
  'copy', 'create', 'deallocate', 'declare', 'delete', 'discard', 'do', 'drop', 'end', 'execute', 'explain', 'fetch',
  'grant', 'import', 'insert', 'listen', 'load', 'lock', 'merge', 'move', 'notify', 'prepare', 'reassign', 'refresh',
  'reindex', 'release', 'reset', 'revoke', 'rollback', 'savepoint', 'security', 'select', 'set', 'show', 'start',
  'table', 'truncate', 'unlisten', 'update', 'vacuum', 'values', 'with',
]);

/**
 * What must follow the first word for a plain string to read as SQL rather than prose ("Update your profile",
 * "delete", "set the value"). A string passed to `query()` is only taken for SQL when it passes; a tagged or
 * marked template needs only the first word, since the tag already says it is SQL.
 */
const STATEMENT_SHAPES: Record<string, RegExp> = {
  // "select an option" is prose; SQL has a FROM, an expression character, or a single target (`select now`).
  select: /^select(\s*[(*]|\s[\s\S]*(\b(from|as)\b|[(*,$'0-9=<>|]|::)|\s+[\w."]+\s*;?\s*$|\s*;?\s*$)/,
  insert: /^insert\s+into\s/,
  update: /^update\s+(only\s+)?[\w."$]+(\s+(as\s+)?[\w"$]+)?\s+set\s/,
  delete: /^delete\s+from\s/,
  with: /^with\s+(recursive\s+)?[\w"$]+\s*(\([^)]*\)\s*)?as\s*(not\s+)?(materialized\s*)?\(/,
  create: /^create\s+(or\s+replace\s+)?(temp\s+|temporary\s+|unlogged\s+|unique\s+|materialized\s+|recursive\s+|trusted\s+|procedural\s+|constraint\s+|global\s+|local\s+)*(table|index|view|function|procedure|trigger|schema|sequence|type|extension|role|user|database|policy|domain|aggregate|rule|publication|subscription|collation|operator|language|server|statistics|event|cast|foreign|text|conversion|tablespace|access|transform|default|group)\b/,
  alter: /^alter\s+(table|index|view|function|procedure|trigger|schema|sequence|type|extension|role|user|database|policy|domain|aggregate|rule|publication|subscription|collation|operator|language|server|statistics|event|foreign|text|tablespace|default|system|materialized|large|routine|group|conversion)\b/,
  drop: /^drop\s+(table|index|view|function|procedure|trigger|schema|sequence|type|extension|role|user|database|policy|domain|aggregate|rule|publication|subscription|collation|operator|language|server|statistics|event|cast|foreign|text|conversion|tablespace|access|transform|materialized|owned|routine|group)\b/,
  truncate: /^truncate\s+(table\s+)?(only\s+)?[\w"$.]+/,
  values: /^values\s*\(/,
  explain: /^explain\s+(\(|analy[sz]e\s|verbose\s|select|insert|update|delete|with|values|merge|table|execute|create|declare)/,
  merge: /^merge\s+into\s/,
  copy: /^copy\s+(\(|[\w"$.]+\s*(\(|from\b|to\b))/,
  grant: /^grant\s[\s\S]*\s(on|to)\s/,
  revoke: /^revoke\s[\s\S]*\s(on|from)\s/,
  begin: /^begin(\s*;?\s*$|\s+(transaction|work|isolation|read|deferrable|not)\b)/,
  start: /^start\s+transaction\b/,
  commit: /^commit(\s*;?\s*$|\s+(transaction|work|and|prepared)\b)/,
  end: /^end(\s*;?\s*$|\s+(transaction|work)\b)/,
  abort: /^abort(\s*;?\s*$|\s+(transaction|work)\b)/,
  rollback: /^rollback(\s*;?\s*$|\s+(transaction|work|and|to|prepared)\b)/,
  savepoint: /^savepoint\s+[\w"$]+\s*;?\s*$/,
  release: /^release\s+(savepoint\s+)?[\w"$]+\s*;?\s*$/,
  set: /^set\s+((local|session)\s+)?([\w".$]+\s*(=|to\b)|role\b|transaction\b|constraints\b|time\s+zone\b|session\s+authorization\b)/,
  reset: /^reset\s+[\w".$]+\s*;?\s*$/,
  // "show me" is prose: settings have an underscore or a dot, or are one of the few single words.
  show: /^show\s+(all|timezone|datestyle|intervalstyle|transaction\s+isolation\s+level|[\w"$]*[_.][\w".$]*)\s*;?\s*$/,
  table: /^table\s+(only\s+)?[\w".$]+\s*;?\s*$/,
  analyze: /^analy[sz]e(\s*;?\s*$|\s+(verbose\s+)?[\w".$(])/,
  analyse: /^analy[sz]e(\s*;?\s*$|\s+(verbose\s+)?[\w".$(])/,
  vacuum: /^vacuum(\s*;?\s*$|\s+[\w".$(])/,
  reindex: /^reindex\s+(\(|index|table|schema|database|system)\b/,
  cluster: /^cluster(\s*;?\s*$|\s+[\w".$(])/,
  lock: /^lock\s+(table\s+)?(only\s+)?[\w".$]+/,
  do: /^do\s+(language\s+[\w"]+\s+)?(\$|'|e')/,
  call: /^call\s+[\w".$]+\s*\(/,
  prepare: /^prepare\s+(transaction\s|[\w"$]+\s*(\(|as\s))/,
  execute: /^execute\s+[\w"$]+\s*(\(|;?\s*$)/,
  deallocate: /^deallocate\s+(prepare\s+)?(all|[\w"$]+)\s*;?\s*$/,
  declare: /^declare\s+[\w"$]+\s[\s\S]*\bcursor\b/,
  fetch: /^fetch\s[\s\S]*\b(from|in)\s/,
  move: /^move\s[\s\S]*\b(from|in)\s/,
  close: /^close\s+(all|[\w"$]+)\s*;?\s*$/,
  listen: /^listen\s+[\w"$]+\s*;?\s*$/,
  unlisten: /^unlisten\s+([\w"$]+|\*)\s*;?\s*$/,
  notify: /^notify\s+[\w"$]+\s*(,|;?\s*$)/,
  comment: /^comment\s+on\s/,
  refresh: /^refresh\s+materialized\s+view\s/,
  discard: /^discard\s+(all|plans|sequences|temp|temporary)\s*;?\s*$/,
  checkpoint: /^checkpoint\s*;?\s*$/,
  security: /^security\s+label\s/,
  import: /^import\s+foreign\s+schema\s/,
  load: /^load\s+'/,
  reassign: /^reassign\s+owned\s/,
};

/**
 * Whether `text` starts like a PostgreSQL statement: after whitespace, comments and opening parentheses, a
 * statement keyword. With `strict`, the keyword must be written in one case (SQL is rarely written
 * "Select") and be followed by what that statement needs, so that prose passed to a method that happens to
 * be called `one` or `query` is not taken for SQL.
 */
export function readsAsSqlStatement(text: string, strict: boolean): boolean {
  const start = skipTriviaAndParens(text, 0, true);
  if (start >= text.length || !isIdentifierStart(text.charCodeAt(start))) return false;
  const end = wordEnd(text, start);
  const word = text.slice(start, end);
  const lower = word.toLowerCase();
  if (!STATEMENT_KEYWORDS.has(lower)) return false;
  if (!strict) return true;
  if (word !== lower && word !== word.toUpperCase()) return false;
  const shape = STATEMENT_SHAPES[lower];
  if (!shape) return true;
  // Only the beginning matters; a bounded slice keeps the shape tests cheap on long strings.
  const head = text.slice(start, start + 400).toLowerCase();
  return shape.test(head);
}

/**
 * Words after which a value is expected, so a bind parameter (`$n`) can stand there. After any other word
 * (FROM, JOIN, INTO, a table or column name) a run-time substitution is a name or a piece of SQL.
 */
const VALUE_KEYWORDS = new Set([
  'select', 'where', 'and', 'or', 'not', 'on', 'when', 'then', 'else', 'limit', 'offset', 'by', 'is', 'like',
  'ilike', 'between', 'having', 'distinct', 'case', 'returning', 'to', 'first', 'next', 'default', 'escape',
  'symmetric', 'return', 'any', 'some', 'all', 'exists', 'array', 'zone',
]);

/** Words a condition follows, and what may follow a whole condition: together they frame a `${}` as the condition. */
const CONDITION_STARTS = new Set(['where', 'and', 'or', 'on', 'having', 'when']);
/** `x BETWEEN a AND ${b}`: that AND takes a value (a BETWEEN not yet closed by its AND). */
const BETWEEN_OPEN = /\bbetween\b(?![\s\S]*\b(?:and|or|where|on|having|when)\b)[\s\S]*$/i;
const CONDITION_ENDS = /^\s*(?:$|[);]|(?:order|group|limit|offset|and|or|having|window|union|intersect|except|returning|for|fetch|then|else|end)\b)/i;

/**
 * FROM and IN that take a value: inside extract/substring/trim/overlay/position(...), and IS [NOT] DISTINCT
 * FROM. Elsewhere FROM is followed by a table and IN by a parenthesised list.
 */
const VALUE_FROM = /(\b(extract|substring|trim|overlay|position)\s*\([^()]*|\bdistinct\s+from)$/i;

/**
 * Whether a substitution placed right after `before` and right before `after` (the SQL around it) stands
 * where PostgreSQL expects a value, so that a `$n` parameter is a faithful stand-in. It does not when it is
 * glued to a name (`tbl_${x}`, `${schema}.t`), follows a word that is not a value keyword (`from ${table}`,
 * `where a = 1 ${more}`), a number, `)` or `::`, or starts the SQL.
 */
export function substitutionTakesValue(before: string, after: string): boolean {
  const next = after.charCodeAt(0);
  if (isIdentifierPart(next) || next === 46 /* . */ || next === CH_DQUOTE) return false;
  const previous = before.charCodeAt(before.length - 1);
  if (isIdentifierPart(previous) || previous === 46 /* . */ || previous === CH_DQUOTE) return false;
  if (previous === CH_QUOTE) return true; // inside a string literal: harmless, the string stays a constant
  let i = before.length - 1;
  while (i >= 0 && isSqlWhitespace(before.charCodeAt(i))) i--;
  if (i < 0) return false;
  const c = before.charCodeAt(i);
  if (c === 41 /* ) */) return false;
  if (c === 58 /* : */ && before.charCodeAt(i - 1) === 58) return false;
  if (isIdentifierPart(c)) {
    let start = i;
    while (start > 0 && isIdentifierPart(before.charCodeAt(start - 1))) start--;
    const word = before.slice(start, i + 1);
    if (isDigit(word.charCodeAt(0))) return false;
    const lower = word.toLowerCase();
    if (lower === 'from' || lower === 'in') return VALUE_FROM.test(before.slice(Math.max(0, i + 1 - 120), i + 1));
    // `WHERE ${filter} ORDER BY`: the substitution is a whole condition, a fragment the code builds (`WHERE $1` with a
    // boolean value is not what anyone writes). Planned as a value it would read every row and sort them all.
    if (CONDITION_STARTS.has(lower) && CONDITION_ENDS.test(after) && !(lower === 'and' && BETWEEN_OPEN.test(before.slice(Math.max(0, start - 200), start)))) return false;
    return VALUE_KEYWORDS.has(lower);
  }
  return true;
}

/**
 * Whether `text` ends inside a string constant ('...', E'...', $$...$$): what JavaScript pastes there is part of
 * the string, whose text PostgreSQL may read as a value of another type (`to_tsvector('${lang}', ...)`,
 * `'${since}'::date`), so no `$n` can stand for it.
 */
export function endsInsideString(text: string): boolean {
  const skip = { unterminated: false, comment: false };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isIdentifierStart(c)) {
      i = wordEnd(text, i);
      continue;
    }
    const end = skipQuotedOrComment(text, i, skip);
    if (end < 0) {
      i++;
      continue;
    }
    if (skip.unterminated) return !skip.comment && c !== CH_DQUOTE;
    i = end;
  }
  return false;
}

/**
 * Positions of `?` placeholders (knex's `raw`) outside strings, quoted identifiers and comments; `??`
 * (an identifier binding) is reported separately because it stands for a name that cannot be known.
 */
export function questionMarkPlaceholders(text: string): { positions: number[]; hasIdentifierBinding: boolean; identifierPositions: number[] } {
  const positions: number[] = [];
  const identifierPositions: number[] = [];
  let hasIdentifierBinding = false;
  if (text.indexOf('?') < 0) return { positions, hasIdentifierBinding, identifierPositions };
  const skip = { unterminated: false, comment: false };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 63 /* ? */) {
      if (text.charCodeAt(i + 1) === 63) {
        hasIdentifierBinding = true;
        identifierPositions.push(i);
        i += 2;
        continue;
      }
      positions.push(i);
      i++;
      continue;
    }
    if (c === CH_BACKSLASH && text.charCodeAt(i + 1) === 63) {
      i += 2; // knex: \? is a literal question mark (the jsonb operator)
      continue;
    }
    if (isIdentifierStart(c)) {
      i = wordEnd(text, i);
      continue;
    }
    const end = skipQuotedOrComment(text, i, skip);
    i = end < 0 ? i + 1 : end;
  }
  return { positions, hasIdentifierBinding, identifierPositions };
}

// ---------------------------------------------------------------------------------------------------------
// Statements of a script, split the way psql does (src/bin/psql/psqlscan.l): a semicolon ends a statement
// unless it is inside a string, a quoted identifier, a dollar quote, a comment or the BEGIN ATOMIC ... END
// body of a CREATE FUNCTION/PROCEDURE. psql meta-commands (`\set`, `\i`, `\gexec`) are not SQL and are left
// out, and so are the data lines of `COPY ... FROM stdin` that pg_dump writes.

export interface StatementSpan {
  start: number;
  end: number;
  /** Highest `$n` written in the statement. */
  parameterCount: number;
}

const COPY_FROM_STDIN = /^\\?copy\b[\s\S]*\bfrom\s+stdin\b/i;

/**
 * Statement spans of a SQL script: from the first token to the end of the last token before the
 * terminating semicolon, so leading and trailing whitespace and comments stay outside.
 */
export function splitSqlStatements(text: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  const n = text.length;
  const skip = { unterminated: false, comment: false };

  let statementStart = -1;
  let lastTokenEnd = -1;
  let highestParameter = 0;
  let parenDepth = 0;
  // psql's heuristic for SQL-standard function bodies: within CREATE [OR REPLACE] FUNCTION|PROCEDURE, at
  // parenthesis depth 0, BEGIN opens a block, CASE nests once inside one, END closes either.
  let beginDepth = 0;
  let wordCount = 0;
  let leadingWords = '';

  const finishStatement = (): void => {
    if (statementStart >= 0) {
      spans.push({ start: statementStart, end: lastTokenEnd, parameterCount: highestParameter });
    }
    statementStart = -1;
    lastTokenEnd = -1;
    highestParameter = 0;
    parenDepth = 0;
    beginDepth = 0;
    wordCount = 0;
    leadingWords = '';
  };
  const startToken = (at: number): void => {
    if (statementStart < 0) statementStart = at;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSqlWhitespace(c)) {
      i++;
      continue;
    }
    if (c === 59 /* ; */) {
      if (beginDepth > 0) {
        lastTokenEnd = ++i;
        continue;
      }
      const statementText = statementStart >= 0 ? text.slice(statementStart, lastTokenEnd) : '';
      finishStatement();
      i++;
      if (COPY_FROM_STDIN.test(statementText)) i = skipCopyData(text, i);
      continue;
    }
    if (c === 92 /* \ */) {
      // A psql meta-command runs to the end of its line; like psql, it also ends the statement before it.
      finishStatement();
      const lineEnd = text.indexOf('\n', i);
      const end = lineEnd < 0 ? n : lineEnd;
      const command = text.slice(i, end);
      i = end;
      if (COPY_FROM_STDIN.test(command)) i = skipCopyData(text, i);
      continue;
    }
    if (isIdentifierStart(c)) {
      const end = wordEnd(text, i);
      // E'...' is one token with its prefix; the quote scanner sees the E before the quote.
      if (end === i + 1 && (c === 69 || c === 101) && text.charCodeAt(end) === 39) {
        startToken(i);
        i = skipQuotedOrComment(text, end, skip);
        lastTokenEnd = i;
        continue;
      }
      startToken(i);
      trackWord(i, end);
      lastTokenEnd = i = end;
      continue;
    }
    if (c === 36 /* $ */ && isDigit(text.charCodeAt(i + 1))) {
      startToken(i);
      let j = i + 1;
      let value = 0;
      while (j < n && isDigit(text.charCodeAt(j))) value = value * 10 + (text.charCodeAt(j++) - 48);
      if (value > highestParameter) highestParameter = value;
      lastTokenEnd = i = j;
      continue;
    }
    if (isDigit(c)) {
      startToken(i);
      lastTokenEnd = i = wordEnd(text, i);
      continue;
    }
    const end = skipQuotedOrComment(text, i, skip);
    if (end >= 0) {
      if (skip.comment && !skip.unterminated) {
        i = end;
        continue;
      }
      // A string or an unterminated comment: the rest of the file belongs to this statement.
      startToken(i);
      lastTokenEnd = i = end;
      continue;
    }
    startToken(i);
    if (c === 40 /* ( */) parenDepth++;
    else if (c === 41 /* ) */ && parenDepth > 0) parenDepth--;
    lastTokenEnd = ++i;
  }
  finishStatement();
  return spans;

  function trackWord(start: number, end: number): void {
    if (wordCount < 4) {
      const word = text.slice(start, end).toLowerCase();
      const marker = word === 'create' || word === 'function' || word === 'procedure' || word === 'or' || word === 'replace';
      leadingWords += marker ? word[0] : '-';
    }
    wordCount++;
    if (parenDepth !== 0 || !isCreateRoutine(leadingWords)) return;
    const length = end - start;
    if (length < 3 || length > 5) return;
    const word = text.slice(start, end).toLowerCase();
    if (word === 'begin') beginDepth++;
    else if (word === 'case') {
      if (beginDepth >= 1) beginDepth++;
    } else if (word === 'end') {
      if (beginDepth > 0) beginDepth--;
    }
  }
}

function isCreateRoutine(leadingWords: string): boolean {
  return (
    leadingWords.startsWith('cf') ||
    leadingWords.startsWith('cp') ||
    leadingWords.startsWith('corf') ||
    leadingWords.startsWith('corp')
  );
}

/** Skips the data lines after COPY ... FROM stdin, through the line holding only `\.`. */
function skipCopyData(text: string, i: number): number {
  // The data starts on the line after the command.
  let lineStart = text.indexOf('\n', i);
  if (lineStart < 0) return text.length;
  lineStart++;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (line === '\\.') return lineEnd;
    lineStart = lineEnd + 1;
  }
  return text.length;
}
