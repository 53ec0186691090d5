// Hover (plan tree, finding explanation), code actions (ignore comments in the right syntax, rule docs, fixes a
// finding carries) and the pglens/explain* requests, through the real server and database.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { getSharedTestDatabase } from '../harness/postgres';
import { applyEdits, createWorkspace, ORDERS_RANGE, ORDERS_SQL, ORDERS_TS, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

interface Hover {
  contents: { kind: string; value: string };
  range?: unknown;
}
interface CodeAction {
  title: string;
  kind?: string;
  edit?: { changes?: Record<string, { range: never; newText: string }[]>; documentChanges?: unknown[] };
  command?: { command: string; arguments?: unknown[] };
}

let workspace: FixtureWorkspace;
let client: LspTestClient;
let url: string;

before(async () => {
  const db = await getSharedTestDatabase();
  url = db.url;
  workspace = createWorkspace({ database: { url: db.url } });
  client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 50 } });
});

after(async () => {
  await client?.stop();
  workspace?.remove();
});

async function openAndWait(name: string, languageId: string, text: string) {
  const uri = workspace.write(name, text);
  await client.open(uri, languageId, text);
  return { uri, published: await client.waitForDiagnostics(uri, { version: 1 }) };
}

test('hover on a statement shows its plan as a tree with the costliest node marked, totals and when it was planned', async () => {
  const { uri } = await openAndWait('orders.ts', 'typescript', ORDERS_TS);
  // On `select`, outside the finding's range.
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 15 } });
  assert.equal(hover.contents.kind, 'markdown');
  const text = hover.contents.value;
  // The plan first: its summary line (rows, cost, costliest node) and the tree; what qualifies it below.
  assert.ok(text.startsWith('**pglens · plan** (generic plan) · est. rows '), text);
  assert.match(text.split('\n')[0], /total cost [\d,]+ · costliest: (Parallel )?Seq Scan on orders \([\d,]+\)/);
  assert.match(text, /Seq Scan on orders {2}rows≈[\d.k]+ {2}cost [\d,]+ {2}◀ costliest/);
  assert.match(text, /Filter: \(note = \$1\)/);
  assert.match(text, /Generic plan/);
  assert.ok(text.indexOf('◀ costliest') < text.indexOf('Generic plan'));
  assert.match(text, /Planned \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC on `app@127\.0\.0\.1:\d+\/pglens_test` \(PostgreSQL \d+/);
  assert.doesNotMatch(text, /seq-scan-large-table/);
});

test('hover on a finding: its one-line headline, then the plan, then what it means and the docs link; nothing twice', async () => {
  const uri = workspace.uri('orders.ts');
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 30 } });
  const text = hover.contents.value;
  const [headline] = text.split('\n');
  assert.match(headline, /^⚠️ \*\*pglens · seq-scan-large-table\*\* \(warning\) .*orders/);
  assert.ok(headline.length < 260, headline);
  const planAt = text.indexOf('**pglens · plan**');
  const meaningAt = text.indexOf('*What it means:* A sequential scan of a large table');
  assert.ok(planAt > 0 && meaningAt > planAt, text);
  assert.ok(text.indexOf('◀ costliest') < meaningAt, text);
  assert.match(text, /\[Rule documentation: seq-scan-large-table\]\(https:\/\/github\.com\/pglens\/pglens\/blob\/main\/docs\/rules\/seq-scan-large-table\.md\)/);
  // The headline once; the details the diagnostic carries (its related information, shown by the editor beside the
  // hover) not repeated in it.
  const diagnostic = client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics[0] as { message: string; relatedInformation?: { message: string }[] };
  const details = (diagnostic.relatedInformation ?? []).map((r) => r.message).filter((m) => m.length > 20);
  for (const detail of details) assert.ok(!text.includes(detail), `not repeated: ${detail}`);
  assert.ok(text.split('\n').filter((line) => line.includes('seq-scan-large-table**')).length === 1, 'one headline');
  for (const once of ['◀ costliest', '*What it means:*', 'Rule documentation', 'Planned ']) assert.equal(text.split(once).length, 2, `${once} once`);
  assert.deepEqual(hover.range, ORDERS_RANGE);
});

