// The README's first command, as a person on a fresh machine runs it: `pglens check examples/shop` with no database
// configured plans every query against the embedded database built from the example's migrations (a cold build into an
// empty cache), reports the known slow queries at their lines and nothing on the good ones, proves an index, and labels
// everything as synthetic data. Then the language server, opened on the same folder with no settings, shows the same
// findings from the (now warm) embedded database.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, REPO_ROOT, runCli } from '../cli/cliHarness';
import { LspTestClient, pathToUri } from '../lsp/lspTestClient';

const SHOP = join(REPO_ROOT, 'examples', 'shop');
/** An empty cache, as on a fresh machine; shared by the two tests so the editor gets the warm start. */
const cacheHome = mkdtempSync(join(tmpdir(), 'pglens-demo-cache-'));
after(() => rmSync(cacheHome, { recursive: true, force: true }));

/** The known slow queries of examples/shop (see its README), as (file, 1-based line, rule). */
const EXPECTED_IN_CODE = [
  'src/catalog.ts:9 leading-wildcard-like',
  'src/customers.ts:19 function-on-indexed-column',
  'src/orders.ts:15 seq-scan-large-table',
  'src/orders.ts:25 large-sort',
  'src/orders.ts:33 modify-scans-large-table',
];

/** Environment without any database: no DATABASE_URL, no PG* variables. */
const NO_DATABASE = { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', XDG_CACHE_HOME: cacheHome };

test('npm run demo: the known slow queries of examples/shop, on the embedded database, with a verified index', async () => {
  ensureCliBuilt();
  const result = await runCli(['check', 'examples/shop', '--format', 'json'], { env: NO_DATABASE, timeoutMs: 900_000 });
  const report = parseJsonReport(result);
  assert.equal(report.database?.kind, 'embedded', result.stderr);
  const inCode = report.findings.filter((f) => f.file.startsWith('src/')).map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort();
  assert.deepEqual(inCode, EXPECTED_IN_CODE);
  // The migration that adds an index without CONCURRENTLY to a table that already holds data is flagged too.
  assert.ok(report.findings.some((f) => f.file.startsWith('migrations/') && f.ruleId === 'require-concurrent-index-creation'));
  // Proven by what-if planning: PGlite has no hypopg, so the index is built inside a transaction that is rolled back.
  const seqScan = report.findings.find((f) => f.ruleId === 'seq-scan-large-table')!;
  assert.match(seqScan.message, /CREATE INDEX ON orders \(customer_id\) cuts the estimated cost from [\d,]+ to [\d,]+ \(-\d+(\.\d+)?%\), verified with index trial/);
  // Nobody may take these for production estimates.
  for (const finding of report.findings.filter((f) => f.file.startsWith('src/')) as { ruleId: string; notes?: string[] }[]) {
    assert.ok(finding.notes?.some((note) => /^embedded database, synthetic data: .*orders 300k rows/.test(note)), `${finding.ruleId}: ${finding.notes}`);
  }
});

test('the language server on examples/shop with no settings: the same finding, labelled as embedded', async () => {
  const client = await LspTestClient.start({ rootDir: SHOP, env: { ...process.env, ...NO_DATABASE } });
  try {
    type FolderStatus = { state: string; note?: string };
    const embedded = (s: Record<string, unknown>) => (s.folders as FolderStatus[] | undefined)?.find((f) => f.state === 'embedded');
    const status = await client.waitForStatus((s) => embedded(s) !== undefined, 900_000);
    assert.match(String(embedded(status)!.note), /embedded database, synthetic data/);
    const file = join(SHOP, 'src', 'orders.ts');
    const uri = pathToUri(file);
    await client.open(uri, 'typescript', readFileSync(file, 'utf8'));
    const published = await client.waitForDiagnostics(uri, { version: 1, timeoutMs: 900_000 });
    const seqScan = published.diagnostics.find((d: { code?: unknown }) => d.code === 'seq-scan-large-table') as
      | { range: { start: { line: number } }; message: string; relatedInformation?: { message: string }[] }
      | undefined;
    assert.ok(seqScan, JSON.stringify(published.diagnostics));
    assert.equal(seqScan.range.start.line, 14);
    // The message is the headline; where the plan came from is a note, sent as related information.
    const related = (seqScan.relatedInformation ?? []).map((r) => r.message);
    assert.ok(related.some((m) => /embedded database, synthetic data/.test(m)), JSON.stringify(seqScan));
  } finally {
    await client.stop();
  }
});
