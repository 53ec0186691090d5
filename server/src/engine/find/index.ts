// Finding SQL in files: .sql scripts statement by statement, JS/TS files through their syntax tree. Every
// site keeps the segments that map its SQL text back to the file, so a finding on any part of a statement
// lands on the exact characters the user wrote.

import ts = require('typescript');
import type { InlinedConstant, SkippedSite, SourceSegment, SqlSite } from '../types';
import { databaseLabel, isPostgres } from './databaseNames';
import { noteTablesCreatedByBuilders } from './builderTables';
import { DatabaseResolver, databaseOfPath, type DatabaseDecision, type DatabaseSettings } from './databaseOf';
import { readPgPromiseFormatting } from './pgPromiseFormat';
import { foreignDialectOf, lineOf } from './sqlDialect';
import { findSqlInSqlFile } from './sqlFile';
import { readsAsSqlStatement } from './sqlLexer';
import { typeContextTextsVersion } from './typeContext';
import { findSqlInTypeScript, noteReusedReading, scriptKindOf, type RecentSourceFiles } from './typescript';

export interface FindOptions {
  /** Template tags whose templates are SQL, by dotted name; `*` stands for any dotted path (`*.sql`). */
  tags: string[];
  /** Functions and methods whose first argument is SQL when it reads as SQL: `query`, `execute`, ... */
  functions: string[];
  /** Tags never taken for PostgreSQL (SQL for another database); same pattern syntax as `tags`. */
  excludeTags: string[];
  /**
   * The type context (find/typeContext.ts) handed from the CLI or the language server: with it, the TypeScript
   * checker decides what each `${expr}` of a template is. Typed `unknown` so this module does not load TypeScript.
   */
  program?: unknown;
  /**
   * pglens.json `databases` and the workspace root (databaseOf.ts): which database a file's SQL is for. Without it,
   * packages and dialect markers still decide, but no project module is read.
   */
  databases?: DatabaseSettings;
}

export interface FindOptionsInput {
  /** Replaces the default tags. */
  tags?: string[];
  /** Replaces the default functions. */
  functions?: string[];
  extraTags?: string[];
  extraFunctions?: string[];
  excludeTags?: string[];
  databases?: DatabaseSettings;
}

export const DEFAULT_FIND_OPTIONS: Readonly<FindOptions> = Object.freeze({
  tags: [
    'sql', // postgres.js, slonik, kysely, drizzle, @vercel/postgres, pg-sql2 ...
    'SQL', // sql-template-strings
    '*.sql', // db.sql, this.db.sql
    'sql.*', // slonik sql.fragment`...`, sql.unsafe`...`, sql.type(Row)`...`
    'Prisma.sql',
    '*.$queryRaw',
    '*.$executeRaw',
  ],
  functions: [
    'query',
    'execute',
    'raw',
    '$queryRawUnsafe',
    '$executeRawUnsafe',
    'many',
    'one',
    'maybeOne',
    'any',
    'none',
    'oneOrNone',
    'manyOrNone',
    'result',
    'queryOne',
    'queryMany',
    'pgm.sql', // node-pg-migrate migrations: pgm.sql('CREATE INDEX CONCURRENTLY ...')
  ],
  excludeTags: [],
});

export function resolveFindOptions(input: FindOptionsInput = {}): FindOptions {
  return {
    tags: unique([...(input.tags ?? DEFAULT_FIND_OPTIONS.tags), ...(input.extraTags ?? [])]),
    functions: unique([...(input.functions ?? DEFAULT_FIND_OPTIONS.functions), ...(input.extraFunctions ?? [])]),
    excludeTags: unique([...(input.excludeTags ?? DEFAULT_FIND_OPTIONS.excludeTags)]),
    ...(input.databases ? { databases: input.databases } : {}),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter((value) => value.length > 0))];
}

export const SQL_FILE_EXTENSIONS: readonly string[] = ['.sql'];
export const SCRIPT_FILE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];

function extensionOf(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dot = file.lastIndexOf('.');
  return dot > slash ? file.slice(dot).toLowerCase() : '';
}

