// A repository checked for the first time, without `migrations.baseline` or `--changed-since`, has every migration it
// ever ran judged as if it were about to be deployed: trigger.dev's 821 Prisma migrations gave 1,200 lock warnings
// (missing-lock-timeout on every old file), a wall that hides the findings on code. The findings are what the rules
// say, so they stay; one line says where they come from and names the setting that judges only new migrations.

import { detectMigrationLayout, type MigrationConfig } from '../engine/locks/migrations';
import { compareMigrationNames, migrationName } from '../engine/migrationScope';
import type { Finding } from '../engine/types';

/** Fewer lock findings on migrations than this are read, not skimmed: no hint. */
const HINT_FROM_FINDINGS = 50;

/**
 * The line (without the `pglens: ` prefix), or undefined when migrations are already limited to new ones, or their
 * lock findings are few or not most of the run's. `files` are the files the run checked.
 */
export function migrationHistoryHint(findings: readonly Finding[], files: readonly string[], migrationConfig: MigrationConfig, limited: boolean): string | undefined {
  if (limited) return undefined;
  const isMigration = new Map<string, boolean>();
  const migrationFile = (file: string) => {
    let known = isMigration.get(file);
    if (known === undefined) isMigration.set(file, (known = detectMigrationLayout(file, migrationConfig) !== undefined));
    return known;
  };
  const onMigrations = findings.filter((finding) => finding.category === 'locking' && migrationFile(finding.file));
  if (onMigrations.length < HINT_FROM_FINDINGS || onMigrations.length * 2 < findings.length) return undefined;
  const migrations = files.filter(migrationFile);
  const newest = migrations.map(migrationName).sort(compareMigrationNames).pop();
  const withFindings = new Set(onMigrations.map((finding) => finding.file)).size;
  return (
    `${onMigrations.length.toLocaleString('en-US')} of ${findings.length.toLocaleString('en-US')} findings are lock findings on ` +
    `${withFindings.toLocaleString('en-US')} of ${migrations.length.toLocaleString('en-US')} migrations, every one judged as not yet deployed. ` +
    `To judge only new migrations, set "migrations": { "baseline": "${newest}" } in pglens.json (the last deployed one; ` +
    'later ones are judged) or pass --changed-since origin/main (see docs/locks.md)'
  );
}
