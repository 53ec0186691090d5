// The hostile repository: files a person may clone and open, each trying to make pglens send the server something it
// did not mean to (a second statement, a write, a lock, a setting), or to carry SQL into what pglens generates.
// Written by the tests into temp folders; nothing here is run by anything but pglens.
//
// Every case is named after what it tries. The schema they name is test/hostile/hostileDatabase.ts.

import { HOSTILE_COLUMN, HOSTILE_SCHEMA, HOSTILE_TABLE, QUOTED_COLUMN, QUOTED_TABLE, quoteIdent, TRAVERSAL_TABLE, UNICODE_TABLE } from './hostileDatabase';

const T = quoteIdent(HOSTILE_TABLE);
const C = quoteIdent(HOSTILE_COLUMN);

/** The issue's first case: one SELECT to libpg_query (standard_conforming_strings on), three statements to a server with it off. */
export const SCS_BREAK = String.raw`SELECT 'x\' , '; COMMIT; DROP TABLE victim; --';`;

// The issue's second case: `*x./` becomes a comment's end once a regex strips the alias `x.`, closing it early.
export const ADVISOR_COMMENT_BREAK = `SELECT * FROM people x WHERE lower(x.email /* *x./ ))) ; COMMIT; DROP TABLE victim; -- */) = 'a'`;

