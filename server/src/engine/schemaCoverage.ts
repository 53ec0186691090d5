// Whether the schema pglens plans against is the one the code runs against. A configured database is taken as it
// is. An embedded database is built from the repository's schema files, and those may be missing (none found, the
// wrong folder) or only partly loadable (another dialect, an extension PGlite lacks): planned against it, every query
// of a missing table would be a "relation does not exist" finding that is pglens's fault, not the code's. So the
// relations the checked code names are collected as it is analysed, looked up once in the embedded database, and
// its schema is judged: trusted (plan errors are findings), not whole (plan errors about missing objects are not
// findings, the statements are counted as not planned), or too thin to plan against at all (one line, exit 2).

import * as path from 'node:path';
import { walkAst, type ParsedStatement } from './parse/parse';
import type { DatabaseSession } from './db/client';

/** What the embedded database was built from (EmbeddedDatabase's fields, read without loading PGlite). */
export interface EmbeddedSchemaOrigin {
  /** Absolute paths of the schema files found, in the order applied. */
  schemaFiles: string[];
  /** Schema statements that could not be applied; `kind` is the statement's kind when known ("CreateStmt"). */
  schemaProblems: { file: string; line: number; reason: string; kind?: string }[];
}

export interface SchemaAssessment {
  /** Plan errors about missing relations, columns, functions or types are findings only when true. */
  trusted: boolean;
  /** No schema files, or most relations the code names are missing: the run cannot mean anything (CLI exit 2). */
  tooThin: boolean;
  /** Distinct relations named by the planned statements of the code. */
  named: number;
  /** Of those, the ones the embedded database does not have, sorted. */
  missing: string[];
  /** Why plan errors are not findings (when not trusted), for the statements' "not planned" reason. */
  reason?: string;
  /** When `tooThin`: what was found and what failed; schemaProblemLine adds what to do. */
  line?: string;
}

/** The relations of a statement's FROM, JOIN and target lists, without its own CTE names; "schema.name" when qualified. */
export function relationNamesOf(statement: ParsedStatement): { named: Set<string>; created: Set<string> } {
  const named = new Set<string>();
  const created = new Set<string>();
  const cteNames = new Set<string>();
  const add = (body: Record<string, unknown> | undefined, into: Set<string>) => {
    if (!body || typeof body.relname !== 'string') return;
    into.add(typeof body.schemaname === 'string' && body.schemaname ? `${body.schemaname}.${body.relname}` : body.relname);
  };
  walkAst(statement.node, (nodeType, body) => {
    if (nodeType === 'CommonTableExpr' && typeof body.ctename === 'string') cteNames.add(body.ctename);
    else if (nodeType === 'RangeVar') add(body, named);
  });
  const top = statement.node[statement.kind] as Record<string, unknown> | undefined;
  // UPDATE/DELETE/INSERT targets are bare RangeVars (`relation`), not typed nodes.
  if (top && typeof top.relation === 'object') add(top.relation as Record<string, unknown>, named);
  if (statement.kind === 'CreateStmt' || statement.kind === 'CreateTableAsStmt' || statement.kind === 'ViewStmt') {
    const target = (top?.relation ?? (top?.into as Record<string, unknown> | undefined)?.rel ?? top?.view) as Record<string, unknown> | undefined;
    add(target, created);
  }
  for (const name of cteNames) named.delete(name);
  for (const name of [...named]) if (isSystemRelation(name)) named.delete(name);
  return { named, created };
}

function isSystemRelation(name: string): boolean {
  return /^(pg_catalog|information_schema)\./.test(name) || /^pg_/.test(name.split('.').pop()!);
}

/** Every relation of the database outside the system schemas, by bare and by qualified name. */
export async function loadKnownRelations(session: DatabaseSession): Promise<Set<string>> {
  const { rows } = await session.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
  );
  const known = new Set<string>();
  for (const row of rows) {
    known.add(row.name);
    known.add(`${row.schema}.${row.name}`);
  }
  return known;
}

/** The relations named by each analysed file (an editor re-analyses files: each analysis replaces the file's entry). */
export class SchemaCoverage {
  private readonly namedByFile = new Map<string, Set<string>>();
  private readonly createdByFile = new Map<string, Set<string>>();

  noteFile(file: string, named: Set<string>, created: Set<string>): void {
    this.namedByFile.set(file, named);
    this.createdByFile.set(file, created);
  }

  /**
   * Relations the planned statements name, those the checked code creates itself (a temporary table, a migration), and
   * of those the ones created by files other than `schemaFiles` (the embedded database's; absolute paths).
   */
  relations(schemaFiles: readonly string[] = []): { named: Set<string>; created: Set<string>; createdElsewhere: Set<string> } {
    const schema = new Set(schemaFiles.map((file) => path.resolve(file)));
    const created = new Set<string>();
    const createdElsewhere = new Set<string>();
    for (const [file, names] of this.createdByFile) {
      for (const name of names) {
        created.add(name);
        if (!schema.has(path.resolve(file))) createdElsewhere.add(name);
      }
    }
    const named = new Set<string>();
    for (const names of this.namedByFile.values()) for (const name of names) named.add(name);
    return { named, created, createdElsewhere };
  }
}

/** Migration folders looked in without `schema` globs, for the message (schemaDiscovery.ts has the full list). */
const LOOKED_IN = 'migrations/, db/migrations/, prisma/migrations/ (also in a package), supabase/migrations/, drizzle/, sqlc.yaml, folders of *.up.sql or V1__*.sql files, schema.sql';

