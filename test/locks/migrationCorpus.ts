// The migration corpus (test/fixtures/migration-corpus/plain): one danger, or none, per file, with the verdict
// PostgreSQL's docs give it (expected.json). The same files are written here in the layouts of three migration
// tools, with the verdict each tool's way of running a file implies; test/locks/corpus.test.ts and
// bench/migrationCorpus.ts score pglens (and other linters) against them.
//
// How each tool runs a file, and what follows for the corpus:
// - plain folder (the runner is unknown): a file's statements are taken as written; only an explicit BEGIN makes a
//   transaction. The manifest's verdict holds.
// - Prisma (prisma/migrations/<ts>_name/migration.sql) and golang-migrate (migrations/<n>_name.up.sql, postgres
//   driver without x-multi-statement) send the whole file as one query. PostgreSQL runs a query of several statements
//   as one implicit transaction block (docs: Protocol, "Multiple Statements in a Simple Query"), where CONCURRENTLY,
//   VACUUM and the like fail; a file of one such statement runs alone and is safe.
// - dbmate (db/migrations/<ts>_name.sql, `-- migrate:up`) wraps each migration in a transaction unless the section
//   says `transaction:false`; it also sends the section as one query. The corpus marks the files that must run
//   outside a transaction with `transaction:false` (several statements then still fail, as above), and adds one file
//   that forgets it.
// golang-migrate's `.down.sql` files and dbmate's `-- migrate:down` sections carry a DROP TABLE: rollback code is not
// what a deploy runs, so a finding there is a false alarm.

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CORPUS_DIR = resolve(dirname(__filename), '..', 'fixtures', 'migration-corpus', 'plain');

export type Layout = 'plain' | 'prisma' | 'dbmate' | 'golang-migrate';
export const LAYOUTS: Layout[] = ['plain', 'prisma', 'dbmate', 'golang-migrate'];

export interface ExpectedVerdict {
  dangerous: boolean;
  /** The pglens rule expected to report it (informative: the score counts any warning or error). */
  rule?: string;
  reason: string;
  /** The PostgreSQL docs section that justifies the verdict. */
  docs: string;
  /** The file holds a statement that cannot run inside a transaction block (CONCURRENTLY, VACUUM, ...). */
  outsideTransaction?: boolean;
}

export interface CorpusFile {
  /** File name in plain/migrations, e.g. `001_create_index.sql`. */
  name: string;
  /** Without the number and extension, e.g. `create_index`. */
  slug: string;
  text: string;
  expected: ExpectedVerdict;
}

/** A generated layout: where its migrations are (relative to the workspace root) and each one's verdict. */
export interface LayoutCase {
  /** Path relative to the workspace root. */
  path: string;
  /** The corpus file it was made from. */
  source: string;
  expected: ExpectedVerdict;
  /** Rollback code (a `.down.sql` file): never run by a deploy, so any finding on it is a false alarm. */
  rollback?: boolean;
}

const MULTI_STATEMENT_DOCS = 'https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT';
const TRANSACTION_BLOCK_DOCS = 'https://www.postgresql.org/docs/15/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY';
/** Rollback code every generated down migration holds: dangerous if it ran in a deploy, which it does not. */
export const DOWN_SQL = 'DROP TABLE accounts_archive;';
const ROLLBACK: ExpectedVerdict = {
  dangerous: false,
  reason: 'rollback code: a deploy runs the up migration only',
  docs: 'https://github.com/golang-migrate/migrate/blob/master/MIGRATIONS.md',
};

export function loadCorpus(dir: string = CORPUS_DIR): CorpusFile[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, ExpectedVerdict>;
  const files = readdirSync(join(dir, 'migrations')).filter((f) => f.endsWith('.sql')).sort();
  const missing = files.filter((f) => !manifest[f]).concat(Object.keys(manifest).filter((f) => !files.includes(f)));
  if (missing.length > 0) throw new Error(`expected.json and plain/migrations disagree on: ${missing.join(', ')}`);
  return files.map((name) => ({
    name,
    slug: name.replace(/^\d+_/, '').replace(/\.sql$/, ''),
    text: readFileSync(join(dir, 'migrations', name), 'utf8'),
    expected: manifest[name],
  }));
}

