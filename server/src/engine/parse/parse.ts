// The real PostgreSQL parser (libpg_query compiled to WASM, package @libpg-query/parser, PostgreSQL 17 grammar).
// It reports UTF-8 byte offsets and leaves out stmt_location when it is 0; both are handled here so that the
// rest of the engine only sees UTF-16 offsets into the site's SQL text.

import { createHash } from 'node:crypto';
import { codePointsToUtf16, Utf8OffsetMap } from '../text';
import { isPgQueryLoaded, loadPgQuery, parseToJson, PgParseError, resetPgQuery } from './libpgQuery';
import type { SqlSite } from '../types';

/** Loads the WASM module once; every other function here is synchronous afterwards. */
export function loadParser(): Promise<void> {
  return loadPgQuery();
}

/** A raw parse-tree node as libpg_query emits it: `{ SelectStmt: {...} }`, `{ ColumnRef: {...} }`, ... */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AstNode = any;

export interface ParsedStatement {
  site: SqlSite;
  /** UTF-16 offsets of the statement in site.text (without the trailing semicolon). */
  start: number;
  end: number;
  text: string;
  /** The statement node, e.g. `{ SelectStmt: {...} }`. Node locations inside are UTF-8 byte offsets into site.text. */
  node: AstNode;
  /** "SelectStmt", "UpdateStmt", ... */
  kind: string;
  /** Highest $n used in the statement. */
  parameterCount: number;
  /** Exact identity of the statement text (cache key); the same text always plans the same. */
  textHash: string;
  /** Converts a node `location` (UTF-8 bytes in site.text) to a UTF-16 offset in site.text. */
  offsetOf(location: number): number;
}

export interface SqlSyntaxError {
  site: SqlSite;
  message: string;
  /** UTF-16 offset in site.text where the parser stopped. */
  offset: number;
}

export interface ParsedSite {
  site: SqlSite;
  statements: ParsedStatement[];
  error?: SqlSyntaxError;
  /**
   * Parts of site.text left out, with why (UTF-16 offsets in site.text): a NUL byte, nesting deeper than
   * MAX_NESTING_DEPTH. Nothing of them is planned or checked; the rest of the site and the file is.
   */
  skipped?: SkippedText[];
  /** Set when the result depends on a passing condition (the parser restarting): it is not kept by SiteParser. */
  transient?: boolean;
}

export interface SkippedText {
  start: number;
  end: number;
  reason: string;
}

/**
 * How deeply a statement may nest (parentheses, operator chains, parse-tree levels) before it is skipped. libpg_query
 * turns its tree into JSON recursively in WASM, whose stack overflows near 9,000 levels, and pglens's own walkers
 * recurse too; no SQL a person writes comes near 1,000 (PostgreSQL itself stops at max_stack_depth).
 */
export const MAX_NESTING_DEPTH = 1000;
export const NESTING_REASON = `nesting deeper than ${MAX_NESTING_DEPTH} levels`;
export const NUL_REASON = 'contains a NUL byte';

export function parseSite(site: SqlSite): ParsedSite {
  const text = site.text;
  const whole = (reason: string): ParsedSite => ({ site, statements: [], skipped: [{ start: 0, end: text.length, reason }] });
  // A NUL cannot reach PostgreSQL (the protocol's strings end at it) and the parser would see a shorter text than
  // the server: never sent, never parsed.
  if (text.includes('\0')) return whole(NUL_REASON);
  if (text.length > MAX_NESTING_DEPTH && estimatedNesting(text) > MAX_NESTING_DEPTH) return whole(NESTING_REASON);
  const offsets = new Utf8OffsetMap(text);
  let result: AstNode;
  try {
    result = parseToJson(text);
  } catch (error) {
    if (error instanceof PgParseError) {
      // PostgreSQL reports the error position in characters (code points, scanner_errposition), not bytes.
      return { site, statements: [], error: { site, message: error.message, offset: codePointsToUtf16(text, error.cursorPosition) } };
    }
    if (isStackOverflow(error)) {
      // Nesting the estimate did not see (NOT NOT NOT ..., nested CASE): the module is replaced, the site skipped.
      resetPgQuery();
      return whole(NESTING_REASON);
    }
    if (!isPgQueryLoaded()) return { ...whole('the PostgreSQL parser is restarting after a statement nested too deeply'), transient: true };
    throw error;
  }
  const statements: ParsedStatement[] = [];
  const skipped: SkippedText[] = [];
  for (const raw of (result.stmts ?? []) as AstNode[]) {
    const startByte: number = raw.stmt_location ?? 0;
    const lengthBytes: number | undefined = raw.stmt_len;
    const endByte = lengthBytes === undefined || lengthBytes === 0 ? offsets.byteLength : startByte + lengthBytes;
    let start = offsets.toUtf16(startByte);
    const end = offsets.toUtf16(endByte);
    // stmt_location points after the previous semicolon, so leading whitespace and comments belong to it.
    start = skipLeadingTrivia(text, start, end);
    const node = raw.stmt;
    if (!node) continue;
    let stop = end;
    while (stop > start && isTrailingTrivia(text.charCodeAt(stop - 1))) stop--;
    const stmtText = text.slice(start, stop);
    const kind = Object.keys(node)[0];
    // A tree deeper than the limit (the estimate is only a first filter) is left out before any walker sees it.
    if (stmtText.length > MAX_NESTING_DEPTH && treeDepthExceeds(node, MAX_NESTING_DEPTH)) {
      skipped.push({ start, end: start + stmtText.length, reason: NESTING_REASON });
      continue;
    }
    let textHash: string | undefined;
    statements.push({
      site,
      start,
      end: start + stmtText.length,
      text: stmtText,
      node,
      kind,
      parameterCount: highestParameter(node, stmtText),
      // Hashed when a cache first asks: finding and parsing alone (the editor's first pass, the benchmark) never do.
      get textHash() {
        return (textHash ??= createHash('sha1').update(stmtText).digest('hex'));
      },
      offsetOf: (location: number) => offsets.toUtf16(location),
    });
  }
  return skipped.length > 0 ? { site, statements, skipped } : { site, statements };
}

