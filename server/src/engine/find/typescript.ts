// SQL in JavaScript and TypeScript, read with the TypeScript compiler's parser (syntax only, no type
// checking): tagged templates (sql`...`), literals marked /* sql */, and the first argument of query
// functions (pool.query('...')). One walk over the syntax tree, entering only nodes that spell a configured
// name or hold a marker, collects candidates; the SQL of each is then assembled from literal text (mapped
// back to the file character by character) and `$n` placeholders.

import * as ts from 'typescript';
import type { InlinedConstant, SkippedSite, SourceSegment, SqlSite, SqlSiteOrigin, TemplateParameter } from '../types';
import type { FindOptions } from './index';
import { cookLiteral } from './jsLiteral';
import {
  highestParameterNumber,
  questionMarkPlaceholders,
  readsAsSqlStatement,
  substitutionTakesValue,
} from './sqlLexer';

// The compiler API behind a module namespace costs a getter call per use once transpiled or bundled
// (`__toESM`); the walk runs per node, so what it needs is bound once here.
const SK = ts.SyntaxKind;
const CONST_FLAG = ts.NodeFlags.Const;
const {
  createSourceFile,
  forEachChild,
  getLeadingCommentRanges,
  getTrailingCommentRanges,
  idText,
  isBinaryExpression,
  isCallExpression,
  isConditionalExpression,
  isIdentifier,
  isNoSubstitutionTemplateLiteral,
  isNumericLiteral,
  isObjectLiteralExpression,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isShorthandPropertyAssignment,
  isStringLiteral,
  isTaggedTemplateExpression,
} = ts;

export interface TypeScriptFindResult {
  sites: SqlSite[];
  skipped: SkippedSite[];
  /** The syntax tree the sites were read from (absent when the file holds no candidate and was not parsed). */
  sourceFile?: ts.SourceFile;
}

export function scriptKindOf(file: string): ts.ScriptKind | undefined {
  const dot = file.lastIndexOf('.');
  switch (dot < 0 ? '' : file.slice(dot).toLowerCase()) {
    case '.ts':
    case '.mts':
    case '.cts':
      return ts.ScriptKind.TS;
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return undefined;
  }
}

/**
 * The syntax trees of the last few files parsed, by path. When an editor sends a file again after an edit, TypeScript's
 * incremental parser (ts.updateSourceFile, what tsserver uses) re-parses only around the change and reuses the
 * rest of the old tree: most of the parse of a 3,000-line file is saved on every keystroke (bench/lsp.ts). The old
 * tree is consumed by the update (its nodes are reused and moved), so each path keeps only its newest tree.
 */
export class RecentSourceFiles {
  private readonly files = new Map<string, ts.SourceFile>();

  constructor(private readonly capacity: number) {}

  parse(file: string, text: string, kind: ts.ScriptKind): ts.SourceFile {
    const previous = this.files.get(file);
    let sourceFile: ts.SourceFile;
    // Dropped before parsing: an update consumes the old tree, and a parse that overflows the stack on deep nesting
    // must leave no half-updated tree behind for the next edit.
    this.files.delete(file);
    if (previous && previous.text === text) sourceFile = previous;
    // The kind comes from the path's extension, so a tree kept under the same path has the same kind.
    else if (previous) sourceFile = ts.updateSourceFile(previous, text, changeBetween(previous.text, text));
    else sourceFile = createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
    this.files.set(file, sourceFile);
    if (this.files.size > this.capacity) this.files.delete(this.files.keys().next().value!);
    return sourceFile;
  }
}

/** The one span of `before` that differs from `after` (common prefix and suffix excluded). */
function changeBetween(before: string, after: string): ts.TextChangeRange {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { span: { start: prefix, length: before.length - prefix - suffix }, newLength: after.length - prefix - suffix };
}

export function findSqlInTypeScript(file: string, text: string, options: FindOptions, recent?: RecentSourceFiles): TypeScriptFindResult {
  const compiled = compileOptions(options);
  const markers = markerPositions(text);
  // Every site holds a configured name (in its tag or callee) or a marker comment. One scan of the text finds
  // where they occur; a file with none is not even parsed, and the walk only enters nodes that hold one.
  let positions: number[] | undefined;
  if (!compiled.names.matchesEverything) {
    positions = [];
    pushNamePositions(text, compiled.names, positions);
    if (markers.length > 0 || compiled.names.substrings.length > 0) {
      for (const substring of compiled.names.substrings) pushOccurrences(text, substring, positions);
      positions.push(...markers);
      positions.sort(ascending);
    }
    if (positions.length === 0) return { sites: [], skipped: [] };
  }
  const kind = scriptKindOf(file) ?? ts.ScriptKind.TS;
  const sourceFile = recent ? recent.parse(file, text, kind) : createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const finder = new FileFinder(file, text, sourceFile, compiled, markers.length > 0);
  finder.collect(positions);
  return { ...finder.build(), sourceFile };
}

// ---------------------------------------------------------------------------------------------------------
// Options, compiled once per options object

interface CompiledOptions {
  isTag(dotted: string): boolean;
  isExcludedTag(dotted: string): boolean;
  isFunction(name: string, dotted: string | undefined): boolean;
  /** Whether some function entry is a dotted path (`knex.raw`), so calls need their dotted name. */
  hasFunctionPaths: boolean;
  /** The names one of which a site's tag or callee spells. */
  names: NameIndex;
}

/**
 * Whole identifiers to find in a file in one pass (`sql`, `query`, `$queryRaw`; for a dotted name its last
 * part), plus the few substrings that a pattern like `sq*` leaves open-ended, found with indexOf.
 */
interface NameIndex {
  words: Set<string>;
  /** Bit i set: some word starts with the ASCII character i, or (bit 0) with a non-ASCII one. */
  firstCharacters: Uint8Array;
  lengths: Uint8Array;
  substrings: Needle[];
  /** A pattern with no name in it at all (`*`): any node may be a site. */
  matchesEverything: boolean;
}

