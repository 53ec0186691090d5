// The lock table, proven against a real server. Each statement kind the model knows runs inside BEGIN on the
// ephemeral PostgreSQL; this backend's rows of pg_locks (locktype 'relation') are read before ROLLBACK, and the
// strongest mode pglens claims on each relation must equal the strongest mode the server took on it. Every table
// the server locked more strongly than ACCESS SHARE must be one pglens names. Where pglens claims a rewrite, the
// table's relfilenode must change inside the transaction, and where it claims none it must not.
//
// Statements that cannot run inside a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY,
// VACUUM, DETACH PARTITION CONCURRENTLY) are covered from the documentation (the section is named in each case),
// and the server is asked to confirm that it refuses them inside BEGIN, and which lock they first request on
// the table (seen in pg_locks as a waiting request while another session holds a conflicting lock).
//
// Runs in its own database (pglens_locks_test) so the shared fixture is never touched.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { loadParser, parseSite, type ParsedStatement } from '../../server/src/engine/parse/parse';
import { locksForStatement, type LockModelContext } from '../../server/src/engine/locks/lockModel';
import { lockStrength, type LockMode } from '../../server/src/engine/locks/lockModes';
import { EXTENSION_FUNCTION_VOLATILITY } from '../../server/src/engine/locks/volatility';
import type { SqlSite } from '../../server/src/engine/types';

const DATABASE = 'pglens_locks_test';

const SCHEMA = `
create table accounts (id int primary key, email varchar(100), name text, amount numeric(10,2), code int, created_at timestamp);
create table orders (id int primary key, account_id int, total int, status text not null, created_at timestamptz);
create index orders_status_idx on orders (status);
create table items (id int, order_id int);
create table fk_child (id int, account_id int);
alter table fk_child add constraint fk_child_account_fk foreign key (account_id) references accounts (id) not valid;
alter table orders add constraint orders_total_check check (total >= 0) not valid;
create unique index accounts_email_uidx on accounts (email);
create table parent (id int, k int) partition by list (k);
create table part1 partition of parent for values in (1);
create table part2 (id int, k int);
create materialized view mv as select id from accounts;
create unique index mv_id on mv (id);
create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger orders_touch before update on orders for each row execute function touch();
create schema other;
create table teams (id int primary key);
create table members (id int, team_id int references teams (id));
insert into accounts select g, 'a' || g || '@x.test', 'n' || g, g, g, now() from generate_series(1, 200) g;
insert into orders select g, 1 + g % 200, g, 'new', now() from generate_series(1, 1000) g;
insert into items select g, g from generate_series(1, 100) g;
insert into part2 values (1, 2);
refresh materialized view mv;
analyze;
`;

interface LockCase {
  sql: string;
  /** Earlier statements of the same file, given to the model only (already part of SCHEMA). */
  previous?: string;
  /** Run inside the transaction before the measured statement (session settings). */
  before?: string;
  /** Tables the server only reads (ACCESS SHARE) that pglens mentions in a note rather than by name. */
  alsoReads?: string[];
  /** The relfilenode changes without a rewrite (TRUNCATE assigns a new, empty file). */
  newFileWithoutRewrite?: boolean;
}