test('hover outside any SQL returns nothing', async () => {
  const uri = workspace.uri('orders.ts');
  const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
  assert.equal(hover, null);
});

test('TS: "ignore this rule here" inserts a // comment with the line\'s indentation, and the finding goes away', async () => {
  const uri = workspace.uri('orders.ts');
  const diagnostics = client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics;
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: ORDERS_RANGE,
    context: { diagnostics, only: ['quickfix'] },
  });
  const ignore = actions.find((a) => a.title.startsWith('Ignore seq-scan-large-table'));
  assert.ok(ignore, JSON.stringify(actions));
  assert.equal(ignore.kind, 'quickfix');
  const edits = ignore.edit!.changes![uri];
  assert.deepEqual(edits, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, newText: '  // pglens-ignore seq-scan-large-table\n' }]);

  const docs = actions.find((a) => a.command?.command === 'pglens.server.openRuleDocs');
  assert.ok(docs);
  await client.request('workspace/executeCommand', { command: docs.command!.command, arguments: docs.command!.arguments });
  assert.deepEqual(client.shownDocuments, [{ uri: 'https://github.com/pglens/pglens/blob/main/docs/rules/seq-scan-large-table.md', external: true }]);

  // The editor applies the edit: the next version has no finding.
  await client.analysisComplete(uri);
  const before = client.published.length;
  const version = await client.change(uri, edits.map((e) => ({ range: e.range, text: e.newText })));
  const published = await client.waitForDiagnostics(uri, { version, since: before });
  assert.deepEqual(published.diagnostics, []);
  assert.equal(applyEdits(ORDERS_TS, edits).split('\n')[3], '  // pglens-ignore seq-scan-large-table');
});

test('SQL: the ignore comment is `-- pglens-ignore` above the statement; a second rule is appended to it', async () => {
  const { uri, published } = await openAndWait('reports.sql', 'sql', ORDERS_SQL);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: published.diagnostics[0].range,
    context: { diagnostics: published.diagnostics },
  });
  const ignore = actions.find((a) => a.title.startsWith('Ignore seq-scan-large-table'))!;
  const edits = ignore.edit!.changes![uri];
  assert.deepEqual(edits, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '-- pglens-ignore seq-scan-large-table\n' }]);
  const ignored = applyEdits(ORDERS_SQL, edits);
  await client.analysisComplete(uri);
  const before = client.published.length;
  const version = await client.change(uri, [{ text: ignored }]);
  assert.deepEqual((await client.waitForDiagnostics(uri, { version, since: before })).diagnostics, []);

  // With an ignore comment for another rule already above, the rule is appended to it rather than a second line.
  const other = ORDERS_SQL.replace('select id, status', '-- pglens-ignore large-sort\nselect id, status');
  await client.analysisComplete(uri);
  const again = client.published.length;
  const next = await client.change(uri, [{ text: other }]);
  const diagnostics = (await client.waitForDiagnostics(uri, { version: next, since: again })).diagnostics;
  assert.deepEqual(diagnostics.map((d) => d.code), ['seq-scan-large-table']);
  const more = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
  const append = more.find((a) => a.title.startsWith('Ignore'))!.edit!.changes![uri];
  assert.deepEqual(append, [{ range: { start: { line: 1, character: 27 }, end: { line: 1, character: 27 } }, newText: ', seq-scan-large-table' }]);
  assert.equal(applyEdits(other, append).split('\n')[1], '-- pglens-ignore large-sort, seq-scan-large-table');
});

/** Opens a .sql file and asks for the code actions of its diagnostic of `rule`. */
async function actionsForRule(name: string, text: string, rule: string) {
  const { uri, published } = await openAndWait(name, 'sql', text);
  const diagnostic = published.diagnostics.find((d) => d.code === rule);
  assert.ok(diagnostic, JSON.stringify(published.diagnostics));
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  return { uri, actions };
}