function buildNameIndex(needles: Needle[]): NameIndex {
  const index: NameIndex = {
    words: new Set(),
    firstCharacters: new Uint8Array(128),
    lengths: new Uint8Array(256),
    substrings: [],
    matchesEverything: false,
  };
  for (const needle of needles) {
    if (needle.text === '') index.matchesEverything = true;
    else if (!needle.boundedAfter || (!needle.boundedBefore && !needle.text.includes('.'))) index.substrings.push(needle);
    else {
      const word = needle.text.slice(needle.text.lastIndexOf('.') + 1);
      index.words.add(word);
      const first = word.charCodeAt(0);
      index.firstCharacters[first < 128 ? first : 0] = 1;
      index.lengths[Math.min(word.length, 255)] = 1;
    }
  }
  return index;
}

/** Pushes the start of every identifier of `text` that is one of the index's words. */
function pushNamePositions(text: string, index: NameIndex, into: number[]): void {
  const { words, firstCharacters, lengths } = index;
  const part = JS_IDENTIFIER_PART;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 && part[c] === 0) {
      i++;
      continue;
    }
    let j = i + 1;
    for (let d = text.charCodeAt(j); j < n && (d >= 128 || part[d] === 1); d = text.charCodeAt(++j));
    if (firstCharacters[c < 128 ? c : 0] === 1 && lengths[Math.min(j - i, 255)] === 1 && words.has(text.slice(i, j))) {
      into.push(i);
    }
    i = j;
  }
}

/**
 * A name to look for in the text. `boundedBefore`/`boundedAfter`: the name must not continue an identifier
 * on that side (it does not when the pattern has a `*` right there, as in `sq*`).
 */
interface Needle {
  text: string;
  boundedBefore: boolean;
  boundedAfter: boolean;
}

function pushOccurrences(text: string, needle: Needle, into: number[]): void {
  const length = needle.text.length;
  if (length === 0) return; // an empty name (a missing identifier in broken code) occurs nowhere
  let at = text.indexOf(needle.text);
  while (at >= 0) {
    const end = at + length;
    if (
      (!needle.boundedBefore || at === 0 || !isJsIdentifierPart(text.charCodeAt(at - 1))) &&
      (!needle.boundedAfter || !isJsIdentifierPart(text.charCodeAt(end)))
    ) {
      into.push(at);
    }
    at = text.indexOf(needle.text, end);
  }
}

/** 1 for the ASCII characters that can continue a JavaScript identifier; anything non-ASCII counts too. */
const JS_IDENTIFIER_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  JS_IDENTIFIER_PART[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 ? 1 : 0;
}

function isJsIdentifierPart(c: number): boolean {
  return c >= 128 || JS_IDENTIFIER_PART[c] === 1;
}

const SQL_MARKER_ALL = /\/\*\s*sql\s*\*\//gi;

function markerPositions(text: string): number[] {
  const positions: number[] = [];
  if (text.indexOf('/*') < 0) return positions;
  SQL_MARKER_ALL.lastIndex = 0;
  for (let match = SQL_MARKER_ALL.exec(text); match; match = SQL_MARKER_ALL.exec(text)) positions.push(match.index);
  return positions;
}

/** Whether a sorted array holds a value in [start, end). */
function holdsValueIn(sorted: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] < start) low = mid + 1;
    else high = mid;
  }
  return low < sorted.length && sorted[low] < end;
}

interface NodeVisitor {
  visitNode(node: ts.Node): void;
}

/**
 * Visits `root` and, depth first, every descendant whose range (with its leading trivia) holds one of the
 * sorted `positions`; all of them when `positions` is undefined. One walker serves every file (finding is
 * synchronous): closures or objects made per file cost as much as walking a small file.
 */
class GuidedWalk {
  private positions: readonly number[] | undefined;
  private visitor: NodeVisitor | undefined;
  private readonly enter = (child: ts.Node): undefined => {
    if (this.positions === undefined || holdsValueIn(this.positions, child.pos, child.end)) this.walk(child);
    return undefined;
  };

  run(root: ts.Node, positions: readonly number[] | undefined, visitor: NodeVisitor): void {
    const outerPositions = this.positions;
    const outerVisitor = this.visitor;
    this.positions = positions;
    this.visitor = visitor;
    try {
      this.walk(root);
    } finally {
      this.positions = outerPositions;
      this.visitor = outerVisitor;
    }
  }

  private walk(node: ts.Node): void {
    this.visitor!.visitNode(node);
    forEachChild(node, this.enter);
  }
}

const guidedWalk = new GuidedWalk();

/** Counts the `const`/`let`/`var` declarations and parameters named `name`; keeps the last initializer. */
class DeclarationsOf implements NodeVisitor {
  count = 0;
  initializer: ts.Expression | null = null;

  constructor(private readonly name: string) {}

  visitNode(node: ts.Node): void {
    if (node.kind === SK.VariableDeclarationList) {
      const isConst = (node.flags & CONST_FLAG) !== 0;
      for (const declaration of (node as ts.VariableDeclarationList).declarations) {
        if (declaration.name.kind !== SK.Identifier || declaration.name.text !== this.name) continue;
        this.count++;
        this.initializer = isConst && declaration.initializer ? unwrap(declaration.initializer) : null;
      }
    } else if (node.kind === SK.Parameter) {
      const parameterName = (node as ts.ParameterDeclaration).name;
      if (parameterName.kind === SK.Identifier && parameterName.text === this.name) this.count++;
    }
  }
}

function ascending(a: number, b: number): number {
  return a - b;
}

const compiledCache = new WeakMap<FindOptions, CompiledOptions>();

