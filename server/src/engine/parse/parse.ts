// The real PostgreSQL parser (libpg_query compiled to WASM, package @libpg-query/parser, PostgreSQL 17 grammar).
// It reports UTF-8 byte offsets and leaves out stmt_location when it is 0; both are handled here so that the
// rest of the engine only sees UTF-16 offsets into the site's SQL text.

import { createHash } from 'node:crypto';
import { codePointsToUtf16, Utf8OffsetMap } from '../text';
import { loadPgQuery, parseToJson, PgParseError } from './libpgQuery';
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
}

export function parseSite(site: SqlSite): ParsedSite {
  const text = site.text;
  const offsets = new Utf8OffsetMap(text);
  let result: AstNode;
  try {
    result = parseToJson(text);
  } catch (error) {
    if (!(error instanceof PgParseError)) throw error;
    // PostgreSQL reports the error position in characters (code points, scanner_errposition), not bytes.
    return { site, statements: [], error: { site, message: error.message, offset: codePointsToUtf16(text, error.cursorPosition) } };
  }
  const statements: ParsedStatement[] = [];
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
  return { site, statements };
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
