// The engine's front door: a file's text in, located findings out. The CLI and the language server both call
// `Engine.analyzeFile`, so the editor and CI can never disagree.

import * as path from 'node:path';
import picomatch from 'picomatch';
import { ADVISED_RULES, adviceIsReady, adviseStatementCached, advisorSettings, applyAdvice, indexFixStamp, INDEX_FIX_REUSE_MS, withdrawsFinding, type AdviseInput, type AdvisorSettings } from './advise/index';
import type { PglensConfig, RuleSetting } from './config';
import { isDatabaseFailure, withReadOnlyTransaction, type DatabaseClient } from './db/client';
import { explainStatement, isExplainable, PlanningError } from './db/explain';
import { LockedRelations } from './db/lockedRelations';
import { readSchemaFacts, SCHEMA_READ_TIMEOUT_MS, type SchemaFacts } from './db/schemaFacts';
import { directivesFor, isIgnored, readDirectives } from './directives';
import { findSqlInFile, mapSqlRangeToFile, resolveFindOptions, type FindOptions } from './find/index';
import { otherToolPlaceholderAt } from './sqlText';
import { databaseSettingsOf } from './find/databaseOf';
import { RecentSourceFiles } from './find/typescript';
import { loadParser, SiteParser, type AstNode, type ParsedStatement } from './parse/parse';
import type { ExplainedPlan } from './plan/model';
import { PlanCache } from './plan/cache';
import { allRules, planErrorMeta, syntaxErrorMeta } from './rules/index';
import { ruleDefaultOptions, ruleDocsUrl, type MigrationContext, type Rule, type RuleOptionValue, type RuleReport } from './rules/rule';
import { assessEmbeddedSchema, loadKnownRelations, relationNamesOf, SchemaCoverage, type EmbeddedSchemaOrigin, type SchemaAssessment } from './schemaCoverage';
import type { RuntimeCost } from './snapshot/match';
import { LineIndex } from './text';
import type { Finding, SkippedSite, SourceRange, SqlSite } from './types';
import { setFindingHeadline, textOfReport } from './findingText';

export interface EngineOptions {
  config: PglensConfig;
  /** Real or embedded database; without one only static rules run. */
  database?: DatabaseClient;
  /** Decides whether a file is a migration (lock rules); provided by the locks module. */
  migrationContextFor?: (file: string, text: string) => MigrationContext | undefined;
  log?: (message: string) => void;
  /**
   * The engine will see the same files again and again (an editor): it keeps the syntax trees of the last files, the
   * parse trees of recent SQL texts and the plan rules' reports, so that a re-analysis works only on what changed.
   * Off for a one-pass run (`pglens check`), where it would only hold memory.
   */
  incremental?: boolean;
}

export interface AnalyzedStatement {
  statement: ParsedStatement;
  /** Offsets in the file of the statement's first and last character. */
  fileStart: number;
  fileEnd: number;
  range: SourceRange;
  plan?: ExplainedPlan;
  /** Why it was not planned: not a plannable statement, no database, or PostgreSQL's error. */
  planSkippedReason?: string;
  /**
   * Set when the database failed while planning it (unreachable, out of connections, a timeout, a lock held by
   * someone else): the statement was not checked, which a run must not report as clean.
   */
  databaseFailure?: string;
  /**
   * Set when PostgreSQL refused the statement for a missing relation, column, function or type while the embedded
   * schema is not the one the code runs against (see schemaCoverage.ts): not planned, and not a finding.
   */
  schemaGap?: string;
  /** Production's calls and time for this statement, when a snapshot's pg_stat_statements has it (snapshot/match.ts). */
  runtimeCost?: RuntimeCost;
}

export interface FileAnalysis {
  file: string;
  findings: Finding[];
  statements: AnalyzedStatement[];
  skipped: SkippedSite[];
  /**
   * SQL sites of the file that were checked (parsed, and planned where a database allows; the variants of one
   * conditional site count once); the sites that were not are in `skipped`.
   */
  sitesChecked?: number;
  /** What the analysis was measured against, for hovers (table sizes in lock descriptions). */
  schema?: SchemaFacts;
  serverVersionNum?: number;
  /**
   * With `deferNewAdvice`, when some findings wait for what-if planning that has not run yet: this analysis again,
   * with that advice (index suggestions, quick fixes) applied. Rejects with an AbortError when the signal fires.
   */
  withAdvice?: Promise<FileAnalysis>;
}

interface DeferredAdvice {
  input: AdviseInput;
  findings: Finding[];
  /** file:line, for the log. */
  where: string;
}

export const SYNTAX_ERROR_RULE = 'syntax-error';
export const PLAN_ERROR_RULE = 'plan-error';

/** SQLSTATEs for a table, column, function, type or schema the database does not know (yet). */
const UNDEFINED_OBJECT_CODES = new Set(['42P01', '42703', '42883', '42704', '3F000']);

/** A plan-error finding about something the database does not know (a table, column, function, type, schema). */
export function isUndefinedObjectFinding(finding: Finding): boolean {
  return finding.ruleId === PLAN_ERROR_RULE && UNDEFINED_OBJECT_CODES.has(String(finding.evidence?.code));
}

/** The sites of one template: its conditional variants share the template's offsets. */
function siteKeyOf(site: SqlSite): string {
  return `${site.fileStart}:${site.fileEnd}`;
}

/**
 * Whether pglens put some of the site's SQL together itself (inlined constants or fragments, identifiers from types,
 * expanded lists, a chosen branch): when such text does not parse, the fault is pglens's reading, not the code.
 */