function compileOptions(options: FindOptions): CompiledOptions {
  let compiled = compiledCache.get(options);
  if (!compiled) {
    const tags = compilePatterns(options.tags);
    const excluded = compilePatterns(options.excludeTags);
    const functionNames = new Set(options.functions.filter((name) => !name.includes('.') && !name.includes('*')));
    const functionPaths = compilePatterns(options.functions.filter((name) => name.includes('.') || name.includes('*')));
    const needles = new Map<string, Needle>();
    for (const pattern of [...options.tags, ...options.functions]) {
      const parts = pattern.split('*');
      let best: Needle = { text: '', boundedBefore: false, boundedAfter: false };
      parts.forEach((part, index) => {
        const text = part.replace(/^\.+|\.+$/g, '');
        if (text.length <= best.text.length) return;
        best = {
          text,
          boundedBefore: index === 0 || part.startsWith('.'),
          boundedAfter: index === parts.length - 1 || part.endsWith('.'),
        };
      });
      const key = `${best.text}|${best.boundedBefore}|${best.boundedAfter}`;
      needles.set(key, best);
    }
    // postgres.js sql.unsafe(...) is found through its `sql`, which is a tag and so already a needle.
    compiled = {
      isTag: tags,
      isExcludedTag: excluded,
      isFunction: (name, dotted) => functionNames.has(name) || (dotted !== undefined && functionPaths(dotted)),
      hasFunctionPaths: options.functions.some((name) => name.includes('.') || name.includes('*')),
      names: buildNameIndex([...needles.values()]),
    };
    compiledCache.set(options, compiled);
  }
  return compiled;
}

