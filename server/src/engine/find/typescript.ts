// SQL in JavaScript and TypeScript, read with the TypeScript compiler's parser (syntax only, no type
// checking): tagged templates (sql`...`), literals marked /* sql */, and the first argument of query
// functions (pool.query('...')). One walk over the syntax tree, entering only nodes that spell a configured
// name or hold a marker, collects candidates; the SQL of each is then assembled from literal text (mapped
// back to the file character by character) and `$n` placeholders.

import ts = require('typescript');
import type { InlinedConstant, SkippedSite, SourceSegment, SqlSite, SqlSiteOrigin, TemplateParameter } from '../types';
import type { FindOptions } from './index';
import { cookLiteral } from './jsLiteral';
import { quoteIdentifier } from '../sqlText';
import { KnownValues } from './knownValues';
import { changeBetween, classifyType, literalStringOf, TypeContext, typeContextOf, type CheckedFile, type SubstitutionType } from './typeContext';
import {
  endsInsideString,
  highestParameterNumber,
  questionMarkPlaceholders,
  readsAsSqlStatement,
  substitutionTakesValue,
} from './sqlLexer';

// The compiler API behind a module namespace costs a getter call per use once transpiled or bundled
// (`__toESM`); the walk runs per node, so what it needs is bound once, on the first parse: not at module load, because
// the bundles load the compiler on first use (scripts/build.mjs) and a run over .sql files only never needs it.
// (SyntaxKind and NodeFlags are plain data the bundles hold without loading the compiler.)
const SK = ts.SyntaxKind;
const CONST_FLAG = ts.NodeFlags.Const;
let {
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
} = {} as typeof ts;
let compilerBound = false;
function bindCompiler(): void {
  if (compilerBound) return;
  compilerBound = true;
  ({
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
  } = ts);
}

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
    bindCompiler();
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


export function findSqlInTypeScript(file: string, text: string, options: FindOptions, recent?: RecentSourceFiles): TypeScriptFindResult {
  bindCompiler();
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
  const hasMarker = markers.length > 0;
  const parse = () => (recent ? recent.parse(file, text, kind) : createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind));
  const context = typeContextFor(options, recent !== undefined);
  if (context?.covers(file)) {
    // A Program costs seconds and hundreds of MB on a monorepo: it is built only for a file whose reading asks the
    // checker something (an `${expr}` that is not a literal, a call whose argument may be SQL, ...). The file is
    // first read against a stand-in that notes any such question; if none was asked, that reading is the one the
    // checker would have given, and the Program's view of the file is only told its text.
    const sourceFile = parse();
    const probe = new CheckerProbe();
    const finder = new FileFinder(file, text, sourceFile, compiled, hasMarker, probe.asCheckedFile());
    let found: { sites: SqlSite[]; skipped: SkippedSite[] } | undefined;
    try {
      finder.collect(positions);
      found = finder.build();
    } catch (error) {
      if (!probe.asked) throw error;
    }
    if (!probe.asked && found) {
      context.noteText(file, text);
      return { ...found, sourceFile };
    }
  }
  // With a type context, the Program's own tree of the file (the checker answers only about its nodes).
  const checked = context?.checkedFile(file, text);
  const sourceFile = checked?.sourceFile ?? parse();
  const finder = new FileFinder(file, text, sourceFile, compiled, hasMarker, checked);
  finder.collect(positions);
  return { ...finder.build(), sourceFile };
}

/**
 * An expression whose type can only be a value (never a fragment or a name of a SQL library), whatever the types
 * around it: a literal, arithmetic, a comparison, a negation, `typeof`. The checker would say "value" or nothing
 * (`any`), and both read as a parameter.
 */
function isPlainValue(expression: ts.Expression): boolean {
  switch (expression.kind) {
    case SK.StringLiteral:
    case SK.NoSubstitutionTemplateLiteral:
    case SK.TemplateExpression:
    case SK.NumericLiteral:
    case SK.BigIntLiteral:
    case SK.TrueKeyword:
    case SK.FalseKeyword:
    case SK.NullKeyword:
    case SK.TypeOfExpression:
    case SK.VoidExpression:
    case SK.PrefixUnaryExpression:
    case SK.PostfixUnaryExpression:
      return true;
    case SK.BinaryExpression: {
      const operator = (expression as ts.BinaryExpression).operatorToken.kind;
      // Arithmetic, bitwise, comparison, `in`, `instanceof`; not `=` and its kin, `,`, `&&`, `||`, `??`.
      return (
        (operator >= SK.LessThanToken && operator <= SK.CaretToken && operator !== SK.AmpersandAmpersandToken && operator !== SK.BarBarToken) ||
        operator === SK.InKeyword ||
        operator === SK.InstanceOfKeyword
      );
    }
    default:
      return false;
  }
}

/**
 * A CheckedFile without a Program, for the first reading of a file: the finder may test that one is there (a file a
 * config covers reads differently from one without), but whatever it asks of it (the checker, the Program, a
 * package) marks the reading as needing the real one and throws. `asked` is what counts: the finder catches errors
 * of the checker in places and reads on, so that reading is thrown away whenever anything was asked.
 */
class CheckerProbe {
  asked = false;

  asCheckedFile(): CheckedFile {
    const ask = (): never => {
      this.asked = true;
      throw new Error('the checker is needed');
    };
    return {
      get sourceFile() {
        return ask();
      },
      get checker() {
        return ask();
      },
      get program() {
        return ask();
      },
      packageOf: () => ask(),
    };
  }
}

/**
 * The type context of a finder's options: the one handed in `program`, none when `program` is false, else one made
 * for the options object on first use, so that one engine (one CLI run, one language-server configuration) has one
 * Program per project; incremental when the caller keeps syntax trees between edits (the language server).
 */
function typeContextFor(options: FindOptions, incremental: boolean): TypeContext | undefined {
  if (options.program === false || options.program === null) return undefined;
  if (options.program !== undefined) return typeContextOf(options.program);
  let context = defaultTypeContexts.get(options);
  if (!context) {
    context = new TypeContext({ incremental });
    defaultTypeContexts.set(options, context);
  }
  return context;
}

const defaultTypeContexts = new WeakMap<FindOptions, TypeContext>();

/** find/index.ts reused its reading of `file` for this edited `text`: the type context's Program hears of it before it next answers. */
export function noteReusedReading(file: string, text: string, options: FindOptions): void {
  if (options.program === false || options.program === null) return;
  (options.program !== undefined ? typeContextOf(options.program) : defaultTypeContexts.get(options))?.noteTextLater(file, text);
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

/**
 * Counts the `const`/`let`/`var` declarations and parameters named `name`; keeps the last initializer, and each
 * declaration with the range of the block or function it is declared in (a file whose every test or function
 * declares its own `const sql = '...'` binds the name once per scope).
 */
class DeclarationsOf implements NodeVisitor {
  count = 0;
  initializer: ts.Expression | null = null;
  readonly scoped: { scopeStart: number; scopeEnd: number; initializer: ts.Expression | null }[] = [];
  private readonly scopes: ts.Node[] = [];

  constructor(private readonly name: string) {}

  visitNode(node: ts.Node): void {
    // The walk is depth first: scopes that ended before this node are left.
    while (this.scopes.length > 0 && this.scopes[this.scopes.length - 1].end <= node.pos) this.scopes.pop();
    if (node.kind === SK.VariableDeclarationList) {
      const isConst = (node.flags & CONST_FLAG) !== 0;
      for (const declaration of (node as ts.VariableDeclarationList).declarations) {
        if (declaration.name.kind !== SK.Identifier || declaration.name.text !== this.name) continue;
        this.count++;
        this.initializer = isConst && declaration.initializer ? unwrap(declaration.initializer) : null;
        this.declaredHere(this.initializer);
      }
    } else if (node.kind === SK.Parameter) {
      const parameterName = (node as ts.ParameterDeclaration).name;
      if (parameterName.kind === SK.Identifier && parameterName.text === this.name) {
        this.count++;
        this.declaredHere(null);
      }
    }
    if (SCOPE_KINDS.has(node.kind)) this.scopes.push(node);
  }

  /** The initializer of the declaration in the innermost scope holding `position`; null when that is not a `const`. */
  visibleAt(position: number): ts.Expression | null {
    let best: (typeof this.scoped)[number] | undefined;
    for (const declaration of this.scoped) {
      if (position < declaration.scopeStart || position >= declaration.scopeEnd) continue;
      if (!best || declaration.scopeStart > best.scopeStart || declaration.scopeEnd < best.scopeEnd) best = declaration;
      else if (declaration.scopeStart === best.scopeStart && declaration.scopeEnd === best.scopeEnd) return null;
    }
    return best ? best.initializer : null;
  }

  private declaredHere(initializer: ts.Expression | null): void {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) this.scoped.push({ scopeStart: scope.pos, scopeEnd: scope.end, initializer });
  }
}

/** Nodes a `const`/`let` or a parameter is declared in (`var`'s function scope is not told apart: it is never a constant). */
const SCOPE_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  SK.SourceFile,
  SK.Block,
  SK.ModuleBlock,
  SK.CaseBlock,
  SK.ForStatement,
  SK.ForInStatement,
  SK.ForOfStatement,
  SK.CatchClause,
  SK.FunctionDeclaration,
  SK.FunctionExpression,
  SK.ArrowFunction,
  SK.MethodDeclaration,
  SK.Constructor,
  SK.GetAccessor,
  SK.SetAccessor,
]);

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
/** Helpers that quote their (string) arguments as a name: slonik and drizzle `identifier`, kysely `ref`/`table`/`id`. */
const IDENTIFIER_HELPERS = new Set(['identifier', 'ref', 'table', 'id']);
/** `const { ref } = db.dynamic` (Kysely). */
const DESTRUCTURED_DYNAMIC_REF = /\b(?:const|let)\s*\{[^}=]*\bref\b[^}]*\}\s*=\s*[\w$.]+\.dynamic\b(?!\s*\.)/;
/** Helpers that paste their string argument into the SQL verbatim. */
const RAW_HELPERS = new Set(['raw', 'unsafe']);
/** Namespaces whose members build SQL fragments even though they are not tags themselves. */
const FRAGMENT_NAMESPACES = new Set(['Prisma']);
/**
 * Fragment types of the SQL libraries by the name a written annotation gives them (`Prisma.Sql`, slonik's
 * `SqlFragment`/`SqlToken`, drizzle's `SQL`, kysely's `RawBuilder`): used when the checker cannot resolve the type
 * (no node_modules), so a helper declared to return one is still read as SQL, never as a `$n` value.
 */
const WRITTEN_FRAGMENT_TYPES = new Set(['Sql', 'SqlFragment', 'SqlToken', 'SQL', 'RawBuilder']);