/** Declaration files only describe types; they hold no SQL that runs. */
function isDeclarationFile(file: string): boolean {
  return /\.d\.[mc]?ts$/i.test(file);
}

export function findSqlInFile(
  file: string,
  text: string,
  options: FindOptions = DEFAULT_FIND_OPTIONS,
  recentSourceFiles?: RecentSourceFiles,
): { sites: SqlSite[]; skipped: SkippedSite[] } {
  const extension = extensionOf(file);
  // A .sql file holding pg-promise's variables is one of its query files (QueryFile): read as pg-promise fills them in.
  if (SQL_FILE_EXTENSIONS.includes(extension)) return withPgPromiseFormatting(findSqlOfPostgresInSqlFile(file, text, options), () => true);
  if (SCRIPT_FILE_EXTENSIONS.includes(extension) && !isDeclarationFile(file)) {
    try {
      const readings = recentSourceFiles ? readingsOf(recentSourceFiles) : undefined;
      const reused = readings?.reuse(file, text);
      if (reused) {
        noteReusedReading(file, text, options);
        return withExpressions(text, reused);
      }
      const found = withoutOtherDatabases(file, text, findSqlInTypeScript(file, text, options, recentSourceFiles), options);
      noteTablesCreatedByBuilders(text, found.sites);
      readings?.remember(file, text, found);
      return withExpressions(text, found);
    } catch (error) {
      // TypeScript's parser and the finder's walks recurse on nesting: 20,000 nested parentheses or 3,000 nested
      // templates overflow the stack. That file is one skip; every other file is still checked.
      if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
      return { sites: [], skipped: [{ file, fileStart: 0, fileEnd: text.length, reason: 'nesting too deep to read the syntax tree' }] };
    }
  }
  return { sites: [], skipped: [] };
}

// ---------------------------------------------------------------------------------------------------------
// An edit inside one template's SQL (language server): the last reading of the file, moved, instead of reading it again.
//
// Typing in a statement changes the text of one template and nothing else: no type (the text of a tagged template or
// of a template argument is no type's source), no other site, no import. Finding a 3,000-line file again costs a new
// type checker and two walks of every site (docs/benchmarks.md, "Language server"); the last reading of the file gives
// the same sites with that one text changed and the offsets after it moved. It is reused only when that is certain:
// - nothing the type contexts know changed since (typeContextTextsVersion: no other file's edit, no forgotten text),
//   and the reading is at most READING_REUSE_MS old (what databaseOf.ts learns from the disk is kept 2 s);
// - the change lies strictly inside one stretch copied verbatim from a template (between backticks) of one site that
//   has no `${}`, no inlined constant, no variant, no assembled text: its SQL is exactly its template's text;
// - no other site, skip, parameter, inlined constant or stretch touches the change, and the change holds no character
//   that could end or open anything (backtick, `$`, braces, backslash), no `?` (a placeholder some calls bind) and no
//   line break (reasons name lines);
// - the new text still reads as a statement and names no other database's dialect (as withoutOtherDatabases asks).
// Anything else is read again from the start. test/find/findReuse.test.ts compares each reuse with a fresh reading.