function isAssembled(site: SqlSite): boolean {
  return site.assembled === true || (site.inlinedConstants?.length ?? 0) > 0 || site.variant !== undefined;
}

/**
 * The skip for a syntax error (at `errorAt`, an offset into the site's SQL) that is pglens's reading at fault, not the
 * code's: the site's SQL was put together by pglens (inlined constants, fragments, a branch), or the error sits at a
 * `${expr}` pglens made the parameter $n (the expression is most likely SQL text, a fragment or an identifier pglens
 * could not know, and the text is not what the application runs). Undefined when the error is the code's own.
 */
function misreadSkip(file: string, text: string, site: SqlSite, errorAt: number, message: string): SkippedSite | undefined {
  const atParameter = site.parameters.find((p) => errorAt >= p.sqlStart && errorAt < p.sqlStart + p.sqlLength && text.slice(p.fileStart, p.fileEnd) !== '?');
  const placeholder = atParameter ? undefined : otherToolPlaceholderAt(site.text, errorAt);
  if (placeholder) {
    // SQL written for a tool that fills in its own placeholders before PostgreSQL sees it (pgtyped, aiosql, psql
    // variables, dbt, MyBatis): the text pglens read is not the text the database runs, so not an error of the code.
    const at = mapSqlRangeToFile(site, placeholder.start, placeholder.end);
    return { file, fileStart: at.start, fileEnd: at.end, reason: `not read: ${placeholder.text} is a placeholder of a tool that fills it in before PostgreSQL reads the SQL (psql, pgtyped, aiosql, dbt...); pglens reads $1-style parameters only` };
  }
  if (!atParameter && !isAssembled(site)) return undefined;
  const when = site.variant !== undefined ? ` (when ${site.variant})` : '';
  const reason = atParameter
    ? `read as the value $${atParameter.index}, which PostgreSQL does not accept there${when}: ${message}`
    : `assembled SQL does not parse${when}: ${message}`;
  const expression = atParameter ? text.slice(atParameter.fileStart, atParameter.fileEnd) : inlinedExpressions(site, text);
  const at = atParameter ? { fileStart: atParameter.fileStart, fileEnd: atParameter.fileEnd } : { fileStart: site.fileStart, fileEnd: site.fileEnd };
  return { file, ...at, reason, ...(expression ? { expression: clip(expression) } : {}) };
}

/**
 * The skip for "could not determine data type of parameter $n" (SQLSTATE 42P18) where the client pastes the value into
 * the text (pg-promise, pg-format): PostgreSQL types such a literal from where it stands (`pg_typeof('1 day')` is
 * `unknown`, not an error), so the error is the `$n` pglens planned in its place, not the code's.
 */
function pastedValueMisread(file: string, statement: ParsedStatement, error: PlanningError): SkippedSite | undefined {
  const site = statement.site;
  if (error.code !== '42P18' || site.valuesPastedBy === undefined) return undefined;
  const index = Number(/\$(\d+)/.exec(error.message)?.[1]);
  const parameter = site.parameters.find((p) => p.index === index);
  const at = parameter ? { fileStart: parameter.fileStart, fileEnd: parameter.fileEnd } : { fileStart: site.fileStart, fileEnd: site.fileEnd };
  const reason = `read as the value $${index}, a literal ${site.valuesPastedBy} pastes into the text, whose type PostgreSQL takes from where it stands: ${error.message.split('\n')[0]}`;
  return { file, ...at, reason, ...(parameter ? { expression: parameter.expressionText } : {}) };
}

/** misreadSkip for a syntax error (SQLSTATE 42601) the database's parser reported while planning. */
function plannerSyntaxMisread(file: string, text: string, statement: ParsedStatement, error: PlanningError): SkippedSite | undefined {
  if (error.code !== '42601' || error.statementOffset === undefined) return undefined;
  return misreadSkip(file, text, statement.site, statement.start + error.statementOffset, error.message.split('\n')[0]);
}

/**
 * Whether planning failed because the statement uses something an earlier statement of the same file creates or
 * alters (CREATE TABLE, ALTER TABLE ... ADD COLUMN, CREATE TYPE ...): the database is not at that point yet.
 */
function usesEarlierSchemaChange(error: PlanningError, previous: ParsedStatement[]): boolean {
  if (error.code === undefined || !UNDEFINED_OBJECT_CODES.has(error.code)) return false;
  return previous.some((statement) => /^(Create|Alter|Define|Rename|View|CompositeType)/.test(statement.kind) && !isExplainable(statement));
}

export class Engine {
  readonly config: PglensConfig;
  readonly database: DatabaseClient | undefined;
  readonly planCache = new PlanCache(5000);
  private schema: SchemaFacts | undefined;
  private schemaLoading: Promise<SchemaFacts | undefined> | undefined;
  private readonly findOptions: FindOptions;
  private readonly migrationContextFor: EngineOptions['migrationContextFor'];
  private readonly log: (message: string) => void;
  private readonly siteParser: SiteParser;
  private readonly incremental: boolean;
  private readonly advisorSettings: AdvisorSettings;
  private readonly recentSourceFiles: RecentSourceFiles | undefined;
  private readonly planReports = new WeakMap<AstNode, { plan: ExplainedPlan; schema: SchemaFacts | undefined; budget: number | undefined; reports: Map<string, RuleReport[]> }>();
  private readonly keptResults = new WeakMap<AstNode, KeptStatementResult>();
  private readonly isTestFile: (file: string) => boolean;
  private readonly enabledRules: { rule: Rule; severity: Finding['severity']; options: Readonly<Record<string, RuleOptionValue>> }[];
  /** Tables found locked by another session: statements naming them are not planned meanwhile (see the module). */
  private readonly lockedRelations: LockedRelations;
  /** Relations the analysed code names, to judge an embedded database's schema (see schemaCoverage.ts). */
  private readonly coverage = new SchemaCoverage();
  private knownRelations: Promise<Set<string> | undefined> | undefined;

