// The index advisor's front door. `adviseStatement` plans a statement with candidate indexes (hypopg, or an index
// trial rolled back) and returns the cheapest index that really cuts its cost, the index a foreign-key check needs,
// and rewrites where no index can help. `applyAdvice` turns that into messages and quick fixes on the statement's
// findings; `mergeSuggestions` makes one index serve several statements across a workspace run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PglensConfig } from '../config';
import type { DatabaseClient } from '../db/client';
import type { SchemaFacts } from '../db/schemaFacts';
import { mapSqlRangeToFile } from '../find/index';
import { parseSite, walkAst, type AstNode, type ParsedStatement } from '../parse/parse';
import { PlanCache } from '../plan/cache';
import { formatCost, type PlanNode } from '../plan/model';
import { spanOfNode } from '../rules/anchor';
import { unindexedForeignKeysFor } from '../rules/advice/fk-without-index';
import type { Finding, SuggestedFix } from '../types';
import { addFindingDetail } from '../findingText';
import {
  createIndexConcurrentlySql,
  createIndexSql,
  definitionKey,
  indexDefinition,
  indexName,
  partialWorthyByStats,
  readColumnUses,
  scannedTables,
  type CandidateKind,
  type ColumnUse,
  type IndexCandidate,
  type TableUses,
} from './candidates';
import { effectiveCost, searchIndexes, type SearchResult } from './choose';
import { detectMigrationTarget, MigrationRefused, writeIndexMigration, type MigrationFile } from './migration';
import { quoteIdentifier, quoteQualifiedName } from '../sqlText';
import { withWhatIf, type ColumnStats, type WhatIf, type WhatIfMethod } from './whatIf';

export interface AdvisorSettings {
  indexTrials: boolean;
  maxTrialTableRows: number;
  minCostReduction: number;
  migrationsDir?: string;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** Workspace root: migrations are written under it. */
  root: string;
}

export function advisorSettings(config: PglensConfig): AdvisorSettings {
  return {
    ...config.advisor,
    statementTimeoutMs: config.database.statementTimeoutMs,
    lockTimeoutMs: config.database.lockTimeoutMs,
    root: config.root,
  };
}

export interface IndexSuggestion {
  schema: string;
  table: string;
  indexes: IndexCandidate[];
  /** `CREATE INDEX ON invoices (account_id, issued_at)` (one line per index). */
  sql: string;
  names: string[];
  /** Effective estimated cost of the statement without and with the index (see choose.ts effectiveCost). */
  costBefore: number;
  costAfter?: number;
  /** Share of the cost the index removes, 0..1. */
  reduction?: number;
  /** The best reduction any candidate reached (the suggestion is the cheapest within 90% of it). */
  bestReduction?: number;
  verifiedWith: WhatIfMethod | null;
  /** Why it is not verified, when it is not. */
  unverifiedReason?: string;
  kinds: CandidateKind[];
  needsExtension?: 'pg_trgm';
  sizeBytes?: number;
  /** The what-if plan with the index, one node per line ("Show plan with this index"). */
  planAfter?: string;
  /** The same plan as a tree, for editors that draw it (the language server's plan renderer). */
  planAfterRoot?: PlanNode;
}

export interface RewriteSuggestion {
  kind: 'cast-to-range';
  title: string;
  /** The rewritten predicate and the whole rewritten statement. */
  replacement: string;
  statementSql: string;
  /** UTF-16 offsets in statement.site.text of the text to replace. */
  start: number;
  end: number;
  costBefore?: number;
  costAfter?: number;
}

export interface StatementAdvice {
  suggestion?: IndexSuggestion;
  /** Indexes on referencing columns for the foreign-key checks of a DELETE / key UPDATE. */
  foreignKeys: IndexSuggestion[];
  rewrites: RewriteSuggestion[];
  /** Candidates an existing index already serves. */
  duplicates: { sql: string; existing: string }[];
  method: WhatIfMethod | null;
  /** Expressions and predicates of the statement an index cannot hold (not IMMUTABLE), with the parts that are not. */
  notImmutable?: { expression: string; parts: string[] }[];
  /** What-if plans used (baseline plans not counted). */
  whatIfCalls: number;
  search?: SearchResult;
}

export interface AdviseInput {
  database: DatabaseClient;
  statement: ParsedStatement;
  schema: SchemaFacts;
  settings: AdvisorSettings;
  signal?: AbortSignal;
}

