// `pglens locks PATH... [--format text|json|sarif] [--db URL] [--config FILE]`: which lock each statement takes, on
// which table, what it blocks, and what the lock rules say about it, for files, folders and quoted globs. It reads the
// workspace the way `pglens check` does (pglens.json: migrations, their transactions and baseline, postgresVersion,
// rule severities), so both give the same verdicts for the same files.
// Exit codes (like Squawk): 0 no statement has an error-level finding, 1 some statement has one, 2 bad usage, bad
// config, a missing path or an unreachable database (one line on stderr).

import * as path from 'node:path';
import { ConfigError } from '../engine/config';
import { DatabaseUnavailableError } from '../engine/db/client';
import { isInside, readWorkspaceTextFile } from '../engine/files';
import { indexOwnersOfTexts, lockReportForText, type LockReportEntry } from '../engine/locks/report';
import { formatLockReportJson, formatLockReportText } from './formatters/locks';
import { detectMigrationLayout } from '../engine/locks/migrations';
import { loadParser } from '../engine/parse/parse';
import { allRules } from '../engine/rules/index';
import type { Finding } from '../engine/types';
import { MissingPathError, openWorkspace, type Workspace } from '../engine/workspace';
import { coverageOf, type CheckReport } from './formatters/report';
import { formatSarif } from './formatters/sarif';
import { writePieces } from './formatters/streamJson';
import { formatOptionHelp, OptionError, parseOptions, type OptionSpec, type OptionValues } from './options';