  constructor(options: EngineOptions) {
    this.config = options.config;
    this.database = options.database;
    this.lockedRelations = new LockedRelations(options.database!, options.config.database);
    this.migrationContextFor = options.migrationContextFor;
    // Severities and options are fixed for an engine's life (a config change makes a new engine): resolved once here,
    // not for every rule and statement.
    this.enabledRules = [];
    for (const rule of allRules) {
      const severity = this.severityOf(rule.meta.id, rule.meta.defaultSeverity);
      if (severity === undefined) continue;
      const ruleOptions = Object.freeze({ ...ruleDefaultOptions(rule.meta), ...(this.config.rules[rule.meta.id]?.options ?? {}) });
      this.enabledRules.push({ rule, severity, options: ruleOptions });
    }
    this.log = options.log ?? (() => undefined);
    this.incremental = options.incremental === true;
    this.advisorSettings = advisorSettings(this.config);
    const tests = this.config.files.tests.length > 0 ? picomatch(this.config.files.tests, { dot: true }) : undefined;
    this.isTestFile = (file) => tests !== undefined && tests(path.relative(this.config.root, file).split(path.sep).join('/'));
    this.siteParser = new SiteParser(this.incremental ? 4000 : 0);
    this.recentSourceFiles = this.incremental ? new RecentSourceFiles(3) : undefined;
    const find = options.config.find;
    this.findOptions = resolveFindOptions({
      tags: find.tags ? [...find.tags, ...find.extraTags] : undefined,
      functions: find.functions ? [...find.functions, ...find.extraFunctions] : undefined,
      extraTags: find.tags ? undefined : find.extraTags,
      extraFunctions: find.functions ? undefined : find.extraFunctions,
      excludeTags: find.excludeTags,
      databases: databaseSettingsOf(options.config),
    });
  }

  /** Schema facts (sizes, indexes) and their fingerprint; loaded once, again after `refreshSchema`. */
  async schemaFacts(): Promise<SchemaFacts | undefined> {
    if (!this.database) return undefined;
    if (this.schema) return this.schema;
    this.schemaLoading ??= readSchemaFacts(this.database, this.config.database)
      .then((facts) => {
        this.schema = facts;
        return facts;
      })
      .finally(() => {
        this.schemaLoading = undefined;
      });
    return this.schemaLoading;
  }

  /**
   * Reports of the plan rules for a statement, kept (incremental engines only) with its parse tree, which the site
   * parser shares between analyses while the statement's text is unchanged. Plan rules read only the statement, its
   * plan, the schema and their options (the budget comment included), and report offsets in the statement's own SQL
   * text: while those are the same objects and values, their reports are too. An edit elsewhere in the file then
   * costs this statement no rule work (it was a fifth of a re-analysis, measured with bench/lsp.ts).
   */
  private planReportsMemo(statement: ParsedStatement, plan: ExplainedPlan, schema: SchemaFacts | undefined, budget: number | undefined): Map<string, RuleReport[]> | undefined {
    if (!this.incremental) return undefined;
    const memo = this.planReports.get(statement.node);
    if (memo && memo.plan === plan && memo.schema === schema && memo.budget === budget) return memo.reports;
    const reports = new Map<string, RuleReport[]>();
    this.planReports.set(statement.node, { plan, schema, budget, reports });
    return reports;
  }

  /** Forget the schema facts (a migration ran, statistics changed); plans are re-keyed by the new fingerprint. */
  refreshSchema(): void {
    this.schema = undefined;
    this.knownRelations = undefined;
  }

  /**
   * The statements of a file as the code sends them, each with where it is in the file: found and parsed, never planned
   * (`pglens top` and the runtime-cost annotations match them to pg_stat_statements).
   */
  async statementsIn(file: string, text: string): Promise<Array<{ statement: ParsedStatement; fileStart: number; fileEnd: number }>> {
    await loadParser();
    const { sites } = findSqlInFile(file, text, this.findOptions, this.recentSourceFiles);
    return sites.flatMap((site) =>
      this.siteParser.parse(site).statements.map((statement) => {
        const mapped = mapSqlRangeToFile(site, statement.start, statement.end);
        return { statement, fileStart: mapped.start, fileEnd: mapped.end };
      }),
    );
  }

  /** What the embedded database was built from; undefined for a configured database or none. */
  private embeddedOrigin(): EmbeddedSchemaOrigin | undefined {
    const database = this.database as (DatabaseClient & Partial<EmbeddedSchemaOrigin>) | undefined;
    if (database?.info.kind !== 'embedded' || !Array.isArray(database.schemaFiles)) return undefined;
    return { schemaFiles: database.schemaFiles, schemaProblems: database.schemaProblems ?? [] };
  }