/** Rules whose findings an index (or a rewrite) can fix; the engine asks the advisor only for their statements. */
export const ADVISED_RULES = new Set([
  'seq-scan-large-table',
  'function-on-indexed-column',
  'leading-wildcard-like',
  'large-sort',
  'limit-trap',
  'nested-loop-inner-scan',
  'modify-scans-large-table',
  'fk-without-index',
  'index-would-help',
]);

/**
 * Findings that only stand with a proven index (index-would-help): without one, or with the index carried by
 * another rule's finding of the statement, the engine withdraws them (`withdrawsFinding`).
 */
export function withdrawsFinding(finding: Finding): boolean {
  if (finding.ruleId !== 'index-would-help') return false;
  const suggestion = finding.evidence?.['indexSuggestion'] as { verifiedWith?: unknown } | null | undefined;
  return !suggestion || !suggestion.verifiedWith;
}

export async function adviseStatement(input: AdviseInput): Promise<StatementAdvice> {
  const { database, statement, schema, settings } = input;
  return withWhatIf(database, schema, { ...settings, signal: input.signal }, async (whatIf) => {
    const advice: StatementAdvice = { foreignKeys: [], rewrites: [], duplicates: [], method: whatIf.method, whatIfCalls: 0 };
    const baseline = await whatIf.baseline(statement);
    const uses = readColumnUses(statement, schema);
    advice.notImmutable = await dropMutableUses(uses, whatIf);
    const tables = scannedTables(baseline, uses);
    if (tables.length > 0) {
      const stats = new Map<string, Map<string, ColumnStats>>();
      for (const { uses: tableUses } of tables) {
        const columns = [...new Set(tableUses.uses.filter((u) => u.constantPredicate && !u.expression).map((u) => u.column))];
        if (columns.length > 0) stats.set(`${tableUses.table.schema}.${tableUses.table.name}`, await whatIf.columnStats(tableUses.table.schema, tableUses.table.name, columns));
      }
      const search = await searchIndexes(statement, tables, schema, whatIf, baseline, {
        minCostReduction: settings.minCostReduction,
        context: { databaseCollation: whatIf.databaseCollation, partialWorthy: partialWorthyByStats(stats) },
      });
      advice.search = search;
      advice.duplicates = search.duplicates.map((d) => ({ sql: createIndexSql(d.candidate), existing: d.existing }));
      const picked = search.chosen ?? search.unverified;
      if (picked) {
        advice.suggestion = {
          ...describe(picked.set),
          costBefore: search.baselineCost,
          costAfter: picked.cost,
          reduction: picked.saving,
          bestReduction: search.best?.saving,
          verifiedWith: picked.verified ? whatIf.method : null,
          unverifiedReason: picked.verified ? undefined : unverifiedReason(picked.set, whatIf),
          sizeBytes: picked.verified ? picked.sizeBytes : undefined,
          planAfter: picked.plan ? planText(picked.plan) : undefined,
          planAfterRoot: picked.plan,
        };
      }
    }
    for (const unindexed of unindexedForeignKeysFor(statement, schema)) {
      const candidate: IndexCandidate = {
        schema: unindexed.child.schema,
        table: unindexed.child.name,
        method: 'btree',
        keys: unindexed.foreignKey.columns.map((c) => ({ text: c, expression: false })),
        include: [],
        kinds: ['foreign-key', unindexed.foreignKey.columns.length > 1 ? 'multi-column' : 'single-column'],
      };
      // The check PostgreSQL runs per changed row (ri_triggers.c), planned before and after.
      const where = unindexed.foreignKey.columns.map((c, i) => `x.${quoteIdentifier(c)} = $${i + 1}`).join(' AND ');
      const check = statementFor(`SELECT 1 FROM ONLY ${quoteQualifiedName(unindexed.child.schema, unindexed.child.name)} x WHERE ${where} FOR KEY SHARE OF x`, 'SelectStmt');
      const before = check ? await whatIf.explainText(check) : undefined;
      const after = check && whatIf.canVerify([candidate]) ? await whatIf.evaluate(check, [candidate]) : undefined;
      advice.foreignKeys.push({
        ...describe([candidate]),
        costBefore: before?.root.totalCost ?? unindexed.child.estimatedRows,
        costAfter: after?.root.totalCost,
        reduction: before && after ? 1 - after.root.totalCost / before.root.totalCost : undefined,
        verifiedWith: after?.used ? whatIf.method : null,
        unverifiedReason: after?.used ? undefined : unverifiedReason([candidate], whatIf),
        sizeBytes: after?.sizeBytes,
      });
    }
    advice.rewrites = await castRewrites(statement, whatIf, baseline);
    advice.whatIfCalls = whatIf.calls;
    return advice;
  });
}