const CASES: LockCase[] = [
  // Queries: docs 13.3.1, ACCESS SHARE / ROW SHARE / ROW EXCLUSIVE
  { sql: 'select * from accounts' },
  { sql: 'select * from accounts a join orders o on o.account_id = a.id for update of a' },
  { sql: 'select * from accounts a join orders o on o.account_id = a.id for share' },
  { sql: 'select * from orders for no key update skip locked' },
  { sql: 'select * from orders where account_id in (select id from accounts) for key share' },
  { sql: "insert into orders (id, account_id, total, status) select id + 5000, id, 1, 'x' from accounts" },
  { sql: 'update orders set total = 1 from accounts where accounts.id = orders.account_id and accounts.id = 1' },
  { sql: 'update orders set total = 2' },
  { sql: 'delete from orders using accounts where accounts.id = orders.account_id and accounts.id = 1' },
  { sql: 'delete from items where order_id in (select id from orders where total > 10)' },
  { sql: 'merge into orders o using accounts a on o.id = a.id when matched then update set total = 0' },
  { sql: "with d as (delete from items returning id) insert into orders (id, account_id, total, status) select id + 9000, 1, 1, 'x' from d" },
  { sql: 'explain update orders set total = 3 where id = 1' },
  { sql: "insert into orders (id, account_id, total, status) values (1, 1, 1, 'x') on conflict (id) do update set total = excluded.total" },
  { sql: 'select count(*) from orders o where exists (select 1 from items i where i.order_id = o.id)' },
  // CREATE INDEX / DROP INDEX / REINDEX (reference pages)
  { sql: 'create index orders_created_idx on orders (created_at)' },
  { sql: 'create unique index on accounts (name)' },
  { sql: 'drop index orders_status_idx' },
  { sql: 'reindex index orders_status_idx' },
  { sql: 'reindex table orders' },
  // ALTER TABLE, per subcommand
  { sql: 'alter table accounts add column note text' },
  { sql: "alter table accounts add column plan text not null default 'free'" },
  { sql: 'alter table accounts add column seen_at timestamptz default now()' },
  { sql: 'alter table accounts add column r float8 default random()' },
  { sql: 'alter table accounts add column token uuid default gen_random_uuid()' },
  { sql: 'alter table accounts add column t timestamptz default clock_timestamp()' },
  { sql: 'alter table accounts add column seq bigserial' },
  { sql: 'alter table accounts add column n int generated always as identity' },
  { sql: 'alter table accounts add column twice int generated always as (code * 2) stored' },
  { sql: 'alter table orders add column buyer_id int references accounts (id)' },
  { sql: 'alter table accounts drop column name' },
  { sql: 'alter table accounts alter column email type text' },
  { sql: 'alter table accounts alter column email type varchar(200)' },
  { sql: 'alter table accounts alter column email type varchar(50)' },
  { sql: 'alter table accounts alter column code type bigint' },
  { sql: 'alter table accounts alter column amount type numeric(12,2)' },
  { sql: 'alter table accounts alter column amount type numeric' },
  { sql: 'alter table accounts alter column name type text using upper(name)' },
  // timestamp → timestamptz skips the rewrite only when the session time zone is UTC (PG 12+); pglens assumes a rewrite.
  { sql: 'alter table accounts alter column created_at type timestamptz', before: "set local timezone = 'Europe/Paris'" },
  { sql: 'alter table orders alter column status type varchar(20)' },
  { sql: 'alter table accounts alter column code set default 0' },
  { sql: 'alter table accounts alter column code drop default' },
  { sql: 'alter table accounts alter column code set not null' },
  { sql: 'alter table orders alter column status drop not null' },
  { sql: 'alter table orders add constraint orders_account_fk foreign key (account_id) references accounts (id)' },
  { sql: 'alter table orders add constraint orders_account_fk foreign key (account_id) references accounts (id) not valid' },
  {
    sql: 'alter table fk_child validate constraint fk_child_account_fk',
    previous: 'alter table fk_child add constraint fk_child_account_fk foreign key (account_id) references accounts (id) not valid',
  },
  { sql: 'alter table orders validate constraint orders_total_check' },
  // The foreign key known from the catalogue (schema facts), not from the file: ROW SHARE on the referenced table.
  { sql: 'alter table fk_child validate constraint fk_child_account_fk' },
  { sql: 'alter table orders add constraint orders_id_check check (id > 0)' },
  { sql: 'alter table orders add constraint orders_id_check check (id > 0) not valid' },
  { sql: 'alter table orders add constraint orders_status_key unique (status, id)' },
  { sql: 'alter table accounts add constraint accounts_email_key unique using index accounts_email_uidx' },
  { sql: 'alter table orders drop constraint orders_total_check' },
  { sql: 'alter table orders set (fillfactor = 70)' },
  { sql: 'alter table orders set (autovacuum_enabled = false, toast.autovacuum_enabled = false)' },
  { sql: 'alter table orders reset (fillfactor)' },
  { sql: 'alter table orders alter column total set statistics 500' },
  { sql: 'alter table orders alter column total set (n_distinct = 100)' },
  { sql: 'alter table orders alter column status set storage external' },
  { sql: 'alter table orders alter column status set compression pglz' },
  { sql: 'alter table orders rename column status to state' },
  { sql: 'alter table orders rename to purchases' },
  { sql: 'alter table orders rename constraint orders_total_check to total_check' },
  { sql: 'alter index orders_status_idx rename to orders_state_idx' },
  { sql: 'alter table parent attach partition part2 for values in (2)' },
  { sql: 'alter table parent detach partition part1' },
  { sql: 'alter table orders disable trigger orders_touch' },
  { sql: 'alter table orders enable trigger all' },
  { sql: 'alter table orders cluster on orders_pkey' },
  { sql: 'alter table orders set without cluster' },
  { sql: 'alter table orders owner to app' },
  { sql: 'alter table items set unlogged' },
  { sql: 'alter table orders replica identity full' },
  { sql: 'alter table orders enable row level security' },
  { sql: 'alter table items set schema other' },
  { sql: 'alter table items add column n int, alter column order_id set not null, set (fillfactor = 50)' },
  // Other commands (each reference page)
  { sql: 'drop table items' },
  // DROP TABLE and foreign keys (from the catalogue): the referenced table loses the FK's triggers; with CASCADE the
  // referencing table loses its constraint. Both under ACCESS EXCLUSIVE.
  { sql: 'drop table members' },
  { sql: 'drop table teams cascade' },
  { sql: 'drop materialized view mv' },
  { sql: 'truncate items', newFileWithoutRewrite: true },
  { sql: 'truncate items, fk_child', newFileWithoutRewrite: true },
  { sql: 'analyze orders' },
  { sql: 'cluster orders using orders_pkey' },
  { sql: 'refresh materialized view mv', alsoReads: ['accounts'] },
  { sql: 'refresh materialized view concurrently mv', alsoReads: ['accounts'] },
  { sql: 'lock table orders in access share mode' },
  { sql: 'lock table orders in row share mode' },
  { sql: 'lock table orders in row exclusive mode' },
  { sql: 'lock table orders in share update exclusive mode' },
  { sql: 'lock table orders in share mode' },
  { sql: 'lock table orders in share row exclusive mode' },
  { sql: 'lock table orders in exclusive mode' },
  { sql: 'lock table orders, accounts' },
  { sql: 'create trigger items_touch before insert on items for each row execute function touch()' },
  { sql: 'create rule items_rule as on insert to items do also notify items' },
  { sql: 'create policy items_policy on items using (true)' },
  { sql: 'create statistics orders_stats on account_id, total from orders' },
  { sql: "comment on table orders is 'customer orders'" },
  { sql: "comment on column orders.total is 'in cents'" },
  { sql: 'grant select on orders to app' },
  { sql: 'create table notes (id int primary key, account_id int references accounts (id))' },
  { sql: 'create table notes2 (id int, account_id int, constraint notes2_fk foreign key (account_id) references accounts (id))' },
  { sql: 'create sequence order_numbers' },
  { sql: 'create table part3 partition of parent for values in (3)' },
  { sql: 'create table accounts_copy (like accounts including all)' },
  { sql: 'create table accounts_child () inherits (accounts)' },
  { sql: 'create table account_ids as select id from accounts' },
  { sql: 'create view big_orders as select * from orders where total > 100' },
  { sql: 'create materialized view order_totals as select account_id, sum(total) from orders group by 1' },
];

