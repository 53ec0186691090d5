// Candidates read from the parse tree, against the fixture's real schema facts: which columns, in which order, which
// kind of index, and which existing index already does the job.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createIndexSql,
  existingIndexCovering,
  exhaustiveCandidates,
  indexName,
  readColumnUses,
  tableCandidates,
  type IndexCandidate,
  type TableUses,
} from '../../server/src/engine/advise/candidates';
import { connect, parseOne } from './advisorTestUtils';

async function usesOf(sql: string, table: string): Promise<TableUses> {
  const { schema } = await connect('hypopg');
  const uses = readColumnUses(await parseOne(sql), schema);
  const found = [...uses.values()].find((u) => u.table.name === table);
  assert.ok(found, `no uses for ${table}`);
  return found;
}

describe('reading the statement', () => {
  test('equality columns first, then the range; parameters before constants', async () => {
    const uses = await usesOf("select * from orders o where o.created_at > $2 and o.status = 'pending' and o.account_id = $1", 'orders');
    assert.equal(createIndexSql(tableCandidates(uses).composite!), 'CREATE INDEX ON orders (account_id, status, created_at)');
  });

  test('equality then the ORDER BY keys; mixed directions keep DESC', async () => {
    const same = await usesOf('select * from invoices where account_id = $1 order by issued_at desc, id desc limit 20', 'invoices');
    assert.equal(createIndexSql(tableCandidates(same).composite!), 'CREATE INDEX ON invoices (account_id, issued_at, id)');
    const mixed = await usesOf('select * from invoices where account_id = $1 order by issued_at desc, id asc limit 20', 'invoices');
    assert.equal(createIndexSql(tableCandidates(mixed).composite!), 'CREATE INDEX ON invoices (account_id, issued_at DESC, id)');
  });

  test('shorter prefixes of the composite are the cheaper variants', async () => {
    const uses = await usesOf('select * from orders where account_id = $1 and user_id = $2 and created_at > $3', 'orders');
    assert.deepEqual(tableCandidates(uses).prefixes.map(createIndexSql), ['CREATE INDEX ON orders (account_id)', 'CREATE INDEX ON orders (account_id, user_id)']);
  });

  test('constants become the predicate of a partial index; IS NULL too', async () => {
    const uses = await usesOf("select * from users where account_id = $1 and status = 'invited' and deleted_at is null", 'users');
    assert.equal(createIndexSql(tableCandidates(uses).partial!), "CREATE INDEX ON users (account_id) WHERE status = 'invited' AND deleted_at IS NULL");
  });

  test('expressions over one column: function calls and jsonb operators, without table qualifiers', async () => {
    const lower = await usesOf('select * from users u where lower(u.email) = $1', 'users');
    assert.equal(createIndexSql(tableCandidates(lower).composite!), 'CREATE INDEX ON users ((lower(email)))');
    const json = await usesOf("select * from events e where e.payload ->> 'type' = $1 and e.account_id = $2", 'events');
    assert.equal(createIndexSql(tableCandidates(json).composite!), "CREATE INDEX ON events ((payload ->> 'type'), account_id)");
  });

  test('prefix LIKE: text_pattern_ops under a non-C collation, a plain btree under C', async () => {
    const uses = await usesOf("select * from orders where customer_email like 'alice%'", 'orders');
    assert.equal(createIndexSql(tableCandidates(uses, { databaseCollation: 'en_US.UTF-8' }).composite!), 'CREATE INDEX ON orders (customer_email text_pattern_ops)');
    assert.equal(createIndexSql(tableCandidates(uses, { databaseCollation: 'C' }).composite!), 'CREATE INDEX ON orders (customer_email)');
  });

  test('leading wildcard: trigram GIN with pg_trgm; jsonb containment: GIN, jsonb_path_ops unless key-exists operators are used', async () => {
    const like = await usesOf("select * from orders where note ilike '%' || $1 || '%'", 'orders');
    const trigram = tableCandidates(like).gin[0];
    assert.equal(createIndexSql(trigram), 'CREATE INDEX ON orders USING gin (note gin_trgm_ops)');
    assert.equal(trigram.needsExtension, 'pg_trgm');
    const contains = await usesOf(`select * from audit_log where details @> '{"action": "login"}'`, 'audit_log');
    assert.equal(createIndexSql(tableCandidates(contains).gin[0]), 'CREATE INDEX ON audit_log USING gin (details jsonb_path_ops)');
    const exists = await usesOf(`select * from audit_log where details ? 'ip'`, 'audit_log');
    assert.equal(createIndexSql(tableCandidates(exists).gin[0]), 'CREATE INDEX ON audit_log USING gin (details)');
  });

  test('OR across columns: one single-column index per arm', async () => {
    const uses = await usesOf('select * from orders where customer_email = $1 or user_id = $2', 'orders');
    assert.deepEqual(tableCandidates(uses).orSets.map((set) => set.map(createIndexSql)), [['CREATE INDEX ON orders (customer_email)', 'CREATE INDEX ON orders (user_id)']]);
    assert.equal(tableCandidates(uses).composite, undefined, 'OR arms are not conjuncts');
  });

  test('join conditions are equalities on both tables', async () => {
    const { schema } = await connect('hypopg');
    const uses = readColumnUses(await parseOne('select * from invoices i join invoice_lines l on l.invoice_id = i.id where i.account_id = $1'), schema);
    const lines = [...uses.values()].find((u) => u.table.name === 'invoice_lines')!;
    assert.equal(createIndexSql(tableCandidates(lines).composite!), 'CREATE INDEX ON invoice_lines (invoice_id)');
  });

  test('the exhaustive space: every order of up to three columns, each also partial', async () => {
    const uses = await usesOf("select id from invoices where account_id = $1 and status = 'pending' order by issued_at", 'invoices');
    const all = exhaustiveCandidates(uses);
    // 4 columns (id, account_id, status, issued_at): 4 + 12 + 24 = 40 orders, each plain and partial.
    assert.ok(all.length >= 80, `${all.length}`);
  });
});