  /**
   * For an embedded database: whether its schema is the one the code runs against, judged from the relations of the
   * code analysed so far (a run's verdict is final once every file was analysed). Undefined for a configured database,
   * which is taken as it is.
   */
  async schemaAssessment(): Promise<SchemaAssessment | undefined> {
    const origin = this.embeddedOrigin();
    if (!origin) return undefined;
    const limits = { statementTimeoutMs: Math.max(this.config.database.statementTimeoutMs, SCHEMA_READ_TIMEOUT_MS), lockTimeoutMs: this.config.database.lockTimeoutMs };
    this.knownRelations ??= withReadOnlyTransaction(this.database!, limits, (session) => loadKnownRelations(session)).catch((error: Error) => {
      this.log(`could not list the embedded database's relations: ${error.message}`);
      return undefined;
    });
    const known = await this.knownRelations;
    return assessEmbeddedSchema(origin, this.coverage.relations(origin.schemaFiles), known, this.config.root, this.config.schema);
  }

  /**
   * Finds, parses, plans and checks the SQL of one file. `deferNewAdvice` (the editor): findings whose what-if
   * planning has not run yet come back without it, at once, and `withAdvice` brings them with it (the advisor's
   * round trips were half of an edit's time to diagnostics, measured with bench/lsp.ts).
   */
  async analyzeFile(file: string, text: string, options: { signal?: AbortSignal; deferNewAdvice?: boolean } = {}): Promise<FileAnalysis> {
    try {
      return await this.analyzeFileUnguarded(file, text, options);
    } catch (error) {
      // One pathological file (nesting no limit caught) is one skip for that file, never the end of the run.
      if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
      this.log(`${file}: skipped: nesting deeper than pglens can follow`);
      return { file, findings: [], statements: [], skipped: [{ file, fileStart: 0, fileEnd: text.length, reason: 'skipped: nesting deeper than pglens can follow' }] };
    }
  }