/**
 * Removes the uses whose expression key or partial predicate PostgreSQL would refuse in CREATE INDEX (a function,
 * operator or cast that is not IMMUTABLE: `created_at::date` on timestamptz). Hypopg and index trials would refuse
 * them too, but without either the suggestion would go out unverified; the cast-to-range rewrite covers them.
 */
async function dropMutableUses(uses: Map<string, TableUses>, whatIf: WhatIf): Promise<{ expression: string; parts: string[] }[]> {
  const dropped: { expression: string; parts: string[] }[] = [];
  for (const tableUses of uses.values()) {
    const typeOf = (column: string) => tableUses.table.columns.find((c) => c.name === column)?.type;
    const verdicts = new Map<ColumnUse, boolean>();
    const indexable = async (use: ColumnUse): Promise<boolean> => {
      const known = verdicts.get(use);
      if (known !== undefined) return known;
      const trees = [use.expression ? use.keyTree : undefined, use.constantPredicate ? use.predicateTree : undefined].filter((t) => t !== undefined);
      const parts = (await Promise.all(trees.map((tree) => whatIf.mutableParts(tree, typeOf)))).flat();
      if (parts.length > 0) dropped.push({ expression: use.constantPredicate ?? use.key, parts: [...new Set(parts)] });
      verdicts.set(use, parts.length === 0);
      return parts.length === 0;
    };
    const kept: ColumnUse[] = [];
    for (const use of tableUses.uses) if (await indexable(use)) kept.push(use);
    tableUses.uses = kept;
    const arms: ColumnUse[][][] = [];
    for (const or of tableUses.orArms) {
      const keptArms: ColumnUse[][] = [];
      for (const arm of or) {
        const keptArm: ColumnUse[] = [];
        for (const use of arm) if (await indexable(use)) keptArm.push(use);
        keptArms.push(keptArm);
      }
      arms.push(keptArms);
    }
    tableUses.orArms = arms;
  }
  return dropped;
}

function describe(set: IndexCandidate[]): Pick<IndexSuggestion, 'schema' | 'table' | 'indexes' | 'sql' | 'names' | 'kinds' | 'needsExtension'> {
  return {
    schema: set[0].schema,
    table: set[0].table,
    indexes: set,
    sql: set.map(createIndexSql).join(';\n'),
    names: set.map(indexName),
    kinds: [...new Set(set.flatMap((c) => c.kinds))],
    needsExtension: set.find((c) => c.needsExtension)?.needsExtension,
  };
}

/** `Limit (cost 8)` / `  -> Index Scan using <hypothetical>invoices_account_id on invoices (cost 8) Index Cond: ...` */
export function planText(root: PlanNode): string {
  const lines: string[] = [];
  const visit = (node: PlanNode, depth: number) => {
    const on = node.relationName ? ` on ${node.relationName}` : '';
    const using = node.indexName ? ` using ${node.indexName}` : '';
    const condition = node.indexCond ? ` Index Cond: ${node.indexCond}` : node.filter ? ` Filter: ${node.filter}` : '';
    lines.push(`${'  '.repeat(depth)}${depth > 0 ? '-> ' : ''}${node.nodeType}${using}${on} (cost ${formatCost(node.totalCost)}, rows ${Math.round(node.planRows)})${condition}`);
    for (const child of node.children) visit(child, depth + 1);
  };
  visit(root, 0);
  return lines.join('\n');
}

function unverifiedReason(set: IndexCandidate[], whatIf: WhatIf): string {
  if (whatIf.method === null) return 'hypopg is not installed and index trials are off (advisor.indexTrials)';
  if (whatIf.method === 'hypopg' && set.some((c) => c.method !== 'btree')) return `hypopg cannot plan ${set.find((c) => c.method !== 'btree')!.method.toUpperCase()} indexes`;
  if (set.some((c) => c.needsExtension === 'pg_trgm') && !whatIf.trigramAvailable) return 'pg_trgm is not installed in the database';
  return 'the table is larger than advisor.maxTrialTableRows for an index trial';
}