/** Statements in a corpus file (written one per line-ending `;`, comments on their own lines). */
export function statementCount(text: string): number {
  const code = text
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');
  return code.split(/;\s*(?:\n|$)/).filter((part) => part.trim().length > 0).length;
}

function sentAsOneQuery(file: CorpusFile, tool: string): ExpectedVerdict {
  if (file.expected.outsideTransaction && statementCount(file.text) > 1) {
    return {
      dangerous: true,
      rule: 'concurrently-in-transaction',
      reason: `${tool} sends the file as one query of several statements: PostgreSQL runs it as one implicit transaction, where this statement fails`,
      docs: MULTI_STATEMENT_DOCS,
    };
  }
  return file.expected;
}

/** Writes the corpus in `layout` under `root` and returns each migration with its verdict for that tool. */
export function writeLayout(layout: Layout, root: string, corpus: CorpusFile[] = loadCorpus()): LayoutCase[] {
  const cases: LayoutCase[] = [];
  const write = (path: string, text: string, source: string, expected?: ExpectedVerdict) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    cases.push(expected ? { path, source, expected } : { path, source, expected: ROLLBACK, rollback: true });
  };
  corpus.forEach((file, index) => {
    const n = index + 1;
    const timestamp = `20240101${String(n).padStart(6, '0')}`;
    switch (layout) {
      case 'plain':
        write(`migrations/${file.name}`, file.text, file.name, file.expected);
        break;
      case 'prisma':
        write(`prisma/migrations/${timestamp}_${file.slug}/migration.sql`, file.text, file.name, sentAsOneQuery(file, 'Prisma'));
        break;
      case 'golang-migrate': {
        const base = `migrations/${String(n).padStart(6, '0')}_${file.slug}`;
        write(`${base}.up.sql`, file.text, file.name, sentAsOneQuery(file, 'golang-migrate'));
        write(`${base}.down.sql`, `${DOWN_SQL}\n`, file.name);
        break;
      }
      case 'dbmate': {
        const header = file.expected.outsideTransaction ? '-- migrate:up transaction:false' : '-- migrate:up';
        write(`db/migrations/${timestamp}_${file.slug}.sql`, `${header}\n${file.text}\n-- migrate:down\n${DOWN_SQL}\n`, file.name, sentAsOneQuery(file, 'dbmate'));
        break;
      }
    }
  });
  if (layout === 'dbmate') {
    // The one dbmate-specific danger: CONCURRENTLY alone, but in dbmate's default transaction.
    const source = corpus.find((f) => f.expected.outsideTransaction && !f.expected.dangerous && statementCount(f.text) === 1);
    if (source) {
      write(`db/migrations/20240102000000_${source.slug}_in_transaction.sql`, `-- migrate:up\n${source.text}\n-- migrate:down\n${DOWN_SQL}\n`, source.name, {
        dangerous: true,
        rule: 'concurrently-in-transaction',
        reason: 'dbmate runs the migration in a transaction (no transaction:false), where this statement fails',
        docs: TRANSACTION_BLOCK_DOCS,
      });
    }
  }
  return cases;
}

export interface Score {
  dangerous: number;
  safe: number;
  /** Rollback files (golang-migrate .down.sql); dbmate's down sections live in the up file. */
  rollback: number;
  caught: string[];
  missed: string[];
  falseAlarms: string[];
}

/** Scores a tool: `flagged` holds the migration paths it reported at least one problem on. */
export function score(cases: LayoutCase[], flagged: Set<string>): Score {
  const result: Score = { dangerous: 0, safe: 0, rollback: 0, caught: [], missed: [], falseAlarms: [] };
  for (const c of cases) {
    if (c.rollback) {
      result.rollback++;
      if (flagged.has(c.path)) result.falseAlarms.push(c.path);
    } else if (c.expected.dangerous) {
      result.dangerous++;
      (flagged.has(c.path) ? result.caught : result.missed).push(c.path);
    } else {
      result.safe++;
      if (flagged.has(c.path)) result.falseAlarms.push(c.path);
    }
  }
  return result;
}

/** Whether `line` (1-based) of a generated file lies in a dbmate `-- migrate:down` section (rollback code). */
export function inDownSection(fileText: string, line: number): boolean {
  const lines = fileText.split('\n');
  const down = lines.findIndex((l) => /^--\s*migrate:down\b/.test(l));
  return down >= 0 && line > down + 1;
}
