// The schema of migrations written as scripts: ley and postgres-shift (`await sql`CREATE TABLE ...``), Kysely
// (`await sql`...`.execute(db)`), knex (`knex.raw('ALTER TABLE ...')`), node-pg-migrate (`pgm.sql('...')`). A folder
// of such files is as much the schema as a folder of .sql files, but nothing of it was loaded: a postgres.js app with
// ley migrations got "no schema files found" and exit 2. The SQL is read with the finder (nothing is executed), from
// the code outside the `down` migration, and only SQL written out whole: a statement with a `${}` value (seed rows)
// or one pglens assembled from pieces is left out, since the schema must be what the code wrote.

import * as path from 'node:path';
import ts = require('typescript');
import { findSqlInFile, resolveFindOptions, SCRIPT_FILE_EXTENSIONS } from '../../find/index';

/** A statement-bearing piece of a script migration: its SQL and where it starts in the file. */
export interface ScriptMigrationSql {
  text: string;
  /** UTF-16 offset of the site in the file. */
  start: number;
}

/** Whether a file of a migration folder is a script migration (not a declaration, test or config file). */
export function isScriptMigration(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  if (/\.d\.[mc]?ts$/.test(lower) || /\.(test|spec)\.[mc]?[jt]sx?$/.test(lower)) return false;
  const extension = path.extname(lower);
  return SCRIPT_FILE_EXTENSIONS.includes(extension) && extension !== '.tsx' && extension !== '.jsx';
}

/** The SQL a script migration runs on the way up, in file order. */
export function scriptMigrationSql(file: string, text: string): ScriptMigrationSql[] {
  const { sites } = findSqlInFile(file, text, resolveFindOptions());
  if (sites.length === 0) return [];
  const down = downRanges(file, text);
  return sites
    .filter((site) => site.parameterCount === 0 && !site.assembled && site.variant === undefined)
    .filter((site) => !down.some(([start, end]) => site.fileStart >= start && site.fileStart < end))
    .map((site) => ({ text: site.text, start: site.fileStart }));
}

/**
 * The ranges of the file's `down` migration: `export async function down`, `export const down = ...`,
 * `exports.down = ...`, `module.exports.down = ...`, and `down` members of object literals (`{ up() {}, down() {} }`).
 */
function downRanges(file: string, text: string): [number, number][] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKind(file));
  const ranges: [number, number][] = [];
  const isDown = (name: ts.Node | undefined) => !!name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) && /^down$/i.test(name.text);
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && isDown(node.name)) ranges.push([node.pos, node.end]);
    else if ((ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node)) && isDown(node.name)) ranges.push([node.pos, node.end]);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && isDown(node.left.name)) {
      ranges.push([node.pos, node.end]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return ranges;
}

function scriptKind(file: string): ts.ScriptKind {
  const extension = path.extname(file).toLowerCase();
  return extension === '.ts' || extension === '.mts' || extension === '.cts' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
}