let scratch: TestFileDatabase | undefined;
let client: Client;
let databaseUrl = '';
let serverVersionNum = 0;
let indexOwners = new Map<string, string>();
let columnTypes = new Map<string, string>();
/** Foreign keys of the test database: constraint, table, referenced table. */
let foreignKeys: { name: string; table: string; referenced: string }[] = [];

function siteOf(text: string): SqlSite {
  return { file: 'case.sql', origin: 'sql-file', text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length };
}

function parseOne(text: string): ParsedStatement {
  const parsed = parseSite(siteOf(text));
  assert.equal(parsed.error, undefined, `${text}: ${parsed.error?.message}`);
  assert.equal(parsed.statements.length, 1);
  return parsed.statements[0];
}

function modelContext(previous?: string): LockModelContext {
  return {
    serverVersionNum,
    previousStatements: previous ? parseSite(siteOf(previous)).statements : [],
    indexTable: (index) => (indexOwners.has(index) ? { table: indexOwners.get(index)! } : undefined),
    columnType: (table, column) => columnTypes.get(`${table}.${column}`),
    foreignKeyTarget: (constraint, table) => {
      const fk = foreignKeys.find((f) => f.name === constraint && f.table === table);
      return fk ? { table: fk.referenced } : undefined;
    },
    referencingTables: (table) => foreignKeys.filter((f) => f.referenced === table).map((f) => ({ table: f.table, constraint: f.name })),
    referencedTables: (table) => foreignKeys.filter((f) => f.table === table).map((f) => ({ table: f.referenced, constraint: f.name })),
  };
}