export const HOSTILE_FILES: Record<string, string> = {
  // -- settings that change how the server tokenizes what libpg_query read one way
  'sql/scs-break.sql': `${SCS_BREAK}\n`,
  'sql/scs-break-where.sql': String.raw`SELECT id FROM victim WHERE note = 'a\' OR true; COMMIT; DROP TABLE victim; -- ' AND id = 1;` + '\n',
  'sql/scs-break-two-strings.sql': String.raw`SELECT 'a\', 'b' FROM victim WHERE note = '\'; DROP TABLE victim; --';` + '\n',
  'sql/e-string.sql': String.raw`SELECT E'x\' , '; COMMIT; DROP TABLE victim; --';` + '\n' + String.raw`SELECT E'\\'' ; DROP TABLE victim; --' AS y;` + '\n',
  'sql/backslash-quote.sql': String.raw`SELECT 'it\'s; DROP TABLE victim; --' AS y;` + '\n' + String.raw`SELECT * FROM people WHERE email = 'a\'' OR name = ';DROP TABLE victim;--';` + '\n',
  'sql/file-sets-scs-off.sql': `SET standard_conforming_strings = off;\nSELECT set_config('standard_conforming_strings', 'off', false);\n${SCS_BREAK}\nRESET ALL;\nDISCARD ALL;\n`,
  // -- comment and dollar-quote tricks
  'sql/dollar-nested.sql': `SELECT $a$ $b$ ; DROP TABLE victim; $b$ $a$ AS t;\nSELECT $a$ '; DROP TABLE victim; -- $a$ || 'x' FROM people WHERE email = 'a';\n`,
  'sql/dollar-in-comments.sql': `-- $$\nSELECT 1 AS one; /* $$ */ SELECT $$ ; DROP TABLE victim; $$ AS two;\n/* $x$ */ SELECT id FROM victim WHERE note = $x$'; DROP TABLE victim; --$x$;\n`,
  'sql/nested-comments.sql': `/* /* */ ; DROP TABLE victim; */ SELECT * FROM people WHERE email = 'a';\nSELECT 1 /* unterminated /* nested */ ; DROP TABLE victim; --\n`,
  'sql/uescape.sql': String.raw`SELECT U&'d!0061t!+000061' UESCAPE '!' AS data, U&'\0027; DROP TABLE victim; --' AS q FROM people WHERE email = U&'\0061';` + '\n' + String.raw`SELECT U&"x; DROP TABLE victim; --" FROM (SELECT 1 AS "x; DROP TABLE victim; --") t;` + '\n',
  'sql/unterminated.sql': `SELECT * FROM people WHERE email = 'abc; DROP TABLE victim; --\nSELECT 1;\n`,
  'sql/unterminated-dollar.sql': `SELECT $q$ ; DROP TABLE victim; \n`,
  'sql/semicolon-identifiers.sql': `SELECT "a;b" FROM (SELECT 1 AS "a;b") t;\nSELECT * FROM "victim;DROP TABLE victim" ;\n`,
  // -- psql meta-commands and COPY data blocks: text the server would never see from psql
  'sql/psql-meta.sql': `SELECT count(*) AS n FROM victim \\gset\nDROP TABLE victim;\n\\set evil 'DROP TABLE victim'\n:evil;\nSELECT 1 \\g\n\\connect postgres\nSELECT * FROM people WHERE email = 'a';\n`,
  'sql/copy-stdin.sql': `COPY victim (id, note) FROM stdin;\n4\t'); DROP TABLE victim; --\n5\tCOMMIT; DROP TABLE victim;\n\\.\nSELECT * FROM people WHERE email = 'a';\n`,
  // -- statements that would write, lock or leave the transaction if they were executed rather than planned
  'sql/explain-analyze-in-file.sql': `EXPLAIN ANALYZE DELETE FROM victim;\nEXPLAIN (ANALYZE, BUFFERS) INSERT INTO victim VALUES (9, 'x');\n`,
  'sql/side-effects.sql': `SELECT audit_fn();\nSELECT "nextval"('s');\nSELECT nextval('s'), setval('s', 100);\nSELECT pg_advisory_lock(42);\nSELECT pg_advisory_xact_lock(43);\nSELECT pg_terminate_backend(pid) FROM pg_stat_activity;\nSELECT * FROM victim FOR UPDATE;\n`,
  'sql/writes.sql': `INSERT INTO victim VALUES (10, 'x');\nUPDATE victim SET note = 'changed';\nDELETE FROM victim;\nTRUNCATE victim;\nDROP TABLE victim;\nWITH d AS (DELETE FROM victim RETURNING *) SELECT * FROM d;\n`,
  'sql/transaction-control.sql': `COMMIT;\nBEGIN;\nDROP TABLE victim;\nCOMMIT;\nPREPARE TRANSACTION 'pglens_leak';\nPREPARE p AS SELECT 1;\nLISTEN x;\nLOCK TABLE victim IN ACCESS EXCLUSIVE MODE;\n`,
  // -- bytes
  'sql/nul-byte.sql': `SELECT 1 AS a;\u0000 DROP TABLE victim;\nSELECT * FROM people WHERE email = 'a\u0000'; DROP TABLE victim;\n`,
  'sql/bom.sql': `\uFEFFSELECT * FROM people WHERE email = 'a';\n`,
  // -- hostile identifiers reaching the advisor (index suggestions, migrations, file names)
  'sql/advisor-comment-break.sql': `${ADVISOR_COMMENT_BREAK};\n`,
  'sql/hostile-identifiers.sql': [
    `SELECT * FROM ${T} WHERE ${C} = 'a';`,
    `SELECT * FROM ${T} t WHERE lower(t.${C}) = 'a';`,
    `SELECT * FROM ${quoteIdent(TRAVERSAL_TABLE)} WHERE email = 'a';`,
    `SELECT * FROM ${quoteIdent(QUOTED_TABLE)} WHERE ${quoteIdent(QUOTED_COLUMN)} = 'a';`,
    `SELECT * FROM ${quoteIdent(UNICODE_TABLE)} WHERE "émail" = 'a';`,
    `SELECT * FROM ${quoteIdent(HOSTILE_SCHEMA)}.t WHERE v = 'a';`,
    `SELECT * FROM people WHERE email = 'a' ORDER BY name /* */ ; DROP TABLE victim; --`,
    '',
  ].join('\n'),
  // -- the same in code
  'src/scs.ts': [
    `import { sql, pool } from './db';`,
    `export const viaTemplate = () => sql\`SELECT 'x\\\\' , '; COMMIT; DROP TABLE victim; --'\`;`,
    `export const viaRawTemplate = () => sql\`SELECT 'x\\' , '; COMMIT; DROP TABLE victim; --'\`;`,
    `export const viaQuery = () => pool.query("SELECT 'x\\\\' , '; COMMIT; DROP TABLE victim; --'");`,
    `export const viaSingle = () => pool.query('SELECT \\'x\\\\\\' , \\'; COMMIT; DROP TABLE victim; --\\'');`,
    `export const withParam = (id: number) => sql\`SELECT id FROM victim WHERE note = 'a\\\\' AND id = \${id} ; DROP TABLE victim; --'\`;`,
    '',
  ].join('\n'),
  'src/advisor.ts': [
    `import { sql, pool } from './db';`,
    `export const byLower = () => sql\`${ADVISOR_COMMENT_BREAK}\`;`,
    `export const hostileTable = (v: string) => pool.query('SELECT * FROM ${T.replace(/'/g, "\\'")} WHERE ${C} = $1', [v]);`,
    `export const traversal = (v: string) => sql\`SELECT * FROM ${quoteIdent(TRAVERSAL_TABLE)} WHERE email = \${v}\`;`,
    `export const quoted = (v: string) => sql\`SELECT * FROM ${quoteIdent(QUOTED_TABLE).replace(/'/g, "\\'")} WHERE ${quoteIdent(QUOTED_COLUMN)} = \${v}\`;`,
    '',
  ].join('\n'),
  'src/side-effects.ts': [
    `import { sql, pool } from './db';`,
    'export const audit = () => sql`SELECT audit_fn()`;',
    `export const next = () => pool.query('SELECT "nextval"(\\'s\\')');`,
    'export const lock = () => sql`SELECT pg_advisory_lock(42)`;',
    'export const drop = () => pool.query(`DROP TABLE victim`);',
    'export const wipe = () => sql`DELETE FROM victim`;',
    '',
  ].join('\n'),
  'src/tricks.ts': [
    `import { sql, pool } from './db';`,
    'export const comment = () => sql`SELECT 1 /* ${"*/ ; DROP TABLE victim; --"} */`;',
    'export const dollar = () => sql`SELECT $$ ${"$$ ; DROP TABLE victim; --"} $$`;',
    'export const nested = (x: string) => sql`SELECT * FROM people WHERE email = ${sql`${x}`} AND name = \'\\\\\'`;',
    "export const backtick = () => pool.query('SELECT `; DROP TABLE victim; --`');",
    '',
  ].join('\n'),
};

/** What must be in every workspace: the `db` module the TS files import (never run). */
export const DB_MODULE = `export const sql = (..._: unknown[]) => undefined;\nexport const pool = { query: (..._: unknown[]) => undefined };\n`;

/** Files the issue saw abort a whole run (stack overflow in the finder, parser wrapper or walkers). */
export function pathologicalFiles(): Record<string, string> {
  const deepTemplates = (depth: number) => {
    let text = '${x}';
    for (let i = 0; i < depth; i++) text = `\${sql\`SELECT ${text}\`}`;
    return `import { sql } from './db';\nconst x = 1;\nexport const deep = sql\`SELECT ${text}\`;\n`;
  };
  return {
    'deep/plus-terms.sql': `SELECT ${Array.from({ length: 10_000 }, () => '1').join('+')};\n`,
    'deep/parens.ts': `export const x = ${'('.repeat(20_000)}1${')'.repeat(20_000)};\n`,
    'deep/parens.sql': `SELECT ${'('.repeat(5_000)}1${')'.repeat(5_000)};\n`,
    'deep/templates.ts': deepTemplates(3_000),
    'deep/comments.sql': `${'/* '.repeat(10_000)}${' */'.repeat(10_000)} SELECT 1;\n`,
  };
}