test('a fix carried by a finding becomes a versioned WorkspaceEdit that applies cleanly', async () => {
  const migration = '-- add an index for the notes search\ncreate index orders_note_idx on orders (note);\n';
  const { uri, actions } = await actionsForRule('001_orders_note.sql', migration, 'require-concurrent-index-creation');
  const fix = actions.find((a) => /CONCURRENTLY/.test(a.title));
  assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
  // The client announced documentChanges: edits are versioned against the open document.
  const [change] = fix.edit!.documentChanges as { textDocument: { uri: string; version: number }; edits: { range: never; newText: string }[] }[];
  assert.deepEqual(change.textDocument, { uri, version: 1 });
  assert.equal(applyEdits(migration, change.edits).split('\n')[1], 'create index CONCURRENTLY orders_note_idx on orders (note);');

  // A finding without fixes (PostgreSQL cannot plan the statement) only gets the generic actions.
  const broken = await openAndWait('broken.sql', 'sql', 'select missing_column from orders;\n');
  const planError = broken.published.diagnostics.find((d) => d.code === 'plan-error');
  assert.ok(planError, JSON.stringify(broken.published.diagnostics));
  assert.deepEqual(planError.range, { start: { line: 0, character: 7 }, end: { line: 0, character: 21 } });
  const generic = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: broken.uri }, range: planError.range, context: { diagnostics: [planError] } });
  assert.deepEqual(generic.map((a) => a.title), ['Ignore plan-error here (pglens-ignore comment)', 'Open documentation for plan-error']);
});

test('pglens/explain returns the plan of the statement at the cursor', async () => {
  const uri = workspace.uri('orders.ts');
  // Line 8 (7 in ORDERS_TS): the ignore comment above added a line.
  const result = await client.request<{ markdown?: string; statement?: string }>('pglens/explain', { uri, position: { line: 8, character: 20 } });
  assert.match(result.statement ?? JSON.stringify(result), /from accounts where id = \$1/);
  assert.match(result.markdown!, /Index Scan using accounts_pkey on accounts/);
});

test('pglens/explainAnalyze runs a SELECT with actual rows and times; a DELETE needs confirmation and is rolled back', async () => {
  const script = 'select status, count(*) from orders where created_at > now() - interval \'30 days\' group by status;\n\ndelete from order_items where order_id = 1;\n';
  const { uri } = await openAndWait('analyze.sql', 'sql', script);
  const select = await client.request<{ root?: { label: string; actualRows?: number; children: unknown[] }; executionTimeMs?: number; markdown?: string; error?: string }>(
    'pglens/explainAnalyze',
    { uri, position: { line: 0, character: 3 } },
  );
  assert.equal(select.error, undefined);
  assert.ok(select.root && typeof select.root.actualRows === 'number');
  assert.ok(typeof select.executionTimeMs === 'number');
  assert.match(select.markdown!, /\| Node \| Est\. rows \| Actual rows \| Loops \| Time \(self\) \| Time \(total\) \|/);
  assert.match(select.markdown!, /🐢 slowest/);

  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const count = async () => Number((await db.query('select count(*) as n from order_items where order_id = 1')).rows[0].n);
    const rowsBefore = await count();
    const unconfirmed = await client.request<{ needsConfirmation?: { reason: string }; root?: unknown; statement?: string }>('pglens/explainAnalyze', { uri, position: { line: 2, character: 3 } });
    assert.match(unconfirmed.needsConfirmation!.reason, /DELETE writes rows.*rolls the transaction back; sequences still advance/);
    assert.equal(unconfirmed.root, undefined);
    // `confirmed` alone, or with another statement's text, counts for nothing: still a question, still nothing ran.
    for (const confirmedStatement of [undefined, 'select 1']) {
      const stale = await client.request<{ needsConfirmation?: unknown; root?: unknown }>('pglens/explainAnalyze', { uri, position: { line: 2, character: 3 }, confirmed: true, confirmedStatement });
      assert.ok(stale.needsConfirmation);
      assert.equal(stale.root, undefined);
    }
    assert.equal(await count(), rowsBefore);
    const confirmed = await client.request<{ root?: { label: string }; error?: string }>('pglens/explainAnalyze', {
      uri,
      position: { line: 2, character: 3 },
      confirmed: true,
      confirmedStatement: unconfirmed.statement,
    });
    assert.equal(confirmed.error, undefined);
    assert.match(confirmed.root!.label, /^Delete on order_items/);
    assert.equal(await count(), rowsBefore);
  } finally {
    await db.end();
  }
});