function isStackOverflow(error: unknown): boolean {
  // WebAssembly's RuntimeError (a trap: out-of-bounds memory after earlier overflows) by name: lib ES2022 has no
  // WebAssembly types.
  return (error instanceof RangeError && /call stack/i.test(error.message)) || (error instanceof Error && error.name === 'RuntimeError');
}

/**
 * An upper estimate of how deeply a text nests, from its tokens alone: parenthesis depth plus the longest run of
 * operators (`1+1+1...` is a left-deep tree, one level per `+`) not broken by a comma, a parenthesis or a keyword
 * (AND/OR lists are flat in PostgreSQL's tree, so keywords end a run). Strings, quoted names, dollar quotes and
 * comments are skipped. Iterative and linear: it runs before the parser on long texts only.
 */
export function estimatedNesting(text: string): number {
  let deepest = 0;
  let parens = 0;
  let run = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 39 /* ' */) {
      const backslashes = i > 0 && (text.charCodeAt(i - 1) | 32) === 101; /* E'...' */
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (backslashes && d === 92) i += 2;
        else if (d === 39) {
          if (text.charCodeAt(i + 1) === 39) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === 34 /* " */) {
      const close = text.indexOf('"', i + 1);
      i = close < 0 ? n : close + 1;
    } else if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const close = text.indexOf('\n', i);
      i = close < 0 ? n : close + 1;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42) {
      i = skipLeadingTrivia(text, i, n);
      if (i === n) break;
    } else if (c === 36 /* $ */ && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
    } else if (c === 40 /* ( */ || c === 91 /* [ */) {
      parens++;
      run = 0;
      i++;
    } else if (c === 41 /* ) */ || c === 93 /* ] */) {
      parens = Math.max(0, parens - 1);
      run = 0;
      i++;
    } else if (c === 44 /* , */ || c === 59 /* ; */) {
      run = 0;
      i++;
    } else if (isOperatorChar(c)) {
      while (i < n && isOperatorChar(text.charCodeAt(i))) i++;
      run++;
    } else if (isWordChar(c)) {
      const startWord = i;
      while (i < n && isWordChar(text.charCodeAt(i))) i++;
      const word = text.slice(startWord, i).toUpperCase();
      // Words that chain like operators (NOT NOT x, CASE inside CASE, x IS NULL IS NULL) add a level; others end a run.
      if (word === 'NOT' || word === 'CASE' || word === 'IS' || word === 'COLLATE' || word === 'LIKE' || word === 'ILIKE') run++;
      else if (!/^[0-9]/.test(word)) run = 0;
    } else i++;
    if (parens + run > deepest) deepest = parens + run;
  }
  return deepest;
}

function isOperatorChar(c: number): boolean {
  // + - * / < > = ~ ! @ # % ^ & | ` ? :
  return c === 43 || c === 45 || c === 42 || c === 47 || c === 60 || c === 62 || c === 61 || c === 126 || c === 33 || c === 64 || c === 35 || c === 37 || c === 94 || c === 38 || c === 124 || c === 96 || c === 63 || c === 58;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}