function strongest(modes: LockMode[]): LockMode {
  return modes.reduce((a, b) => (lockStrength(b) > lockStrength(a) ? b : a));
}

interface ServerLocks {
  /** relation name → strongest mode, for tables, views, matviews, sequences */
  tables: Map<string, LockMode>;
  indexes: Map<string, LockMode>;
  rewritten: Set<string>;
  existedBefore: Set<string>;
}

/** Runs the statement inside BEGIN ... ROLLBACK and returns the relation locks this backend holds on our relations. */
async function serverLocks(c: LockCase): Promise<ServerLocks> {
  const relations = await client.query<{ oid: number; relname: string; relkind: string; relfilenode: number }>(
    `select c.oid::int, c.relname, c.relkind::text, c.relfilenode::int from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'other')`,
  );
  const before = new Map(relations.rows.map((r) => [r.oid, r]));
  await client.query('begin');
  try {
    if (c.before) await client.query(c.before);
    await client.query(c.sql);
    const { rows } = await client.query<{ oid: number; mode: LockMode; relname: string | null; relkind: string | null; relfilenode: number | null }>(
      `select l.relation::int as oid, l.mode, c.relname, c.relkind::text as relkind, c.relfilenode::int as relfilenode
         from pg_locks l left join pg_class c on c.oid = l.relation
        where l.locktype = 'relation' and l.pid = pg_backend_pid() and l.database = (select oid from pg_database where datname = current_database())`,
    );
    const after = await client.query<{ oid: number; relfilenode: number }>(`select oid::int, relfilenode::int from pg_class where oid = any($1::oid[])`, [[...before.keys()]]);
    const tables = new Map<string, LockMode[]>();
    const indexes = new Map<string, LockMode[]>();
    for (const row of rows) {
      const known = before.get(row.oid);
      // Relations created in this transaction are in pg_class now; dropped ones only in the snapshot taken before.
      const name = known?.relname ?? row.relname;
      const kind = known?.relkind ?? row.relkind;
      if (!name || !kind) continue;
      const isOurs = known !== undefined || (row.relname !== null && !row.relname.startsWith('pg_'));
      if (!isOurs) continue;
      const target = kind === 'i' || kind === 'I' ? indexes : tables;
      if (kind === 't') continue; // toast tables
      target.set(name, [...(target.get(name) ?? []), row.mode]);
    }
    const rewritten = new Set<string>();
    for (const r of after.rows) {
      const b = before.get(r.oid)!;
      if (b.relfilenode !== r.relfilenode && (b.relkind === 'r' || b.relkind === 'm')) rewritten.add(b.relname);
    }
    const reduce = (m: Map<string, LockMode[]>) => new Map([...m].map(([k, v]) => [k, strongest(v)]));
    return { tables: reduce(tables), indexes: reduce(indexes), rewritten, existedBefore: new Set(relations.rows.map((r) => r.relname)) };
  } finally {
    await client.query('rollback');
  }
}