/** The annotation's fragment type name when every part of it (`| undefined`, `| null` aside) names one. */
function writtenFragmentTypeName(annotation: ts.TypeNode | undefined): string | undefined {
  if (!annotation) return undefined;
  const parts = (ts.isUnionTypeNode(annotation) ? annotation.types : [annotation]).filter(
    (part) => part.kind !== SK.UndefinedKeyword && !(ts.isLiteralTypeNode(part) && part.literal.kind === SK.NullKeyword),
  );
  if (parts.length === 0) return undefined;
  const names = parts.map((part) => {
    if (!ts.isTypeReferenceNode(part)) return undefined;
    const last = ts.isQualifiedName(part.typeName) ? part.typeName.right.text : part.typeName.text;
    return WRITTEN_FRAGMENT_TYPES.has(last) ? part.typeName.getText() : undefined;
  });
  return names.every((name) => name !== undefined && name === names[0]) ? names[0] : undefined;
}

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
export function unwrap(expression: ts.Expression): ts.Expression {
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
/**
 * A tagged template that is a piece of a statement whatever it starts with: slonik's `sql.fragment` (a
 * FragmentSqlToken, which no query method runs: `sql.fragment`(SELECT count(*) ...) AS total`` is a column of a
 * select list), and a select list of `*` alone (`sql.type(row)`SELECT *``, which PostgreSQL never runs without a
 * FROM: a query builder's select part).
 */
function isFragmentByItself(via: string | undefined, text: string): boolean {
  return (via !== undefined && /(?:^|\.)fragment$/.test(via)) || /^\s*select\s+(?:distinct\s+)?(?:[a-z_][\w$]*\.)?\*\s*;?\s*$/i.test(text);
}

/** Parameter names of a helper's SQL text (`query(connectionString, text, values)`). */
const SQL_TEXT_PARAMETER = /^(sql|text|query|querytext|querystring|sqltext|sqlquery|statement)$/i;

/** A string, template or `+` chain whose first literal text reads as a SQL statement. */
function startsAsSqlStatement(expression: ts.Expression): boolean {
  switch (expression.kind) {
    case SK.StringLiteral:
    case SK.NoSubstitutionTemplateLiteral:
      return readsAsSqlStatement((expression as ts.StringLiteral).text, true);
    case SK.TemplateExpression:
      return readsAsSqlStatement((expression as ts.TemplateExpression).head.text, true);
    case SK.BinaryExpression:
      return isPlus(expression) && startsAsSqlStatement(unwrap(expression.left));
    default:
      return false;
  }
}

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

/** What a conditional's branches are called in findings: "`cursor` is set" / "`cursor` is not set". */
function conditionLabels(
  text: string,
  sourceFile: ts.SourceFile,
  condition: ts.Expression,
  /** The condition as the caller would write it, when it names parameters of an inlined helper. */
  spell?: (expression: ts.Expression) => string | undefined,
): [string, string] {
  let inner = unwrap(condition);
  let negated = false;
  while (inner.kind === SK.PrefixUnaryExpression && (inner as ts.PrefixUnaryExpression).operator === SK.ExclamationToken) {
    negated = !negated;
    inner = unwrap((inner as ts.PrefixUnaryExpression).operand);
  }
  const written = truncate(spell?.(inner) ?? text.slice(inner.getStart(sourceFile), inner.end), 40);
  const named = isIdentifier(inner) || isPropertyAccessExpression(inner);
  const labels: [string, string] = named ? [`\`${written}\` is set`, `\`${written}\` is not set`] : [`\`${written}\` is true`, `\`${written}\` is false`];
  return negated ? [labels[1], labels[0]] : labels;
}

/**
 * Whether a helper call (`Prisma.raw(column)`) is a piece pasted into a template: written in `${}`, as an element of
 * a list, a branch of a conditional there, or kept in a variable that the file pastes as `${name}`.
 */
function isPieceOfTemplate(node: ts.Node, text: string): boolean {
  let at: ts.Node = node;
  // Parents are set in a Program's files (read with the checker); a syntax-only reading keeps every such skip.
  if (!at.parent) return false;
  while (ts.isParenthesizedExpression(at.parent) || ts.isAsExpression(at.parent) || ts.isNonNullExpression(at.parent) || ts.isConditionalExpression(at.parent)) {
    at = at.parent;
  }
  const parent = at.parent;
  if (ts.isTemplateSpan(parent) || ts.isArrayLiteralExpression(parent)) return true;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return new RegExp(`\\$\\{\\s*${parent.name.text.replace(/\$/g, '\\$')}\\s*\\}`).test(text);
  return false;
}

function isNotSqlText(expression: ts.Expression): boolean {
  if (isObjectLiteralExpression(expression)) {
    return !expression.properties.some(
      (property) => property.kind === SK.SpreadAssignment || (property.name !== undefined && (isIdentifier(property.name) || isStringLiteral(property.name)) && /^(text|sql)$/.test(property.name.text)),
    );
  }
  return isNumericLiteral(expression) || expression.kind === SK.TrueKeyword || expression.kind === SK.FalseKeyword || ts.isArrayLiteralExpression(expression);
}

function isFunctionWithBody(declaration: ts.Node): declaration is ts.FunctionLikeDeclaration {
  return (
    (ts.isFunctionDeclaration(declaration) || ts.isArrowFunction(declaration) || ts.isFunctionExpression(declaration) || ts.isMethodDeclaration(declaration)) &&
    declaration.body !== undefined
  );
}

/** What a function returns: an arrow's expression body, or the expressions of its own `return` statements. */
function returnedExpressions(declaration: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = declaration.body!;
  if (!ts.isBlock(body)) return [body];
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) {
      if (node.expression) found.push(node.expression);
      return;
    }
    forEachChild(node, visit);
  };
  forEachChild(body, visit);
  return found;
}

/** `other` as a path from the directory of `file`, with forward slashes. */
function relativeName(file: string, other: string): string {
  const from = file.replace(/\\/g, '/').split('/').slice(0, -1);
  const to = other.replace(/\\/g, '/').split('/');
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const up = from.length - common;
  return [...(up === 0 ? ['.'] : Array(up).fill('..')), ...to.slice(common)].join('/');
}

/** The function (or the file) whose body declares or assigns `node`. */
function enclosingFunction(node: ts.Node): ts.Node {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current) && !ts.isSourceFile(current)) current = current.parent;
  return current ?? node.getSourceFile();
}

function lineOf(node: ts.Node): number {
  const sourceFile = node.getSourceFile();
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
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

/** Methods of a promise: `pool.query(text).then(...)` still ran `text`. */
const PROMISE_METHODS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);
/** Calls whose argument is SQL text whatever follows them (`knex.raw(text).transacting(trx)`). */
const RAW_CALLS: ReadonlySet<string> = new Set(['raw', 'unsafe', '$queryRawUnsafe', '$executeRawUnsafe']);

const MAX_INLINE_DEPTH = 16;
const NOT_A_STATEMENT = 'SQL fragment, not a whole statement: checked where it is inlined into one';
/** Combinations of conditional fragments planned per site; a site with more is read once per branch instead. */
const MAX_VARIANTS = 8;
/** Readings of a site read once per branch (see readAll); a site with more branches is skipped. */
const MAX_SPREAD_VARIANTS = 16;

/** A conditional fragment met in a reading: the branch taken, of how many; `key` tells the same choice in another reading. */
interface Choice {
  taken: number;
  count: number;
  label: string;
  key: string;
}

/** One reading of a site: one combination of its conditional fragments. */
interface Reading {
  pieces: Piece[];
  assembled: string;
  /** Some text did not come verbatim from the literal (see SqlSite.assembled). */
  synthesised: boolean;
  /** The branches taken, one label per conditional fragment met. */
  labels: string[];
  /** Other branches of the site were built at run time and not read: the variant is named even when it is the only one. */
  partial?: boolean;
}

/** A branch of a conditional fragment that could not be read (see readOnceOrBranchFailure). */
interface UnreadBranch {
  error: NotStatic;
  /** The label of the branch whose reading failed. */
  label: string;
}

/**
 * The readings of a site whose branches were not all readable: the readable ones, each saying which branches were
 * not planned (a finding on them names its branch and that the others were not checked); none readable, the first
 * failure is the site's.
 */
function readableBranches(readings: Reading[], unread: UnreadBranch[]): Reading[] {
  if (unread.length === 0) return readings;
  if (readings.length === 0) throw unread[0].error;
  const names = [...new Set(unread.map((branch) => branch.label))];
  const note = `not planned: ${names.slice(0, 2).join('; ')}${names.length > 2 ? ` and ${names.length - 2} more` : ''} (built at run time)`;
  return readings.map((reading) => ({ ...reading, labels: [...reading.labels, note], partial: true }));
}

/** The file whose text is being read: the site's own, or another one reached through the checker. */
interface Source {
  text: string;
  sourceFile: ts.SourceFile;
  /** Set while reading another file: the range in the site's file that stands for everything read there. */
  reference?: readonly [number, number];
}