/** `*` stands for any dotted path: `*.sql` matches `db.sql` and `this.db.sql`, `sql.*` matches `sql.fragment`. */
function compilePatterns(patterns: string[]): (dotted: string) => boolean {
  const exact = new Set<string>();
  const wildcards: string[] = [];
  for (const pattern of patterns) {
    if (pattern.includes('*')) {
      wildcards.push(pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+'));
    } else exact.add(pattern);
  }
  const regex = wildcards.length > 0 ? new RegExp(`^(?:${wildcards.join('|')})$`) : undefined;
  return (dotted) => exact.has(dotted) || (regex !== undefined && regex.test(dotted));
}

// ---------------------------------------------------------------------------------------------------------
// Names and shapes of expressions

const SQL_MARKER = /^\/\*\s*sql\s*\*\/$/i;

/** Helpers of SQL tag libraries whose result is a bound value, so `$n` is a faithful stand-in. */
const VALUE_HELPERS = new Set([
  'array', 'binary', 'date', 'json', 'jsonb', 'timestamp', 'uuid', 'interval', 'placeholder', 'param', 'val',
  'value', 'lit', 'literal', 'typedArray',
]);
/** Helpers that paste their string argument into the SQL verbatim. */
const RAW_HELPERS = new Set(['raw', 'unsafe']);
/** Namespaces whose members build SQL fragments even though they are not tags themselves. */
const FRAGMENT_NAMESPACES = new Set(['Prisma']);

/** `a.b.c` for identifiers, `this` and property access; an unknown part (a call, an index) is written `?`. */
function dottedName(expression: ts.Expression): string | undefined {
  switch (expression.kind) {
    case SK.Identifier:
      return idText(expression as ts.Identifier);
    case SK.ThisKeyword:
      return 'this';
    case SK.PropertyAccessExpression: {
      const access = expression as ts.PropertyAccessExpression;
      const name = isIdentifier(access.name) ? idText(access.name) : access.name.text;
      return `${dottedName(access.expression) ?? '?'}.${name}`;
    }
    case SK.NonNullExpression:
    case SK.ParenthesizedExpression:
      return dottedName((expression as ts.NonNullExpression | ts.ParenthesizedExpression).expression);
    default:
      return undefined;
  }
}

/** Strips what does not change a value: parentheses, `as`, `satisfies`, `!`, `<T>x`. */
function unwrap(expression: ts.Expression): ts.Expression {
  for (;;) {
    switch (expression.kind) {
      case SK.ParenthesizedExpression:
      case SK.AsExpression:
      case SK.SatisfiesExpression:
      case SK.NonNullExpression:
      case SK.TypeAssertionExpression:
        expression = (expression as ts.ParenthesizedExpression).expression;
        break;
      default:
        return expression;
    }
  }
}

function isPlus(expression: ts.Expression): expression is ts.BinaryExpression {
  return isBinaryExpression(expression) && expression.operatorToken.kind === SK.PlusToken;
}

/** A string, a template or a `+` chain starting with one: what a query function's SQL argument looks like. */
function isStringShaped(expression: ts.Expression): boolean {
  switch (expression.kind) {
    case SK.StringLiteral:
    case SK.NoSubstitutionTemplateLiteral:
    case SK.TemplateExpression:
      return true;
    case SK.BinaryExpression:
      return isPlus(expression) && (isStringShaped(unwrap(expression.left)) || isStringShaped(unwrap(expression.right)));
    default:
      return false;
  }
}

function truncate(source: string, limit = 60): string {
  const oneLine = source.replace(/\s+/g, ' ').trim();
  return oneLine.length > limit ? `${oneLine.slice(0, limit - 1)}…` : oneLine;
}

// ---------------------------------------------------------------------------------------------------------
// Assembling the SQL of one site

type Piece =
  | { kind: 'text'; text: string; segments: SourceSegment[] } // segments relative to the piece
  | { kind: 'parameter'; fileStart: number; fileEnd: number; expressionText: string }
  // A constant inlined by name starts (its reference's range) or ends.
  | { kind: 'enter'; fileStart: number; fileEnd: number }
  | { kind: 'leave' };

/** Thrown inside assembly when part of the SQL is only known at run time; carries the reason. */
class NotStatic {
  constructor(readonly reason: string) {}
}

type TemplateContext = 'tagged' | 'plain';

/** What `?` in a call argument is: always a binding (knex raw), a binding when unmistakable, or left alone. */
type QuestionMarks = 'bind' | 'bind-if-unambiguous' | 'keep';

/**
 * Whether the `?` at `at` can only be a placeholder: it follows a comparison, `(`, `,` or a keyword and is
 * followed by `)`, `,`, `;`, a keyword or the end, never by what jsonb's `?` operator takes (`'key'`, `$1`).
 */
function isPlaceholderPosition(text: string, at: number): boolean {
  let before = at - 1;
  while (before >= 0 && /\s/.test(text[before])) before--;
  let after = at + 1;
  while (after < text.length && /\s/.test(text[after])) after++;
  const previous = before < 0 ? '' : text[before];
  const next = after >= text.length ? '' : text[after];
  // `id = ? and`, `limit ?`, `in (?, ?)`: after an operator, `(`, `,` or a keyword; before `)`, `,`, `;`, a
  // keyword or the end. `data ? 'key'` and `data ? $1` fail the second test.
  const afterOperator = /[=<>(,A-Za-z]/.test(previous);
  const beforeEnd = next === '' || /[),;A-Za-z]/.test(next);
  return afterOperator && beforeEnd;
}

const MAX_INLINE_DEPTH = 16;

class FileFinder implements NodeVisitor {
  private readonly taggedTemplates: { node: ts.TaggedTemplateExpression; via: string }[] = [];
  private readonly calls: { node: ts.CallExpression; via: string; name: string; onTagNamespace: boolean }[] = [];
  private readonly markedLiterals: ts.Expression[] = [];
  /**
   * Names declared with a tagged template as initializer: only these can be SQL fragments inlined by name
   * into a tagged template, so only these are looked up when one appears as `${name}`.
   */
  private readonly namesOfTaggedConstants = new Set<string>();
  /** Names bound exactly once in the file, by `const`, to their initializer; null otherwise. Filled lazily. */
  private readonly constants = new Map<string, ts.Expression | null>();

  private readonly sites: SqlSite[] = [];
  private readonly skipped: SkippedSite[] = [];
  /** Nodes already turned into a site, or written inline inside one (`${sql`...`}`): never a site of their own. */
  private readonly used = new Set<ts.Node>();
  /** Constants inlined by name somewhere: a fragment of them is checked there, so it is not reported as skipped. */
  private readonly referenced = new Set<ts.Node>();
  /** Tagged or marked literals that are not whole statements; reported only if never inlined anywhere. */
  private readonly fragments: { node: ts.Node; start: number; end: number; reason: string }[] = [];

  // State of the site being assembled.
  private pieces: Piece[] = [];
  /** The SQL so far, `$0` standing for each parameter: what decides whether a substitution takes a value. */
  private assembled = '';
  /** Nodes being inlined, innermost last, to stop a constant that refers to itself. */
  private inlineStack: ts.Node[] = [];
  private touchedInPlace: ts.Node[] = [];
  private touchedByName: ts.Node[] = [];
  private byNameDepth = 0;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly sourceFile: ts.SourceFile,
    private readonly options: CompiledOptions,
    private readonly hasMarker: boolean,
  ) {}

  // ----- the walk

  collect(positions: number[] | undefined): void {
    guidedWalk.run(this.sourceFile, positions, this);
  }

  /** Called by the walk for every node it enters. */
  visitNode(node: ts.Node): void {
    switch (node.kind) {
      case SK.TaggedTemplateExpression:
        this.collectTaggedTemplate(node as ts.TaggedTemplateExpression);
        break;
      case SK.CallExpression:
        this.collectCall(node as ts.CallExpression);
        break;
      case SK.VariableDeclarationList:
        // A declaration holding a tagged template is on the way to its tag, so it is always entered here.
        for (const declaration of (node as ts.VariableDeclarationList).declarations) {
          const initializer = declaration.initializer && unwrap(declaration.initializer);
          if (initializer?.kind === SK.TaggedTemplateExpression && declaration.name.kind === SK.Identifier) {
            this.namesOfTaggedConstants.add(declaration.name.text);
          }
        }
        break;
      case SK.StringLiteral:
      case SK.NoSubstitutionTemplateLiteral:
      case SK.TemplateExpression:
      case SK.BinaryExpression:
        if (this.hasMarker && this.isMarked(node)) this.markedLiterals.push(node as ts.Expression);
        break;
    }
  }

  private collectTaggedTemplate(node: ts.TaggedTemplateExpression): void {
    const tag = unwrap(node.tag);
    // slonik's sql.type(Row)`...`, sql.typeAlias('id')`...`: the tag is a call of a member of the tag.
    const named = isCallExpression(tag) ? tag.expression : tag;
    const via = dottedName(named);
    if (via === undefined || this.options.isExcludedTag(via) || !this.options.isTag(via)) return;
    this.taggedTemplates.push({ node, via });
  }

  private collectCall(node: ts.CallExpression): void {
    if (node.arguments.length === 0) return;
    const callee = unwrap(node.expression);
    let name: string;
    if (callee.kind === SK.Identifier) name = (callee as ts.Identifier).text;
    else if (callee.kind === SK.PropertyAccessExpression) name = (callee as ts.PropertyAccessExpression).name.text;
    else return;
    if (name !== 'unsafe' && !this.options.isFunction(name, this.options.hasFunctionPaths ? dottedName(callee) : undefined)) {
      return;
    }
    const onTagNamespace =
      callee.kind === SK.PropertyAccessExpression && this.isTagNamespace((callee as ts.PropertyAccessExpression).expression);
    // postgres.js sql.unsafe('...') runs its argument as a whole query.
    if (name === 'unsafe' && !onTagNamespace && !this.options.isFunction(name, undefined)) return;
    this.calls.push({ node, via: dottedName(callee) ?? name, name, onTagNamespace });
  }

  /**
   * What `name` is bound to, when the file binds it exactly once and by `const`: its initializer; null
   * otherwise (several bindings may shadow each other, `let` may change). Looked up on first use, entering
   * only the nodes that spell the name.
   */
  private binding(name: string): ts.Expression | null {
    const cached = this.constants.get(name);
    if (cached !== undefined) return cached;
    const positions: number[] = [];
    pushOccurrences(this.text, { text: name, boundedBefore: true, boundedAfter: true }, positions);
    const declarations = new DeclarationsOf(name);
    guidedWalk.run(this.sourceFile, positions, declarations);
    const bound = declarations.count === 1 ? declarations.initializer : null;
    this.constants.set(name, bound);
    return bound;
  }

  private isMarked(node: ts.Node): boolean {
    // TypeScript calls a comment on the same line as the previous token "trailing", one after a line break
    // "leading"; the marker may be either (`= /* sql */ '...'` or on a line of its own).
    const leading = getLeadingCommentRanges(this.text, node.pos);
    const comments = leading && leading.length > 0 ? leading : getTrailingCommentRanges(this.text, node.pos);
    if (!comments || comments.length === 0) return false;
    const last = comments[comments.length - 1];
    return SQL_MARKER.test(this.text.slice(last.pos, last.end));
  }

  /** `sql` in `sql.raw(...)`, `Prisma` in `Prisma.join(...)`: an object whose members build SQL. */
  private isTagNamespace(expression: ts.Expression): boolean {
    const dotted = dottedName(unwrap(expression));
    if (dotted === undefined) return false;
    return FRAGMENT_NAMESPACES.has(dotted) || (this.options.isTag(dotted) && !this.options.isExcludedTag(dotted));
  }

  private isSqlTagged(expression: ts.Expression): expression is ts.TaggedTemplateExpression {
    if (!isTaggedTemplateExpression(expression)) return false;
    const tag = unwrap(expression.tag);
    const via = dottedName(isCallExpression(tag) ? tag.expression : tag);
    return via !== undefined && this.options.isTag(via) && !this.options.isExcludedTag(via);
  }

  // ----- building sites from the candidates

  build(): { sites: SqlSite[]; skipped: SkippedSite[] } {
    for (const { node, via } of this.taggedTemplates) {
      if (this.used.has(node)) continue;
      const start = node.template.getStart(this.sourceFile) + 1;
      const end = templateEnd(this.text, node.template);
      this.emit(node, 'tagged-template', via, start, end, false, node.template);
    }
    for (const call of this.calls) this.buildCall(call);
    for (const node of this.markedLiterals) {
      if (this.used.has(node)) continue;
      const [start, end] = this.contentRange(node);
      this.emit(node, 'marked-literal', undefined, start, end, false, node);
    }
    for (const fragment of this.fragments) {
      if (this.used.has(fragment.node) || this.referenced.has(fragment.node)) continue;
      this.skipped.push({ file: this.file, fileStart: fragment.start, fileEnd: fragment.end, reason: fragment.reason });
    }
    this.sites.sort((a, b) => a.fileStart - b.fileStart);
    this.skipped.sort((a, b) => a.fileStart - b.fileStart);
    return { sites: this.sites, skipped: this.skipped };
  }

  private buildCall(call: { node: ts.CallExpression; via: string; name: string; onTagNamespace: boolean }): void {
    if (this.used.has(call.node)) return;
    let argument = unwrap(call.node.arguments[0]);
    if (isObjectLiteralExpression(argument)) {
      // pg's query config object: pool.query({ text: '...', values: [...] })
      const text = objectProperty(argument, 'text');
      if (!text) return;
      argument = unwrap(text);
    }
    if (isTaggedTemplateExpression(argument)) return; // found as a tagged template by itself
    const strict = !call.onTagNamespace;
    if (isIdentifier(argument)) {
      const bound = this.binding(idText(argument));
      if (bound && isStringShaped(bound)) argument = bound;
      else {
        if (bound && (isTaggedTemplateExpression(bound) || isCallExpression(bound))) return;
        if (/query|exec|sql|raw|unsafe/i.test(call.name)) {
          this.skip(argument.getStart(this.sourceFile), argument.end, `SQL passed in \`${idText(argument)}\`, which is not a constant of this file: cannot be known statically`);
        }
        return;
      }
    } else if (isPropertyAccessExpression(argument) || isCallExpression(argument)) {
      if (/query|exec|sql|raw|unsafe/i.test(call.name)) {
        const source = truncate(this.text.slice(argument.getStart(this.sourceFile), argument.end));
        this.skip(argument.getStart(this.sourceFile), argument.end, `SQL built at run time by \`${source}\`: cannot be known statically`);
      }
      return;
    }
    if (!isStringShaped(argument)) return;
    if (this.used.has(argument)) return; // the same constant passed to another call
    const [start, end] = this.contentRange(argument);
    // knex's raw() binds `?` placeholders positionally; PostgreSQL needs them as $1, $2 ...
    // knex's raw() binds every `?`; other drivers' query() (Sequelize, mysql-style) may, where PostgreSQL's
    // jsonb `?` operator could also stand, so there only unmistakable placeholders are bound.
    const questionMarks: QuestionMarks = call.name === 'raw' && !call.onTagNamespace ? 'bind' : 'bind-if-unambiguous';
    this.emit(argument, 'call-argument', call.via, start, end, strict, argument, questionMarks);
  }

  /**
   * Assembles one site and records it: as a site when it reads as a statement, as skipped when part of it is
   * only known at run time. `strict` (query-function arguments) also requires the text to read as SQL and
   * stays silent otherwise, since any string may be passed to a method called `one` or `query`.
   */
  private emit(
    node: ts.Node,
    origin: SqlSiteOrigin,
    via: string | undefined,
    fileStart: number,
    fileEnd: number,
    strict: boolean,
    /** The template of a tagged template, or the plain expression (string, template, `+` chain) to read. */
    source: ts.Expression,
    questionMarks: QuestionMarks = 'keep',
  ): void {
    this.pieces = [];
    this.assembled = '';
    this.inlineStack = [node];
    this.touchedInPlace = [];
    this.touchedByName = [];
    this.byNameDepth = 0;
    try {
      if (origin === 'tagged-template') this.addTemplate(source as ts.TemplateLiteral, 'tagged');
      else this.addPlainExpression(source);
    } catch (error) {
      if (!(error instanceof NotStatic)) throw error;
      if (strict && !readsAsSqlStatement(this.assembled, true)) return;
      this.markTouched();
      if (origin === 'call-argument' || readsAsSqlStatement(this.assembled, false)) {
        this.used.add(node);
        this.skip(fileStart, fileEnd, error.reason);
      } else {
        this.fragments.push({ node, start: fileStart, end: fileEnd, reason: error.reason });
      }
      return;
    }
    if (questionMarks !== 'keep') {
      const reason = this.bindQuestionMarks(questionMarks === 'bind-if-unambiguous');
      if (reason) {
        if (readsAsSqlStatement(this.assembled, strict)) this.skip(fileStart, fileEnd, reason);
        return;
      }
    }
    const site = this.finishSite(origin, via, fileStart, fileEnd);
    if (!readsAsSqlStatement(site.text, strict)) {
      if (!strict) {
        this.markTouched();
        this.fragments.push({
          node,
          start: fileStart,
          end: fileEnd,
          reason: 'SQL fragment, not a whole statement: checked where it is inlined into one',
        });
      }
      return;
    }
    this.used.add(node);
    this.markTouched();
    this.sites.push(site);
  }

  private markTouched(): void {
    for (const node of this.touchedInPlace) this.used.add(node);
    for (const node of this.touchedByName) this.referenced.add(node);
  }

  private skip(fileStart: number, fileEnd: number, reason: string): void {
    this.skipped.push({ file: this.file, fileStart, fileEnd, reason });
  }

  /** Numbers the template parameters after the highest `$n` written in the literal text and joins the pieces. */
  private finishSite(origin: SqlSiteOrigin, via: string | undefined, fileStart: number, fileEnd: number): SqlSite {
    let literalText = '';
    for (const piece of this.pieces) {
      if (piece.kind === 'text') literalText += piece.text;
      else if (piece.kind === 'parameter') literalText += ' ';
    }
    let next = highestParameterNumber(literalText);
    let text = '';
    const segments: SourceSegment[] = [];
    const parameters: TemplateParameter[] = [];
    const inlinedConstants: InlinedConstant[] = [];
    const open: InlinedConstant[] = [];
    for (const piece of this.pieces) {
      if (piece.kind === 'enter') {
        open.push({ sqlStart: text.length, sqlEnd: text.length, fileStart: piece.fileStart, fileEnd: piece.fileEnd });
      } else if (piece.kind === 'leave') {
        const region = open.pop()!;
        region.sqlEnd = text.length;
        inlinedConstants.push(region);
      } else if (piece.kind === 'text') {
        // Pieces and their segments are made afresh for each site, so they are moved into place, not copied.
        for (const segment of piece.segments) {
          segment.sqlStart += text.length;
          segments.push(segment);
        }
        text += piece.text;
      } else {
        const placeholder = `$${++next}`;
        parameters.push({
          index: next,
          sqlStart: text.length,
          sqlLength: placeholder.length,
          fileStart: piece.fileStart,
          fileEnd: piece.fileEnd,
          expressionText: piece.expressionText,
        });
        text += placeholder;
      }
    }
    const site: SqlSite = {
      file: this.file,
      origin,
      text,
      segments,
      parameters,
      // Numbering continued from the highest literal $n, so `next` is the highest, unless a `${}` sat inside
      // a quoted string, where its $n is no parameter at all; only then is the text counted again.
      parameterCount: parameters.length > 0 ? highestParameterNumber(text) : next,
      fileStart,
      fileEnd,
    };
    if (via !== undefined) site.via = via;
    if (inlinedConstants.length > 0) site.inlinedConstants = inlinedConstants.sort((a, b) => a.sqlStart - b.sqlStart);
    return site;
  }

  private addText(text: string, segments: SourceSegment[]): void {
    if (text.length === 0) return;
    this.pieces.push({ kind: 'text', text, segments });
    this.assembled += text;
  }

  private addParameter(fileStart: number, fileEnd: number, expressionText: string): void {
    this.pieces.push({ kind: 'parameter', fileStart, fileEnd, expressionText });
    this.assembled += '$0';
  }

  private addCooked(start: number, end: number, template: boolean): void {
    const cooked = cookLiteral(this.text, start, end, template);
    this.addText(cooked.text, cooked.segments);
  }

  /** A string, a template (its `${}` pasted as JavaScript does) or a `+` chain of them. */
  private addPlainExpression(expression: ts.Expression): void {
    expression = unwrap(expression);
    // Parts of a `+` chain are candidates of their own when marked /* sql */; this site covers them.
    (this.byNameDepth > 0 ? this.touchedByName : this.touchedInPlace).push(expression);
    switch (expression.kind) {
      case SK.StringLiteral: {
        const [start, end] = this.contentRange(expression);
        this.addCooked(start, end, false);
        return;
      }
      case SK.NoSubstitutionTemplateLiteral:
      case SK.TemplateExpression:
        this.addTemplate(expression as ts.TemplateLiteral, 'plain');
        return;
      case SK.NumericLiteral: {
        const start = expression.getStart(this.sourceFile);
        this.addText((expression as ts.NumericLiteral).text, [{ sqlStart: 0, fileStart: start, length: expression.end - start }]);
        return;
      }
      case SK.BinaryExpression:
        if (isPlus(expression)) {
          this.addPlainExpression(expression.left);
          this.addPlainExpression(expression.right);
          return;
        }
        break;
      case SK.Identifier: {
        const bound = this.binding(idText(expression as ts.Identifier));
        if (bound && (isStringShaped(bound) || isNumericLiteral(bound))) {
          this.inline(bound, this.rangeOf(expression), () => this.addPlainExpression(bound));
          return;
        }
        break;
      }
    }
    throw this.notStatic(expression);
  }

  private rangeOf(node: ts.Node): [number, number] {
    return [node.getStart(this.sourceFile), node.end];
  }

  private notStatic(expression: ts.Node, why = ''): NotStatic {
    const source = truncate(this.text.slice(expression.getStart(this.sourceFile), expression.end));
    return new NotStatic(`SQL built at run time from \`${source}\`${why}: cannot be known statically`);
  }

  /**
   * Inlines `node`, written in place (`${sql`...`}`, `sql.raw('...')`) or reached through a constant's name;
   * a node reached again from inside itself is a cycle, and very deep nesting is given up on.
   */
  private inline(node: ts.Node, reference: readonly [number, number] | undefined, add: () => void): void {
    if (this.inlineStack.includes(node)) throw this.notStatic(node, ', which refers to itself');
    if (this.inlineStack.length > MAX_INLINE_DEPTH) throw this.notStatic(node, ', nested too deep');
    const byName = reference !== undefined;
    (byName ? this.touchedByName : this.touchedInPlace).push(node);
    this.inlineStack.push(node);
    if (byName) {
      this.byNameDepth++;
      this.pieces.push({ kind: 'enter', fileStart: reference[0], fileEnd: reference[1] });
    }
    add();
    if (byName) {
      this.byNameDepth--;
      this.pieces.push({ kind: 'leave' });
    }
    this.inlineStack.pop();
  }

  private addTemplate(template: ts.TemplateLiteral, context: TemplateContext): void {
    if (isNoSubstitutionTemplateLiteral(template)) {
      const start = template.getStart(this.sourceFile) + 1;
      this.addCooked(start, templateEnd(this.text, template), true);
      return;
    }
    const headStart = template.head.getStart(this.sourceFile) + 1;
    this.addCooked(headStart, template.head.end - 2, true);
    let substitutionStart = template.head.end - 2;
    for (const span of template.templateSpans) {
      const literalStart = span.literal.getStart(this.sourceFile);
      const isTail = span.literal.kind === SK.TemplateTail;
      const literalEnd = isTail ? templateEnd(this.text, span.literal) : span.literal.end - 2;
      const after = cookLiteral(this.text, literalStart + 1, literalEnd, true);
      this.addSubstitution(span.expression, substitutionStart, literalStart + 1, context, after.text);
      this.addText(after.text, after.segments);
      substitutionStart = span.literal.end - 2;
    }
  }

  /**
   * One `${expr}`. In a tagged template it is a bind parameter unless it is itself SQL (a nested fragment,
   * a raw helper); in a plain template JavaScript pastes its string, so only constants are known.
   */
  private addSubstitution(
    expression: ts.Expression,
    fileStart: number,
    fileEnd: number,
    context: TemplateContext,
    after: string,
  ): void {
    try {
      this.addSubstitutionValue(unwrap(expression), fileStart, fileEnd, context, after);
    } catch (error) {
      // What is inside a substitution that made the site unknowable (sql`...` branches, sql.raw(x)) is part
      // of that site's story, not a site or a skip of its own.
      if (error instanceof NotStatic) this.touchSubtree(expression);
      throw error;
    }
  }

  private touchSubtree(node: ts.Node): void {
    if (isTaggedTemplateExpression(node) || isCallExpression(node)) this.touchedInPlace.push(node);
    forEachChild(node, (child) => this.touchSubtree(child));
  }

  private addSubstitutionValue(
    value: ts.Expression,
    fileStart: number,
    fileEnd: number,
    context: TemplateContext,
    after: string,
  ): void {
    if (context === 'tagged') {
      if (this.isSqlTagged(value)) {
        this.inline(value, undefined, () => this.addTemplate(value.template, 'tagged'));
        return;
      }
      if (value.kind === SK.Identifier && this.namesOfTaggedConstants.has((value as ts.Identifier).text)) {
        const bound = this.binding((value as ts.Identifier).text);
        if (bound && this.isSqlTagged(bound)) {
          this.inline(bound, [fileStart, fileEnd], () => this.addTemplate(bound.template, 'tagged'));
          return;
        }
      }
      const helper = this.fragmentHelper(value);
      if (helper !== undefined) {
        if (helper.kind === 'value') {
          this.addParameterIfValue(value, fileStart, fileEnd, after);
          return;
        }
        if (helper.kind === 'empty') return;
        if (helper.kind === 'raw' && helper.argument && isStringShaped(unwrap(helper.argument))) {
          const argument = unwrap(helper.argument);
          this.inline(value, undefined, () => this.addPlainExpression(argument));
          return;
        }
        if (helper.kind === 'raw' && helper.argument && isIdentifier(unwrap(helper.argument))) {
          const bound = this.binding(idText(unwrap(helper.argument) as ts.Identifier));
          if (bound && isStringShaped(bound)) {
            this.touchedInPlace.push(value);
            this.inline(bound, [fileStart, fileEnd], () => this.addPlainExpression(bound));
            return;
          }
        }
        throw this.notStatic(value);
      }
      if (isConditionalExpression(value) && (this.buildsSql(value.whenTrue) || this.buildsSql(value.whenFalse))) {
        throw this.notStatic(value, ', chosen at run time');
      }
      this.addParameterIfValue(value, fileStart, fileEnd, after);
      return;
    }
    // A plain template: constants are pasted; anything else is only known at run time, but where a value is
    // expected a parameter stands for it faithfully enough to plan the statement.
    if (isStringLiteral(value) || isNoSubstitutionTemplateLiteral(value) || isNumericLiteral(value)) {
      this.addPlainExpression(value);
      return;
    }
    if (isIdentifier(value)) {
      const bound = this.binding(idText(value));
      if (bound && (isStringShaped(bound) || isNumericLiteral(bound))) {
        this.inline(bound, [fileStart, fileEnd], () => this.addPlainExpression(bound));
        return;
      }
    }
    this.addParameterIfValue(value, fileStart, fileEnd, after);
  }

  private addParameterIfValue(value: ts.Expression, fileStart: number, fileEnd: number, after: string): void {
    if (!substitutionTakesValue(this.assembled, after)) {
      throw this.notStatic(value, ', where a name or a piece of SQL belongs');
    }
    this.addParameter(fileStart, fileEnd, truncate(this.text.slice(value.getStart(this.sourceFile), value.end), 200));
  }

  private buildsSql(expression: ts.Expression): boolean {
    const value = unwrap(expression);
    return this.isSqlTagged(value) || this.fragmentHelper(value) !== undefined;
  }

  /**
   * What a member of a SQL tag library put in a template does: `sql.raw('x')` pastes text, `sql.json(v)` binds
   * a value, `Prisma.empty` is nothing, `sql.identifier([...])`, `sql.join(...)`, `sql(x)` build SQL at run time.
   */
  private fragmentHelper(
    value: ts.Expression,
  ): { kind: 'raw' | 'value' | 'empty' | 'fragment'; argument?: ts.Expression } | undefined {
    if (isPropertyAccessExpression(value)) {
      if (!this.isTagNamespace(value.expression)) return undefined;
      const name = value.name.text;
      return name === 'empty' ? { kind: 'empty' } : { kind: 'fragment' };
    }
    if (!isCallExpression(value)) return undefined;
    const callee = unwrap(value.expression);
    if (isPropertyAccessExpression(callee) && this.isTagNamespace(callee.expression)) {
      const name = callee.name.text;
      if (RAW_HELPERS.has(name)) return { kind: 'raw', argument: value.arguments[0] };
      if (VALUE_HELPERS.has(name)) return { kind: 'value' };
      if (name === 'empty') return { kind: 'empty' };
      return { kind: 'fragment' };
    }
    // postgres.js sql(table), sql(rows, 'a', 'b'): identifiers and value lists built at run time.
    if (this.isTagNamespace(callee)) return { kind: 'fragment' };
    return undefined;
  }

  /**
   * knex raw(): every `?` outside quotes is a positional binding and becomes the next `$n`; a `??` binds an
   * identifier, which cannot be known. Returns the reason when the site must be skipped.
   */
  private bindQuestionMarks(onlyIfUnambiguous: boolean): string | undefined {
    let literalText = '';
    for (const piece of this.pieces) {
      if (piece.kind === 'text') literalText += piece.text;
      else if (piece.kind === 'parameter') literalText += '$0';
    }
    if (literalText.indexOf('?') < 0) return undefined;
    const { positions, hasIdentifierBinding } = questionMarkPlaceholders(literalText);
    if (onlyIfUnambiguous) {
      if (hasIdentifierBinding || !positions.every((at) => isPlaceholderPosition(literalText, at))) return undefined;
    } else if (hasIdentifierBinding) {
      return 'SQL with a `??` identifier binding, filled in at run time: cannot be known statically';
    }
    if (positions.length === 0) return undefined;
    const split: Piece[] = [];
    let offset = 0;
    let p = 0;
    for (const piece of this.pieces) {
      if (piece.kind !== 'text') {
        split.push(piece);
        if (piece.kind === 'parameter') offset += 2;
        continue;
      }
      let from = 0;
      while (p < positions.length && positions[p] < offset + piece.text.length) {
        const at = positions[p++] - offset;
        if (at > from) split.push(slicePiece(piece, from, at));
        const fileAt = fileOffsetInPiece(piece, at);
        split.push({ kind: 'parameter', fileStart: fileAt, fileEnd: fileAt + 1, expressionText: '?' });
        from = at + 1;
      }
      if (from < piece.text.length) split.push(from === 0 ? piece : slicePiece(piece, from, piece.text.length));
      offset += piece.text.length;
    }
    this.pieces = split;
    return undefined;
  }

  /** File range of a literal's content (without quotes), or of any other expression. */
  private contentRange(node: ts.Node): [number, number] {
    const expression = unwrap(node as ts.Expression);
    switch (expression.kind) {
      case SK.StringLiteral: {
        const start = expression.getStart(this.sourceFile);
        const quote = this.text.charCodeAt(start);
        const closed = expression.end - 1 > start && this.text.charCodeAt(expression.end - 1) === quote;
        return [start + 1, closed ? expression.end - 1 : expression.end];
      }
      case SK.NoSubstitutionTemplateLiteral:
      case SK.TemplateExpression:
        return [expression.getStart(this.sourceFile) + 1, templateEnd(this.text, expression as ts.TemplateLiteral)];
      case SK.BinaryExpression: {
        const binary = expression as ts.BinaryExpression;
        return [this.contentRange(binary.left)[0], this.contentRange(binary.right)[1]];
      }
      default:
        return [expression.getStart(this.sourceFile), expression.end];
    }
  }
}