export interface LocksCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The options of `pglens locks`: the parser and --help both read this table. */
export const LOCKS_OPTIONS = [
  { name: 'format', kind: 'string', value: 'FORMAT', choices: ['text', 'json', 'sarif'], default: 'text', help: 'text (default), json or sarif' },
  {
    name: 'db',
    kind: 'string',
    value: 'URL',
    help: 'PostgreSQL connection URL: adds table sizes, index owners, column types and the server version\n(default: pglens.json database.url, DATABASE_URL, PG* variables; none: without them)',
  },
  { name: 'config', kind: 'string', value: 'FILE', help: 'pglens.json to use (default: found from the first path upwards)' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

export const LOCKS_USAGE = `Usage: pglens locks PATH... [options]

Prints, for every SQL statement of the files (.sql, and SQL found in TS/JS; folders are walked, quoted globs such
as 'db/migrations/*.sql' expanded), the tables it locks and in which mode (PostgreSQL's pg_locks names), whether
it rewrites or scans a table while holding the lock, what that blocks, and the lock rules' findings. pglens.json
is read as by "pglens check" (migrations, baseline, migrationsInTransaction, postgresVersion, rules).
Exits 1 when a statement gets an error-level finding, 0 otherwise.

Options:
${formatOptionHelp(LOCKS_OPTIONS)}`;

/** Findings that are about locks: the lock rules', and SQL that does not parse. */
const LOCK_RULE_IDS = new Set(['syntax-error', ...allRules.filter((rule) => rule.meta.category === 'locking').map((rule) => rule.meta.id)]);

export async function runLocksCommand(argv: string[], io: LocksCommandIo, toolVersion = '0.0.0-dev'): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let values: OptionValues<typeof LOCKS_OPTIONS>;
  let targets: string[];
  try {
    ({ values, positionals: targets } = parseOptions(argv, LOCKS_OPTIONS));
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    io.stderr.write(`pglens locks: ${error.message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(LOCKS_USAGE);
    return 0;
  }
  const format = values.format;
  if (targets.length === 0) {
    io.stderr.write(`pglens locks: no files given\n\n${LOCKS_USAGE}`);
    return 2;
  }

  let workspace: Workspace;
  try {
    workspace = await openWorkspace(path.resolve(cwd, targets[0].replace(/[*?[{].*$/, '') || '.'), {
      cwd,
      configFile: values.config,
      databaseUrl: values.db,
      env: io.env ?? process.env,
      // Locks are the statements' own: an embedded database's synthetic sizes would add nothing true.
      allowEmbedded: false,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`pglens: ${error.problem === 'config file not found' ? `config file not found: ${error.file}` : `invalid config: ${error.message}`}\n`);
      return 2;
    }
    if (error instanceof DatabaseUnavailableError) {
      io.stderr.write(`pglens: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  try {
    let files: string[];
    try {
      files = workspace.listFiles(targets, cwd);
    } catch (error) {
      if (error instanceof MissingPathError) {
        io.stderr.write(`pglens locks: ${/[*?[{]/.test(error.target) ? `no file matches ${error.target}` : `no such file: ${error.target}`}\n`);
        return 2;
      }
      throw error;
    }
    workspace.setRunFiles(files);
    await loadParser();
    const schema = await workspace.engine.schemaFacts().catch((error: Error) => {
      if (error instanceof DatabaseUnavailableError) throw error;
      // The lock report stands without table sizes: say what is missing, and go on.
      io.stderr.write(`pglens: table sizes unknown: the schema could not be read (${error.message.split('\n')[0]})\n`);
      return undefined;
    });
    const { config, database } = workspace;
    const serverVersionNum = database?.info.serverVersionNum ?? (config.postgresVersion ? config.postgresVersion * 10000 : undefined);
    const migrations = workspace.migrationConfig;
    // Without a database, DROP INDEX still names its table when a migration of the workspace created the index.
    const indexTable = database ? undefined : indexOwnersOfTexts(workspaceMigrationTexts(workspace, files));

    const entries: LockReportEntry[] = [];
    const findings: Finding[] = [];
    for (const file of files) {
      const read = readWorkspaceTextFile(file, { root: isInside(file, config.root) ? config.root : path.dirname(file), maxBytes: config.files.maxBytes });
      if (!read.ok) {
        io.stderr.write(`pglens locks: ${file}: skipped: ${read.reason}\n`);
        continue;
      }
      // Paths as the user gave them: relative to the current folder when inside it.
      const shown = isInside(file, cwd) ? path.relative(cwd, file) || file : file;
      const verdict = workspace.verdictFor(file);
      if (!verdict.judged) {
        entries.push({ file: shown, line: 1, statement: '', locks: [], rewrite: false, scan: false, notes: [], canRunInTransaction: true, fileStart: 0, fileEnd: 0, notJudged: verdict.reason });
        continue;
      }
      // The same engine as `pglens check`: the same rules, severities, migration context and down code left out.
      const analysis = await workspace.engine.analyzeFile(file, read.text);
      const lockFindings = analysis.findings.filter((finding) => LOCK_RULE_IDS.has(finding.ruleId));
      findings.push(...lockFindings);
      const fileEntries = lockReportForText(file, workspace.judgedText(file, read.text), { schema, serverVersionNum, migrations, indexTable });
      for (const entry of fileEntries) {
        entry.file = shown;
        entry.findings = lockFindings
          .filter((f) => f.fileStart >= entry.fileStart && f.fileStart <= Math.max(entry.fileEnd, entry.fileStart))
          .map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message }));
      }
      entries.push(...fileEntries);
    }

    if (format === 'sarif') {
      const report: CheckReport = {
        root: config.root,
        findings,
        skipped: [],
        coverage: coverageOf([], [], () => ''),
        filesChecked: files.length,
        statementsChecked: entries.filter((e) => e.notJudged === undefined).length,
        statementsPlanned: 0,
        notPlanned: [],
        toolVersion,
      };
      await writePieces(io.stdout, formatSarif(report));
    } else io.stdout.write(format === 'json' ? formatLockReportJson(entries) : formatLockReportText(entries));
    return findings.some((finding) => finding.severity === 'error') ? 1 : 0;
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      io.stderr.write(`pglens: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await workspace.close();
  }
}

/** The migrations of the workspace and the files named, read (history included: it made the schema), up code only. */
function workspaceMigrationTexts(workspace: Workspace, named: string[]): Array<{ file: string; text: string }> {
  let all: string[];
  try {
    all = workspace.listFiles([workspace.root]);
  } catch {
    all = [];
  }
  const migrations = [...new Set([...all, ...named])].filter((file) => detectMigrationLayout(file, workspace.migrationConfig) !== undefined);
  const texts: Array<{ file: string; text: string }> = [];
  for (const file of migrations) {
    const read = readWorkspaceTextFile(file, { root: isInside(file, workspace.root) ? workspace.root : path.dirname(file), maxBytes: workspace.config.files.maxBytes });
    if (read.ok) texts.push({ file, text: workspace.judgedText(file, read.text) });
  }
  return texts;
}