class FileFinder implements NodeVisitor {
  private readonly taggedTemplates: { node: ts.TaggedTemplateExpression; via: string }[] = [];
  private readonly calls: { node: ts.CallExpression; via: string; name: string; onTagNamespace: boolean }[] = [];
  /** Query-named calls given one name whose result is a query builder (see noteBuilderMethod). */
  private readonly builderCalls = new Set<ts.CallExpression>();
  private readonly markedLiterals: ts.Expression[] = [];
  /**
   * Names declared with a tagged template as initializer: only these can be SQL fragments inlined by name
   * into a tagged template, so only these are looked up when one appears as `${name}`.
   */
  private readonly namesOfTaggedConstants = new Set<string>();
  /** Names bound exactly once in the file, by `const`, to their initializer; null otherwise. Filled lazily. */
  private readonly constants = new Map<string, ts.Expression | null>();
  private readonly declaredInScopes = new Map<string, DeclarationsOf>();

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
  /** The arguments after the text of a pg-format `format(text, ...)` call being read (bindPgFormat). */
  private pgFormatArguments: readonly ts.Expression[] | undefined;
  /** knex raw()'s bindings (its second argument), for `??` identifier bindings written as strings. */
  private knexBindings: ts.Expression | undefined;
  /** The SQL so far, `$0` standing for each parameter: what decides whether a substitution takes a value. */
  private assembled = '';
  /** Nodes being inlined, innermost last, to stop a constant that refers to itself. */
  private inlineStack: ts.Node[] = [];
  private touchedInPlace: ts.Node[] = [];
  private touchedByName: ts.Node[] = [];
  private byNameDepth = 0;
  private src: Source;
  private readonly ownSource: Source;
  private synthesised = false;
  /** Conditional fragments: the branches to take (the rest take their first), and those taken in this reading. */
  private choicePrefix: number[] = [];
  private choicesTaken: Choice[] = [];
  /** Parameters of functions being inlined, bound to the arguments of the call (checker only). */
  private argumentBindings = new Map<ts.Symbol, ts.Expression>();
  /** What the project's helpers return for known arguments (checker only), made on first use. */
  private knownValues?: KnownValues;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly sourceFile: ts.SourceFile,
    private readonly options: CompiledOptions,
    private readonly hasMarker: boolean,
    private readonly checked?: CheckedFile,
  ) {
    this.ownSource = { text, sourceFile };
    this.src = this.ownSource;
  }

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
    const callee = unwrap(node.expression);
    let name: string;
    if (callee.kind === SK.Identifier) name = (callee as ts.Identifier).text;
    else if (callee.kind === SK.PropertyAccessExpression) name = (callee as ts.PropertyAccessExpression).name.text;
    else return;
    if (callee.kind === SK.PropertyAccessExpression) this.noteBuilderMethod(callee as ts.PropertyAccessExpression);
    if (node.arguments.length === 0) return;
    if (name !== 'unsafe' && !this.options.isFunction(name, this.options.hasFunctionPaths ? dottedName(callee) : undefined)) {
      return;
    }
    // sql`...`.execute(db), sql.raw(text).execute(db) (Kysely): a method of the query the template built, given the
    // connection to run on; its argument is no SQL.
    if (callee.kind === SK.PropertyAccessExpression && this.buildsQuery(unwrap((callee as ts.PropertyAccessExpression).expression))) return;
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
  private binding(name: string, at?: ts.Node): ts.Expression | null {
    // Names are looked up in the site's own file; text read from another file is resolved by the checker only.
    if (this.src !== this.ownSource) return null;
    const cached = this.constants.get(name);
    if (cached !== undefined) return cached ?? (at ? (this.declaredInScopes.get(name)?.visibleAt(at.getStart(this.sourceFile)) ?? null) : null);
    const positions: number[] = [];
    pushOccurrences(this.text, { text: name, boundedBefore: true, boundedAfter: true }, positions);
    const declarations = new DeclarationsOf(name);
    guidedWalk.run(this.sourceFile, positions, declarations);
    const bound = declarations.count === 1 ? declarations.initializer : null;
    this.constants.set(name, bound);
    // Declared more than once: the use at `at` sees the declaration of its innermost scope.
    if (declarations.count > 1) this.declaredInScopes.set(name, declarations);
    return bound ?? (at && declarations.count > 1 ? declarations.visibleAt(at.getStart(this.sourceFile)) : null);
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
  /** A SQL template or a call of a member of a SQL tag (`sql.raw(text)`): a query object, not a client. */
  private buildsQuery(expression: ts.Expression): boolean {
    if (isTaggedTemplateExpression(expression)) return this.isSqlTagged(expression);
    if (!isCallExpression(expression)) return false;
    const callee = unwrap(expression.expression);
    return isPropertyAccessExpression(callee) && this.isTagNamespace(callee.expression);
  }

  /**
   * `Model.query(trx).insert(row)` (Objection), `repo.query(tx).where(...)`: a query-named call whose result is
   * given a method other than a promise's is a query builder bound to the transaction it was given, not a query
   * run on SQL text. Noted on the outer call (visited first); buildCall then takes no name passed to it for SQL.
   */
  private noteBuilderMethod(member: ts.PropertyAccessExpression): void {
    const target = unwrap(member.expression);
    if (!isCallExpression(target) || PROMISE_METHODS.has(member.name.text)) return;
    const [argument] = target.arguments;
    if (target.arguments.length === 1 && isIdentifier(unwrap(argument))) this.builderCalls.add(target);
  }

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
      // With the checker, a fragment is read where it is used, in whatever file that is.
      if (this.checked) continue;
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
    // A project's helper given the connection first and the SQL second (`query(dbUrl, sql, [schema])`,
    // `queryOne(client, 'select ...')`): the second argument is the SQL when it is written as SQL, or when the
    // helper's own parameters say so (`query(connectionString, text, values)`), so a skip names the SQL's expression.
    if (!isStringShaped(argument) && !isObjectLiteralExpression(argument) && call.node.arguments.length >= 2) {
      const second = unwrap(call.node.arguments[1]);
      const secondText = isIdentifier(second) ? this.binding(idText(second), second) : second;
      if ((secondText && startsAsSqlStatement(secondText)) || this.takesTextSecond(call.node)) argument = second;
    }
    const strict = !call.onTagNamespace;
    // `Prisma.raw(filter.operator)`, `sql.raw(column)` kept in a variable or pasted into a template: a piece of a
    // statement, read (or skipped) where it is used. Only one handed straight to a query is a statement of its own.
    const pieceOfStatement = call.onTagNamespace && isPieceOfTemplate(call.node, this.text);
    // pg-format: pool.query(format('SELECT * FROM %I WHERE id = %L', table, id)), or the format call kept in a const.
    const formatCall = this.pgFormatCall(argument);
    if (formatCall) {
      const text = unwrap(formatCall.arguments[0]);
      const [start, end] = this.contentRange(text);
      this.pgFormatArguments = formatCall.arguments.slice(1);
      try {
        this.emit(text, 'call-argument', call.via, start, end, strict, text);
      } finally {
        this.pgFormatArguments = undefined;
      }
      return;
    }
    if (isIdentifier(argument)) {
      const bound = this.binding(idText(argument), argument);
      if (bound && isStringShaped(bound)) argument = bound;
      else {
        if (bound && (isTaggedTemplateExpression(bound) || isCallExpression(bound))) return;
        // A const of this file written as an object without `text`/`sql` (an agent tool's input), a number, a
        // boolean or an array is no SQL text, whatever the method is called.
        if (bound && isNotSqlText(unwrap(bound))) return;
        if (this.builderCalls.has(call.node) && !RAW_CALLS.has(call.name)) return;
        // The checker tells a query from anything else passed to a method called `execute` (kysely's `.execute(db)`);
        // asked only where its answer changes something (a Program is built for it).
        if (/query|exec|sql|raw|unsafe/i.test(call.name) && !pieceOfStatement) {
          if (this.checked && !this.mayBeSqlText(argument)) return;
          this.skip(argument.getStart(this.sourceFile), argument.end, `SQL passed in \`${idText(argument)}\`, which is not a constant of this file: cannot be known statically`);
        }
        return;
      }
    } else if (isPropertyAccessExpression(argument) || isCallExpression(argument)) {
      if (/query|exec|sql|raw|unsafe/i.test(call.name) && !pieceOfStatement && (!this.checked || this.mayBeSqlText(argument))) {
        const source = truncate(this.text.slice(argument.getStart(this.sourceFile), argument.end));
        this.skip(argument.getStart(this.sourceFile), argument.end, `SQL built at run time by \`${source}\`: cannot be known statically`);
      }
      return;
    }
    // `db.raw(isMySQL ? 'UPDATE ... LIMIT 10' : 'SELECT ...')`: each branch is a statement the call may run, a site of
    // its own (a branch on the database's name is then that database's, databaseOfContext.ts).
    const texts =
      isConditionalExpression(argument) && isStringShaped(unwrap(argument.whenTrue)) && isStringShaped(unwrap(argument.whenFalse))
        ? [unwrap(argument.whenTrue), unwrap(argument.whenFalse)]
        : [argument];
    if (!texts.every((text) => isStringShaped(text))) return;
    // knex's raw() binds `?` placeholders positionally; PostgreSQL needs them as $1, $2 ...
    // knex's raw() binds every `?`; other drivers' query() (Sequelize, mysql-style) may, where PostgreSQL's
    // jsonb `?` operator could also stand, so there only unmistakable placeholders are bound.
    const questionMarks: QuestionMarks = call.name === 'raw' && !call.onTagNamespace ? 'bind' : 'bind-if-unambiguous';
    this.knexBindings = questionMarks === 'bind' ? call.node.arguments[1] : undefined;
    try {
      for (const text of texts) {
        if (this.used.has(text)) continue; // the same constant passed to another call
        const [start, end] = this.contentRange(text);
        this.emit(text, 'call-argument', call.via, start, end, strict, text, questionMarks);
      }
    } finally {
      this.knexBindings = undefined;
    }
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
    this.touchedInPlace = [];
    this.touchedByName = [];
    let readings: Reading[];
    try {
      readings = this.readAll(node, origin, source);
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
    } finally {
      this.src = this.ownSource;
      this.argumentBindings = new Map();
    }
    const sites: SqlSite[] = [];
    for (const reading of readings) {
      this.pieces = reading.pieces;
      this.assembled = reading.assembled;
      if (questionMarks !== 'keep') {
        const reason = this.bindQuestionMarks(questionMarks === 'bind-if-unambiguous');
        if (reason) {
          if (readsAsSqlStatement(this.assembled, strict)) this.skip(fileStart, fileEnd, reason);
          return;
        }
      }
      if (this.pgFormatArguments) {
        const reason = this.bindPgFormat(this.pgFormatArguments);
        if (reason) {
          if (readsAsSqlStatement(this.assembled, strict)) this.skip(fileStart, fileEnd, reason);
          return;
        }
        reading.synthesised = true;
      }
      const site = this.finishSite(origin, via, fileStart, fileEnd);
      if (reading.synthesised) site.assembled = true;
      if (this.pgFormatArguments) site.valuesPastedBy = 'pg-format';
      // Branches that give the same SQL are one site; the label of the first stands for them.
      if (sites.some((other) => other.text === site.text)) continue;
      if (reading.labels.length > 0) site.variant = reading.labels.join(', ');
      sites.push(site);
    }
    if (sites.length === 1 && !readings.some((reading) => reading.partial)) delete sites[0].variant;
    const site = sites[0];
    if (!readsAsSqlStatement(site.text, strict) || (origin === 'tagged-template' && isFragmentByItself(via, site.text))) {
      if (!strict) {
        this.markTouched();
        this.fragments.push({
          node,
          start: fileStart,
          end: fileEnd,
          reason: NOT_A_STATEMENT,
        });
      }
      return;
    }
    this.used.add(node);
    this.markTouched();
    this.sites.push(...sites);
  }

  /**
   * Reads the site once per combination of its conditional fragments (`cond ? sql`A` : sql`B``, `cond && ...`, a
   * helper with several returns): each reading takes the branches of the previous one up to the last choice that
   * has a branch left, the next branch there, and the first branch of every choice after it. A site with more than
   * MAX_VARIANTS combinations is read once with every first branch and then once per other branch of each choice,
   * the rest at their first (n + 1 readings for n independent choices, up to MAX_SPREAD_VARIANTS): every branch is
   * planned, not every combination.
   */
  private readAll(node: ts.Node, origin: SqlSiteOrigin, source: ts.Expression): Reading[] {
    const readings: Reading[] = [];
    const unread: UnreadBranch[] = [];
    let prefix: number[] = [];
    for (;;) {
      const { reading, choices } = this.readOnceOrBranchFailure(node, origin, source, prefix, unread);
      if (reading) readings.push(reading);
      let last = choices.length - 1;
      while (last >= 0 && choices[last].taken + 1 >= choices[last].count) last--;
      if (last < 0) return readableBranches(readings, unread);
      if (readings.length + unread.length >= MAX_VARIANTS) return this.readEachBranch(node, origin, source);
      prefix = [...choices.slice(0, last).map((choice) => choice.taken), choices[last].taken + 1];
    }
  }

  /**
   * One reading, or, when a branch of a conditional fragment is built at run time (a filter helper returning
   * `Prisma.empty` or a fragment assembled from a request), that failure recorded in `unread` with the branches taken
   * up to it, so that the other branches are still read. A failure before any choice is the whole site's: thrown.
   */
  private readOnceOrBranchFailure(
    node: ts.Node,
    origin: SqlSiteOrigin,
    source: ts.Expression,
    prefix: number[],
    unread: UnreadBranch[],
  ): { reading?: Reading; choices: Choice[] } {
    try {
      return this.readOnce(node, origin, source, prefix);
    } catch (error) {
      if (!(error instanceof NotStatic) || this.choicesTaken.length === 0) throw error;
      const choices = this.choicesTaken;
      unread.push({ error, label: choices[choices.length - 1].label });
      return { choices };
    }
  }

  /** One reading per branch (see readAll): the first branches, then each other branch of each choice on its own. */
  private readEachBranch(node: ts.Node, origin: SqlSiteOrigin, source: ts.Expression): Reading[] {
    const readings: Reading[] = [];
    const queue: number[][] = [[]];
    /** Choices of the all-first reading, by their labels: flipped from there only, never combined. */
    const firstChoices = new Set<string>();
    let left = 0;
    const unread: UnreadBranch[] = [];
    for (let at = 0; at < queue.length; at++) {
      const prefix = queue[at];
      const { reading, choices } = this.readOnceOrBranchFailure(node, origin, source, prefix, unread);
      if (reading) readings.push(reading);
      if (at === 0) for (const choice of choices) firstChoices.add(choice.key);
      for (let j = prefix.length; j < choices.length; j++) {
        // Choices met only inside another choice's branch are flipped too, from the reading that met them.
        if (at > 0 && firstChoices.has(choices[j].key)) continue;
        for (let branch = 1; branch < choices[j].count; branch++) {
          if (queue.length >= MAX_SPREAD_VARIANTS) {
            left++;
            continue;
          }
          queue.push([...choices.slice(0, j).map((choice) => choice.taken), branch]);
        }
      }
    }
    if (left > 0) {
      throw new NotStatic(`SQL with more than ${MAX_SPREAD_VARIANTS} branches of conditional fragments (${left} more): not planned`);
    }
    return readableBranches(readings, unread);
  }

  private readOnce(node: ts.Node, origin: SqlSiteOrigin, source: ts.Expression, prefix: number[]): { reading: Reading; choices: Choice[] } {
    this.pieces = [];
    this.assembled = '';
    this.inlineStack = [node];
    this.byNameDepth = 0;
    this.synthesised = false;
    this.src = this.ownSource;
    this.choicePrefix = prefix;
    this.choicesTaken = [];
    if (origin === 'tagged-template') this.addTemplate(source as ts.TemplateLiteral, 'tagged');
    else this.addPlainExpression(source);
    const choices = this.choicesTaken;
    return {
      reading: {
        pieces: this.pieces,
        assembled: this.assembled,
        synthesised: this.synthesised || choices.length > 0,
        labels: choices.map((choice) => choice.label),
      },
      choices,
    };
  }

  /** Which of `labels.length` branches this reading takes. */
  private choose(labels: string[]): number {
    // The same condition met again in one reading (`includeName ? sql`, d.name` : empty` in the select list and
    // `includeName ? sql`JOIN d ...` : empty` below) takes the same branch: the other combinations never run.
    const key = labels.join('\n');
    const earlier = this.choicesTaken.find((choice) => choice.key === key);
    if (earlier) return earlier.taken;
    const at = this.choicesTaken.length;
    const taken = at < this.choicePrefix.length ? this.choicePrefix[at] : 0;
    this.choicesTaken.push({ taken, count: labels.length, label: labels[taken], key });
    return taken;
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
    // Text read in another file maps to the reference that brought it here, not to that file's offsets.
    this.pieces.push({ kind: 'text', text, segments: this.src.reference ? [] : segments });
    this.assembled += text;
  }

  private addParameter(fileStart: number, fileEnd: number, expressionText: string): void {
    const reference = this.src.reference;
    this.pieces.push({ kind: 'parameter', fileStart: reference ? reference[0] : fileStart, fileEnd: reference ? reference[1] : fileEnd, expressionText });
    this.assembled += '$0';
  }

  /** SQL that pglens wrote (a quoted name, a list's placeholders): a finding on it lands on `${expr}`. */
  private addSynthetic(text: string, fileStart: number, fileEnd: number): void {
    this.synthesised = true;
    const reference = this.src.reference ?? [fileStart, fileEnd];
    this.pieces.push({ kind: 'enter', fileStart: reference[0], fileEnd: reference[1] });
    this.addText(text, []);
    this.pieces.push({ kind: 'leave' });
  }

  private addCooked(start: number, end: number, template: boolean): void {
    const cooked = cookLiteral(this.src.text, start, end, template);
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
        const start = expression.getStart(this.src.sourceFile);
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
        const bound = this.binding(idText(expression as ts.Identifier), expression);
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
    return [node.getStart(this.src.sourceFile), node.end];
  }

  private notStatic(expression: ts.Node, why = ''): NotStatic {
    const source = truncate(this.src.text.slice(expression.getStart(this.src.sourceFile), expression.end));
    // Read in another file through the checker: say where, since the site's file does not show it.
    const where = this.src.sourceFile === this.sourceFile ? '' : ` (${relativeName(this.sourceFile.fileName, this.src.sourceFile.fileName)}:${lineOf(expression)})`;
    return new NotStatic(`SQL built at run time from \`${source}\`${where}${why}: cannot be known statically`);
  }

  /**
   * Inlines `node`, written in place (`${sql`...`}`, `sql.raw('...')`) or reached through a constant's name;
   * a node reached again from inside itself is a cycle, and very deep nesting is given up on.
   */
  private inline(node: ts.Node, reference: readonly [number, number] | undefined, add: () => void): void {
    if (this.inlineStack.includes(node)) throw this.notStatic(node, ', which refers to itself');
    if (this.inlineStack.length > MAX_INLINE_DEPTH) throw this.notStatic(node, ', nested too deep');
    const byName = reference !== undefined;
    if (byName) {
      this.synthesised = true;
      if (this.src.reference) reference = this.src.reference;
    }
    (byName ? this.touchedByName : this.touchedInPlace).push(node);
    this.inlineStack.push(node);
    if (byName) {
      this.byNameDepth++;
      this.pieces.push({ kind: 'enter', fileStart: reference![0], fileEnd: reference![1] });
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
      const start = template.getStart(this.src.sourceFile) + 1;
      this.addCooked(start, templateEnd(this.src.text, template), true);
      return;
    }
    const headStart = template.head.getStart(this.src.sourceFile) + 1;
    this.addCooked(headStart, template.head.end - 2, true);
    let substitutionStart = template.head.end - 2;
    for (const span of template.templateSpans) {
      const literalStart = span.literal.getStart(this.src.sourceFile);
      const isTail = span.literal.kind === SK.TemplateTail;
      const literalEnd = isTail ? templateEnd(this.src.text, span.literal) : span.literal.end - 2;
      const after = cookLiteral(this.src.text, literalStart + 1, literalEnd, true);
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
    if (this.addConditional(value, fileStart, fileEnd, context, after)) return;
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
      const reference = this.kyselyDynamicReference(value);
      if (reference !== undefined) {
        this.addSynthetic(reference, fileStart, fileEnd);
        return;
      }
      const helper = this.fragmentHelper(value);
      if (helper !== undefined) {
        if (helper.kind === 'value') {
          this.addParameterIfValue(value, fileStart, fileEnd, after);
          // slonik's sql.array(ids, 'int4') sends `$1::int4[]`: the cast tells PostgreSQL the array's type.
          const cast = this.arrayCast(value);
          if (cast) this.addSynthetic(cast, fileStart, fileEnd);
          return;
        }
        if (helper.kind === 'empty') {
          this.synthesised = true;
          return;
        }
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
        if (helper.kind === 'raw' && helper.argument) {
          const argument = unwrap(helper.argument);
          const known = this.literalString(argument);
          if (known !== undefined) {
            this.addSynthetic(known, fileStart, fileEnd);
            return;
          }
          // `Prisma.raw(operator)` with `operator: '>=' | '<=' | '='`, `Prisma.raw(includeIO ? 'a, b' : 'a')`: one
          // reading per string the types allow (the checked-against list of an allow-list, a const's branches).
          const options = this.literalStrings(argument);
          if (options) {
            const spelled = truncate(this.src.text.slice(argument.getStart(this.src.sourceFile), argument.end), 30);
            const taken = this.choose(options.map((option) => `\`${spelled}\` = '${truncate(option.replace(/\s+/g, ' '), 40)}'`));
            this.synthesised = true;
            this.addSynthetic(options[taken], fileStart, fileEnd);
            return;
          }
        }
        if (this.addLibraryHelper(value, fileStart, fileEnd, after)) return;
        throw this.notStatic(value);
      }
      // What can only be a value reads the same with or without the checker, which is then not asked (see CheckerProbe).
      if (this.checked && !isPlainValue(value) && this.addTyped(value, fileStart, fileEnd, after)) return;
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
      const bound = this.binding(idText(value), value);
      if (bound && (isStringShaped(bound) || isNumericLiteral(bound))) {
        this.inline(bound, [fileStart, fileEnd], () => this.addPlainExpression(bound));
        return;
      }
    }
    if (this.checked && !isStringShaped(value)) {
      // JavaScript pastes the string itself: a name or a keyword whose literal type the checker knows.
      const known = this.literalString(value);
      if (known !== undefined) {
        this.addSynthetic(known, fileStart, fileEnd);
        return;
      }
    }
    // Pasted into a SQL string ('${lang}'): no `$n` stands for part of a constant, whose text PostgreSQL may parse.
    if (endsInsideString(this.assembled)) throw this.notStatic(value, ', pasted inside a SQL string');
    this.addParameterIfValue(value, fileStart, fileEnd, after);
  }

  /**
   * `cond ? A : B`, `cond && A`, `a ?? B`, `a || B` where a branch is SQL (a fragment, or in a plain template a
   * string): one branch per reading (see readAll). False when the expression is a plain value (`a ? 1 : 2`).
   */
  private addConditional(value: ts.Expression, fileStart: number, fileEnd: number, context: TemplateContext, after: string): boolean {
    let branches: (ts.Expression | undefined)[];
    let labels: string[];
    if (isConditionalExpression(value)) {
      branches = [value.whenTrue, value.whenFalse];
      labels = conditionLabels(this.src.text, this.src.sourceFile, value.condition, this.spellWithArguments);
    } else if (isBinaryExpression(value) && value.operatorToken.kind === SK.AmpersandAmpersandToken) {
      branches = [value.right, undefined];
      labels = conditionLabels(this.src.text, this.src.sourceFile, value.left, this.spellWithArguments);
    } else if (
      isBinaryExpression(value) &&
      (value.operatorToken.kind === SK.QuestionQuestionToken || value.operatorToken.kind === SK.BarBarToken)
    ) {
      branches = [value.left, value.right];
      labels = conditionLabels(this.src.text, this.src.sourceFile, value.left, this.spellWithArguments);
    } else return false;
    const isSql = (branch: ts.Expression | undefined) => {
      if (!branch) return false;
      const inner = unwrap(branch);
      if (context === 'plain') return isStringShaped(inner);
      if (this.buildsSql(inner)) return true;
      if (!this.checked || isPlainValue(inner)) return false;
      const kind = this.typeOf(inner).kind;
      return kind === 'fragment' || kind === 'identifier';
    };
    if (!branches.some(isSql)) return false;
    // In a plain template both branches must be strings: `${a ? 'x' : b}` pastes a `b` that cannot be known.
    if (context === 'plain' && !branches.every((branch) => branch === undefined || isStringShaped(unwrap(branch)))) return false;
    const branch = branches[this.choose(labels)];
    this.synthesised = true;
    if (branch === undefined) return true;
    const inner = unwrap(branch);
    if (context === 'plain') this.addPlainExpression(inner);
    else this.addSubstitutionValue(inner, fileStart, fileEnd, context, after);
    return true;
  }

  /**
   * An expression of an inlined helper with its parameters replaced by the call's arguments, for a branch's label:
   * `notFalsy(value)` in logto's `conditionalSql` reads `notFalsy(search)`; undefined when it names none.
   */
  private readonly spellWithArguments = (expression: ts.Expression): string | undefined => {
    if (this.argumentBindings.size === 0) return undefined;
    const text = this.src.text;
    const parts: string[] = [];
    let at = expression.getStart(this.src.sourceFile);
    const visit = (node: ts.Node): void => {
      const bound = isIdentifier(node) ? this.boundArgument(node) : undefined;
      if (!bound) {
        forEachChild(node, visit);
        return;
      }
      parts.push(text.slice(at, node.getStart(this.src.sourceFile)), bound.getSourceFile().text.slice(bound.getStart(), bound.end));
      at = node.end;
    };
    visit(expression);
    if (parts.length === 0) return undefined;
    parts.push(text.slice(at, expression.end));
    return parts.join('');
  };

  // ----- with the checker

  /** Whether an argument may hold SQL text or a query object: not when the checker knows it is something else. */
  private mayBeSqlText(argument: ts.Expression): boolean {
    let type: ts.Type;
    try {
      type = this.checked!.checker.getTypeAtLocation(argument);
    } catch {
      return true;
    }
    // A value declared `unknown` is not text the program knows for SQL (no query function of a SQL library takes
    // one: `execute(input: unknown)` is an agent's tool or a job runner); `any` is also what unresolved types are.
    if (type.flags & ts.TypeFlags.Unknown) return false;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.StringLike)) return true;
    const kind = classifyType(this.checked!, type).kind;
    if (kind === 'fragment' || kind === 'unknown') return true;
    // An object with a `text`/`sql` property (pg's QueryConfig, a query token) may be a query; the rest is not.
    return type.isUnion() ? type.types.some((part) => part.getProperty('text') || part.getProperty('sql')) : Boolean(type.getProperty('text') || type.getProperty('sql'));
  }

  private typeOf(expression: ts.Expression): SubstitutionType {
    const checked = this.checked!;
    try {
      const type = checked.checker.getTypeAtLocation(expression);
      const kind = classifyType(checked, type);
      if (kind.kind !== 'unknown' || !(type.flags & ts.TypeFlags.Any)) return kind;
      // Unresolved (`any`, the error type: no node_modules): the annotation as written may still name a fragment type.
      const written = writtenFragmentTypeName(this.declaredTypeNode(expression));
      return written ? { kind: 'fragment', typeName: written, library: 'its declared type' } : kind;
    } catch {
      return { kind: 'unknown' };
    }
  }

  /** The type an expression's declaration writes: a called function's return type, a variable's or parameter's type. */
  private declaredTypeNode(expression: ts.Expression): ts.TypeNode | undefined {
    const checker = this.checked!.checker;
    if (isCallExpression(expression)) {
      const declaration = checker.getResolvedSignature(expression)?.getDeclaration();
      if (declaration?.type) return declaration.type;
      const callee = checker.getSymbolAtLocation(expression.expression)?.valueDeclaration;
      const initializer = callee && ts.isVariableDeclaration(callee) && callee.initializer ? unwrap(callee.initializer) : undefined;
      return initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) ? initializer.type : undefined;
    }
    if (!isIdentifier(expression) && !ts.isPropertyAccessExpression(expression)) return undefined;
    const declaration = checker.getSymbolAtLocation(expression)?.valueDeclaration;
    if (!declaration) return undefined;
    if (ts.isVariableDeclaration(declaration) || ts.isParameter(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertySignature(declaration)) {
      return declaration.type;
    }
    return undefined;
  }

  /** A string the checker knows the expression always holds, or a literal written in place. */
  /**
   * Kysely's `db.dynamic.ref('a.b')` (also as `const { ref } = db.dynamic` or `const ref = db.dynamic.ref`) of a
   * string the syntax or the checker knows: the name, quoted part by part as Kysely does. Undefined otherwise.
   */
  private kyselyDynamicReference(value: ts.Expression): string | undefined {
    if (!isCallExpression(value) || value.arguments.length !== 1) return undefined;
    const callee = unwrap(value.expression);
    const isDynamicRef = isPropertyAccessExpression(callee)
      ? callee.name.text === 'ref' && isPropertyAccessExpression(unwrap(callee.expression)) && (unwrap(callee.expression) as ts.PropertyAccessExpression).name.text === 'dynamic'
      : isIdentifier(callee) && this.bindsDynamicRef(idText(callee));
    if (!isDynamicRef) return undefined;
    const parts = this.literalString(unwrap(value.arguments[0]))?.split('.');
    if (!parts || parts.some((part) => part.length === 0)) return undefined;
    return parts.map((part) => quoteIdentifier(part)).join('.');
  }

  /** Whether the file binds `name` to Kysely's dynamic ref: `const { ref } = x.dynamic`, `const ref = x.dynamic.ref`. */
  private bindsDynamicRef(name: string): boolean {
    if (!this.text.includes('.dynamic')) return false;
    if (name === 'ref' && DESTRUCTURED_DYNAMIC_REF.test(this.text)) return true;
    const escaped = name.replace(/[$]/g, '\\$');
    return new RegExp(`\\b(?:const|let)\\s+${escaped}\\s*=\\s*[\\w$.]+\\.dynamic\\.ref\\b`).test(this.text);
  }

  private literalString(expression: ts.Expression): string | undefined {
    if (isStringLiteral(expression) || isNoSubstitutionTemplateLiteral(expression)) return expression.text;
    const bound = this.boundArgument(expression);
    if (bound) return this.withSourceOf(bound, () => this.literalString(unwrap(bound)));
    return this.checked ? literalStringOf(this.checked, expression) : undefined;
  }

  /** The strings an expression may hold when its type is a union of 2 to MAX_VARIANTS string literals, else undefined. */
  private literalStrings(expression: ts.Expression): string[] | undefined {
    const bound = this.boundArgument(expression);
    if (bound) return this.withSourceOf(bound, () => this.literalStrings(unwrap(bound)));
    if (!this.checked) return undefined;
    let type: ts.Type;
    try {
      type = this.checked.checker.getTypeAtLocation(expression);
    } catch {
      return undefined;
    }
    if (!type.isUnion() || type.types.length > MAX_VARIANTS) return undefined;
    const strings: string[] = [];
    for (const part of type.types) {
      if (!part.isStringLiteral()) return undefined;
      strings.push(part.value);
    }
    return strings;
  }

  /**
   * A parameter of a function being inlined: the argument of the call. `options.where` of a parameter `options` given
   * an object written at the call (`condition({ projectId: Prisma.sql`p.id`, cutoff })`) is that property's value.
   */
  private boundArgument(expression: ts.Expression): ts.Expression | undefined {
    if (!this.checked || this.argumentBindings.size === 0) return undefined;
    if (isPropertyAccessExpression(expression) && isIdentifier(expression.name)) {
      const object = this.boundArgument(unwrap(expression.expression));
      const literal = object && unwrap(object);
      if (!literal || !isObjectLiteralExpression(literal)) return undefined;
      const property = literal.properties.find(
        (candidate) =>
          (ts.isPropertyAssignment(candidate) || ts.isShorthandPropertyAssignment(candidate)) &&
          (isIdentifier(candidate.name) || isStringLiteral(candidate.name)) &&
          candidate.name.text === expression.name.text,
      );
      // A spread or a computed name may also set it: only a property written once and plainly is followed.
      if (!property || literal.properties.some((other) => !ts.isPropertyAssignment(other) && !ts.isShorthandPropertyAssignment(other))) return undefined;
      return ts.isPropertyAssignment(property) ? property.initializer : (property as ts.ShorthandPropertyAssignment).name;
    }
    if (!isIdentifier(expression)) return undefined;
    const symbol = this.checked.checker.getSymbolAtLocation(expression);
    return symbol ? this.argumentBindings.get(symbol) : undefined;
  }

  /** Runs `read` with `node`'s file as the file being read (see Source). */
  private withSourceOf<T>(node: ts.Node, read: () => T, reference?: readonly [number, number]): T {
    const sourceFile = node.getSourceFile();
    if (sourceFile === this.src.sourceFile) return read();
    const outer = this.src;
    this.src =
      sourceFile === this.sourceFile && !outer.reference
        ? this.ownSource
        : sourceFile === this.sourceFile && this.ownSource === outer
          ? this.ownSource
          : { text: sourceFile.text, sourceFile, reference: outer.reference ?? reference };
    try {
      return read();
    } finally {
      this.src = outer;
    }
  }

  /**
   * What the checker tells about `${value}`: a value is `$n`; a fragment or a name is inlined when its declaration
   * can be read (a const, a function returning sql`...`, a generated schema's literal types), else the site is
   * skipped naming it. False when the type tells nothing (`any`): the syntax-only reading decides.
   */
  private addTyped(value: ts.Expression, fileStart: number, fileEnd: number, after: string): boolean {
    const bound = this.boundArgument(value);
    if (bound) {
      const reference = this.src.reference ?? ([fileStart, fileEnd] as const);
      this.withSourceOf(bound, () => this.addSubstitutionValue(unwrap(bound), fileStart, fileEnd, 'tagged', after), reference);
      return true;
    }
    const type = this.typeOf(value);
    switch (type.kind) {
      case 'value':
        this.addParameterIfValue(value, fileStart, fileEnd, after);
        return true;
      case 'unknown':
        return this.writesFragment(value) && this.inlineDeclaration(value, fileStart, fileEnd, after, true);
      case 'identifier': {
        const known = this.knownNames(value);
        if (known !== undefined) {
          this.addSynthetic(known, fileStart, fileEnd);
          return true;
        }
        const name = this.mirroredName(value);
        if (name !== undefined) {
          this.addSynthetic(name, fileStart, fileEnd);
          return true;
        }
        if (this.inlineDeclaration(value, fileStart, fileEnd, after)) return true;
        throw this.notStatic(value, ` (a name, \`${type.typeName}\` of ${type.library}, that the types do not spell)`);
      }
      case 'fragment':
        if (this.inlineDeclaration(value, fileStart, fileEnd, after)) return true;
        throw this.notStatic(value, ` (a SQL fragment, \`${type.typeName}\` of ${type.library}, built where pglens cannot read it)`);
    }
  }

  /** The evaluator of the project's helpers (see knownValues.ts). */
  private evaluator(): KnownValues {
    this.knownValues ??= new KnownValues({ checker: this.checked!.checker, isTagNamespace: (expression) => this.isTagNamespace(expression) });
    return this.knownValues;
  }

  /**
   * A name that reaches the template through the project's helpers (`${table}`, `${fields.tenantId}`,
   * `${fields[key]}` after `const { table, fields } = convertToIdentifiers(Users)`), quoted; undefined when the
   * helper's body, with what its arguments hold, does not give one for certain.
   */
  private knownNames(value: ts.Expression): string | undefined {
    // Not while a helper's parameters are bound to this call's arguments: the evaluator does not see those bindings.
    if (this.argumentBindings.size > 0 && this.mentionsBound(value)) return undefined;
    const known = this.evaluator().evaluate(value);
    return known.kind === 'identifier' ? known.names.map(quoteIdentifier).join('.') : undefined;
  }

  /** Whether an expression names a parameter bound to a call's argument (see argumentBindings). */
  private mentionsBound(expression: ts.Node): boolean {
    if (isIdentifier(expression)) return this.boundArgument(expression) !== undefined;
    return forEachChild(expression, (child) => (this.mentionsBound(child) ? true : undefined)) === true;
  }

  /** A list whose every member is a name the project's helpers give (`Object.values(fields)`, `keys.map((k) => fields[k])`). */
  private knownNameList(list: ts.Expression): string[] | undefined {
    if (this.argumentBindings.size > 0 && this.mentionsBound(list)) return undefined;
    const known = this.evaluator().evaluate(list);
    if (known.kind !== 'array' || known.elements.length === 0) return undefined;
    const names: string[] = [];
    for (const element of known.elements) {
      if (element.kind !== 'identifier') return undefined;
      names.push(element.names.map(quoteIdentifier).join('.'));
    }
    return names;
  }

  /**
   * Inlines what a name or a call stands for, following the checker to its declaration in any file: a const's
   * initializer, an object property's, or what a function returns (one branch per reading when it returns one of
   * several fragments), with the function's parameters bound to the call's arguments.
   */
  private inlineDeclaration(value: ts.Expression, fileStart: number, fileEnd: number, after: string, written = false): boolean {
    const checker = this.checked!.checker;
    const reference: readonly [number, number] = this.src.reference ?? [fileStart, fileEnd];
    if (isCallExpression(value)) {
      let declaration: ts.SignatureDeclaration | undefined;
      // A callback passed to the helper being inlined (logto's `conditionalSql(value, (v) => sql`...`)` calls
      // `buildSql(value)`): the function written at the call, not the parameter's declared type.
      const calleeExpression = unwrap(value.expression);
      const passed = isIdentifier(calleeExpression) ? this.boundArgument(calleeExpression) : undefined;
      const passedFunction = passed && unwrap(passed);
      if (passedFunction && (ts.isArrowFunction(passedFunction) || ts.isFunctionExpression(passedFunction))) declaration = passedFunction;
      else {
        try {
          declaration = checker.getResolvedSignature(value)?.declaration as ts.SignatureDeclaration | undefined;
        } catch {
          return false;
        }
      }
      if (!declaration || !isFunctionWithBody(declaration)) return false;
      const returned = returnedExpressions(declaration);
      if (returned.length === 0 || returned.length > MAX_VARIANTS) return false;
      const callee = truncate(this.src.text.slice(value.expression.getStart(this.src.sourceFile), value.expression.end), 30);
      const index =
        returned.length === 1
          ? 0
          : this.choose(returned.map((expression) => `\`${callee}()\` returns the fragment of line ${lineOf(expression)}`));
      const bindings = new Map(this.argumentBindings);
      declaration.parameters.forEach((parameter, i) => {
        const symbol = isIdentifier(parameter.name) ? checker.getSymbolAtLocation(parameter.name) : undefined;
        const argument = value.arguments[i] ?? parameter.initializer;
        if (symbol && argument) bindings.set(symbol, argument);
      });
      const outerBindings = this.argumentBindings;
      this.argumentBindings = bindings;
      try {
        const expression = unwrap(returned[index]);
        // The return (or the arrow) is what is inlined: the expression itself is inlined again as what it is.
        this.inline(returned[index].parent, reference, () =>
          this.withSourceOf(expression, () => this.addSubstitutionValue(expression, fileStart, fileEnd, 'tagged', after), reference),
        );
      } finally {
        this.argumentBindings = outerBindings;
      }
      return true;
    }
    const assigned = this.assignedValues(value);
    const initializer =
      assigned && assigned.length > 1
        ? assigned[this.choose(assigned.map((expression) => `\`${(value as ts.Identifier).text}\` is assigned at line ${lineOf(expression)}`))]
        : (assigned?.[0] ?? this.initializerOf(value));
    // Only SQL is inlined: a generated schema's `email: 'email'` behind a mapped type is a name, read by mirroredName.
    // A `let` reaches here typed as a fragment or a name (the `any` path asks writesFragment, which takes consts only).
    if (!initializer || !(this.buildsSql(initializer) || written || assigned || isCallExpression(initializer) || this.typeOf(initializer).kind === 'fragment' || this.typeOf(initializer).kind === 'identifier')) {
      return false;
    }
    this.inline(initializer.parent, reference, () =>
      this.withSourceOf(initializer, () => this.addSubstitutionValue(initializer, fileStart, fileEnd, 'tagged', after), reference),
    );
    return true;
  }

  /**
   * Whether a name or a call whose type the checker cannot tell (`any`: the SQL library's declarations are not
   * installed) is SQL as written: a const whose initializer is a SQL template, a library helper (`Prisma.empty`,
   * `Prisma.join(...)`) or a conditional of them (`const cursor = id ? Prisma.sql`AND id > ${id}` : Prisma.empty`),
   * or a project function each of whose returns is (following up to three calls of such functions). A string, a
   * number or an object is never taken for SQL this way: every branch must be written as SQL.
   */
  private writesFragment(value: ts.Expression, depth = 0): boolean {
    const inner = unwrap(value);
    if (this.buildsSql(inner)) return true;
    if (isConditionalExpression(inner)) return this.writesFragment(inner.whenTrue, depth) && this.writesFragment(inner.whenFalse, depth);
    if (isBinaryExpression(inner) && inner.operatorToken.kind === SK.AmpersandAmpersandToken) return this.writesFragment(inner.right, depth);
    if (depth >= 3 || !this.checked) return false;
    if (isIdentifier(inner) || isPropertyAccessExpression(inner)) {
      const initializer = this.initializerOf(inner);
      return initializer !== undefined && initializer !== inner && this.writesFragment(initializer, depth + 1);
    }
    if (!isCallExpression(inner)) return false;
    let declaration: ts.SignatureDeclaration | undefined;
    try {
      declaration = this.checked.checker.getResolvedSignature(inner)?.declaration as ts.SignatureDeclaration | undefined;
    } catch {
      return false;
    }
    if (!declaration || !isFunctionWithBody(declaration)) return false;
    const returned = returnedExpressions(declaration);
    return returned.length > 0 && returned.length <= MAX_VARIANTS && returned.every((expression) => this.writesFragment(expression, depth + 1));
  }

  /** The initializer of the `const` (or of the property of a const object) that a name or `a.b` refers to. */
  /**
   * The values a `let` of this file can hold where it is read: its initializer and each plain `name = value` in the
   * function that declares it (papermark's `let orderBy: Prisma.Sql;` set in each branch of an `if` on the sort), 1 to
   * MAX_VARIANTS of them. Undefined for a const, a `let` written any other way (`+=`, `++`, destructuring, from a nested
   * function) or one never assigned.
   */
  private assignedValues(value: ts.Expression): ts.Expression[] | undefined {
    if (!isIdentifier(value)) return undefined;
    const checker = this.checked!.checker;
    const symbol = checker.getSymbolAtLocation(value);
    const declaration = symbol?.valueDeclaration;
    if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
    const list = declaration.parent;
    if (!ts.isVariableDeclarationList(list) || list.flags & (CONST_FLAG | ts.NodeFlags.Using)) return undefined;
    const name = declaration.name;
    const owner = enclosingFunction(declaration);
    const values: ts.Expression[] = declaration.initializer ? [declaration.initializer] : [];
    let plain = true;
    const visit = (node: ts.Node): void => {
      if (!plain) return;
      if (ts.isIdentifier(node) && node !== name && node.text === name.text && checker.getSymbolAtLocation(node) === symbol) {
        const parent = node.parent;
        if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === SK.EqualsToken) {
          if (enclosingFunction(parent) !== owner || !ts.isExpressionStatement(parent.parent)) plain = false;
          else values.push(parent.right);
        } else if (
          (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind >= SK.FirstAssignment && parent.operatorToken.kind <= SK.LastAssignment) ||
          ts.isPrefixUnaryExpression(parent) ||
          ts.isPostfixUnaryExpression(parent) ||
          ts.isShorthandPropertyAssignment(parent) ||
          ts.isArrayLiteralExpression(parent)
        ) {
          plain = false;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(owner);
    if (!plain || values.length === 0 || values.length > MAX_VARIANTS || (values.length === 1 && declaration.initializer)) return undefined;
    return values.map((expression) => unwrap(expression));
  }

  private initializerOf(value: ts.Expression): ts.Expression | undefined {
    const checker = this.checked!.checker;
    const at = isPropertyAccessExpression(value) ? value.name : isIdentifier(value) ? value : undefined;
    if (!at) return undefined;
    // `{ cutoff }` passed to a helper: the name is the variable's, not the property's.
    let symbol = at.parent && ts.isShorthandPropertyAssignment(at.parent) && at.parent.name === at ? checker.getShorthandAssignmentValueSymbol(at.parent) : checker.getSymbolAtLocation(at);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (!declaration) return undefined;
    if (ts.isVariableDeclaration(declaration)) {
      const isConst = ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & CONST_FLAG) !== 0;
      return isConst && declaration.initializer ? unwrap(declaration.initializer) : undefined;
    }
    if (ts.isPropertyAssignment(declaration)) return unwrap(declaration.initializer);
    if (ts.isShorthandPropertyAssignment(declaration)) return declaration.name;
    return undefined;
  }

  /**
   * A name read from a generated schema through an identifier helper: `fields.id` or `table` where
   * `const { table, fields } = convertToIdentifiers(Users)` and `Users.fields.id` has the literal type "id". The
   * object the helper was given mirrors the one it returns; a second argument `true` prefixes the table's name.
   */
  private mirroredName(value: ts.Expression): string | undefined {
    const mirror = this.mirror(value);
    if (!mirror) return undefined;
    const name = mirror.type.isStringLiteral() ? mirror.type.value : undefined;
    if (name === undefined) return undefined;
    return mirror.prefix && mirror.path.length > 1 ? `${quoteIdentifier(mirror.prefix)}.${quoteIdentifier(name)}` : quoteIdentifier(name);
  }

  private mirror(value: ts.Expression): { type: ts.Type; path: string[]; prefix?: string } | undefined {
    const checker = this.checked!.checker;
    const path: string[] = [];
    let root = unwrap(value);
    while (isPropertyAccessExpression(root)) {
      path.unshift(root.name.text);
      root = unwrap(root.expression);
    }
    if (!isIdentifier(root)) return undefined;
    let symbol = checker.getSymbolAtLocation(root);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (!declaration) return undefined;
    let variable: ts.VariableDeclaration;
    if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent) && ts.isVariableDeclaration(declaration.parent.parent)) {
      const property = declaration.propertyName ?? declaration.name;
      if (!isIdentifier(property) && !isStringLiteral(property)) return undefined;
      path.unshift(property.text);
      variable = declaration.parent.parent;
    } else if (ts.isVariableDeclaration(declaration)) variable = declaration;
    else return undefined;
    const call = variable.initializer && unwrap(variable.initializer);
    if (!call || !isCallExpression(call) || call.arguments.length === 0) return undefined;
    const argument = call.arguments[0];
    let type = checker.getTypeAtLocation(argument);
    for (const part of path) {
      const property = type.getProperty(part);
      if (!property) return undefined;
      type = checker.getTypeOfSymbolAtLocation(property, argument);
    }
    let prefix: string | undefined;
    const flag = call.arguments[1];
    if (flag && flag.kind === SK.TrueKeyword) {
      const table = checker.getTypeAtLocation(argument).getProperty('table');
      const tableType = table && checker.getTypeOfSymbolAtLocation(table, argument);
      if (tableType?.isStringLiteral()) prefix = tableType.value;
    }
    return { type, path, prefix };
  }

  /**
   * Helpers of the SQL libraries that build SQL from their arguments: identifiers (`sql.identifier(['a', 'b'])`,
   * kysely `sql.ref('a.b')`, postgres.js `sql('name')`), lists (`sql.join(ids, sql`, `)`, `Prisma.join(ids)`) and
   * postgres.js's `sql(row, 'a', 'b')`. False when the helper is not one of them or its arguments cannot be known.
   */
  private addLibraryHelper(value: ts.Expression, fileStart: number, fileEnd: number, after: string): boolean {
    if (!isCallExpression(value)) return false;
    const callee = unwrap(value.expression);
    const args = value.arguments.map(unwrap);
    if (!isPropertyAccessExpression(callee)) return this.addPostgresHelper(value, fileStart, fileEnd, after);
    const name = callee.name.text;
    const namespace = dottedName(unwrap(callee.expression));
    if (IDENTIFIER_HELPERS.has(name)) {
      let parts: (string | undefined)[];
      const first = args[0];
      if (first && ts.isArrayLiteralExpression(first)) parts = first.elements.map((element) => this.literalString(unwrap(element)));
      else if (name === 'ref') parts = first ? (this.literalString(first)?.split('.') ?? [undefined]) : [undefined];
      else parts = args.map((argument) => this.literalString(argument));
      if (parts.length === 0 || parts.some((part) => part === undefined)) return false;
      this.addSynthetic(parts.map((part) => quoteIdentifier(part!)).join('.'), fileStart, fileEnd);
      return true;
    }
    if (name === 'unnest' && args.length === 2) return this.addUnnest(value, fileStart, fileEnd);
    if (name === 'join' && args.length >= 1) {
      const glue = args[1] === undefined ? (namespace === 'Prisma' ? ',' : ', ') : this.knownText(args[1]);
      if (glue === undefined) return false;
      return this.addJoin(args[0], glue, fileStart, fileEnd, after);
    }
    return false;
  }

  /** The SQL of a separator: a string, or a template without substitutions. */
  private knownText(expression: ts.Expression): string | undefined {
    if (isStringLiteral(expression) || isNoSubstitutionTemplateLiteral(expression)) return expression.text;
    if (this.isSqlTagged(expression) && isNoSubstitutionTemplateLiteral(expression.template)) return expression.template.text;
    return this.literalString(expression);
  }

  /**
   * A list joined by `glue`: written in place, each element is read like a `${}` of its own; `Object.values(o)` /
   * `Object.keys(o)` of an object with literal-typed names gives those names; an array of values is two parameters
   * (`$1, $2`): PostgreSQL plans `IN ($1, $2)` as `= ANY (ARRAY[$1, $2])`, as it plans the real list.
   */
  private addJoin(list: ts.Expression, glue: string, fileStart: number, fileEnd: number, after: string): boolean {
    const mapped = this.mappedFragment(list);
    if (mapped) {
      // A list of fragments built by `.map` (rows of a bulk insert, a condition per filter): planned as two
      // elements, each the callback's SQL with its own parameters; what the elements hold is only known at run time.
      for (let i = 0; i < 2; i++) {
        if (i > 0) this.addSynthetic(glue, fileStart, fileEnd);
        this.addSubstitutionValue(mapped, fileStart, fileEnd, 'tagged', glue || after);
      }
      this.synthesised = true;
      return true;
    }
    if (ts.isArrayLiteralExpression(list)) {
      if (list.elements.length === 0 || list.elements.some((element) => element.kind === SK.SpreadElement)) return false;
      list.elements.forEach((element, i) => {
        if (i > 0) this.addSynthetic(glue, fileStart, fileEnd);
        const inner = unwrap(element);
        if (!this.buildsSql(inner) && (!this.checked || this.typeOf(inner).kind === 'value')) {
          this.addParameter(fileStart, fileEnd, truncate(this.src.text.slice(inner.getStart(this.src.sourceFile), inner.end), 200));
        } else this.addSubstitutionValue(inner, fileStart, fileEnd, 'tagged', glue || after);
      });
      this.synthesised = true;
      return true;
    }
    if (!this.checked) return false;
    const known = this.knownNameList(list);
    if (known) {
      this.addSynthetic(known.join(glue), fileStart, fileEnd);
      return true;
    }
    const names = this.objectNames(list);
    if (names) {
      this.addSynthetic(names.join(glue), fileStart, fileEnd);
      return true;
    }
    const checker = this.checked.checker;
    const type = checker.getTypeAtLocation(list);
    const inList = /\bin\s*\(\s*$/i.test(this.assembled);
    // An array whose elements the checker cannot type (`const ids = []` filled by `push`, an unresolved package's
    // type, or a whole list typed `any`: `rows.map((r) => r.email)` of a Prisma client not generated) joined inside
    // `IN (...)` is a list of values: fragments there are built by `.map` (mappedFragment) or are typed as such; a list
    // whose elements are typed as anything else is still not known.
    if (!(type.flags & ts.TypeFlags.Any && inList)) {
      if (!checker.isArrayType(type)) return false;
      const element = checker.getTypeArguments(type as ts.TypeReference)[0];
      if (!element) return false;
      const kind = classifyType(this.checked, element).kind;
      if (kind !== 'value' && !(kind === 'unknown' && element.flags & ts.TypeFlags.Any && inList)) return false;
    }
    const text = truncate(this.src.text.slice(list.getStart(this.src.sourceFile), list.end), 200);
    this.synthesised = true;
    this.addParameter(fileStart, fileEnd, text);
    this.addSynthetic(glue, fileStart, fileEnd);
    this.addParameter(fileStart, fileEnd, text);
    return true;
  }

  /**
   * The SQL each element of `items.map((item) => sql`...`)` is: the callback's one returned expression, when it builds
   * SQL (a tagged template, a library helper); undefined for anything else.
   */
  private mappedFragment(list: ts.Expression): ts.Expression | undefined {
    if (!isCallExpression(list) || list.arguments.length < 1) return undefined;
    const callee = unwrap(list.expression);
    if (!isPropertyAccessExpression(callee) || callee.name.text !== 'map') return undefined;
    const callback = unwrap(list.arguments[0]);
    if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return undefined;
    const returned = returnedExpressions(callback);
    if (returned.length !== 1) return undefined;
    const element = unwrap(returned[0]);
    return this.buildsSql(element) ? element : undefined;
  }

  /** `::int4[]` for slonik's `sql.array(values, 'int4')` with a type name written as a string. */
  private arrayCast(value: ts.Expression): string | undefined {
    if (!isCallExpression(value) || value.arguments.length !== 2) return undefined;
    const callee = unwrap(value.expression);
    if (!isPropertyAccessExpression(callee) || callee.name.text !== 'array') return undefined;
    const typeName = this.literalString(unwrap(value.arguments[1]));
    return typeName !== undefined && /^[a-z_][a-z0-9_]*$/i.test(typeName) ? `::${typeName}[]` : undefined;
  }

  /**
   * slonik's `sql.unnest(rows, ['int4', 'text'])`: `unnest($1::int4[], $2::text[])`, one array parameter per column,
   * as slonik sends it. The column types must be written as strings.
   */
  private addUnnest(value: ts.CallExpression, fileStart: number, fileEnd: number): boolean {
    const types = value.arguments[1] && unwrap(value.arguments[1]);
    if (!types || !ts.isArrayLiteralExpression(types) || types.elements.length === 0) return false;
    const names = types.elements.map((element) => this.literalString(unwrap(element)));
    if (names.some((name) => name === undefined || !/^[a-z_][a-z0-9_]*(\[\])?$/i.test(name))) return false;
    const rows = truncate(this.src.text.slice(value.arguments[0].getStart(this.src.sourceFile), value.arguments[0].end), 200);
    this.addSynthetic('unnest(', fileStart, fileEnd);
    names.forEach((name, i) => {
      if (i > 0) this.addSynthetic(', ', fileStart, fileEnd);
      this.addParameter(fileStart, fileEnd, rows);
      this.addSynthetic(`::${name}[]`, fileStart, fileEnd);
    });
    this.addSynthetic(')', fileStart, fileEnd);
    return true;
  }

  /** `Object.values(fields)` / `Object.keys(fields)`: the quoted names, when the types spell every one. */
  private objectNames(list: ts.Expression): string[] | undefined {
    if (!isCallExpression(list) || list.arguments.length !== 1) return undefined;
    const callee = dottedName(unwrap(list.expression));
    if (callee !== 'Object.values' && callee !== 'Object.keys') return undefined;
    const object = unwrap(list.arguments[0]);
    const checker = this.checked!.checker;
    const mirror = this.mirror(object);
    const type = mirror?.type ?? checker.getTypeAtLocation(object);
    const names: string[] = [];
    for (const property of checker.getPropertiesOfType(type)) {
      let name: string | undefined = property.name;
      if (callee === 'Object.values') {
        const propertyType = checker.getTypeOfSymbolAtLocation(property, object);
        name = propertyType.isStringLiteral() ? propertyType.value : undefined;
      }
      if (name === undefined) return undefined;
      names.push(mirror?.prefix ? `${quoteIdentifier(mirror.prefix)}.${quoteIdentifier(name)}` : quoteIdentifier(name));
    }
    return names.length > 0 ? names : undefined;
  }

  /**
   * postgres.js `sql(...)` in a template: `sql('name')` is a name; `sql(ids)` after IN is a list, `($1, $2)`;
   * `sql(row, 'a', 'b')` (or `sql(row)` of an object type with known keys) is `("a", "b") values ($1, $2)` after
   * INSERT INTO a table and `"a" = $1, "b" = $2` after SET; `sql(['a', 'b'])` elsewhere is a list of names.
   */
  private addPostgresHelper(value: ts.CallExpression, fileStart: number, fileEnd: number, after: string): boolean {
    const args = value.arguments.map(unwrap);
    if (args.length === 0) return false;
    const first = args[0];
    const previous = /([A-Za-z_]+)\s*$/.exec(this.assembled)?.[1]?.toLowerCase();
    const text = truncate(this.src.text.slice(first.getStart(this.src.sourceFile), first.end), 200);
    const single = args.length === 1 ? this.literalString(first) : undefined;
    if (single !== undefined) {
      this.addSynthetic(single.split('.').map(quoteIdentifier).join('.'), fileStart, fileEnd);
      return true;
    }
    const checker = this.checked?.checker;
    if (args.length === 1 && previous === 'in' && (ts.isArrayLiteralExpression(first) || (checker && checker.isArrayType(checker.getTypeAtLocation(first))))) {
      this.addSynthetic('(', fileStart, fileEnd);
      this.addParameter(fileStart, fileEnd, text);
      this.addSynthetic(', ', fileStart, fileEnd);
      this.addParameter(fileStart, fileEnd, text);
      this.addSynthetic(')', fileStart, fileEnd);
      return true;
    }
    if (args.length === 1 && ts.isArrayLiteralExpression(first)) {
      const names = first.elements.map((element) => this.literalString(unwrap(element)));
      if (names.length === 0 || names.some((name) => name === undefined)) return false;
      this.addSynthetic(names.map((name) => quoteIdentifier(name!)).join(', '), fileStart, fileEnd);
      return true;
    }
    let columns: (string | undefined)[] = args.slice(1).map((argument) => this.literalString(argument));
    if (columns.length === 1 && args[1] && checker) {
      // sql(row, columns) with `columns` an array of literal names
      const listType = checker.getTypeAtLocation(args[1]);
      if (checker.isArrayType(listType) || checker.isTupleType(listType)) {
        columns = checker.getTypeArguments(listType as ts.TypeReference).map((type) => (type.isStringLiteral() ? type.value : undefined));
      }
    }
    if (columns.length === 0 && checker) {
      let rowType = checker.getTypeAtLocation(first);
      if (checker.isArrayType(rowType)) rowType = checker.getTypeArguments(rowType as ts.TypeReference)[0];
      columns = rowType ? checker.getPropertiesOfType(rowType).map((property) => property.name) : [];
    }
    if (columns.length === 0 || columns.some((column) => column === undefined)) return false;
    const quoted = columns.map((column) => quoteIdentifier(column!));
    if (/\binsert\s+into\s+[^\s()]+\s*$/i.test(this.assembled)) {
      this.addSynthetic(`(${quoted.join(', ')}) values (`, fileStart, fileEnd);
      quoted.forEach((_, i) => {
        if (i > 0) this.addSynthetic(', ', fileStart, fileEnd);
        this.addParameter(fileStart, fileEnd, text);
      });
      this.addSynthetic(')', fileStart, fileEnd);
      return true;
    }
    if (previous === 'set') {
      quoted.forEach((column, i) => {
        this.addSynthetic(`${i > 0 ? ', ' : ''}${column} = `, fileStart, fileEnd);
        this.addParameter(fileStart, fileEnd, text);
      });
      return true;
    }
    return false;
  }

  private addParameterIfValue(value: ts.Expression, fileStart: number, fileEnd: number, after: string): void {
    if (!substitutionTakesValue(this.assembled, after)) {
      throw this.notStatic(value, ', where a name or a piece of SQL belongs');
    }
    this.addParameter(fileStart, fileEnd, truncate(this.src.text.slice(value.getStart(this.src.sourceFile), value.end), 200));
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
   * Whether the called function's first parameter is not SQL text and its second is, by their names (`query(
   * connectionString, text, values)`): from the checker's signature, or without it from a function of this file.
   */
  private takesTextSecond(call: ts.CallExpression): boolean {
    let names: string[] | undefined;
    if (this.checked) {
      try {
        names = this.checked.checker.getResolvedSignature(call)?.getParameters().map((parameter) => parameter.name);
      } catch {
        names = undefined;
      }
    } else if (isIdentifier(call.expression)) {
      const name = idText(call.expression);
      const declaration = this.sourceFile.statements.find(
        (statement): statement is ts.FunctionDeclaration => ts.isFunctionDeclaration(statement) && statement.name?.text === name,
      );
      names = declaration?.parameters.map((parameter) => (isIdentifier(parameter.name) ? idText(parameter.name) : ''));
    }
    return names !== undefined && names.length >= 2 && !SQL_TEXT_PARAMETER.test(names[0]) && SQL_TEXT_PARAMETER.test(names[1]);
  }

  /** `format('...', args)` of pg-format with its text written in place, given as is or through a const of the file. */
  private pgFormatCall(argument: ts.Expression): ts.CallExpression | undefined {
    let expression = argument;
    if (isIdentifier(expression)) expression = this.binding(idText(expression), expression) ?? expression;
    if (!isCallExpression(expression) || expression.arguments.length === 0 || !isIdentifier(expression.expression)) return undefined;
    const text = unwrap(expression.arguments[0]);
    if (!isStringLiteral(text) && !isNoSubstitutionTemplateLiteral(text)) return undefined;
    const name = idText(expression.expression);
    const imported = new RegExp(`(?:import\\s+${name}\\s+from|import\\s*\\*\\s*as\\s+${name}\\s+from|(?:const|let|var)\\s+${name}\\s*=\\s*require\\s*\\()\\s*['"]pg-format['"]`);
    return imported.test(this.text) ? expression : undefined;
  }

  /**
   * pg-format's `%L` (a literal: planned as `$n`), `%I` (an identifier: quoted from a string the file writes) and `%s`
   * (text: pasted from a string or number the file writes), `%%`, and positional `%2$L`. pg-format replaces them
   * anywhere in the text, quotes included. Returns the reason when a name or text is only known at run time.
   */
  private bindPgFormat(formatArguments: readonly ts.Expression[]): string | undefined {
    let literalText = '';
    for (const piece of this.pieces) {
      if (piece.kind === 'text') literalText += piece.text;
      else if (piece.kind === 'parameter') literalText += '$0';
    }
    const replacements: { at: number; length: number; pieces: Piece[] }[] = [];
    const pattern = /%(%|(\d+)\$([ILs])|([ILs]))/g;
    let sequential = 0;
    for (let match = pattern.exec(literalText); match; match = pattern.exec(literalText)) {
      if (match[1] === '%') {
        replacements.push({ at: match.index, length: 2, pieces: [{ kind: 'text', text: '%', segments: [] }] });
        continue;
      }
      const conversion = match[3] ?? match[4];
      const index = match[2] !== undefined ? Number(match[2]) - 1 : sequential++;
      const argument = formatArguments[index] ? unwrap(formatArguments[index]) : undefined;
      const written = argument ? truncate(this.text.slice(argument.getStart(this.sourceFile), argument.end)) : match[0];
      if (conversion === 'L') {
        const fileStart = argument ? argument.getStart(this.sourceFile) : 0;
        replacements.push({ at: match.index, length: match[0].length, pieces: [{ kind: 'parameter', fileStart, fileEnd: argument ? argument.end : 0, expressionText: written }] });
        continue;
      }
      const known = argument ? this.writtenString(argument) : undefined;
      if (known === undefined) {
        return conversion === 'I'
          ? `SQL built at run time from \`${written}\`, a name pg-format fills in: cannot be known statically`
          : `SQL built at run time from \`${written}\`, text pg-format pastes in: cannot be known statically`;
      }
      replacements.push({ at: match.index, length: match[0].length, pieces: [{ kind: 'text', text: conversion === 'I' ? quoteIdentifier(known) : known, segments: [] }] });
    }
    if (replacements.length > 0) this.pieces = replacePieceText(this.pieces, replacements);
    return undefined;
  }

  /** A string or number the file writes for `expression`: a literal, or a const of the file bound to one. */
  private writtenString(expression: ts.Expression): string | undefined {
    const value = isIdentifier(expression) ? this.binding(idText(expression), expression) : expression;
    if (!value) return undefined;
    if (isStringLiteral(value) || isNoSubstitutionTemplateLiteral(value) || isNumericLiteral(value)) return value.text;
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
    const { positions, hasIdentifierBinding, identifierPositions } = questionMarkPlaceholders(literalText);
    let names = new Map<number, string>();
    if (onlyIfUnambiguous) {
      if (hasIdentifierBinding || !positions.every((at) => isPlaceholderPosition(literalText, at))) return undefined;
    } else if (hasIdentifierBinding) {
      const known = this.knexIdentifierBindings(positions, identifierPositions);
      if (!known) return 'SQL with a `??` identifier binding, filled in at run time: cannot be known statically';
      names = known;
    }
    if (positions.length === 0 && names.size === 0) return undefined;
    if (names.size > 0) {
      // `??` and `?` in the order knex fills them; a `??` is two characters of the text and becomes the quoted name.
      positions.push(...names.keys());
      positions.sort((a, b) => a - b);
    }
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
        const name = names.get(positions[p]);
        const at = positions[p++] - offset;
        if (at > from) split.push(slicePiece(piece, from, at));
        const fileAt = fileOffsetInPiece(piece, at);
        if (name !== undefined) {
          // the whole name maps to the two characters of its `??`, as an escape maps to its backslash sequence
          split.push({ kind: 'text', text: name, segments: [{ sqlStart: 0, fileStart: fileAt, length: name.length, fileLength: 2 }] });
          from = at + 2;
          continue;
        }
        split.push({ kind: 'parameter', fileStart: fileAt, fileEnd: fileAt + 1, expressionText: '?' });
        from = at + 1;
      }
      if (from < piece.text.length) split.push(from === 0 ? piece : slicePiece(piece, from, piece.text.length));
      offset += piece.text.length;
    }
    this.pieces = split;
    return undefined;
  }

  /**
   * The names knex fills in for each `??` (by its position in the text) from raw()'s bindings written as an array
   * (`knex.raw('select ?? from ?? where id = ?', ['name', 'users', id])`): each `?` and `??` takes the next element,
   * and a `??` element must be a string the file writes; knex quotes each dotted part. Undefined when any is not.
   */
  private knexIdentifierBindings(valuePositions: number[], identifierPositions: number[]): Map<number, string> | undefined {
    const list = this.knexBindings && unwrap(this.knexBindings);
    if (!list || !ts.isArrayLiteralExpression(list) || list.elements.some((element) => ts.isSpreadElement(element))) return undefined;
    const order = [...valuePositions.map((at) => ({ at, name: false })), ...identifierPositions.map((at) => ({ at, name: true }))].sort((a, b) => a.at - b.at);
    if (order.length !== list.elements.length) return undefined;
    const names = new Map<number, string>();
    for (const [index, { at, name }] of order.entries()) {
      if (!name) continue;
      const written = this.writtenString(unwrap(list.elements[index]));
      if (written === undefined || !/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)*$/.test(written)) return undefined;
      names.set(at, written.split('.').map((part) => quoteIdentifier(part)).join('.'));
    }
    return names;
  }

  /** File range of a literal's content (without quotes), or of any other expression. */
  private contentRange(node: ts.Node): [number, number] {
    const expression = unwrap(node as ts.Expression);
    switch (expression.kind) {
      case SK.StringLiteral: {
        const start = expression.getStart(this.src.sourceFile);
        const quote = this.src.text.charCodeAt(start);
        const closed = expression.end - 1 > start && this.src.text.charCodeAt(expression.end - 1) === quote;
        return [start + 1, closed ? expression.end - 1 : expression.end];
      }
      case SK.NoSubstitutionTemplateLiteral:
      case SK.TemplateExpression:
        return [expression.getStart(this.src.sourceFile) + 1, templateEnd(this.src.text, expression as ts.TemplateLiteral)];
      case SK.BinaryExpression: {
        const binary = expression as ts.BinaryExpression;
        return [this.contentRange(binary.left)[0], this.contentRange(binary.right)[1]];
      }
      default:
        return [expression.getStart(this.src.sourceFile), expression.end];
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

/**
 * `pieces` with ranges of their joined text (a parameter counting as the two characters `$0`) replaced by other pieces;
 * the ranges are sorted and each lies inside one text piece.
 */
function replacePieceText(pieces: Piece[], replacements: { at: number; length: number; pieces: Piece[] }[]): Piece[] {
  const result: Piece[] = [];
  let offset = 0;
  let r = 0;
  for (const piece of pieces) {
    if (piece.kind !== 'text') {
      result.push(piece);
      if (piece.kind === 'parameter') offset += 2;
      continue;
    }
    let from = 0;
    while (r < replacements.length && replacements[r].at < offset + piece.text.length) {
      const { at, length, pieces: replacing } = replacements[r++];
      const start = at - offset;
      if (start > from) result.push(slicePiece(piece, from, start));
      result.push(...replacing);
      from = Math.min(piece.text.length, start + length);
    }
    if (from < piece.text.length) result.push(from === 0 ? piece : slicePiece(piece, from, piece.text.length));
    offset += piece.text.length;
  }
  return result;
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
