// `pglens check [paths...]`: the engine over files, for people at a terminal and for CI.
// Exit codes: 0 clean, 1 findings at error level or more warnings than --max-warnings, 2 bad usage, bad config or
// no database. Every failure is one line on stderr, never a stack trace.

import * as path from 'node:path';
import { mergeSuggestions } from '../engine/advise/index';
import { displayPath, Engine, isUndefinedObjectFinding } from '../engine/analyze';
import { DatabaseUnavailableError } from '../engine/db/client';
import { isInside, readWorkspaceTextFile } from '../engine/files';
import { listSourceFiles, MissingPathError, openWorkspace, type Workspace } from '../engine/workspace';
import { schemaProblemLine } from '../engine/schemaCoverage';
import { loadParser } from '../engine/parse/parse';
import { LineIndex } from '../engine/text';
import type { Finding, SkippedSite } from '../engine/types';
import { BaselineFileError } from '../engine/baseline/model';
import { BaselineCheck, baselineSummaryText } from './baselineCheck';
import { formatJson } from './formatters/json';
import { formatMarkdown } from './formatters/markdown';
import { countBySeverity, coverageOf, databaseFailureLine, type CheckReport, type ReportedSkip } from './formatters/report';
import { formatSarif } from './formatters/sarif';
import { formatStylish } from './formatters/stylish';
import { writePieces } from './formatters/streamJson';
import { applyFixes, FIX_TYPES, type FixType } from './applyFixes';
import { migrationHistoryHint } from './migrationHistoryHint';
import { outputFileProblem, periodicProgress, ruleOverrides, unsupportedFiles, useColor, writeOutputFile } from './checkFlags';
import { workspaceOpenProblem } from './commandSupport';
import { formatOptionHelp, OptionError, parseOptions, type OptionSpec, type ParsedCommandLine } from './options';
import { orderByProductionImpact } from '../engine/snapshot/match';

