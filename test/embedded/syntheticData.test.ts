import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { makeCacheDir, makeWorkspace, removeTemporary } from './helpers';

const SCHEMA = `
CREATE TYPE plan_tier AS ENUM ('free', 'pro', 'enterprise');
CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(120) NOT NULL UNIQUE,
  tier plan_tier NOT NULL,
  country char(2) NOT NULL,
  deleted_at timestamptz
);
CREATE TABLE employees (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  manager_id int REFERENCES employees (id),
  code varchar(6) NOT NULL UNIQUE
);
CREATE TABLE invoices (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  state text NOT NULL CHECK (state IN ('draft', 'open', 'paid', 'void')),
  priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
  amount numeric(10, 2) NOT NULL CHECK (amount > 0),
  reference text NOT NULL CHECK (reference ~ '^INV-[0-9]+$'),
  tags text[] NOT NULL DEFAULT '{}',
  meta jsonb,
  issued_on date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE invoice_lines (
  invoice_id bigint NOT NULL REFERENCES invoices (id),
  line_no int NOT NULL,
  account_id uuid REFERENCES accounts (id),
  PRIMARY KEY (invoice_id, line_no)
);
CREATE TABLE account_invoices (
  account_id uuid NOT NULL REFERENCES accounts (id),
  invoice_id bigint NOT NULL REFERENCES invoices (id),
  PRIMARY KEY (account_id, invoice_id)
);
CREATE MATERIALIZED VIEW account_totals AS SELECT account_id, sum(amount) AS total FROM invoices GROUP BY account_id WITH NO DATA;
CREATE TABLE currencies (code char(3) PRIMARY KEY, name text NOT NULL);
INSERT INTO currencies VALUES ('EUR', 'Euro'), ('USD', 'US dollar');
`;

let db: EmbeddedDatabase;
let root: string;
let cacheDir: string;

before(async () => {
  cacheDir = await makeCacheDir();
  root = makeWorkspace({ 'schema.sql': SCHEMA });
  db = await openEmbeddedDatabase({
    workspaceRoot: root,
    cacheDir,
    volumes: { accounts: 2000, employees: 1500, invoices: 20000, '*': 3000 },
    values: { 'accounts.country': ['DE', 'FR', 'NL'] },
  });
});

after(async () => {
  await db?.close();
  removeTemporary(root, cacheDir);
});

async function scalar<T>(sql: string): Promise<T> {
  const result = await db.withSession((session) => session.query<{ value: T }>(sql));
  return result.rows[0].value;
}

test('volumes: configured per table, "*" for the rest, rows inserted by migrations kept as they are', () => {
  assert.deepEqual(db.tableVolumes, { invoices: 20000, account_invoices: 3000, invoice_lines: 3000, accounts: 2000, employees: 1500, currencies: 2 });
  assert.equal(db.info.kind, 'embedded');
  assert.equal(db.info.label, 'embedded');
  assert.equal(db.info.hypopg, false);
  assert.equal(db.info.syntheticDataNote, 'embedded database, synthetic data: invoices 20k rows, account_invoices 3k rows, invoice_lines 3k rows, accounts 2k rows, employees 1.5k rows, 1 more table');
});

test('foreign keys point at existing rows, self references included', async () => {
  assert.equal(await scalar(`SELECT count(*)::int AS value FROM invoices i LEFT JOIN accounts a ON a.id = i.account_id WHERE a.id IS NULL`), 0);
  assert.equal(await scalar(`SELECT count(*)::int AS value FROM invoice_lines l LEFT JOIN invoices i ON i.id = l.invoice_id WHERE i.id IS NULL`), 0);
  assert.equal(await scalar(`SELECT count(*)::int AS value FROM employees e LEFT JOIN employees m ON m.id = e.manager_id WHERE e.manager_id IS NOT NULL AND m.id IS NULL`), 0);
  const managers = await scalar<number>(`SELECT count(manager_id)::int AS value FROM employees`);
  assert.ok(managers > 1000 && managers < 1500, `most employees have a manager (${managers})`);
  // Nullable foreign keys are sometimes NULL; the parents are skewed (some accounts have many invoices).
  const nullAccounts = await scalar<number>(`SELECT count(*)::int AS value FROM invoice_lines WHERE account_id IS NULL`);
  assert.ok(nullAccounts > 100 && nullAccounts < 700, `nullable FK sometimes NULL (${nullAccounts})`);
  const distinctAccounts = await scalar<number>(`SELECT count(DISTINCT account_id)::int AS value FROM invoices`);
  assert.ok(distinctAccounts > 1000, `invoices spread over many accounts (${distinctAccounts})`);
});