/** End of a template's (or its tail's) content: before the closing backtick, if there is one. */
function templateEnd(text: string, node: ts.Node): number {
  return text.charCodeAt(node.end - 1) === 96 /* ` */ && node.end - 1 > node.pos ? node.end - 1 : node.end;
}

function objectProperty(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (isPropertyAssignment(property) && propertyNameText(property.name) === name) return property.initializer;
    if (isShorthandPropertyAssignment(property) && idText(property.name) === name) return property.name;
  }
  return undefined;
}

function propertyNameText(name: ts.PropertyName): string | undefined {
  if (isIdentifier(name) || isStringLiteral(name) || isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

function slicePiece(piece: { text: string; segments: SourceSegment[] }, from: number, to: number): Piece {
  const segments: SourceSegment[] = [];
  for (const segment of piece.segments) {
    const start = Math.max(from, segment.sqlStart);
    const end = Math.min(to, segment.sqlStart + segment.length);
    if (start >= end) continue;
    if (segment.fileLength !== undefined) {
      segments.push({ sqlStart: start - from, fileStart: segment.fileStart, length: end - start, fileLength: segment.fileLength });
    } else {
      segments.push({ sqlStart: start - from, fileStart: segment.fileStart + (start - segment.sqlStart), length: end - start });
    }
  }
  return { kind: 'text', text: piece.text.slice(from, to), segments };
}

function fileOffsetInPiece(piece: { segments: SourceSegment[] }, at: number): number {
  for (const segment of piece.segments) {
    if (at >= segment.sqlStart && at < segment.sqlStart + segment.length) {
      return segment.fileLength !== undefined ? segment.fileStart : segment.fileStart + (at - segment.sqlStart);
    }
  }
  return piece.segments.length > 0 ? piece.segments[0].fileStart : 0;
}