const READING_REUSE_MS = 30_000;
const READINGS_KEPT = 8;
/** Characters that, typed or deleted, may change more than one template's text (or a line number). */
const STRUCTURAL = /[`$\\{}?\r\n\u2028\u2029]/;

interface Reading {
  text: string;
  sites: SqlSite[];
  /** Before withExpressions (which fills `expression` in place). */
  skipped: SkippedSite[];
  version: number;
  readAt: number;
}

class RecentReadings {
  private readonly readings = new Map<string, Reading>();

  remember(file: string, text: string, found: { sites: SqlSite[]; skipped: SkippedSite[] }): void {
    this.readings.delete(file);
    this.readings.set(file, { text, sites: found.sites, skipped: found.skipped.map((skip) => ({ ...skip })), version: typeContextTextsVersion(), readAt: Date.now() });
    if (this.readings.size > READINGS_KEPT) this.readings.delete(this.readings.keys().next().value!);
  }

  /** The reading of `text` from the last one of the file, or undefined when the file must be read again. */
  reuse(file: string, text: string): { sites: SqlSite[]; skipped: SkippedSite[] } | undefined {
    const last = this.readings.get(file);
    if (!last) return undefined;
    if (last.version !== typeContextTextsVersion() || Date.now() - last.readAt > READING_REUSE_MS) {
      this.readings.delete(file);
      return undefined;
    }
    const moved = last.text === text ? { sites: last.sites, skipped: last.skipped } : movedReading(last, text);
    if (!moved) return undefined;
    last.text = text;
    last.sites = moved.sites;
    last.skipped = moved.skipped;
    return { sites: [...moved.sites], skipped: moved.skipped.map((skip) => ({ ...skip })) };
  }
}

const recentReadings = new WeakMap<RecentSourceFiles, RecentReadings>();

/** The readings kept beside an incremental engine's syntax trees (same owner, same lifetime). */
function readingsOf(owner: RecentSourceFiles): RecentReadings {
  let readings = recentReadings.get(owner);
  if (!readings) {
    readings = new RecentReadings();
    recentReadings.set(owner, readings);
  }
  return readings;
}

function movedReading(last: Reading, text: string): { sites: SqlSite[]; skipped: SkippedSite[] } | undefined {
  const before = last.text;
  const shorter = Math.min(before.length, text.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === text.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < shorter - start && before.charCodeAt(before.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const end = before.length - suffix;
  const inserted = text.slice(start, text.length - suffix);
  if (STRUCTURAL.test(inserted) || STRUCTURAL.test(before.slice(start, end))) return undefined;
  const delta = inserted.length - (end - start);
  const touches = (from: number, to: number) => from <= end && to >= start;

  let edited: { index: number; segment: SourceSegment } | undefined;
  for (let index = 0; index < last.sites.length; index++) {
    const site = last.sites[index];
    const inside = site.fileStart <= start && end <= site.fileEnd;
    if (!inside && !touches(site.fileStart, site.fileEnd) && !reachesInto(site, touches)) continue;
    // The one site around the change, a plain template (see above); anything else touching it: read again.
    if (!inside || edited || site.parameters.length > 0 || (site.inlinedConstants?.length ?? 0) > 0 || site.assembled || site.variant !== undefined) return undefined;
    if (site.origin !== 'tagged-template' && site.origin !== 'call-argument') return undefined;
    if (before.charCodeAt(site.fileStart - 1) !== 96 || before.charCodeAt(site.fileEnd) !== 96) return undefined; // backticks
    const around = site.segments.filter((segment) => touches(segment.fileStart, segment.fileStart + (segment.fileLength ?? segment.length)));
    const segment = around[0];
    if (around.length !== 1 || segment.fileLength !== undefined) return undefined;
    // Strictly inside the stretch, or at an end of it that is the template's own (right after or before a backtick).
    const segmentEnd = segment.fileStart + segment.length;
    const fromStart = segment.fileStart < start || (start === site.fileStart && segment.fileStart === site.fileStart && segment.sqlStart === 0);
    const toEnd = end < segmentEnd || (end === site.fileEnd && segmentEnd === site.fileEnd && segment.sqlStart + segment.length === site.text.length);
    if (!fromStart || !toEnd) return undefined;
    if (before.slice(segment.fileStart, segment.fileStart + segment.length) !== site.text.slice(segment.sqlStart, segment.sqlStart + segment.length)) return undefined;
    edited = { index, segment };
  }
  if (!edited) return undefined;
  if (last.skipped.some((skip) => touches(skip.fileStart, skip.fileEnd))) return undefined;

  const site = last.sites[edited.index];
  const at = edited.segment.sqlStart + (start - edited.segment.fileStart);
  const sqlText = site.text.slice(0, at) + inserted + site.text.slice(at + (end - start));
  if (!readsAsSqlStatement(sqlText, true) || foreignDialectOf(sqlText, 'code')) return undefined;

  const moved = (offset: number) => (offset >= end ? offset + delta : offset);
  const sites = last.sites.map((other, index) => {
    if (index === edited!.index) {
      return {
        ...other,
        text: sqlText,
        fileEnd: other.fileEnd + delta,
        segments: other.segments.map((segment) =>
          segment === edited!.segment
            ? { ...segment, length: segment.length + delta }
            : segment.sqlStart > edited!.segment.sqlStart
              ? { ...segment, sqlStart: segment.sqlStart + delta, fileStart: moved(segment.fileStart) }
              : segment,
        ),
      };
    }
    if (other.fileStart < end && !reachesPast(other, end)) return other;
    return {
      ...other,
      fileStart: moved(other.fileStart),
      fileEnd: moved(other.fileEnd),
      segments: other.segments.map((segment) => (segment.fileStart >= end ? { ...segment, fileStart: segment.fileStart + delta } : segment)),
      parameters: other.parameters.map((parameter) => (parameter.fileStart >= end ? { ...parameter, fileStart: parameter.fileStart + delta, fileEnd: parameter.fileEnd + delta } : parameter)),
      ...(other.inlinedConstants ? { inlinedConstants: other.inlinedConstants.map((inlined) => (inlined.fileStart >= end ? { ...inlined, fileStart: inlined.fileStart + delta, fileEnd: inlined.fileEnd + delta } : inlined)) } : {}),
    };
  });
  const skipped = last.skipped.map((skip) => (skip.fileStart >= end ? { ...skip, fileStart: skip.fileStart + delta, fileEnd: skip.fileEnd + delta } : skip));
  return { sites, skipped };
}

/** Whether any stretch, parameter or inlined constant of `site` (which may lie outside its range) touches the change. */
function reachesInto(site: SqlSite, touches: (from: number, to: number) => boolean): boolean {
  return (
    site.segments.some((segment) => touches(segment.fileStart, segment.fileStart + (segment.fileLength ?? segment.length))) ||
    site.parameters.some((parameter) => touches(parameter.fileStart, parameter.fileEnd)) ||
    (site.inlinedConstants ?? []).some((inlined) => touches(inlined.fileStart, inlined.fileEnd))
  );
}

/** Whether anything of `site` lies at or after `offset` in the file (its stretches may be read from further down). */
function reachesPast(site: SqlSite, offset: number): boolean {
  return (
    site.fileEnd >= offset ||
    site.segments.some((segment) => segment.fileStart >= offset) ||
    site.parameters.some((parameter) => parameter.fileStart >= offset) ||
    (site.inlinedConstants ?? []).some((inlined) => inlined.fileStart >= offset)
  );
}

// ---------------------------------------------------------------------------------------------------------
// The expression a skip could not know, for JSON's `expression` and `--verbose`: the finder names it in the reason
// ("SQL built at run time from `buildWhere()`: cannot be known statically"); it is taken from there when the reason
// has that form and the quoted text is found in the site or else in the file as written (whitespace collapsed, as the
// reason quotes it) or names where it was read ("from `x` (helpers.ts:12)"). A reason quoting anything else gives no expression.

const QUOTING_REASON = /^SQL (?:built at run time (?:from|by)|passed in) `/;

function withExpressions(text: string, found: { sites: SqlSite[]; skipped: SkippedSite[] }): { sites: SqlSite[]; skipped: SkippedSite[] } {
  let fileText: string | undefined;
  for (const skip of found.skipped) {
    if (skip.expression !== undefined || !QUOTING_REASON.test(skip.reason)) continue;
    // A fragment kept in a const of the same file is read where it was written, outside the site's range.
    fileText ??= text.replace(/\s+/g, ' ');
    const expression = expressionOfReason(skip.reason, text.slice(skip.fileStart, skip.fileEnd), fileText);
    if (expression) skip.expression = expression;
  }
  return found;
}

/** The expression a reason quotes (see above), or undefined; `elsewhere` is more text it may be written in (the file). */
export function expressionOfReason(reason: string, siteText: string, elsewhere = ''): string | undefined {
  const opening = QUOTING_REASON.exec(reason);
  if (!opening) return undefined;
  const start = opening[0].length;
  const written = siteText.replace(/\s+/g, ' ');
  // The quoted text may itself hold backticks (a template): the longest candidate the code contains wins.
  for (const where of [written, elsewhere]) {
    for (let end = reason.lastIndexOf('`'); end > start; end = reason.lastIndexOf('`', end - 1)) {
      const quoted = reason.slice(start, end);
      const shown = quoted.endsWith('…') ? quoted.slice(0, -1) : quoted;
      if (shown.length > 0 && where.includes(shown)) return quoted;
    }
  }
  // Read in another module through the checker: the reason says where (`from \`x\` (helpers.ts:12)`).
  return /^((?:[^`]|`(?! \())+)` \([^()]+:\d+\)/.exec(reason.slice(start))?.[1];
}

// ---------------------------------------------------------------------------------------------------------
// Which database: SQL of another database is dropped here, before parsing, with one skip per file and database.

/** A .sql file's statements, or none and one skip when the file is another database's (config, a dialect marker, its folder's other scripts). */
function findSqlOfPostgresInSqlFile(file: string, text: string, options: FindOptions): { sites: SqlSite[]; skipped: SkippedSite[] } {
  const byPath = databaseOfPath(file, options.databases);
  if (byPath && !isPostgres(byPath.database)) return { sites: [], skipped: [notChecked(file, 0, text.length, byPath, 0)] };
  const sites = findSqlInSqlFile(file, text);
  // A path configured as PostgreSQL's is read as PostgreSQL whatever it holds.
  if (byPath || sites.length === 0) return { sites, skipped: [] };
  const marker = foreignDialectOf(text);
  // No marker of its own: a migration whose folder is another database's (a plain DROP TABLE among ClickHouse files).
  const resolver = resolverFor(options.databases);
  const decision = marker
    ? { database: marker.database, because: `${marker.marker} at line ${lineOf(text, marker.offset)}` }
    : (resolver.databaseOfPrismaScript(file) ?? resolver.databaseOfFolder(file) ?? resolver.databaseOfPathName(file));
  if (!decision) return { sites, skipped: [] };
  const first = sites[0];
  return { sites: [], skipped: [notChecked(file, first.fileStart, first.fileEnd, decision, 0)] };
}

const resolvers = new WeakMap<DatabaseSettings, DatabaseResolver>();
const resolverWithoutSettings = new DatabaseResolver(undefined);

function resolverFor(settings: DatabaseSettings | undefined): DatabaseResolver {
  if (!settings) return resolverWithoutSettings;
  let resolver = resolvers.get(settings);
  if (!resolver) {
    resolver = new DatabaseResolver(settings);
    resolvers.set(settings, resolver);
  }
  return resolver;
}

/** The sites of a JS/TS file that talk to PostgreSQL (or to a database nobody could tell); the others become skips. */
function withoutOtherDatabases(
  file: string,
  text: string,
  found: { sites: SqlSite[]; skipped: SkippedSite[]; sourceFile?: ts.SourceFile },
  options: FindOptions,
): { sites: SqlSite[]; skipped: SkippedSite[] } {
  const { sites, skipped } = found;
  if (sites.length === 0) return { sites, skipped };
  const byPath = databaseOfPath(file, options.databases);
  let decisions: (DatabaseDecision | undefined)[];
  if (byPath) decisions = sites.map(() => byPath);
  else {
    const sourceFile = found.sourceFile ?? ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(file) ?? ts.ScriptKind.TS);
    try {
      decisions = resolverFor(options.databases).decideSites(file, sourceFile, sites);
    } catch (error) {
      // Nesting too deep to follow decides nothing: the sites stay PostgreSQL's, as they were before.
      if (!(error instanceof RangeError)) throw error;
      decisions = sites.map(() => undefined);
    }
    // SQL whose origin nothing decided may still say what it is: `ENGINE = MergeTree`, backticks, `toStartOfDay(`.
    decisions = decisions.map((decision, index) => {
      if (decision) return decision;
      const marker = foreignDialectOf(sites[index].text, 'code');
      return marker ? { database: marker.database, because: `${marker.marker} in the SQL` } : undefined;
    });
  }
  const kept: SqlSite[] = [];
  // pg-promise's variables (`'... ${id}'` in a normal string) are read where pg-promise or nothing known runs the SQL;
  // with another client (node-postgres, slonik) `${id}` in a normal string goes to PostgreSQL as written: an error.
  const formattedByPgPromise = new Set<SqlSite>();
  const dropped = new Map<string, { site: SqlSite; decision: DatabaseDecision; count: number }>();
  sites.forEach((site, index) => {
    const decision = decisions[index];
    if (!decision || isPostgres(decision.database)) {
      kept.push(site);
      if (decision?.source === undefined || decision.source === 'pg-promise') formattedByPgPromise.add(site);
      // pg-promise pastes every value into the text itself, `$1` too.
      if (decision?.source === 'pg-promise') site.valuesPastedBy = 'pg-promise';
      return;
    }
    site.database = decision.database;
    const entry = dropped.get(decision.database);
    if (entry) entry.count++;
    else dropped.set(decision.database, { site, decision, count: 1 });
  });
  if (dropped.size === 0) return withPgPromiseFormatting({ sites, skipped }, (site) => formattedByPgPromise.has(site));
  const notCheckedSkips = [...dropped.values()].map(({ site, decision, count }) => notChecked(file, site.fileStart, site.fileEnd, decision, count));
  return withPgPromiseFormatting(
    { sites: kept, skipped: [...skipped, ...notCheckedSkips].sort((a, b) => a.fileStart - b.fileStart) },
    (site) => formattedByPgPromise.has(site),
  );
}

/** Sites holding pg-promise's formatting variables read as pg-promise fills them in (pgPromiseFormat.ts), or skipped. */
function withPgPromiseFormatting(
  found: { sites: SqlSite[]; skipped: SkippedSite[] },
  formatted: (site: SqlSite) => boolean,
): { sites: SqlSite[]; skipped: SkippedSite[] } {
  if (!found.sites.some((site) => site.text.includes('$') && formatted(site))) return found;
  const sites: SqlSite[] = [];
  const skipped = [...found.skipped];
  for (const site of found.sites) {
    const read = formatted(site) ? readPgPromiseFormatting(site) : undefined;
    if (read === undefined) sites.push(site);
    else if ('text' in read) sites.push(read);
    else if (!skipped.some((other) => other.fileStart === read.fileStart && other.reason === read.reason)) skipped.push(read);
  }
  skipped.sort((a, b) => a.fileStart - b.fileStart);
  return { sites, skipped };
}

/** "ClickHouse SQL (tag `sql` from ./clickhouse, which imports @clickhouse/client): not checked (3 sites)" */
function notChecked(file: string, fileStart: number, fileEnd: number, decision: DatabaseDecision, count: number): SkippedSite {
  const sites = count > 1 ? ` (${count} sites)` : '';
  return { file, fileStart, fileEnd, reason: `${databaseLabel(decision.database)} SQL (${decision.because}): not checked${sites}` };
}

/**
 * The file offset of `sqlOffset` in `site.text`. Inside a `$n` that stands for `${expr}`, the `${`; inside
 * an escape sequence, its backslash; in text that was not copied from the file, the end of the nearest
 * stretch before it (or the site's start).
 */
export function mapSqlOffsetToFile(site: SqlSite, sqlOffset: number): number {
  const parameter = parameterAt(site, sqlOffset);
  if (parameter) return parameter.fileStart;
  const segments = site.segments;
  const index = lastSegmentStartingAtOrBefore(segments, sqlOffset);
  const segment = index >= 0 ? segments[index] : undefined;
  if (segment) {
    const delta = sqlOffset - segment.sqlStart;
    if (delta < segment.length) return segment.fileLength === undefined ? segment.fileStart + delta : segment.fileStart;
  }
  // Synthesised text (or the very end): the end of whatever came before, a stretch or a `${expr}`.
  const previousParameter = lastParameterBefore(site, sqlOffset);
  if (previousParameter && (!segment || previousParameter.sqlStart > segment.sqlStart)) return previousParameter.fileEnd;
  return segment ? segmentFileEnd(segment) : site.fileStart;
}

function lastParameterBefore(site: SqlSite, sqlOffset: number): SqlSite['parameters'][number] | undefined {
  let found: SqlSite['parameters'][number] | undefined;
  for (const parameter of site.parameters) {
    if (parameter.sqlStart + parameter.sqlLength <= sqlOffset) found = parameter;
    else break;
  }
  return found;
}

/**
 * File range of site.text[start, end): a range that ends inside or at the end of a `$n` covers all of
 * `${expr}`; an end that lies inside a constant inlined by name while the other end does not is moved to
 * the name where it is used, so the range never jumps across the file.
 */
export function mapSqlRangeToFile(site: SqlSite, start: number, end: number): { start: number; end: number } {
  if (end > start && site.inlinedConstants && site.inlinedConstants.length > 0) {
    const last = end - 1;
    const aroundStart = outermostRegionHolding(site, start, last);
    const aroundEnd = outermostRegionHolding(site, last, start);
    if (aroundStart || aroundEnd) {
      return {
        start: aroundStart ? aroundStart.fileStart : mapSqlOffsetToFile(site, start),
        end: aroundEnd ? aroundEnd.fileEnd : mapPlainRangeToFile(site, start, end).end,
      };
    }
  }
  return mapPlainRangeToFile(site, start, end);
}

/** The widest inlined constant that holds `offset` but not `other`. */
function outermostRegionHolding(site: SqlSite, offset: number, other: number): InlinedConstant | undefined {
  let found: InlinedConstant | undefined;
  for (const region of site.inlinedConstants ?? []) {
    const holds = offset >= region.sqlStart && offset < region.sqlEnd;
    const holdsOther = other >= region.sqlStart && other < region.sqlEnd;
    if (holds && !holdsOther && (!found || region.sqlEnd - region.sqlStart > found.sqlEnd - found.sqlStart)) found = region;
  }
  return found;
}

function mapPlainRangeToFile(site: SqlSite, start: number, end: number): { start: number; end: number } {
  const fileStart = mapSqlOffsetToFile(site, start);
  if (end <= start) return { start: fileStart, end: fileStart };
  const last = Math.min(end, site.text.length) - 1;
  let fileEnd: number;
  if (last < start) {
    fileEnd = fileStart;
  } else {
    const parameter = parameterAt(site, last);
    if (parameter) fileEnd = parameter.fileEnd;
    else {
      const index = lastSegmentStartingAtOrBefore(site.segments, last);
      const segment = index >= 0 ? site.segments[index] : undefined;
      if (segment && last - segment.sqlStart < segment.length) {
        fileEnd = segment.fileLength === undefined ? segment.fileStart + (last - segment.sqlStart) + 1 : segmentFileEnd(segment);
      } else fileEnd = mapSqlOffsetToFile(site, last); // synthesised: the end of what came before
    }
  }
  return { start: fileStart, end: Math.max(fileStart, fileEnd) };
}

function segmentFileEnd(segment: SourceSegment): number {
  return segment.fileStart + (segment.fileLength ?? segment.length);
}

function parameterAt(site: SqlSite, sqlOffset: number): SqlSite['parameters'][number] | undefined {
  for (const parameter of site.parameters) {
    if (sqlOffset >= parameter.sqlStart && sqlOffset < parameter.sqlStart + parameter.sqlLength) return parameter;
    if (parameter.sqlStart > sqlOffset) break;
  }
  return undefined;
}

/** Binary search over segments sorted by sqlStart. */
function lastSegmentStartingAtOrBefore(segments: SourceSegment[], sqlOffset: number): number {
  let low = 0;
  let high = segments.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (segments[mid].sqlStart <= sqlOffset) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

export { findSqlInSqlFile, splitSqlStatements } from './sqlFile';
export { findSqlInTypeScript } from './typescript';