test('unique constraints hold, including composite keys made only of foreign keys', async () => {
  assert.equal(await scalar(`SELECT count(DISTINCT email)::int AS value FROM accounts`), 2000);
  assert.equal(await scalar(`SELECT count(DISTINCT code)::int AS value FROM employees`), 1500);
  assert.equal(await scalar(`SELECT count(DISTINCT (account_id, invoice_id))::int AS value FROM account_invoices`), 3000);
  assert.equal(await scalar(`SELECT count(DISTINCT (invoice_id, line_no))::int AS value FROM invoice_lines`), 3000);
});

test('CHECK constraints and enums: only allowed values, skewed like real status columns', async () => {
  const states = await db.withSession((session) => session.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM invoices GROUP BY 1 ORDER BY 2 DESC`));
  assert.deepEqual(states.rows.map((row) => row.state).sort(), ['draft', 'open', 'paid', 'void']);
  assert.ok(states.rows[0].n > 20000 * 0.45, `the most common state dominates (${JSON.stringify(states.rows)})`);
  assert.ok(states.rows[3].n < 20000 * 0.15, 'the rarest state is rare');
  assert.equal(await scalar(`SELECT count(*)::int AS value FROM invoices WHERE priority NOT BETWEEN 1 AND 5 OR amount <= 0`), 0);
  assert.deepEqual((await db.withSession((session) => session.query<{ tier: string }>(`SELECT DISTINCT tier::text FROM accounts ORDER BY 1`))).rows.map((row) => row.tier), ['enterprise', 'free', 'pro']);
  // A CHECK the generator cannot satisfy (a regular expression) is kept, NOT VALID, and said so.
  assert.equal(await scalar(`SELECT convalidated AS value FROM pg_constraint WHERE conname = 'invoices_reference_check'`), false);
  assert.ok(db.dataProblems.some((problem) => problem.table === 'invoices' && /invoices_reference_check/.test(problem.reason)));
});

test('value hints from pglens.json decide the values of a column', async () => {
  const countries = await db.withSession((session) => session.query<{ country: string }>(`SELECT DISTINCT country FROM accounts ORDER BY 1`));
  assert.deepEqual(countries.rows.map((row) => row.country), ['DE', 'FR', 'NL']);
});

test('types: NOT NULL columns filled, nullable ones sometimes NULL, soft-delete timestamps mostly NULL', async () => {
  const row = await db.withSession((session) =>
    session.query<{ tags: number; meta_nulls: number; deleted: number; dates: number }>(
      `SELECT count(*) FILTER (WHERE cardinality(tags) > 0)::int AS tags, count(*) FILTER (WHERE meta IS NULL)::int AS meta_nulls,
              (SELECT count(deleted_at)::int FROM accounts) AS deleted, count(DISTINCT issued_on)::int AS dates FROM invoices`,
    ),
  );
  const { tags, meta_nulls, deleted, dates } = row.rows[0];
  assert.equal(tags, 20000);
  assert.ok(meta_nulls > 1000 && meta_nulls < 3000, `about 10% NULL (${meta_nulls})`);
  assert.ok(deleted < 200, `deleted_at mostly NULL (${deleted} of 2000 set)`);
  assert.ok(dates > 1000, `dates spread (${dates})`);
});

test('materialized views are refreshed from the synthetic rows', async () => {
  const accounts = await scalar<number>(`SELECT count(*)::int AS value FROM account_totals`);
  assert.ok(accounts > 1000, `one row per account with invoices (${accounts})`);
});

test('ANALYZE ran: pg_class.reltuples and pg_stats match the generated rows', async () => {
  assert.equal(await scalar(`SELECT reltuples::int AS value FROM pg_class WHERE relname = 'invoices'`), 20000);
  assert.equal(await scalar(`SELECT count(*)::int AS value FROM pg_stats WHERE tablename = 'invoices'`), 10);
  // Sequences continue after the generated keys, so inserts (index trials, EXPLAIN ANALYZE in a rollback) work.
  assert.equal(await scalar(`SELECT nextval('invoices_id_seq')::int AS value`), 20001);
});
