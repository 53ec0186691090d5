// The advisor inside the engine: findings from the plan rules carry the verified index (message, evidence, quick
// fixes with a migration), and mergeSuggestions makes one index serve several statements of a run.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { mergeSuggestions } from '../../server/src/engine/advise/index';
import { connect } from './advisorTestUtils';

const SOURCE = `import { sql } from './db';
export const pending = (id: number) => sql\`select * from invoices where account_id = \${id} and status = 'pending' order by issued_at desc limit 20\`;
export const totals = (id: number) => sql\`select id, amount_cents from invoices where account_id = \${id}\`;
export const latest = (id: number) => sql\`select * from invoices where account_id = \${id} order by issued_at desc\`;
export const byEmail = (email: string) => sql\`select * from users where email = \${email}\`;
export const removeAccount = (id: number) => sql\`delete from accounts where id = \${id}\`;
export const onDay = (day: string) => sql\`select * from orders where created_at::date = \${day}\`;
`;

describe('the advisor in the engine', () => {
  test('findings carry the verified index, a migration in the project layout and the CREATE INDEX to copy; one index serves three statements', async () => {
    const { client } = await connect('hypopg');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-engine-'));
    fs.mkdirSync(path.join(root, 'migrations'));
    fs.writeFileSync(path.join(root, 'migrations', '0001_init.sql'), '');
    const file = path.join(root, 'src', 'billing.ts');
    const engine = new Engine({ config: defaultConfig(root), database: client });
    const { findings } = await engine.analyzeFile(file, SOURCE);

    const pending = findings.find((f) => f.ruleId === 'seq-scan-large-table' && f.range.start.line === 1)!;
    assert.match(pending.message, /CREATE INDEX ON invoices \(account_id, issued_at\) WHERE status = 'pending' cuts the estimated cost from [\d,]+ to \d+ \(-99\.\d\d%\), verified with hypopg\.$/);
    const evidence = pending.evidence!['indexSuggestion'] as Record<string, unknown>;
    assert.equal(evidence['verifiedWith'], 'hypopg');
    assert.ok((evidence['costAfter'] as number) < (evidence['costBefore'] as number) / 100);
    const addIndex = pending.fixes!.find((f) => f.title.startsWith('Add index'))!;
    assert.equal(path.relative(root, addIndex.newFile!.path), 'migrations/0002_add_invoices_account_id_issued_at_partial_idx.sql');
    assert.match(addIndex.newFile!.content, /^-- Suggested by pglens for src\/billing\.ts:2\.\n-- Estimated cost of the statement: [\d,]+ -> \d+ \(-99\.\d\d%\), verified with hypopg on app@/);
    assert.match(addIndex.newFile!.content, /\nCREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_account_id_issued_at_partial_idx ON invoices \(account_id, issued_at\) WHERE status = 'pending';\n$/);
    assert.equal(addIndex.verified, true);
    assert.ok(pending.fixes!.some((f) => f.title === 'Copy CREATE INDEX' && f.sql === "CREATE INDEX CONCURRENTLY ON invoices (account_id, issued_at) WHERE status = 'pending';"));

    // The statement an existing unique index serves has no finding at all.
    assert.equal(findings.filter((f) => f.range.start.line === 4).length, 0);

    // The cast gets its rewrite as an edit of the file.
    const cast = findings.find((f) => f.ruleId === 'function-on-indexed-column')!;
    const rewrite = cast.fixes!.find((f) => f.title.startsWith('Rewrite as a range'))!;
    const edit = rewrite.edits![0];
    assert.equal(SOURCE.slice(edit.start, edit.end), 'created_at::date = ${day}');
    assert.equal(edit.newText, '(created_at >= $1::date AND created_at < $1::date + 1)');

    // invoices (account_id) is the suggestion of two statements and of the foreign-key check of the DELETE.
    const merged = mergeSuggestions(findings);
    const shared = merged.find((m) => m.sql === 'CREATE INDEX ON invoices (account_id)')!;
    assert.equal(shared.statements.length, 3);
    for (const finding of shared.findings) {
      assert.match(finding.message, /One index serves 3 statements of this workspace\.$/);
      assert.ok(finding.fixes!.some((f) => f.title === 'Add index invoices_account_id_idx (serves 3 queries) in a new migration'));
    }
    const fk = findings.find((f) => f.ruleId === 'fk-without-index' && f.evidence?.['childTable'] === 'invoices')!;
    assert.match(fk.message, /cuts the estimated cost of each foreign-key check from [\d,]+ to \d+/);
  });

  test('without a performance finding the advisor is not asked (no evidence, no fixes)', async () => {
    const { client } = await connect('hypopg');
    const engine = new Engine({ config: defaultConfig(os.tmpdir()), database: client });
    const { findings } = await engine.analyzeFile('/tmp/fine.sql', 'select * from users where email = $1;\nselect count(*) from orders;\n');
    assert.deepEqual(findings, []);
  });
});
