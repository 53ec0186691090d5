// `pglens locks` output: the lock report (engine/locks/report.ts) as text for people and JSON for scripts. Presentation
// lives with the CLI; the engine gives the entries and the plain words of each lock.

import { describeWhatLockBlocks, lockDisplayName } from '../../engine/locks/lockModes';
import { formatMegabytes, formatRows, qualified, type LockReportEntry } from '../../engine/locks/report';

/**
 * JSON: an array of { file, line, statement, locks: [{ table, mode, kind, reason, referenced }], rewrite, scan,
 * canRunInTransaction, notes, findings, parseError? }; mode as in pg_locks; `referenced` marks the locks a statement
 * takes on the tables its foreign keys reference (or that reference it). A file that is not judged is one
 * { file, notJudged } entry.
 */
export function formatLockReportJson(entries: LockReportEntry[]): string {
  const plain = entries.map((e) =>
    e.notJudged !== undefined
      ? { file: e.file, notJudged: e.notJudged }
      : {
          file: e.file,
          line: e.line,
          statement: e.statement,
          ...(e.parseError !== undefined ? { parseError: e.parseError } : {}),
          locks: e.locks.map((l) => ({
            table: qualified(l),
            mode: l.mode,
            kind: l.relationKind ?? 'table',
            reason: l.reason,
            referenced: /referenc/i.test(l.reason),
            ...(l.rows !== undefined ? { rows: l.rows, bytes: l.bytes } : {}),
          })),
          rewrite: e.rewrite,
          scan: e.scan,
          canRunInTransaction: e.canRunInTransaction,
          notes: e.notes,
          findings: e.findings ?? [],
          ...(e.migration ? { migration: e.migration } : {}),
        },
  );
  return `${JSON.stringify(plain, null, 2)}\n`;
}

function oneLine(sql: string, max = 100): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Human text, per file then per statement:
 *
 *   migrations/002_plan.sql
 *     3  ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'free'
 *        ACCESS EXCLUSIVE on accounts: blocks every read and write of accounts until the transaction ends (accounts: 2.1M rows, 310 MB)
 *        rewrite: no  scan: no
 */
export function formatLockReportText(entries: LockReportEntry[]): string {
  const out: string[] = [];
  let file: string | undefined;
  for (const e of entries) {
    if (e.notJudged !== undefined) {
      if (file !== undefined) out.push('');
      out.push(`${e.file}  (not judged: ${e.notJudged})`);
      file = e.file;
      continue;
    }
    if (e.file !== file) {
      if (file !== undefined) out.push('');
      out.push(e.migration ? `${e.file}  (${e.migration})` : e.file);
      file = e.file;
    }
    const indent = ' '.repeat(String(e.line).length + 4);
    out.push(`  ${e.line}  ${oneLine(e.statement)}`);
    if (e.parseError !== undefined) {
      out.push(`${indent}cannot parse: ${e.parseError}`);
      continue;
    }
    if (e.locks.length === 0 && !e.notes.some((n) => n.startsWith('pglens does not model') || n.includes('DO block'))) out.push(`${indent}no table locks`);
    for (const l of e.locks) {
      const name = qualified(l);
      const kind = l.relationKind && l.relationKind !== 'table' ? ` (${l.relationKind})` : '';
      const size = l.rows !== undefined && l.bytes !== undefined ? ` (${l.table}: ${formatRows(l.rows)}, ${formatMegabytes(l.bytes)})` : '';
      out.push(`${indent}${lockDisplayName(l.mode)} on ${name}${kind}: ${describeWhatLockBlocks(l.mode, name)}${size}  [${l.reason}]`);
    }
    if (e.locks.length > 0 || e.rewrite || e.scan) out.push(`${indent}rewrite: ${e.rewrite ? 'yes' : 'no'}  scan: ${e.scan ? 'yes' : 'no'}`);
    if (!e.canRunInTransaction) out.push(`${indent}cannot run inside a transaction block`);
    for (const n of e.notes) out.push(`${indent}note: ${n}`);
    for (const f of e.findings ?? []) out.push(`${indent}${f.severity}: ${f.message}  (${f.ruleId})`);
  }
  return out.length ? `${out.join('\n')}\n` : 'no SQL statements found\n';
}