test('hover on a migration statement says which lock it takes, what that blocks, and the table size', async () => {
  const sql = 'alter table orders add column archived boolean;\n';
  const { uri } = await openAndWait('migrations/0001_archive.sql', 'sql', sql);
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
  const text = hover.contents.value;
  assert.match(text, /pglens · locks/);
  assert.match(text, /ACCESS EXCLUSIVE on orders/);
  assert.match(text, /blocks every read and write of orders/);
  assert.match(text, /300k rows/);
});

/** A lookup by orders.customer_email (no index; one serves it): the file, its seq-scan diagnostic and its code actions. */
async function seqScanActions(name: string, select: string) {
  const source = `import { sql } from './db';\nexport const byEmail = (email: string) => sql\`${select} from orders where customer_email = \${email}\`;\n`;
  const { uri, published } = await openAndWait(name, 'typescript', source);
  const diagnostic = published.diagnostics.find((d: { code?: unknown }) => d.code === 'seq-scan-large-table');
  assert.ok(diagnostic, JSON.stringify(published.diagnostics));
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  return { uri, source, diagnostic, actions };
}

test('"Show plan with this index" opens the what-if plan of the suggested index, with the cost before and after', async () => {
  const { actions } = await seqScanActions('orders-by-email.ts', 'select id');
  const show = actions.find((a) => a.title === 'Show plan with this index');
  assert.ok(show, JSON.stringify(actions.map((a) => a.title)));
  const shownBefore = client.shownDocuments.length;
  const page = await client.request<string>('workspace/executeCommand', { command: show.command!.command, arguments: show.command!.arguments });
  const text = readFileSync(page, 'utf8');
  assert.match(text, /CREATE INDEX .*ON orders \(customer_email\)/);
  assert.match(text, /Estimated cost [\d,]+ → [\d,]+ \(-\d+\.\d%\); planned with a hypothetical index \(hypopg\): nothing was created/);
  assert.match(text, /Index Scan|Bitmap/);
  // The plan is drawn by the same renderer as the hover, and the what-if index is the CREATE INDEX it stands for.
  assert.match(text, /\*\*Plan with this index\*\* · est\. rows .* · total cost [\d,]+/);
  assert.match(text, /(Index|Bitmap Index) Scan using \[CREATE INDEX ON orders \(customer_email\)\]/);
  assert.doesNotMatch(text, /<\d+>btree|pglens_trial_/);
  assert.equal(client.shownDocuments.length, shownBefore + 1);
  assert.match(String((client.shownDocuments.at(-1) as { uri: string }).uri), /^file:\/\/.*plan-with-index-[0-9a-f]+\.md$/);
});