  private async analyzeFileUnguarded(file: string, text: string, options: { signal?: AbortSignal; deferNewAdvice?: boolean }): Promise<FileAnalysis> {
    await loadParser();
    const { sites, skipped } = findSqlInFile(file, text, this.findOptions, this.recentSourceFiles);
    const findings: Finding[] = [];
    const statements: AnalyzedStatement[] = [];
    if (sites.length === 0) {
      // An edit that removed the file's last query: it names no table any more.
      if (this.embeddedOrigin()) this.noteRelations(file, []);
      return { file, findings, statements, skipped, sitesChecked: 0 };
    }

    const lines = new LineIndex(text);
    const directives = readDirectives(text);
    let schemaFailure: string | undefined;
    const schema = await this.schemaFacts().catch((error: Error) => {
      this.log(`could not read schema facts: ${error.message}`);
      // Rules judge plans by table sizes and indexes: without them a statement is not checked, whatever its plan.
      if (isDatabaseFailure(error)) schemaFailure = `the schema could not be read (${error.message.split('\n')[0]})`;
      return undefined;
    });
    const serverVersionNum = this.database?.info.serverVersionNum ?? (this.config.postgresVersion ? this.config.postgresVersion * 10000 : undefined);
    const migration = this.migrationContextFor?.(file, text);
    if (migration && directives.noTransaction) {
      migration.inTransaction = false;
      migration.transaction = 'no';
      migration.transactionReason = '-- pglens: no-transaction';
    }
    const previousStatements: ParsedStatement[] = [];
    const deferredAdvice: DeferredAdvice[] = [];
    const testCode = this.isTestFile(file);
    // Whether statements may take their findings from the last analysis (see KeptStatementResult): in the editor, in
    // application code without pglens comments; and only while no earlier statement of the file could change what
    // the rules say of a later one (a schema change, a setting, a transaction).
    const keptResultsStamp = this.incremental && !migration?.isMigration && directives.byLine.size === 0 ? indexFixStamp(this.advisorSettings) : undefined;
    let earlierStatementsMatter = false;
    const parsedSites = sites.map((site) => ({ site, parsed: this.siteParser.parse(site) }));
    const embedded = this.embeddedOrigin() !== undefined;
    if (embedded) this.noteRelations(file, parsedSites.flatMap(({ parsed }) => parsed.statements));
    let assessment: SchemaAssessment | undefined;
    let misread: SkippedSite | undefined;

    // Sites checked (a variant of a conditional site counts for the site), and the variants whose assembled SQL did
    // not parse, which are skips only when no variant of their site could be checked.
    const checkedSites = new Set<string>();
    const unparsedVariants = new Map<string, SkippedSite>();
    // Findings of a variant site, to report once what several variants share (see mergeVariantFindings).
    const variantOf = new Map<Finding, { site: string; variant: string }>();
    const variantsOfSite = new Map<string, Set<string>>();

    for (const { site, parsed } of parsedSites) {
      const key = siteKeyOf(site);
      if (site.variant !== undefined) variantsOfSite.set(key, (variantsOfSite.get(key) ?? new Set()).add(site.variant));
      const findingsBeforeSite = findings.length;
      for (const part of parsed.skipped ?? []) {
        const at = mapSqlRangeToFile(site, part.start, part.end);
        skipped.push({ file, fileStart: at.start, fileEnd: at.end, reason: part.reason });
      }
      const unparsed = parsed.error ? misreadSkip(file, text, site, parsed.error.offset, parsed.error.message) : undefined;
      if (unparsed) {
        if (site.variant === undefined) skipped.push(unparsed);
        else if (!unparsedVariants.has(key)) unparsedVariants.set(key, unparsed);
        continue;
      }
      checkedSites.add(key);
      if (parsed.error) {
        // Underline the token the parser stopped at (or one character at the end of the text).
        const token = /^(?:[\p{L}\p{N}_$]+|'(?:[^']|'')*'?|\S)/u.exec(site.text.slice(parsed.error.offset, parsed.error.offset + 200));
        const offset = mapSqlRangeToFile(site, parsed.error.offset, parsed.error.offset + Math.max(1, token?.[0].length ?? 1));
        const start = Math.min(offset.start, text.length);
        const end = Math.min(Math.max(offset.end, start + 1), text.length);
        const siteLine = lines.positionAt(site.fileStart).line;
        const syntaxSeverity = this.severityOf(SYNTAX_ERROR_RULE, 'error');
        if (syntaxSeverity && !isIgnored(directivesFor(directives, [siteLine, lines.positionAt(start).line]), SYNTAX_ERROR_RULE)) {
          findings.push({
            ruleId: SYNTAX_ERROR_RULE,
            severity: syntaxSeverity,
            category: 'syntax',
            ...textOfReport({ messageId: 'syntaxError', data: { error: parsed.error.message || 'the parser gave no message' } }, syntaxErrorMeta),
            file,
            range: lines.rangeOf(start, end),
            fileStart: start,
            fileEnd: end,
            docsUrl: ruleDocsUrl(SYNTAX_ERROR_RULE),
          });
        }
        continue;
      }
      for (const statement of parsed.statements) {
        if (options.signal?.aborted) throw abortError();
        const mapped = mapSqlRangeToFile(site, statement.start, statement.end);
        const analyzed: AnalyzedStatement = {
          statement,
          fileStart: mapped.start,
          fileEnd: mapped.end,
          range: lines.rangeOf(mapped.start, mapped.end),
        };
        statements.push(analyzed);
        const statementLines = [lines.positionAt(site.fileStart).line, analyzed.range.start.line];
        const lineDirectives = directivesFor(directives, statementLines);

        if (this.database && isExplainable(statement) && schemaFailure) {
          analyzed.databaseFailure = schemaFailure;
          analyzed.planSkippedReason = `not planned: ${schemaFailure}`;
        } else if (this.database && isExplainable(statement)) {
          try {
            analyzed.plan = await this.explainCached(statement, schema, options.signal);
          } catch (error) {
            if (options.signal?.aborted) throw abortError();
            analyzed.planSkippedReason = (error as Error).message;
            if (isDatabaseFailure(error)) {
              // The database failed (gone, out of connections, a timeout, a lock held by someone else): nothing is
              // known about this statement, which is not the code's fault and not a pass either.
              analyzed.databaseFailure = (error as Error).message.split('\n')[0];
              analyzed.planSkippedReason = `not planned: ${analyzed.databaseFailure}`;
              this.log(`not planned (${file}:${analyzed.range.start.line + 1}): ${analyzed.databaseFailure}`);
            } else if (error instanceof PlanningError && usesEarlierSchemaChange(error, previousStatements)) {
              // A migration that adds a column and then backfills it: the database has not run the migration yet.
              analyzed.planSkippedReason = `not planned: it needs a schema change made earlier in this file (${error.message})`;
            } else if (
              error instanceof PlanningError &&
              embedded &&
              UNDEFINED_OBJECT_CODES.has(error.code ?? '') &&
              !(assessment ??= await this.schemaAssessment())?.trusted
            ) {
              // The embedded schema is not the one the code runs against: a missing table here is most likely
              // missing from what pglens could load, not from production. Said once for the run, not per statement.
              analyzed.schemaGap = assessment?.reason ?? 'the embedded schema is incomplete';
              analyzed.planSkippedReason = `not planned: ${error.message.split('\n')[0]} (${analyzed.schemaGap})`;
            } else if (error instanceof PlanningError && (misread = plannerSyntaxMisread(file, text, statement, error) ?? pastedValueMisread(file, statement, error))) {
              // The parser pglens uses (libpg-query, PostgreSQL 17) accepted text that the database's own parser
              // rejects at a piece pglens wrote (`ORDER BY score ${sort}` read as `ORDER BY score $2`): skipped as
              // a parse error there is, never a plan-error finding.
              if (site.variant === undefined) {
                skipped.push(misread);
                checkedSites.delete(key);
              } else if (!unparsedVariants.has(key)) unparsedVariants.set(key, misread);
            } else if (error instanceof PlanningError && !isIgnored(lineDirectives, PLAN_ERROR_RULE)) {
              // `"plan-error": "off"` is honoured like any rule's off (the statement is still counted as not planned).
              const planError = this.planErrorFinding(file, text, lines, statement, error);
              if (planError) findings.push(planError);
            } else if (!(error instanceof PlanningError)) {
              this.log(`EXPLAIN failed for statement at ${file}:${analyzed.range.start.line + 1}: ${(error as Error).message}`);
            }
          }
        } else {
          analyzed.planSkippedReason = this.database ? `${statement.kind} is not planned (only queries are EXPLAINed)` : 'no database';
        }

        const findingsBeforeRules = findings.length;
        const keepable = keptResultsStamp !== undefined && site.variant === undefined && !earlierStatementsMatter && analyzed.plan !== undefined;
        const kept = keepable ? this.keptResultOf(statement, analyzed, file, text, lines, schema, keptResultsStamp) : undefined;
        if (kept) {
          findings.push(...kept);
          previousStatements.push(statement);
          continue;
        }
        const deferredBefore = deferredAdvice.length;
        const planReports = analyzed.plan ? this.planReportsMemo(statement, analyzed.plan, schema, lineDirectives.budget) : undefined;
        for (const { rule, severity, options: configuredOptions } of this.enabledRules) {
          if (rule.meta.kind === 'plan' && !analyzed.plan) continue;
          if (isIgnored(lineDirectives, rule.meta.id)) continue;
          if (testCode && isSetupRule(rule)) continue;
          let reports = rule.meta.kind === 'plan' ? planReports?.get(rule.meta.id) : undefined;
          if (!reports) {
            const reported: RuleReport[] = [];
            const ruleOptions = lineDirectives.budget === undefined ? configuredOptions : { ...configuredOptions, statementBudget: lineDirectives.budget };
            try {
              rule.check({
                statement,
                plan: analyzed.plan,
                schema,
                serverVersionNum,
                migration,
                previousStatements,
                options: ruleOptions,
                // A report naming an undeclared message or leaving a placeholder empty throws here: a rule bug, logged below.
                report: (report) => {
                  textOfReport(report, rule.meta);
                  reported.push(report);
                },
              });
            } catch (error) {
              // A rule bug must not hide the other rules' findings; it is logged with the rule's name.
              this.log(`rule ${rule.meta.id} failed on ${file}:${analyzed.range.start.line + 1}: ${(error as Error).stack ?? error}`);
              continue;
            }
            if (rule.meta.kind === 'plan') planReports?.set(rule.meta.id, reported);
            reports = reported;
          }
          for (const report of reports) {
            const range = mapSqlRangeToFile(site, report.start ?? statement.start, report.end ?? statement.end);
            if (isIgnored(directivesFor(directives, [lines.positionAt(range.start).line]), rule.meta.id)) continue;
            findings.push({
              ruleId: rule.meta.id,
              severity: lowerSeverity(severity, report.severity),
              category: rule.meta.category,
              ...textOfReport(report, rule.meta),
              file,
              range: lines.rangeOf(range.start, range.end),
              fileStart: range.start,
              fileEnd: range.end,
              docsUrl: ruleDocsUrl(rule.meta.id),
              evidence: report.evidence,
              fixes: report.fixes,
              notes: rule.meta.kind === 'plan' && analyzed.plan ? analyzed.plan.notes : undefined,
            });
          }
        }
        // --- index advisor (issue 4): what-if planning for statements with findings an index or a rewrite can fix ---
        const statementFindings = findings.slice(findingsBeforeRules).filter((f) => ADVISED_RULES.has(f.ruleId));
        // A migration's statement runs once: an index to speed it up costs more to build than the one scan it saves.
        if (this.database && schema && statementFindings.length > 0 && !migration?.isMigration) {
          const input: AdviseInput = { database: this.database, statement, schema, settings: this.advisorSettings, signal: options.signal };
          const where = `${file}:${analyzed.range.start.line + 1}`;
          if (options.deferNewAdvice && !adviceIsReady(input)) deferredAdvice.push({ input, findings: statementFindings, where });
          else await this.advise(input, statementFindings, where);
        }
        // index-would-help stands only with a proven index: withdrawn now, or held back until deferred advice proves one.
        for (let i = findings.length - 1; i >= findingsBeforeRules; i--) {
          if (findings[i].ruleId === 'index-would-help' && (deferredAdvice.some((d) => d.findings.includes(findings[i])) || withdrawsFinding(findings[i]))) findings.splice(i, 1);
        }
        // --- end index advisor ---
        if (keepable && deferredAdvice.length === deferredBefore) this.keepResult(statement, analyzed, file, text, lines, schema, keptResultsStamp!, findings.slice(findingsBeforeRules));
        previousStatements.push(statement);
        earlierStatementsMatter ||= shapesLaterStatements(statement);
      }
      if (site.variant !== undefined) for (const finding of findings.slice(findingsBeforeSite)) variantOf.set(finding, { site: key, variant: site.variant });
    }
    for (const [key, skip] of unparsedVariants) if (!checkedSites.has(key)) skipped.push(skip);
    if (variantOf.size > 0) findings.splice(0, findings.length, ...mergeVariantFindings(findings, variantOf, variantsOfSite));
    findings.sort((a, b) => a.fileStart - b.fileStart || a.ruleId.localeCompare(b.ruleId));
    const analysis: FileAnalysis = { file, findings, statements, skipped, sitesChecked: checkedSites.size, schema, serverVersionNum };
    if (deferredAdvice.length > 0) {
      analysis.withAdvice = this.completeAdvice(analysis, deferredAdvice, options.signal);
      // A caller that stops caring (a newer version arrived) need not await it: its cancellation is not an error.
      analysis.withAdvice.catch(() => undefined);
    }
    return analysis;
  }

  /** The findings an earlier analysis made for this statement, when nothing they depend on has changed since. */
  private keptResultOf(statement: ParsedStatement, analyzed: AnalyzedStatement, file: string, text: string, lines: LineIndex, schema: SchemaFacts | undefined, stamp: string): Finding[] | undefined {
    const kept = this.keptResults.get(statement.node);
    if (!kept) return undefined;
    const site = statement.site;
    const at = lines.positionAt(site.fileStart);
    const same =
      kept.file === file &&
      kept.plan === analyzed.plan &&
      kept.schema === schema &&
      kept.stamp === stamp &&
      Date.now() - kept.madeAt <= INDEX_FIX_REUSE_MS &&
      kept.fileStart === site.fileStart &&
      kept.line === at.line &&
      kept.character === at.character &&
      text.startsWith(kept.siteText, site.fileStart);
    return same ? kept.findings : undefined;
  }

  private keepResult(statement: ParsedStatement, analyzed: AnalyzedStatement, file: string, text: string, lines: LineIndex, schema: SchemaFacts | undefined, stamp: string, findings: Finding[]): void {
    const site = statement.site;
    const at = lines.positionAt(site.fileStart);
    this.keptResults.set(statement.node, {
      file,
      plan: analyzed.plan!,
      schema,
      stamp,
      madeAt: Date.now(),
      fileStart: site.fileStart,
      line: at.line,
      character: at.character,
      siteText: text.slice(site.fileStart, site.fileEnd),
      findings,
    });
  }

  /** Records the relations a file's statements name and create (embedded databases only: see schemaCoverage.ts). */
  private noteRelations(file: string, parsed: ParsedStatement[]): void {
    const named = new Set<string>();
    const created = new Set<string>();
    for (const statement of parsed) {
      const names = relationNamesOf(statement);
      for (const name of names.created) created.add(name);
      if (isExplainable(statement)) for (const name of names.named) named.add(name);
    }
    this.coverage.noteFile(file, named, created);
  }

  /** The advisor's what-if planning for one statement's findings, applied to them (a failure is logged, not thrown). */
  private async advise(input: AdviseInput, findings: Finding[], where: string): Promise<void> {
    try {
      const advice = await adviseStatementCached(input);
      applyAdvice(findings, advice, { statement: input.statement, settings: input.settings, databaseLabel: input.database.info.label });
    } catch (error) {
      if (input.signal?.aborted) throw abortError();
      this.log(`index advisor failed on ${where}: ${(error as Error).message}`);
    }
  }

  /**
   * The analysis again, with the deferred advice applied to copies of the findings it concerns. The signal stops it
   * between statements, not during one: a statement's what-if planning is short, its result is cached for the next
   * version (which usually has the same statement), and cancelling it mid-way closes its database connection, which
   * the next analysis then has to open again (measured with bench/lsp.ts: that cost more than the planning).
   */
  private async completeAdvice(analysis: FileAnalysis, deferred: DeferredAdvice[], signal: AbortSignal | undefined): Promise<FileAnalysis> {
    const advised = new Map<Finding, Finding>();
    for (const { input, findings, where } of deferred) {
      if (signal?.aborted) throw abortError();
      const copies = findings.map((finding) => ({ ...finding }));
      await this.advise({ ...input, signal: undefined }, copies, where);
      findings.forEach((finding, index) => advised.set(finding, copies[index]));
    }
    if (signal?.aborted) throw abortError();
    // Held-back index-would-help findings join once advice proves their index.
    const proven = [...advised.entries()].filter(([original, copy]) => original.ruleId === 'index-would-help' && !withdrawsFinding(copy)).map(([, copy]) => copy);
    const findings = [...analysis.findings.map((finding) => advised.get(finding) ?? finding), ...proven];
    findings.sort((a, b) => a.fileStart - b.fileStart || a.ruleId.localeCompare(b.ruleId));
    return { ...analysis, findings, withAdvice: undefined };
  }

  private async explainCached(statement: ParsedStatement, schema: SchemaFacts | undefined, signal?: AbortSignal): Promise<ExplainedPlan> {
    const database = this.database!;
    const key = `${database.info.label}|${schema?.fingerprint ?? ''}|${statement.parameterCount}|${statement.textHash}`;
    const compute = () =>
      this.planCache.getOrCompute(key, async () => {
        this.lockedRelations.refuseIfLocked(statement);
        try {
          return await explainStatement(database, statement, {
            statementTimeoutMs: this.config.database.statementTimeoutMs,
            lockTimeoutMs: this.config.database.lockTimeoutMs,
            signal,
          });
        } catch (error) {
          if ((error as { code?: string }).code === '55P03') await this.lockedRelations.noteLockTimeout();
          throw error;
        }
      });
    // An in-flight EXPLAIN is shared with other analyses and runs under the signal of the one that started it. When
    // that one is cancelled (the editor superseded it) and this one is not, plan again: the cancelled entry has left
    // the cache, so the next attempt starts an EXPLAIN of its own (bounded, in case it joins another one meanwhile).
    for (let attempt = 0; ; attempt++) {
      try {
        return await compute();
      } catch (error) {
        if ((error as Error).name !== 'AbortError' || signal?.aborted || attempt >= 3) throw error;
      }
    }
  }

  private planErrorFinding(file: string, text: string, lines: LineIndex, statement: ParsedStatement, error: PlanningError): Finding | undefined {
    const severity = this.severityOf(PLAN_ERROR_RULE, 'warning');
    if (!severity) return undefined;
    const site = statement.site;
    let start = statement.start;
    let end = statement.end;
    if (error.statementOffset !== undefined && error.statementOffset < statement.text.length) {
      start = statement.start + error.statementOffset;
      const word = /^[\w."$]+/.exec(statement.text.slice(error.statementOffset));
      end = start + Math.max(1, word?.[0].length ?? 1);
    }
    const range = mapSqlRangeToFile(site, start, end);
    const timedOut = error.code === '57014';
    return {
      ruleId: PLAN_ERROR_RULE,
      severity,
      category: 'correctness',
      ...textOfReport(
        timedOut
          ? { messageId: 'planningTimeout', data: { timeoutMs: this.config.database.statementTimeoutMs } }
          : { messageId: 'cannotPlan', data: { error: error.message || `error ${error.code ?? 'without a message'}` } },
        planErrorMeta,
      ),
      file,
      range: lines.rangeOf(range.start, Math.min(range.end, text.length)),
      fileStart: range.start,
      fileEnd: range.end,
      docsUrl: ruleDocsUrl(PLAN_ERROR_RULE),
      evidence: { code: error.code },
    };
  }

  /** The configured severity, or undefined when the rule is off. */
  severityOf(ruleId: string, fallback: Finding['severity']): Finding['severity'] | undefined {
    const setting: RuleSetting | undefined = this.config.rules[ruleId];
    const severity = setting?.severity ?? fallback;
    return severity === 'off' ? undefined : severity;
  }
}

