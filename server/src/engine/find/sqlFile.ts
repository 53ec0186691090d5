// Splits a .sql file into statements the way psql does (src/bin/psql/psqlscan.l): a semicolon ends a
// statement unless it is inside a string, a quoted identifier, a dollar quote, a comment or the
// BEGIN ATOMIC ... END body of a CREATE FUNCTION/PROCEDURE. psql meta-commands (`\set`, `\i`, `\gexec`)
// are not SQL and are left out, and so are the data lines of `COPY ... FROM stdin` that pg_dump writes.

import type { SqlSite } from '../types';
import {
  isDigit,
  isIdentifierStart,
  isSqlWhitespace,
  skipQuotedOrComment,
  wordEnd,
} from './sqlLexer';

interface StatementSpan {
  start: number;
  end: number;
  parameterCount: number;
}

export function findSqlInSqlFile(file: string, text: string): SqlSite[] {
  return splitSqlStatements(text).map((span) => {
    const length = span.end - span.start;
    return {
      file,
      origin: 'sql-file',
      text: text.slice(span.start, span.end),
      segments: [{ sqlStart: 0, fileStart: span.start, length }],
      parameters: [],
      parameterCount: span.parameterCount,
      fileStart: span.start,
      fileEnd: span.end,
    };
  });
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
      trackWord(text.slice(i, end).toLowerCase());
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

  function trackWord(word: string): void {
    if (wordCount < 4) {
      const marker = word === 'create' || word === 'function' || word === 'procedure' || word === 'or' || word === 'replace';
      leadingWords += marker ? word[0] : '-';
    }
    wordCount++;
    if (parenDepth !== 0 || !isCreateRoutine(leadingWords)) return;
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