test('"Add index" creates its migration, then opens it and says what it wrote; a client without file creation gets the same through the server', async () => {
  const { uri, source, diagnostic, actions } = await seqScanActions('orders-by-email-2.ts', 'select id, status');
  const add = actions.find((a) => /^Add index .* in a new migration$/.test(a.title));
  assert.ok(add, JSON.stringify(actions.map((a) => a.title)));
  const [create, content] = add.edit!.documentChanges as [{ kind: string; uri: string }, { edits: { newText: string }[] }];
  assert.equal(create.kind, 'create');
  assert.match(content.edits[0].newText, /CREATE INDEX CONCURRENTLY IF NOT EXISTS \S+ ON orders \(customer_email\)/);
  // After the edit the editor runs the action's command: the file opens and the person is told what was written.
  assert.equal(add.command?.command, 'pglens.server.fileWritten');
  const shownBefore = client.shownDocuments.length;
  await client.request('workspace/executeCommand', { command: add.command.command, arguments: add.command.arguments });
  assert.deepEqual(client.shownDocuments.slice(shownBefore), [{ uri: create.uri, takeFocus: true }]);
  await client.waitFor('the message', () => client.logs.find((l) => /^showMessage: pglens wrote migrations\/\S+\.sql: Add index .*The finding stays until the migration has run/.test(l)));

  // Neovim 0.7 / eglot: no file creation in WorkspaceEdits. The action is a command; the server writes the file itself.
  const plain = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 50 }, plainEdits: true });
  try {
    await plain.open(uri, 'typescript', source);
    const plainDiagnostics = (await plain.waitForDiagnostics(uri, { version: 1 })).diagnostics;
    await plain.analysisComplete(uri);
    const plainActions = await plain.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: plainDiagnostics.filter((d: { code?: unknown }) => d.code === 'seq-scan-large-table') },
    });
    const plainAdd = plainActions.find((a) => /^Add index .* in a new migration$/.test(a.title));
    assert.ok(plainAdd, JSON.stringify(plainActions.map((a) => a.title)));
    assert.equal(plainAdd.edit, undefined);
    assert.equal(plainAdd.command?.command, 'pglens.server.writeFile');
    const written = await plain.request<string>('workspace/executeCommand', { command: plainAdd.command.command, arguments: plainAdd.command.arguments });
    const file = new URL(written);
    assert.match(readFileSync(file, 'utf8'), /CREATE INDEX CONCURRENTLY IF NOT EXISTS \S+ ON orders \(customer_email\);/);
    assert.deepEqual(plain.shownDocuments, [{ uri: written, takeFocus: true }]);
    // Asked again (the file is there now): nothing is overwritten, the person is told why.
    const again = await plain.request<string | null>('workspace/executeCommand', { command: plainAdd.command.command, arguments: plainAdd.command.arguments });
    assert.equal(again, null);
    await plain.waitFor('the refusal', () => plain.logs.find((l) => /^showMessage: pglens did not write .*: the file exists/.test(l)));
    // A path outside the workspace is refused whatever the arguments say.
    const outside = await plain.request<string | null>('workspace/executeCommand', {
      command: 'pglens.server.writeFile',
      arguments: [{ path: join(tmpdir(), 'pglens-outside-0001_add_x.sql'), content: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS x ON orders (note);\n', message: 'x' }],
    });
    assert.equal(outside, null);
    assert.ok(!existsSync(join(tmpdir(), 'pglens-outside-0001_add_x.sql')));
  } finally {
    await plain.stop();
  }
});

test('"Add NOT VALID" in a dbmate migration edits the statement and writes its VALIDATE migration beside it, then says so; the server refuses to write anything but the statements it writes', async () => {
  const migration = '-- migrate:up\nALTER TABLE invoices ADD CONSTRAINT invoices_amount_positive CHECK (amount_cents >= 0);\n\n-- migrate:down\n';
  const { uri, actions } = await actionsForRule('db/migrations/20250101000000_checks.sql', migration, 'constraint-missing-not-valid');
  const fix = actions.find((a) => a.title === 'Add NOT VALID (VALIDATE CONSTRAINT in a new migration)');
  assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
  const [edit, create, content] = fix.edit!.documentChanges as [
    { textDocument: { uri: string; version: number }; edits: { range: never; newText: string }[] },
    { kind: string; uri: string },
    { edits: { newText: string }[] },
  ];
  assert.deepEqual(edit.textDocument, { uri, version: 1 });
  assert.match(applyEdits(migration, edit.edits), /CHECK \(amount_cents >= 0\) NOT VALID;/);
  assert.equal(create.kind, 'create');
  assert.match(create.uri, /\/db\/migrations\/\d{14}_validate_invoices_amount_positive\.sql$/);
  assert.match(content.edits[0].newText, /^-- migrate:up\n(-- .*\n)*ALTER TABLE invoices VALIDATE CONSTRAINT invoices_amount_positive;\n\n-- migrate:down\n$/);
  assert.equal(fix.command?.command, 'pglens.server.fileWritten');
  await client.request('workspace/executeCommand', { command: fix.command.command, arguments: fix.command.arguments });
  await client.waitFor('the message', () => client.logs.find((l) => /^showMessage: pglens wrote db\/migrations\/\d{14}_validate_invoices_amount_positive\.sql and edited the statement: Add NOT VALID/.test(l)));

  // pglens.server.writeFile writes only statements of the kinds its fixes write, whatever its arguments say.
  const smuggled = join(workspace.dir, 'db', 'migrations', '20990101000000_validate_x.sql');
  const refused = await client.request<string | null>('workspace/executeCommand', {
    command: 'pglens.server.writeFile',
    arguments: [{ path: smuggled, content: 'ALTER TABLE invoices DROP COLUMN amount_cents;\n', statements: ['ALTER TABLE invoices DROP COLUMN amount_cents;'], message: 'x' }],
  });
  assert.equal(refused, null);
  assert.ok(!existsSync(smuggled));
});