/**
 * Judges an embedded database's schema against the relations the code names. `known` holds the database's relations
 * (undefined when they could not be listed);
 * `root` is the workspace root (paths in the line are relative to it); `schemaGlobs` the `schema` setting, if any.
 */
export function assessEmbeddedSchema(
  origin: EmbeddedSchemaOrigin,
  { named, created, createdElsewhere }: { named: Set<string>; created: Set<string>; createdElsewhere?: Set<string> },
  known: Set<string> | undefined,
  root: string,
  schemaGlobs?: string[],
): SchemaAssessment {
  // Without the database's relations (the look-up failed) only the schema files themselves are judged.
  // A table the checked code creates itself (CREATE TEMP TABLE in the code, a migration not among the schema files) is
  // the code's own business, not missing from the schema.
  const isCreated = (name: string) => created.has(name) || created.has(name.split('.').pop()!);
  const missing = known ? [...named].filter((name) => !known.has(name) && !isCreated(name)).sort() : [];
  const noFiles = origin.schemaFiles.length === 0;
  const tooThin = named.size > 0 && (noFiles || missing.length * 2 > named.size);
  // A CREATE refused because the relation already exists (two migrations folders of a monorepo both creating it) left
  // the relation in place: the schema is no less whole for it.
  const tableFailures = origin.schemaProblems.filter((problem) => createsRelation(problem) && !/\balready exists$/.test(problem.reason.split('\n')[0]));
  const firstProblem = tableFailures[0] ?? origin.schemaProblems[0];
  // A table of a PostgreSQL schema the embedded database has nothing of (`analytics.events` where no file created a
  // relation in `analytics`): that schema's files were not among those found (another package's migrations folder of a
  // monorepo), so a missing table is pglens's gap, not the code's.
  const knownSchemas = known ? new Set([...known].filter((name) => name.includes('.')).map((name) => name.split('.')[0])) : undefined;
  // A table checked files other than the schema files create (a migrations folder of another package) that the
  // embedded database lacks: queries of it cannot be planned, and that is pglens's gap too. (A table the schema files
  // created and a later migration dropped is not: older migrations name it, the code of today does not.)
  const isCreatedElsewhere = (name: string) => createdElsewhere !== undefined && (createdElsewhere.has(name) || createdElsewhere.has(name.split('.').pop()!));
  const createdNotLoaded = known ? [...named].filter((name) => !known.has(name) && isCreatedElsewhere(name)).sort() : [];
  const outsideKnownSchemas = knownSchemas ? missing.find((name) => name.includes('.') && !knownSchemas.has(name.split('.')[0])) : undefined;
  const where = (problem: { file: string; line: number; reason: string }) => `${problem.file}:${problem.line}: ${problem.reason.split('\n')[0]}`;

  let reason: string | undefined;
  if (noFiles) reason = 'the embedded database was built from no schema files';
  else if (tooThin) reason = `${missing.length} of ${named.size} tables the code names are missing from the embedded database`;
  else if (tableFailures.length > 0) reason = `the embedded schema did not load whole (${where(tableFailures[0])})`;
  else if (createdNotLoaded.length > 0) {
    reason = `${listed(createdNotLoaded, 3)} ${createdNotLoaded.length === 1 ? 'is' : 'are'} created by checked files that are not among the embedded schema's files`;
  } else if (outsideKnownSchemas) reason = `the embedded schema has no relation of schema ${outsideKnownSchemas.split('.')[0]}, which the code names (${outsideKnownSchemas})`;

  let line: string | undefined;
  if (tooThin) {
    const relative = (file: string) => path.relative(root, file).split(path.sep).join('/') || file;
    const found = noFiles
      ? schemaGlobs && schemaGlobs.length > 0
        ? `no file matches "schema" (${schemaGlobs.join(', ')})`
        : `no schema files found (looked for ${LOOKED_IN})`
      : `built from ${origin.schemaFiles.length} schema file${origin.schemaFiles.length === 1 ? '' : 's'} (${listed(origin.schemaFiles.map(relative), 3)})`;
    const failed = firstProblem
      ? `; ${origin.schemaProblems.length} statement${origin.schemaProblems.length === 1 ? '' : 's'} failed to load, first ${where(firstProblem)}`
      : '';
    // With no schema files the tables may all be created by checked code (migrations pglens did not take for the
    // schema): then there is nothing missing to list.
    const absent =
      missing.length > 0 ? `; ${missing.length} of ${named.size} table${named.size === 1 ? '' : 's'} the code names ${missing.length === 1 ? 'is' : 'are'} missing (${listed(missing, 5)})` : '';
    line = `the embedded database has too little of the schema to plan against: ${found}${failed}${absent}`;
  }
  return { trusted: reason === undefined, tooThin, named: named.size, missing, reason, line };
}

/** The one line for a person: the assessment's finding and what to do about it, in the CLI's or the editor's terms. */
export function schemaProblemLine(assessment: SchemaAssessment, where: 'cli' | 'editor'): string | undefined {
  if (!assessment.tooThin || !assessment.line) return undefined;
  const real = where === 'cli' ? 'pass --db URL (--allow-incomplete-schema runs anyway)' : 'set database.url in pglens.json (or pglens.database.url)';
  return `${assessment.line}. Point "schema" in pglens.json at the files that create these tables, or ${real}`;
}

function createsRelation(problem: { reason: string; kind?: string }): boolean {
  return problem.kind === 'CreateStmt' || problem.kind === 'CreateTableAsStmt' || problem.kind === 'ViewStmt' || problem.kind === 'CREATE TABLE';
}

function listed(items: string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, ${items.length - max} more`;
}