describe('names and duplicates', () => {
  test('index names come from table and columns and never exceed 63 bytes', () => {
    const long: IndexCandidate = {
      schema: 'public',
      table: 'a_table_with_a_very_long_name_for_testing_names',
      method: 'btree',
      keys: [{ text: 'first_rather_long_column', expression: false }, { text: 'second_rather_long_column', expression: false }],
      include: [],
      kinds: ['multi-column'],
    };
    const name = indexName(long);
    assert.ok(Buffer.byteLength(name) <= 63, name);
    assert.match(name, /^a_table_with_a_very_long_name_for_testing_names_fi_[0-9a-f]{8}_idx$/);
    assert.equal(indexName({ ...long, table: 'invoices', keys: [{ text: 'account_id', expression: false }] }), 'invoices_account_id_idx');
    assert.equal(indexName({ ...long, table: 'users', keys: [{ text: 'lower(email)', expression: true }] }), 'users_lower_email_idx');
  });

  test('an existing btree whose leading columns are the candidate covers it; a longer candidate is not covered', async () => {
    const { schema } = await connect('hypopg');
    const base: IndexCandidate = { schema: 'public', table: 'order_items', method: 'btree', keys: [{ text: 'order_id', expression: false }], include: [], kinds: ['single-column'] };
    assert.equal(existingIndexCovering(base, schema)?.name, 'order_items_order_id_idx');
    assert.equal(existingIndexCovering({ ...base, keys: [...base.keys, { text: 'sku', expression: false }] }, schema), undefined);
    assert.equal(existingIndexCovering({ ...base, predicate: 'quantity > 1' }, schema), undefined, 'a partial candidate is not a full index');
    assert.equal(existingIndexCovering({ ...base, method: 'gin' }, schema), undefined);
  });

  test('equal expressions and equal partial predicates count as duplicates, whatever pg_get_indexdef prints', async () => {
    const { schema } = await connect('hypopg');
    // The same facts with an expression index and a partial index, as pg_get_indexdef prints them.
    const facts = {
      ...schema,
      indexes: [
        ...schema.indexes,
        { schema: 'public', table: 'users', name: 'users_lower_email', method: 'btree', keys: ['lower(email)'], include: [], unique: false, primary: false, valid: true, definition: '' },
        { schema: 'public', table: 'invoices', name: 'invoices_pending', method: 'btree', keys: ['account_id'], include: [], predicate: "status = 'pending'::text", unique: false, primary: false, valid: true, definition: '' },
        { schema: 'public', table: 'events', name: 'events_type', method: 'btree', keys: ["(payload ->> 'type'::text)"], include: [], unique: false, primary: false, valid: true, definition: '' },
      ],
    };
    const candidate = (table: string, text: string, expression: boolean, predicate?: string): IndexCandidate => ({ schema: 'public', table, method: 'btree', keys: [{ text, expression }], include: [], predicate, kinds: [] });
    assert.equal(existingIndexCovering(candidate('users', 'lower(email)', true), facts)?.name, 'users_lower_email');
    assert.equal(existingIndexCovering(candidate('events', "payload ->> 'type'", true), facts)?.name, 'events_type');
    assert.equal(existingIndexCovering(candidate('invoices', 'account_id', false, "status = 'pending'"), facts)?.name, 'invoices_pending');
    assert.equal(existingIndexCovering(candidate('invoices', 'account_id', false, "status = 'draft'"), facts), undefined);
    assert.equal(existingIndexCovering(candidate('invoices', 'account_id', false), facts), undefined, 'a partial index does not serve every statement');
  });
});