before(async () => {
  await loadParser();
  scratch = await openTestFileDatabase(DATABASE);
  databaseUrl = scratch.url;
  client = scratch.client;
  await client.query(`do $$ begin if not exists (select 1 from pg_roles where rolname = 'app') then create role app; end if; end $$`);
  await client.query(SCHEMA);
  serverVersionNum = Number((await client.query('show server_version_num')).rows[0].server_version_num);
  indexOwners = new Map(
    (await client.query<{ index: string; table: string }>(`select i.relname as index, t.relname as table from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'public'`)).rows.map((r) => [r.index, r.table]),
  );
  await readForeignKeys();
  columnTypes = new Map(
    (await client.query<{ key: string; type: string }>(`select c.relname || '.' || a.attname as key, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped`)).rows.map((r) => [r.key, r.type]),
  );
});

async function readForeignKeys(): Promise<void> {
  foreignKeys = (
    await client.query<{ name: string; table: string; referenced: string }>(
      `select c.conname as name, t.relname as table, r.relname as referenced from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid where c.contype = 'f'`,
    )
  ).rows;
}

after(async () => {
  await scratch?.drop();
});

for (const c of CASES) {
  test(`server agrees: ${c.sql}`, async () => {
    const statement = parseOne(c.sql);
    const model = locksForStatement(statement, modelContext(c.previous));
    assert.ok(model.canRunInTransaction, 'the model says it cannot run in a transaction, yet this case runs in one');
    assert.ok(!model.notes.some((n) => n.startsWith('pglens does not model')), `not modelled: ${model.notes.join(' ')}`);
    const server = await serverLocks(c);
    const claimed = new Map<string, LockMode>();
    const claimedIndexes = new Map<string, LockMode>();
    for (const lock of model.locks) {
      const target = lock.relationKind === 'index' ? claimedIndexes : claimed;
      target.set(lock.table, target.has(lock.table) ? strongest([target.get(lock.table)!, lock.mode]) : lock.mode);
    }
    const describe = () =>
      `pglens: ${JSON.stringify(Object.fromEntries(claimed))} indexes ${JSON.stringify(Object.fromEntries(claimedIndexes))}\nserver: ${JSON.stringify(Object.fromEntries(server.tables))} indexes ${JSON.stringify(Object.fromEntries(server.indexes))}`;
    for (const [table, mode] of claimed) {
      assert.equal(server.tables.get(table), mode, `${table}: ${describe()}`);
    }
    for (const [index, mode] of claimedIndexes) {
      assert.equal(server.indexes.get(index), mode, `index ${index}: ${describe()}`);
    }
    for (const [table, mode] of server.tables) {
      if (claimed.has(table)) continue;
      if (mode === 'AccessShareLock' && c.alsoReads?.includes(table)) continue;
      // Relations the statement itself creates (the sequence of a serial or identity column) block nobody.
      if (!server.existedBefore.has(table)) continue;
      assert.fail(`the server took ${mode} on ${table}, which pglens does not name\n${describe()}`);
    }
    // Rewrites: the table's file changes inside the transaction exactly when pglens says it is rewritten.
    const main = model.locks[0]?.table;
    if (main && !c.newFileWithoutRewrite && model.locks[0].relationKind !== 'index') {
      assert.equal(server.rewritten.has(main), model.rewrite, `rewrite of ${main}: pglens ${model.rewrite}, server ${server.rewritten.has(main)}`);
    }
  });
}