export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The options of `pglens check`: the parser and --help both read this table (add a command's option here). */
export const CHECK_OPTIONS = [
  { name: 'db', kind: 'string', value: 'URL', help: "PostgreSQL connection URL (default: pglens.json database.url, DATABASE_URL, PG* variables;\nwith none of them, an embedded database built from the repository's schema)" },
  { name: 'config', kind: 'string', value: 'FILE', help: 'pglens.json to use (default: found from the current folder upwards)' },
  { name: 'format', kind: 'string', value: 'FORMAT', choices: ['stylish', 'json', 'sarif', 'markdown'], default: 'stylish', help: 'stylish (default), json, sarif or markdown (a pull-request comment, see docs/ci.md)' },
  {
    name: 'baseline',
    kind: 'string',
    value: 'FILE',
    help: 'compare with a baseline written by "pglens baseline": plan regressions are findings, findings the\nbaseline already had do not fail the run; with --changed-since only files a change can affect are planned',
  },
  { name: 'max-warnings', kind: 'string', value: 'N', help: 'exit 1 when there are more than N warnings' },
  { name: 'snapshot', kind: 'string', value: 'FILE', help: 'production statistics from "pglens snapshot": the embedded database is described by them, and\nfindings about statements production runs say their calls and time (default: pglens.json "snapshot")' },
  { name: 'no-embedded', kind: 'boolean', help: 'without a configured database, run only the rules that need none' },
  { name: 'verbose', kind: 'boolean', help: 'also list SQL sites that cannot be known statically (file:line:column), and why' },
  { name: 'quiet', kind: 'boolean', short: 'q', help: 'report errors only, and no progress (warnings still count for --max-warnings)' },
  { name: 'rule', kind: 'list', value: 'ID:SEVERITY', help: 'a rule\'s severity over pglens.json\'s (error, warning, info, hint, off); repeatable' },
  { name: 'output-file', kind: 'string', value: 'FILE', help: 'write the report to FILE (whole, or not at all) instead of stdout' },
  { name: 'fix', kind: 'boolean', help: 'apply the edits findings carry (the quick fixes the editor offers) to the files' },
  {
    name: 'fix-type',
    kind: 'list',
    value: 'TYPE',
    choices: FIX_TYPES,
    help: 'what --fix does (implies --fix): edit (the default: edits in the checked files) and/or index\n(also write the index migrations the advisor proposes, as new files in the migrations folder)',
  },
  { name: 'color', kind: 'switch', help: 'colour stylish output or not (default: when stdout is a terminal; FORCE_COLOR, NO_COLOR)' },
  {
    name: 'changed-since',
    kind: 'string',
    value: 'REF',
    help: 'judge only migrations git lists as changed since the merge base with REF (and untracked\nones); the others are history: no lock findings, never planned. Other code is checked as usual',
  },
  { name: 'stats', kind: 'boolean', help: 'print how many SQL sites were checked and skipped, per file kind and per reason' },
  {
    name: 'allow-database-failures',
    kind: 'boolean',
    help: 'exit by the findings even when the database failed to plan some statements\n(unreachable, out of connections, timeouts); by default such a run exits 2',
  },
  {
    name: 'allow-incomplete-schema',
    kind: 'boolean',
    help: 'exit by the findings even when the embedded database lacks most tables the code\nnames (or was built from no schema files); by default such a run exits 2',
  },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

export const CHECK_USAGE = `Usage: pglens check [paths...] [options]

Finds SQL in .sql, TypeScript and JavaScript files, plans it against a PostgreSQL database and reports
slow plan shapes, missing indexes and dangerous locks.

Options:
${formatOptionHelp(CHECK_OPTIONS)}`;

export class UsageError extends Error {}

export async function runCheckCommand(argv: string[], io: CommandIo, toolVersion: string): Promise<number> {
  let parsed: ParsedCommandLine<typeof CHECK_OPTIONS>;
  try {
    parsed = parseOptions(argv, CHECK_OPTIONS);
  } catch (error) {
    if (error instanceof OptionError) return usageError(io, error.message);
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(CHECK_USAGE);
    return 0;
  }
  const format = values.format;
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) return usageError(io, `--max-warnings takes a whole number of 0 or more, got "${values['max-warnings']}"`);
  }
  const targets = positionals.length > 0 ? positionals.map((p) => path.resolve(io.cwd, p)) : [io.cwd];
  let rules: ReturnType<typeof ruleOverrides>;
  try {
    rules = ruleOverrides(values.rule);
  } catch (error) {
    if (error instanceof OptionError) return usageError(io, error.message);
    throw error;
  }
  const outputFile = values['output-file'] !== undefined ? path.resolve(io.cwd, values['output-file']) : undefined;
  const outputProblem = outputFile !== undefined ? outputFileProblem(outputFile) : undefined;
  if (outputProblem) return usageError(io, outputProblem);
  // --fix: edits only; index migrations (new files) only when asked for by name.
  const fixTypes = values.fix || values['fix-type'].length > 0 ? new Set<FixType>(values['fix-type'].length > 0 ? (values['fix-type'] as FixType[]) : ['edit']) : undefined;
  const fixTexts = new Map<string, string>();
  const notChecked = unsupportedFiles(targets);
  if (notChecked.length > 0) return failure(io, notChecked.join('; '));
  // Every analysis starts by loading the SQL parser (Engine.analyzeFile): its WebAssembly module is compiled in the
  // background while the configuration is read and the files are found (start-up, bench/startup.ts). A failure is
  // the first analysis's to report, as before.
  loadParser().catch(() => undefined);

  let baselineCheck: BaselineCheck | undefined;
  try {
    baselineCheck = values.baseline !== undefined ? BaselineCheck.load(values.baseline, io.cwd) : undefined;
  } catch (error) {
    if (error instanceof BaselineFileError) return failure(io, error.message);
    throw error;
  }
  // A terminal gets one line redrawn; a CI log a line every few seconds (PGLENS_PROGRESS_MS, 0: none); --quiet none.
  const progressEveryMs = Number(io.env.PGLENS_PROGRESS_MS ?? 5000);
  const progress = values.quiet
    ? () => undefined
    : io.stderr.isTTY
      ? (message: string) => io.stderr.write(`\r\u001b[2K${message}`)
      : progressEveryMs > 0
        ? periodicProgress((line) => io.stderr.write(line), progressEveryMs)
        : () => undefined;
  let workspace: Workspace;
  try {
    workspace = await openWorkspace(targets[0], {
      cwd: io.cwd,
      configFile: values.config,
      databaseUrl: values.db,
      rules,
      env: io.env,
      allowEmbedded: !values['no-embedded'],
      changedSince: values['changed-since'],
      snapshotFile: values.snapshot,
      log: (message) => {
        if (values.verbose) io.stderr.write(`pglens: ${message}\n`);
      },
      onProgress: (message) => (io.stderr.isTTY || values.quiet ? progress(message) : io.stderr.write(`pglens: ${message}\n`)),
    });
  } catch (error) {
    const problem = workspaceOpenProblem(error);
    if (problem === undefined) throw error;
    return failure(io, problem);
  }
  const { config, database, engine } = workspace;

  let files: string[];
  try {
    files = listSourceFiles(targets, config);
  } catch (error) {
    await workspace.close();
    if (error instanceof MissingPathError) return failure(io, error.message);
    throw error;
  }
  // Which migrations come before which: DML after a migration that changes its tables is not planned on today's schema.
  workspace.setRunFiles(files);
  if (baselineCheck) files = await baselineCheck.scope(files, workspace, (message) => values.verbose && io.stderr.write(`pglens: ${message}\n`));

  try {
    const findings: Finding[] = [];
    const skipped: ReportedSkip[] = [];
    const checkedSites: Array<{ kind: string; checked: number }> = [];
    let schemaGaps = 0;
    let statements = 0;
    let planned = 0;
    const notPlanned: CheckReport['notPlanned'] = [];
    let done = 0;
    // Files are read and planned a few at a time: the database pool bounds EXPLAIN concurrency anyway.
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const read = readWorkspaceTextFile(file, { root: workspaceRootOf(file, config.root, targets), maxBytes: config.files.maxBytes });
        if (!read.ok) {
          // One line per file, and the run goes on: a FIFO, a device, a link out of the workspace or a huge dump.
          io.stderr.write(`pglens: ${displayPath(file, config.root)}: skipped: ${read.reason}\n`);
          skipped.push({ file, fileStart: 0, fileEnd: 0, reason: `skipped: ${read.reason}`, line: 1, column: 1 });
          continue;
        }
        const text = read.text;
        const analysis = await engine.analyzeFile(file, text);
        baselineCheck?.add(analysis, text, workspace);
        findings.push(...analysis.findings);
        if (fixTypes && analysis.findings.some((finding) => finding.fixes?.length)) fixTexts.set(file, text);
        skipped.push(...located(analysis.skipped, text));
        checkedSites.push({ kind: fileKind(file), checked: analysis.sitesChecked ?? 0 });
        statements += analysis.statements.length;
        planned += analysis.statements.filter((s) => s.plan).length;
        for (const s of analysis.statements) {
          if (s.databaseFailure) notPlanned.push({ file, line: s.range.start.line + 1, reason: s.databaseFailure });
          if (s.schemaGap) schemaGaps++;
        }
        done++;
        progress(`pglens: ${done}/${files.length} files, ${statements} statements`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, Math.max(1, files.length)) }, worker));
    progress('');
    // The embedded schema judged with every relation the code names known: plan errors about missing objects that
    // files analysed before the verdict reported are taken back, and counted with the statements not planned.
    const assessment = await engine.schemaAssessment();
    if (assessment && !assessment.trusted) {
      const kept = findings.filter((finding) => !isUndefinedObjectFinding(finding));
      schemaGaps += findings.length - kept.length;
      findings.length = 0;
      findings.push(...kept);
    }
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.fileStart - b.fileStart || a.ruleId.localeCompare(b.ruleId));
    // One index for several statements: the advisor's suggestions merged across the run ("serves 4 queries").
    mergeSuggestions(findings);
    const compared = baselineCheck ? await baselineCheck.compare(workspace, findings) : undefined;
    if (compared) findings.sort((a, b) => a.file.localeCompare(b.file) || a.fileStart - b.fileStart || a.ruleId.localeCompare(b.ruleId));

    if (fixTypes) {
      const fixed = applyFixes(findings, fixTexts, fixTypes);
      for (const problem of fixed.problems) io.stderr.write(`pglens: ${problem}\n`);
      if (fixed.fixed.size > 0) {
        const kept = findings.filter((finding) => !fixed.fixed.has(finding));
        findings.length = 0;
        findings.push(...kept);
      }
      const written = fixed.migrationsWritten.length > 0 ? `, wrote ${fixed.migrationsWritten.map((file) => displayPath(file, config.root)).join(', ')}` : '';
      io.stderr.write(`pglens: --fix: fixed ${fixed.fixed.size} finding${fixed.fixed.size === 1 ? '' : 's'} in ${fixed.filesChanged.length} file${fixed.filesChanged.length === 1 ? '' : 's'}${written}\n`);
    }

    // With production's numbers (a snapshot): what costs production most first; without, the file order stays.
    orderByProductionImpact(findings);
    const report: CheckReport = {
      root: config.root,
      // --quiet: errors only; what decides the exit code below still counts every finding.
      findings: values.quiet ? findings.filter((finding) => finding.severity === 'error') : findings,
      skipped: skipped.sort((a, b) => a.file.localeCompare(b.file) || a.fileStart - b.fileStart),
      coverage: coverageOf(checkedSites, skipped, fileKind),
      filesChecked: files.length,
      statementsChecked: statements,
      statementsPlanned: planned,
      notPlanned: notPlanned.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
      schemaGaps: schemaGaps > 0 ? { count: schemaGaps, reason: assessment?.reason ?? 'missing from the embedded schema' } : undefined,
      schemaProblem: assessment ? schemaProblemLine(assessment, 'cli') : undefined,
      database: database
        ? { kind: database.info.kind, label: database.info.label, serverVersion: database.info.serverVersion, note: database.info.syntheticDataNote }
        : undefined,
      toolVersion,
      baseline: compared?.comparison,
    };
    const color = format === 'stylish' && useColor(values.color, io.env, outputFile === undefined && io.stdout.isTTY === true);
    const output =
      format === 'json'
        ? formatJson(report)
        : format === 'sarif'
          ? formatSarif(report)
          : format === 'markdown'
            ? [formatMarkdown(report, { env: io.env, known: compared?.known })]
            : compared
              ? [...formatStylish(report, { color, verbose: values.verbose, stats: values.stats }), baselineSummaryText(compared.comparison)]
              : formatStylish(report, { color, verbose: values.verbose, stats: values.stats });
    if (outputFile === undefined) await writePieces(io.stdout, output);
    else {
      try {
        await writeOutputFile(outputFile, output);
      } catch (error) {
        return failure(io, `cannot write ${outputFile}: ${(error as Error).message}`);
      }
    }
    const historyHint = migrationHistoryHint(findings, files, workspace.migrationConfig, config.migrationsBaseline !== undefined || values['changed-since'] !== undefined || baselineCheck !== undefined);
    if (historyHint && !values.quiet) io.stderr.write(`pglens: ${historyHint}\n`);
    // With a baseline, what it already recorded for the same statement is reported but does not fail the run.
    const { errors, warnings } = countBySeverity(compared ? findings.filter((finding) => !compared.known.has(finding)) : findings);
    // A run that could not plan what it was asked to check has not passed: CI must not go green on a dead database.
    const failureLine = databaseFailureLine(report);
    if (failureLine && !values['allow-database-failures']) {
      io.stderr.write(`pglens: ${failureLine}\n`);
      return 2;
    }
    // An embedded database without the tables the code uses checked nothing that matters: CI must not pass on it.
    if (report.schemaProblem) {
      io.stderr.write(`pglens: ${report.schemaProblem}\n`);
      if (!values['allow-incomplete-schema']) return 2;
    }
    if (errors > 0) return 1;
    if (maxWarnings !== undefined && warnings > maxWarnings) {
      if (format === 'stylish') io.stderr.write(`pglens: ${warnings} warnings exceed --max-warnings ${maxWarnings}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return failure(io, error.message);
    throw error;
  } finally {
    await workspace.close();
  }
}

/**
 * The folder a file's symlinks must stay in: the config's folder when the file lies in it, else the checked folder
 * it was found under, else (a file named on the command line) its own folder.
 */
function workspaceRootOf(file: string, configRoot: string, targets: string[]): string {
  if (isInside(file, configRoot)) return configRoot;
  for (const target of targets) if (isInside(file, target) && file !== target) return target;
  return path.dirname(file);
}

/** Skipped sites with their 1-based line and column in the file's text. */
function located(sites: SkippedSite[], text: string): ReportedSkip[] {
  if (sites.length === 0) return [];
  const lines = new LineIndex(text);
  return sites.map((site) => {
    const position = lines.positionAt(site.fileStart);
    return { ...site, line: position.line + 1, column: position.character + 1 };
  });
}

/** ".ts", ".sql", ...: what --stats counts sites by. */
function fileKind(file: string): string {
  return path.extname(file).toLowerCase() || '(no extension)';
}

/** Bad usage: one line, like every other failure, with where to look next. */
function usageError(io: CommandIo, message: string): number {
  io.stderr.write(`pglens: ${message} (see "pglens check --help")\n`);
  return 2;
}

function failure(io: CommandIo, message: string): number {
  io.stderr.write(`pglens: ${message}\n`);
  return 2;
}
