// `pglens init` (or `pglens --init`): writes a commented pglens.json for the project in the current folder: where
// the schema of the embedded database comes from, which migrations tool the lock rules see, and the database URL
// taken from an environment variable by name. Never a URL or a password: only `${env:NAME}`. Never over an existing
// pglens.json.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, defaultConfig, loadConfig } from '../engine/config';
import { discoverSchemaFiles } from '../engine/db/embedded/schemaDiscovery';
import { detectMigrationLayout } from '../engine/locks/migrations';
import { listSourceFiles } from '../engine/workspace';
import type { CommandIo } from './checkCommand';
import { formatOptionHelp, OptionError, parseOptions, type OptionSpec } from './options';

export const INIT_OPTIONS = [
  { name: 'env', kind: 'string', value: 'NAME', help: 'the environment variable that holds the database URL (default: detected, else DATABASE_URL)' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

export const INIT_USAGE = `Usage: pglens init [options]

Writes pglens.json in the current folder, with comments: the schema files and the migrations tool pglens detected,
and the database URL read from an environment variable (its name only: no URL or password is written).

Options:
${formatOptionHelp(INIT_OPTIONS)}`;

/** Variable names that commonly hold a PostgreSQL URL, in the order they are preferred. */
const URL_VARIABLES = ['DATABASE_URL', 'POSTGRES_URL', 'POSTGRESQL_URL', 'PG_URL', 'DB_URL', 'POSTGRES_PRISMA_URL', 'SUPABASE_DB_URL'];

export async function runInitCommand(argv: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseOptions(argv, INIT_OPTIONS));
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    io.stderr.write(`pglens init: ${error.message} (see "pglens init --help")\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(INIT_USAGE);
    return 0;
  }
  if (values.env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(values.env)) {
    io.stderr.write(`pglens init: --env takes a variable name, got "${values.env}"\n`);
    return 2;
  }
  const root = io.cwd;
  const target = path.join(root, CONFIG_FILE_NAME);
  if (fs.existsSync(target)) {
    io.stderr.write(`pglens init: ${target} already exists (pglens init never overwrites it)\n`);
    return 2;
  }
  const text = await initialConfig(root, io.env, values.env);
  try {
    fs.writeFileSync(target, text, { flag: 'wx' });
  } catch (error) {
    io.stderr.write(`pglens init: cannot write ${target}: ${(error as Error).message}\n`);
    return 2;
  }
  // What was written is read back as pglens reads it: an init that wrote a config pglens rejects would be a bug.
  loadConfig(target, root, {});
  io.stdout.write(`wrote ${CONFIG_FILE_NAME}\n`);
  return 0;
}

/** The text of a commented pglens.json for the project at `root`. */
export async function initialConfig(root: string, env: NodeJS.ProcessEnv, chosenVariable?: string): Promise<string> {
  const variable = chosenVariable ?? urlVariableOf(root, env);
  const schemaFiles = await discoverSchemaFiles(root);
  const migrations = detectedMigrations(root);
  const relative = (file: string) => path.relative(root, file).split(path.sep).join('/');

  const lines: string[] = ['{'];
  lines.push(
    `  // The database pglens plans against: the URL in the environment variable ${variable} (its value is never written`,
    `  // here; put a password in it or in PGPASSWORD). When ${variable} is not set, pglens builds an embedded database`,
    '  // from the schema files below. `pglens check --db URL` overrides this.',
    `  "database": { "url": "\${env:${variable}}" },`,
    '',
  );
  if (schemaFiles.length > 0) {
    const shown = schemaFiles.slice(0, 3).map(relative).join(', ');
    lines.push(
      `  // Schema of the embedded database: detected ${schemaFiles.length} file${schemaFiles.length === 1 ? '' : 's'} (${shown}${schemaFiles.length > 3 ? ', ...' : ''}).`,
      '  // Name them here only if the detection is wrong, e.g.:',
      '  // "schema": ["db/schema.sql"],',
      '',
    );
  } else {
    lines.push(
      '  // Schema of the embedded database: no migrations folder or schema.sql was detected. Name the files that create',
      '  // your tables, or set the database URL above:',
      '  // "schema": ["db/schema.sql"],',
      '',
    );
  }
  if (migrations) {
    lines.push(
      `  // Migrations, judged by the lock rules: detected ${migrations.framework} (${migrations.count} file${migrations.count === 1 ? '' : 's'} under ${migrations.folder}/).`,
      `  "migrations": ${JSON.stringify([`${migrations.folder}/**/*`])},`,
      '',
    );
  } else {
    lines.push('  // Migrations, judged by the lock rules: none detected. Common layouts are found without this, e.g.:', '  // "migrations": ["db/migrate/**/*.sql"],', '');
  }
  lines.push(
    '  // Rule severities (error, warning, info, hint, off) and options: see docs/rules/ for every rule.',
    '  "rules": {',
    '    // "seq-scan-large-table": "error",',
    '    // "large-sort": { "severity": "info", "options": { "minRows": 100000 } }',
    '  }',
    '}',
    '',
  );
  return lines.join('\n');
}

/**
 * The variable that holds the database URL: one of the usual names set in the environment, else one named in a
 * .env file of the project (only the names are read), else DATABASE_URL.
 */
function urlVariableOf(root: string, env: NodeJS.ProcessEnv): string {
  const set = URL_VARIABLES.find((name) => env[name]);
  if (set) return set;
  for (const file of ['.env', '.env.example', '.env.local', '.env.development']) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, file), 'utf8');
    } catch {
      continue;
    }
    const names = new Set([...text.matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((match) => match[1]));
    const named = URL_VARIABLES.find((name) => names.has(name));
    if (named) return named;
  }
  return 'DATABASE_URL';
}

/** The migrations tool most of the project's migration files belong to, and the folder they share. */
function detectedMigrations(root: string): { framework: string; folder: string; count: number } | undefined {
  let files: string[];
  try {
    files = listSourceFiles([root], defaultConfig(root));
  } catch {
    return undefined;
  }
  const byFramework = new Map<string, string[]>();
  for (const file of files) {
    const framework = detectMigrationLayout(file, { root });
    if (framework) byFramework.set(framework, [...(byFramework.get(framework) ?? []), file]);
  }
  const [framework, found] = [...byFramework].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!framework || !found) return undefined;
  // The deepest folder that holds all of them (Prisma: prisma/migrations, not each migration's own folder).
  let folder = path.dirname(found[0]);
  while (!found.every((file) => file.startsWith(folder + path.sep)) && folder !== root) folder = path.dirname(folder);
  if (folder === root) return undefined;
  return { framework, folder: path.relative(root, folder).split(path.sep).join('/'), count: found.length };
}