test('notes pglens makes in words are true: DROP TABLE and DROP CONSTRAINT of a foreign key lock the referenced table ACCESS EXCLUSIVE', async () => {
  for (const sql of ['drop table fk_child', 'alter table fk_child drop constraint fk_child_account_fk']) {
    // Without the catalogue's foreign keys pglens can only say it in words.
    const model = locksForStatement(parseOne(sql), { ...modelContext(), referencedTables: undefined });
    assert.ok(model.notes.some((n) => /ACCESS EXCLUSIVE on (tables it references|the referenced table)/.test(n)), sql);
    const server = await serverLocks({ sql });
    assert.equal(server.tables.get('accounts'), 'AccessExclusiveLock', sql);
    assert.equal(server.tables.get('fk_child'), 'AccessExclusiveLock', sql);
  }
});

test('DROP TABLE of a referenced table without CASCADE fails, and pglens says so', async () => {
  const model = locksForStatement(parseOne('drop table teams'), modelContext());
  assert.ok(model.notes.some((n) => /Fails unless CASCADE: members \(members_team_id_fkey\) references teams/.test(n)), model.notes.join(' '));
  await client.query('begin');
  await assert.rejects(client.query('drop table teams'), (error: { code?: string }) => error.code === '2BP01');
  await client.query('rollback');
});

test('SET TABLESPACE takes ACCESS EXCLUSIVE (the copy to another tablespace is what rewrites; pg_default to itself is a no-op)', async () => {
  const model = locksForStatement(parseOne('alter table orders set tablespace pg_default'), modelContext());
  assert.equal(model.locks[0].mode, 'AccessExclusiveLock');
  assert.equal(model.rewrite, true);
  const server = await serverLocks({ sql: 'alter table orders set tablespace pg_default' });
  assert.equal(server.tables.get('orders'), 'AccessExclusiveLock');
});

test('GRANT takes no table-level lock', async () => {
  const server = await serverLocks({ sql: 'grant select on orders to app' });
  assert.equal(server.tables.get('orders'), undefined);
  assert.deepEqual(locksForStatement(parseOne('grant select on orders to app'), modelContext()).locks, []);
});

// ---------------------------------------------------------------------------------------------------------------
// Statements that cannot run inside a transaction block: the documented mode, the server's refusal inside BEGIN,
// and the lock each first requests on its table (a waiting request in pg_locks while another session holds a
// conflicting lock: SHARE UPDATE EXCLUSIVE).

interface OutsideCase {
  sql: string;
  table: string;
  documented: LockMode;
  docs: string;
  cleanup?: string;
}

const OUTSIDE: OutsideCase[] = [
  {
    sql: 'create index concurrently orders_total_idx on orders (total)',
    table: 'orders',
    documented: 'ShareUpdateExclusiveLock',
    docs: 'CREATE INDEX, "Building Indexes Concurrently"; Explicit Locking 13.3.1, SHARE UPDATE EXCLUSIVE: "Acquired by VACUUM (without FULL), ANALYZE, CREATE INDEX CONCURRENTLY ..."',
    cleanup: 'drop index if exists orders_total_idx',
  },
  {
    sql: 'drop index concurrently orders_status_idx',
    table: 'orders',
    documented: 'ShareUpdateExclusiveLock',
    docs: 'DROP INDEX, CONCURRENTLY: "the index is dropped without locking out concurrent selects, inserts, updates, and deletes on the index\'s table"',
    cleanup: 'create index if not exists orders_status_idx on orders (status)',
  },
  {
    sql: 'reindex table concurrently orders',
    table: 'orders',
    documented: 'ShareUpdateExclusiveLock',
    docs: 'REINDEX, "Rebuilding Indexes Concurrently": SHARE UPDATE EXCLUSIVE on the table',
  },
  {
    sql: 'vacuum orders',
    table: 'orders',
    documented: 'ShareUpdateExclusiveLock',
    docs: 'Explicit Locking 13.3.1, SHARE UPDATE EXCLUSIVE: "Acquired by VACUUM (without FULL)"',
  },
  {
    sql: 'vacuum full items',
    table: 'items',
    documented: 'AccessExclusiveLock',
    docs: 'Explicit Locking 13.3.1, ACCESS EXCLUSIVE: "Acquired by the DROP TABLE, TRUNCATE, REINDEX, CLUSTER, VACUUM FULL, and REFRESH MATERIALIZED VIEW (without CONCURRENTLY) commands"',
  },
  {
    sql: 'alter table parent detach partition part1 concurrently',
    table: 'parent',
    documented: 'ShareUpdateExclusiveLock',
    docs: 'ALTER TABLE, DETACH PARTITION ... CONCURRENTLY: "a SHARE UPDATE EXCLUSIVE lock is taken on both parent table and partition"',
    cleanup: "do $$ begin if not exists (select 1 from pg_inherits where inhrelid = 'part1'::regclass) then alter table parent attach partition part1 for values in (1); end if; end $$",
  },
];