/**
 * The findings of a conditional site's variants, each said once: a finding every variant has is kept as it is; one
 * only some variants have says which, `(when with \`cursor\` set)`. Findings are the same when their rule and place
 * are (the n-th of that rule there in each variant): the message may differ between variants (a `$n` numbered after
 * another branch's parameters, a row estimate), the copy kept is the first (advice and fixes come with it).
 */
function mergeVariantFindings(findings: Finding[], variantOf: Map<Finding, { site: string; variant: string }>, variantsOfSite: Map<string, Set<string>>): Finding[] {
  const groups = new Map<string, { first: Finding; site: string; variants: string[]; differ: boolean }>();
  const occurrences = new Map<string, number>();
  const result: Finding[] = [];
  for (const finding of findings) {
    const from = variantOf.get(finding);
    if (!from) {
      result.push(finding);
      continue;
    }
    const place = `${from.site}|${finding.ruleId}|${finding.fileStart}|${finding.fileEnd}`;
    const nth = occurrences.get(`${place}|${from.variant}`) ?? 0;
    occurrences.set(`${place}|${from.variant}`, nth + 1);
    const key = `${place}|${nth}`;
    const group = groups.get(key);
    if (group) {
      if (!group.variants.includes(from.variant)) group.variants.push(from.variant);
      if (finding.message !== group.first.message) group.differ = true;
      continue;
    }
    groups.set(key, { first: finding, site: from.site, variants: [from.variant], differ: false });
    result.push(finding);
  }
  for (const { first, site, variants, differ } of groups.values()) {
    const everyVariant = variants.length >= (variantsOfSite.get(site)?.size ?? 1);
    // The text kept is the first variant's (its keyset rewrite, its row estimate): say which, and where else it holds.
    if (differ) setFindingHeadline(first, `${first.headline} (as planned when ${variants[0]}; also when ${everyVariant && variants.length > 2 ? 'every other branch is taken' : variants.slice(1).join(' or ')})`);
    else if (!everyVariant) setFindingHeadline(first, `${first.headline} (when ${variants.join(' or ')})`);
  }
  return result;
}