/** A statement pglens built (a foreign-key check, a rewrite) when it parses to exactly one statement of `kind`. */
function statementFor(sql: string, kind: string): ParsedStatement | undefined {
  const parsed = parseSite({ file: '<advisor>', origin: 'sql-file', text: sql, segments: [{ sqlStart: 0, fileStart: 0, length: sql.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: sql.length });
  if (parsed.error || parsed.statements.length !== 1 || parsed.statements[0].kind !== kind) return undefined;
  return parsed.statements[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Where an index cannot help: `ts::date = d` becomes a range on the bare column, which its index serves.

async function castRewrites(statement: ParsedStatement, whatIf: WhatIf, baseline: PlanNode): Promise<RewriteSuggestion[]> {
  const text = statement.site.text;
  const found: { start: number; end: number; replacement: string }[] = [];
  walkAst(statement.node, (type, body) => {
    if (type !== 'A_Expr' || body.kind !== 'AEXPR_OP' || body.name?.[0]?.String?.sval !== '=') return;
    const column = dateWrappedColumn(body.lexpr) ?? dateWrappedColumn(body.rexpr);
    if (!column) return;
    const valueNode = dateWrappedColumn(body.lexpr) ? body.rexpr : body.lexpr;
    const whole = spanOfNode(statement, { A_Expr: body });
    const columnSpan = spanOfNode(statement, column);
    const valueSpan = spanOfNode(statement, valueNode);
    if (!whole || !columnSpan || !valueSpan) return;
    const columnText = text.slice(columnSpan.start, columnSpan.end);
    let value = text.slice(valueSpan.start, valueSpan.end);
    if (!/::\s*date\s*$/i.test(value)) value = /^(\$\d+|'[^']*')$/.test(value) ? `${value}::date` : `(${value})::date`;
    found.push({ start: whole.start, end: whole.end, replacement: `${columnText} >= ${value} AND ${columnText} < ${value} + 1` });
  });
  const rewrites: RewriteSuggestion[] = [];
  for (const rewrite of found) {
    const statementSql = text.slice(statement.start, rewrite.start) + `(${rewrite.replacement})` + text.slice(rewrite.end, statement.end);
    const rewritten = statementFor(statementSql, statement.kind);
    // A rewrite that is not one statement of the same kind is not offered.
    if (!rewritten) continue;
    const planned = await whatIf.explainText(rewritten).catch(() => undefined);
    rewrites.push({
      kind: 'cast-to-range',
      title: `Rewrite as a range: ${rewrite.replacement}`,
      replacement: `(${rewrite.replacement})`,
      statementSql,
      start: rewrite.start,
      end: rewrite.end,
      costBefore: effectiveCost(baseline),
      costAfter: planned ? effectiveCost(planned.root) : undefined,
    });
  }
  return rewrites;
}

/** `col::date`, `CAST(col AS date)`, `date(col)`: the column node inside, else undefined. */
function dateWrappedColumn(node: AstNode): AstNode | undefined {
  if (node?.TypeCast) {
    const typeName = node.TypeCast.typeName?.names?.map((n: AstNode) => n.String?.sval).join('.');
    if ((typeName === 'date' || typeName === 'pg_catalog.date') && node.TypeCast.arg?.ColumnRef) return node.TypeCast.arg;
  }
  if (node?.FuncCall && node.FuncCall.funcname?.at(-1)?.String?.sval === 'date' && node.FuncCall.args?.length === 1 && node.FuncCall.args[0].ColumnRef) return node.FuncCall.args[0];
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Cache: advice is as stable as a plan, keyed the same way.

const caches = new WeakMap<DatabaseClient, PlanCache<StatementAdvice>>();

function adviceCacheOf(database: DatabaseClient): PlanCache<StatementAdvice> {
  let cache = caches.get(database);
  if (!cache) {
    cache = new PlanCache<StatementAdvice>(2000);
    caches.set(database, cache);
  }
  return cache;
}

function adviceKey(input: AdviseInput): string {
  const s = input.settings;
  return `${input.database.info.label}|${input.schema.fingerprint}|${input.statement.textHash}|${s.indexTrials}|${s.maxTrialTableRows}|${s.minCostReduction}`;
}

/** Whether advice for this statement is known already (computed, not only started): asking for it costs no round trip. */
export function adviceIsReady(input: AdviseInput): boolean {
  return adviceCacheOf(input.database).isSettled(adviceKey(input));
}

export function adviseStatementCached(input: AdviseInput): Promise<StatementAdvice> {
  const cache = adviceCacheOf(input.database);
  const key = adviceKey(input);
  const compute = () => cache.getOrCompute(key, () => adviseStatement(input));
  // Advice shared with an analysis that was cancelled since fails with AbortError; this caller was not cancelled.
  return compute().catch((error: Error) => {
    if (error.name === 'AbortError' && !input.signal?.aborted) return compute();
    throw error;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Findings

export function formatReduction(share: number): string {
  const percent = share * 100;
  if (percent >= 99) return `-${percent.toFixed(2)}%`;
  return `-${Math.round(percent)}%`;
}

/** `CREATE INDEX ON invoices (account_id) cuts the estimated cost from 41,200 to 18 (-99.96%), verified with hypopg` */
export function suggestionSentence(suggestion: IndexSuggestion, subject = 'the estimated cost'): string {
  if (suggestion.verifiedWith && suggestion.costAfter !== undefined && suggestion.reduction !== undefined) {
    return `${suggestion.sql} cuts ${subject} from ${formatCost(suggestion.costBefore)} to ${formatCost(suggestion.costAfter)} (${formatReduction(suggestion.reduction)}), verified with ${suggestion.verifiedWith}`;
  }
  const extension = suggestion.needsExtension ? ` (needs the ${suggestion.needsExtension} extension)` : '';
  return `${suggestion.sql}${extension} is the likely fix, not verified: ${suggestion.unverifiedReason ?? 'no what-if planning available'}`;
}

export interface ApplyContext {
  statement: ParsedStatement;
  settings: AdvisorSettings;
  databaseLabel?: string;
  now?: Date;
}

/** Adds the advice to the statement's findings: a sentence with the evidence, "Add index" and "Copy CREATE INDEX". */
export function applyAdvice(findings: Finding[], advice: StatementAdvice, context: ApplyContext): void {
  const advised = findings.filter((f) => ADVISED_RULES.has(f.ruleId));
  if (!advice.suggestion && advice.search && advice.search.evaluated.length > 0) {
    // What-if planning found no index worth it: said in the evidence, so nobody adds one by guesswork.
    for (const finding of advised.filter((f) => f.ruleId !== 'fk-without-index')) {
      finding.evidence = {
        ...(finding.evidence ?? {}),
        indexSuggestion: null,
        advisor: { method: advice.method, whatIfPlans: advice.whatIfCalls, bestReduction: advice.search.best?.saving ?? 0, duplicates: advice.duplicates },
      };
    }
  }
  if (advice.suggestion) {
    const suggestion = advice.suggestion;
    const tables = new Set(suggestion.indexes.map((c) => c.table));
    const onTable = advised.filter((f) => f.ruleId !== 'fk-without-index' && tables.has(f.evidence?.['table'] as string));
    const targets = onTable.length > 0 ? onTable : advised.filter((f) => f.ruleId !== 'fk-without-index').slice(0, 1);
    for (const finding of targets) attachSuggestion(finding, suggestion, context, 'the estimated cost');
  }
  for (const suggestion of advice.foreignKeys) {
    for (const finding of advised.filter((f) => f.ruleId === 'fk-without-index' && f.evidence?.['childTable'] === suggestion.table)) {
      attachSuggestion(finding, suggestion, context, 'the estimated cost of each foreign-key check');
    }
  }
  for (const rewrite of advice.rewrites) {
    const site = context.statement.site;
    const mapped = mapSqlRangeToFile(site, rewrite.start, rewrite.end);
    const target = findings.find((f) => f.ruleId === 'function-on-indexed-column' && f.fileStart >= mapped.start && f.fileEnd <= mapped.end) ?? findings.find((f) => f.ruleId === 'function-on-indexed-column');
    if (!target) continue;
    const measured =
      rewrite.costAfter !== undefined && rewrite.costBefore !== undefined && rewrite.costAfter < rewrite.costBefore
        ? ` The rewrite cuts the estimated cost from ${formatCost(rewrite.costBefore)} to ${formatCost(rewrite.costAfter)} (${formatReduction(1 - rewrite.costAfter / rewrite.costBefore)}).`
        : '';
    addFindingDetail(target, 'advice', `Rewrite: ${rewrite.replacement}.${measured}`);
    target.evidence = { ...(target.evidence ?? {}), rewrite: { sql: rewrite.statementSql, replacement: rewrite.replacement, costBefore: rewrite.costBefore, costAfter: rewrite.costAfter } };
    target.fixes = [
      ...(target.fixes ?? []),
      {
        title: rewrite.title,
        sql: rewrite.statementSql,
        edits: [{ file: site.file, start: mapped.start, end: mapped.end, newText: rewrite.replacement }],
        verified: rewrite.costAfter !== undefined,
      },
    ];
  }
}

function attachSuggestion(finding: Finding, suggestion: IndexSuggestion, context: ApplyContext, subject: string): void {
  addFindingDetail(finding, 'advice', `${capitalize(suggestionSentence(suggestion, subject))}.`);
  const statementKey = `${finding.file}:${mapSqlRangeToFile(context.statement.site, context.statement.start, context.statement.end).start}`;
  finding.evidence = {
    ...(finding.evidence ?? {}),
    indexSuggestion: {
      sql: suggestion.sql,
      costBefore: suggestion.costBefore,
      costAfter: suggestion.costAfter ?? null,
      reduction: suggestion.reduction ?? null,
      verifiedWith: suggestion.verifiedWith,
      kinds: suggestion.kinds,
      names: suggestion.names,
      needsExtension: suggestion.needsExtension,
      unverifiedReason: suggestion.unverifiedReason,
      planAfter: suggestion.planAfter,
      indexes: suggestion.indexes,
      statement: statementKey,
      servesStatements: 1,
    },
  };
  // The tree of the what-if plan, for the language server's plan renderer (in process). Not enumerable: JSON and SARIF
  // already carry it as `planAfter` text, and a second copy of every plan would only grow CI output.
  Object.defineProperty(finding.evidence['indexSuggestion'], 'planAfterRoot', { value: suggestion.planAfterRoot, enumerable: false });
  finding.fixes = [...(finding.fixes ?? []).filter((f) => !/^Copy CREATE INDEX|^Copy trigram index/.test(f.title)), ...indexFixes(finding, suggestion, context)];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The "Add index" fix of a suggestion is made again on every analysis of the statement's file: in the language server,
// on every edit, for every finding whose advice is cached (60 in bench/lsp.ts's file), and each time writeIndexMigration
// lists the migrations folder, reads its files for an earlier migration of the index and parses the statements it
// writes (a third of the language server's time per edit in a profile, docs/benchmarks.md). The outcome is kept per
// suggestion and everything else it depends on; the folder's modification time says whether a migration came or went
// since, and nothing is kept longer than INDEX_FIX_REUSE_MS (a migration edited by hand to create the index changes no
// folder time; the language server's code action checks the file again before creating it).
export const INDEX_FIX_REUSE_MS = 30_000;

interface IndexFixOutcome {
  fixes: SuggestedFix[];
  migrationRefused?: string;
  migrationFile?: string;
  folderTime: number | undefined;
  madeAt: number;
}

const keptIndexFixes = new WeakMap<IndexSuggestion, Map<string, IndexFixOutcome>>();

function folderTime(dir: string): number | undefined {
  try {
    // No error for a folder that does not exist (yet): an error's stack costs more than the stat.
    return fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * What the "Add index" fixes of a workspace depend on besides the suggestion: the migrations folder and its
 * modification time. A caller that keeps advised findings (the engine's kept statement results) compares it to know the
 * fixes it kept would be made the same again.
 */
export function indexFixStamp(settings: AdvisorSettings): string {
  const target = detectMigrationTarget(settings.root, settings.migrationsDir);
  return `${target.dir}\u0000${folderTime(target.dir) ?? ''}`;
}

export function indexFixes(finding: Finding, suggestion: IndexSuggestion, context: ApplyContext, servesStatements = 1): SuggestedFix[] {
  const target = detectMigrationTarget(context.settings.root, context.settings.migrationsDir);
  const where = `${path.relative(context.settings.root, finding.file).split(path.sep).join('/') || finding.file}:${finding.range.start.line + 1}`;
  const key = [target.dir, target.layout, context.settings.root, where, servesStatements, context.databaseLabel ?? '', context.now?.getTime() ?? ''].join('\u0000');
  const time = folderTime(target.dir);
  let kept = keptIndexFixes.get(suggestion);
  let outcome = kept?.get(key);
  if (!outcome || outcome.folderTime !== time || Date.now() - outcome.madeAt > INDEX_FIX_REUSE_MS) {
    outcome = { ...indexFixesNow(target, where, suggestion, context, servesStatements), folderTime: time, madeAt: Date.now() };
    if (!kept) keptIndexFixes.set(suggestion, (kept = new Map()));
    kept.set(key, outcome);
  }
  if (outcome.migrationRefused !== undefined) finding.evidence = { ...(finding.evidence ?? {}), migrationRefused: outcome.migrationRefused };
  if (outcome.migrationFile !== undefined) finding.evidence = { ...(finding.evidence ?? {}), migrationFile: outcome.migrationFile };
  return outcome.fixes.map((fix) => ({ ...fix }));
}

function indexFixesNow(
  target: ReturnType<typeof detectMigrationTarget>,
  where: string,
  suggestion: IndexSuggestion,
  context: ApplyContext,
  servesStatements: number,
): { fixes: SuggestedFix[]; migrationRefused?: string; migrationFile?: string } {
  const outcome: { fixes: SuggestedFix[]; migrationRefused?: string; migrationFile?: string } = { fixes: [] };
  const measured =
    suggestion.verifiedWith && suggestion.costAfter !== undefined && suggestion.reduction !== undefined
      ? `Estimated cost of the statement: ${formatCost(suggestion.costBefore)} -> ${formatCost(suggestion.costAfter)} (${formatReduction(suggestion.reduction)}), verified with ${suggestion.verifiedWith}${context.databaseLabel ? ` on ${context.databaseLabel}` : ''}.`
      : `Not verified by what-if planning: ${suggestion.unverifiedReason ?? 'no what-if method available'}.`;
  let migration: MigrationFile | undefined;
  try {
    migration = writeIndexMigration(target, {
      indexes: suggestion.indexes.map((c, i) => ({ name: suggestion.names[i] ?? indexName(c), definition: indexDefinition(c), candidate: c })),
      comment: [
        `Suggested by pglens for ${where}${servesStatements > 1 ? ` (serves ${servesStatements} statements)` : ''}.`,
        measured,
      ],
      preamble: suggestion.needsExtension ? [`CREATE EXTENSION IF NOT EXISTS ${suggestion.needsExtension};`] : undefined,
      now: context.now,
    });
  } catch (error) {
    if (!(error instanceof MigrationRefused)) throw error;
    // No "Add index" fix then; the finding says why (the copy of the SQL below is still offered).
    outcome.migrationRefused = error.message;
  }
  const serves = servesStatements > 1 ? ` (serves ${servesStatements} queries)` : '';
  const extension = suggestion.needsExtension ? `CREATE EXTENSION IF NOT EXISTS ${suggestion.needsExtension};\n` : '';
  const concurrently = suggestion.indexes.map((c) => `${createIndexConcurrentlySql(c)};`).join('\n');
  const fixes = outcome.fixes;
  // An earlier "Add index" already wrote this index's migration: point at it, never write a second one.
  if (migration?.reused) outcome.migrationFile = migration.path;
  // The migration's SQL as JSON and SARIF print it: CONCURRENTLY, as in the file.
  else if (migration) fixes.push({ title: `Add index ${suggestion.names.join(', ')}${serves} in a new migration`, newFile: migration, sql: extension + concurrently, verified: suggestion.verifiedWith !== null });
  fixes.push({ title: `Copy CREATE INDEX${serves}`, sql: extension + concurrently, verified: suggestion.verifiedWith !== null });
  return outcome;
}

// ---------------------------------------------------------------------------------------------------------------
// Across the workspace

interface SuggestionEvidence {
  sql: string;
  verifiedWith: WhatIfMethod | null;
  indexes: IndexCandidate[];
  statement: string;
  servesStatements: number;
  names: string[];
  servedBy?: string;
}

export interface MergedSuggestion {
  sql: string;
  table: string;
  statements: string[];
  findings: Finding[];
}

/**
 * One index for several statements: the same suggestion from different statements, and a btree suggestion whose
 * keys are the leading keys of another verified one on the same table (same predicate, no INCLUDE), which then
 * serves both. Findings are updated in place ("serves 4 queries", the shared migration); the merged list is returned.
 */
export function mergeSuggestions(findings: Finding[]): MergedSuggestion[] {
  const withSuggestion = findings.filter((f) => (f.evidence?.['indexSuggestion'] as SuggestionEvidence | undefined)?.indexes?.length);
  const keyOf = (e: SuggestionEvidence) => e.indexes.map(definitionKey).join(' + ');
  const groups = new Map<string, Finding[]>();
  for (const finding of withSuggestion) {
    const key = keyOf(finding.evidence!['indexSuggestion'] as SuggestionEvidence);
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  // A prefix suggestion folds into the longer verified one that starts with its keys.
  const single = [...groups.entries()].filter(([, list]) => {
    const e = list[0].evidence!['indexSuggestion'] as SuggestionEvidence;
    return e.indexes.length === 1 && e.indexes[0].method === 'btree' && e.indexes[0].include.length === 0;
  });
  for (const [shortKey, shortList] of single) {
    const short = (shortList[0].evidence!['indexSuggestion'] as SuggestionEvidence).indexes[0];
    const longer = single
      .filter(([key]) => key !== shortKey && groups.has(key))
      .map(([key, list]) => ({ key, list, index: (list[0].evidence!['indexSuggestion'] as SuggestionEvidence).indexes[0] }))
      .filter(
        ({ index, list }) =>
          (list[0].evidence!['indexSuggestion'] as SuggestionEvidence).verifiedWith !== null &&
          index.schema === short.schema &&
          index.table === short.table &&
          (index.predicate ?? '') === (short.predicate ?? '') &&
          index.keys.length > short.keys.length &&
          short.keys.every((k, i) => index.keys[i].text === k.text && (index.keys[i].opclass ?? '') === (k.opclass ?? '') && !index.keys[i].descending === !k.descending),
      )
      .sort((a, b) => a.index.keys.length - b.index.keys.length)[0];
    if (!longer || !groups.has(shortKey)) continue;
    groups.set(longer.key, [...groups.get(longer.key)!, ...groups.get(shortKey)!]);
    groups.delete(shortKey);
  }
  const merged: MergedSuggestion[] = [];
  for (const list of groups.values()) {
    const representative = list.find((f) => keyOf(f.evidence!['indexSuggestion'] as SuggestionEvidence) === keyOf(list[0].evidence!['indexSuggestion'] as SuggestionEvidence))!;
    const evidence = representative.evidence!['indexSuggestion'] as SuggestionEvidence;
    const statements = [...new Set(list.map((f) => (f.evidence!['indexSuggestion'] as SuggestionEvidence).statement))];
    merged.push({ sql: evidence.sql, table: evidence.indexes[0].table, statements, findings: list });
    if (statements.length < 2) continue;
    const sharedFixes = (representative.fixes ?? []).filter((f) => f.title.startsWith('Add index') || f.title.startsWith('Copy CREATE INDEX'));
    for (const finding of list) {
      const own = finding.evidence!['indexSuggestion'] as SuggestionEvidence;
      const servedBy = keyOf(own) !== keyOf(evidence) ? evidence.sql : undefined;
      finding.evidence = { ...finding.evidence, indexSuggestion: { ...own, servesStatements: statements.length, ...(servedBy ? { servedBy } : {}) } };
      if (servedBy && !finding.message.includes(servedBy)) addFindingDetail(finding, 'advice', `${evidence.sql} (suggested for another statement) serves this one too.`);
      addFindingDetail(finding, 'advice', `One index serves ${statements.length} statements of this workspace.`);
      const others = (finding.fixes ?? []).filter((f) => !f.title.startsWith('Add index') && !f.title.startsWith('Copy CREATE INDEX'));
      const fixes = sharedFixes.map((fix) => ({
        ...fix,
        title: fix.title.replace(/ \(serves \d+ queries\)/, '').replace(/^(Add index [^ ]+(?:, [^ ]+)*|Copy CREATE INDEX)/, `$1 (serves ${statements.length} queries)`),
        newFile: fix.newFile ? { ...fix.newFile, content: fix.newFile.content.replace(/^(-- Suggested by pglens for [^\n]*?)\.$/m, `$1 (serves ${statements.length} statements).`) } : undefined,
      }));
      finding.fixes = [...others, ...fixes];
    }
  }
  return merged;
}