/** Whether the tree nests more than `limit` typed nodes (`{ A_Expr: ... }`) deep; iterative, stops at the first. */
function treeDepthExceeds(node: AstNode, limit: number): boolean {
  const stack: { value: AstNode; depth: number }[] = [{ value: node, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') stack.push({ value: item, depth });
      continue;
    }
    for (const key in value) {
      const child = value[key];
      if (child === null || typeof child !== 'object') continue;
      const first = key.charCodeAt(0);
      const childDepth = first >= 65 && first <= 90 ? depth + 1 : depth;
      if (childDepth > limit) return true;
      stack.push({ value: child, depth: childDepth });
    }
  }
  return false;
}

/**
 * Parses sites and keeps the results for the last `capacity` distinct texts. An editor analyses a file again on every
 * change, and all but the edited site have the same text as last time: their parse is looked up, not redone (it
 * was a quarter of a re-analysis of a 200-site file, measured with bench/lsp.ts). Parse trees are shared between
 * the analyses that look them up, so nothing may change them (nothing does: rules read them).
 */
export class SiteParser {
  private readonly recent = new Map<string, ParsedSite>();

  constructor(private readonly capacity: number) {}

  parse(site: SqlSite): ParsedSite {
    if (this.capacity <= 0) return parseSite(site);
    const known = this.recent.get(site.text);
    if (!known) {
      const parsed = parseSite(site);
      if (parsed.transient) return parsed; // the parser was restarting: parse it again next time
      if (this.recent.size >= this.capacity) this.recent.delete(this.recent.keys().next().value!);
      this.recent.set(site.text, parsed);
      return parsed;
    }
    this.recent.delete(site.text); // re-inserted: Map order is the recency order
    this.recent.set(site.text, known);
    return {
      site,
      statements: known.statements.map((statement) => onSite(statement, site)),
      error: known.error ? { ...known.error, site } : undefined,
      skipped: known.skipped,
    };
  }
}

/** The same parsed statement, at another site with the same text (offsets in the text, tree and hash are shared). */
function onSite(statement: ParsedStatement, site: SqlSite): ParsedStatement {
  return {
    site,
    start: statement.start,
    end: statement.end,
    text: statement.text,
    node: statement.node,
    kind: statement.kind,
    parameterCount: statement.parameterCount,
    get textHash() {
      return statement.textHash;
    },
    offsetOf: statement.offsetOf,
  };
}

/** Whitespace or the semicolon that ends a statement. */
function isTrailingTrivia(c: number): boolean {
  return c === 59 /* ; */ || c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** Skips whitespace and SQL comments at the start of [start, end). */
export function skipLeadingTrivia(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < end && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1; // PostgreSQL block comments nest
      i += 2;
      while (i < end && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

/**
 * The highest `$n` in a statement. Runs for every statement of every file, so it walks the tree with a plain stack
 * (walkAst's ancestor chains and key tests cost about a third of libpg-query's own parse time, measured with
 * bench/findParse.ts), and skips the walk when the text has no `$` at all.
 */
function highestParameter(node: AstNode, text: string): number {
  if (!text.includes('$')) return 0;
  let highest = 0;
  const stack: AstNode[] = [node];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    for (const key in value) {
      const child = value[key];
      if (child === null || typeof child !== 'object') continue;
      if (key === 'ParamRef' && typeof child.number === 'number' && child.number > highest) highest = child.number;
      stack.push(child);
    }
  }
  return highest;
}

/**
 * Depth-first walk over a parse tree: `visit(nodeType, body, ancestors)` for every typed node; returning false skips
 * its children. `ancestors` is one array reused for the whole walk (copy it to keep it): rules walk every statement
 * on every keystroke, so the walk allocates nothing per node.
 */
export function walkAst(
  node: AstNode,
  visit: (nodeType: string, body: AstNode, ancestors: AstNode[]) => void | false,
  ancestors: AstNode[] = [],
): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) walkAst(item, visit, ancestors);
    return;
  }
  for (const key in node) {
    const value = node[key];
    if (value === null || typeof value !== 'object') continue;
    // Typed nodes are keyed by an upper-case type name ({ RangeVar: {...} }); other keys are fields.
    const first = key.charCodeAt(0);
    if (first >= 65 && first <= 90 && !Array.isArray(value)) {
      if (visit(key, value, ancestors) === false) continue;
      ancestors.push(node);
      walkAst(value, visit, ancestors);
      ancestors.pop();
    } else {
      walkAst(value, visit, ancestors);
    }
  }
}