/** The references whose SQL pglens inlined into a site (`${where}`, `ORDER_BY`), as written, for a skip's explanation. */
function inlinedExpressions(site: SqlSite, text: string): string | undefined {
  const written = [...new Set((site.inlinedConstants ?? []).map((constant) => text.slice(constant.fileStart, constant.fileEnd)))];
  if (written.length === 0) return undefined;
  return written.join(', ');
}

/** An expression for a skip line: whole when short, else its start. */
function clip(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ');
  return oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine;
}

function abortError(): Error {
  const error = new Error('analysis cancelled');
  error.name = 'AbortError';
  return error;
}

/** Relative path for messages, with forward slashes. */
export function displayPath(file: string, root: string): string {
  const relative = path.relative(root, file);
  return (relative.startsWith('..') ? file : relative).split(path.sep).join('/');
}

const SEVERITY_RANK: Record<Finding['severity'], number> = { error: 3, warning: 2, info: 1, hint: 0 };

/** The configured severity, lowered to a report's own when the rule says this report is less (never raised). */
function lowerSeverity(configured: Finding['severity'], reported: RuleReport['severity']): Finding['severity'] {
  return reported !== undefined && SEVERITY_RANK[reported] < SEVERITY_RANK[configured] ? reported : configured;
}

/**
 * A statement's findings as one analysis of a file made them (rules run, advice applied), kept by the editor's engine
 * for the next analysis of the same file. Typing in one query re-analyses the whole file; for every other query the
 * same parse tree (SiteParser), plan (PlanCache) and schema give the same findings, as long as the query sits where it
 * sat (offsets, line and column of its site, and the site's text as written, `${expr}`s included), the migrations
 * folder the "Add index" fixes write into is unchanged, and the fixes are not older than the advisor would keep them.
 * Re-running 37 rules and re-applying advice for 200 unchanged queries was most of what an edit allocated, and the
 * garbage collections that followed were the slow tail of edit-to-diagnostics latency (bench/lsp.ts).
 */
interface KeptStatementResult {
  file: string;
  plan: ExplainedPlan;
  schema: SchemaFacts | undefined;
  stamp: string;
  madeAt: number;
  fileStart: number;
  line: number;
  character: number;
  siteText: string;
  findings: Finding[];
}

/**
 * Whether a statement can change what the rules say of the statements after it in the same file (lock rules read
 * the file's history: tables and indexes it created, lock_timeout set, transactions opened). Plain queries and data
 * changes do not, except a SELECT of set_config.
 */
function shapesLaterStatements(statement: ParsedStatement): boolean {
  switch (statement.kind) {
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
      return false;
    case 'SelectStmt':
      return /set_config/i.test(statement.text);
    default:
      return true;
  }
}

/**
 * Rules about schema changes and destructive statements (locks, TRUNCATE, DROP, an UPDATE without WHERE): in test code
 * such statements set up and tear down the tests' own tables, not anyone's database, so they are not judged there
 * (`files.tests`). Rules about how queries perform still run: tests often hold the application's queries.
 */
function isSetupRule(rule: Rule): boolean {
  return rule.meta.category === 'locking' || (rule.meta.kind === 'statement' && rule.meta.category === 'correctness');
}