for (const c of OUTSIDE) {
  test(`documented (cannot run in a transaction): ${c.sql} takes ${c.documented} on ${c.table} (${c.docs})`, async () => {
    const model = locksForStatement(parseOne(c.sql), modelContext());
    assert.equal(model.canRunInTransaction, false);
    assert.equal(model.locks.find((l) => l.table === c.table && (l.relationKind ?? 'table') === 'table')?.mode, c.documented);

    // The server refuses it inside BEGIN (SQLSTATE 25001 active_sql_transaction).
    await client.query('begin');
    await assert.rejects(client.query(c.sql), (error: { code?: string }) => error.code === '25001');
    await client.query('rollback');

    // The lock it requests on the table, observed while another session holds SHARE UPDATE EXCLUSIVE on it.
    const holder = new Client({ connectionString: databaseUrl });
    const runner = new Client({ connectionString: databaseUrl });
    await holder.connect();
    await runner.connect();
    try {
      const runnerPid = (await runner.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      await holder.query('begin');
      // SHARE UPDATE EXCLUSIVE conflicts with every mode these statements take but not with the ACCESS SHARE that
      // VACUUM takes first, briefly, to look the table up; so the request left waiting is the statement's real lock.
      await holder.query(`lock table ${c.table} in share update exclusive mode`);
      const running = runner.query(c.sql).then(
        () => undefined,
        (error: Error) => error,
      );
      let requested: LockMode | undefined;
      for (let i = 0; i < 200 && !requested; i++) {
        const { rows } = await client.query<{ mode: LockMode }>(
          `select l.mode from pg_locks l join pg_class c on c.oid = l.relation where l.pid = $1 and not l.granted and c.relname = $2`,
          [runnerPid, c.table],
        );
        requested = rows[0]?.mode;
        if (!requested) await new Promise((r) => setTimeout(r, 25));
      }
      await holder.query('rollback');
      const outcome = await running;
      assert.equal(outcome, undefined, `${c.sql} failed: ${outcome?.message}`);
      assert.equal(requested, c.documented, `${c.sql}: the server requested ${requested} on ${c.table}`);
    } finally {
      await holder.end();
      await runner.end();
      if (c.cleanup) await client.query(c.cleanup);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The extension functions pglens knows without a database, against pg_proc.provolatile (the pg_catalog table is
// checked by test/locks/volatility.server.test.ts).

test('extension functions of the volatility list match pg_proc once their extension is installed', async () => {
  const letter = { immutable: 'i', stable: 's', volatile: 'v' } as const;
  const available = new Set((await client.query<{ name: string }>('select name from pg_available_extensions')).rows.map((r) => r.name));
  let checked = 0;
  for (const [name, { extension, volatility }] of Object.entries(EXTENSION_FUNCTION_VOLATILITY)) {
    if (!available.has(extension)) continue;
    await client.query(`create extension if not exists "${extension}"`);
    const { rows } = await client.query<{ v: string }>(`select distinct provolatile::text as v from pg_proc where proname = $1`, [name]);
    assert.deepEqual(rows.map((r) => r.v), [letter[volatility]], `${name}: pglens says ${volatility}`);
    checked++;
  }
  // uuid-ossp and pgcrypto ship with the PostgreSQL server packages the suite installs.
  assert.ok(checked > 0, 'no extension of the list is available on this server');
});
