// The language server's finder reuses its last reading of a file after an edit inside one template's SQL (find/index.ts,
// "An edit inside one template's SQL"). A reuse must give exactly what reading the file from the start gives, edit after
// edit, and must not happen where the edit could change more than that template's text. Each edit below is read by an
// incremental finder (with memory) and by one without memory; the results must be equal. Whether the reading was reused
// shows in the sites: a reuse hands back the unmoved sites before the edit as the same objects.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSqlInFile, resolveFindOptions, type FindOptions } from '../../server/src/engine/find/index';
import { TypeContext } from '../../server/src/engine/find/typeContext';
import { RecentSourceFiles } from '../../server/src/engine/find/typescript';
import { loadParser } from '../../server/src/engine/parse/parse';
import type { SqlSite } from '../../server/src/engine/types';

before(async () => {
  await loadParser();
});

type Found = ReturnType<typeof findSqlInFile>;

/** Sites and skips as plain data (what a fresh reading and a reuse are compared on). */
function plain(found: Found): unknown {
  return JSON.parse(JSON.stringify(found));
}

/** A reuse hands back the sites before the edit as they were; a reading from the start makes every site anew. */
function reused(previous: Found, next: Found): boolean {
  return previous.sites.length > 1 && next.sites[0] === previous.sites[0];
}

const FILE = '/workspace/src/queries.ts';
const BASE = `import { sql } from './db';
export const zero = () => sql\`select count(*) from users\`;
const where = sql\`status = 'open'\`;
export const one = () => sql\`select id, note from orders where customer_email = 'a@example.com' limit 10\`;
export const two = (id: number) => sql\`select id from orders where id = \${id}\`;
export const three = () => pool.query(\`select count(*) from users where email like 'x%'\`);
export const four = () => sql\`select id from orders where \${where}\`;
export const five = () => sql\`select id from \${tableName()} where id = 1\`;
export const six = () => sql\`select * from events\`;
`;

/** Each edit: the next text, and whether the last reading may be reused for it. */
const EDITS: Array<{ what: string; edit: (text: string) => string; reuse: boolean }> = [
  { what: 'a literal inside a plain template', edit: (t) => t.replace("'a@example.com'", "'b@example.com'"), reuse: true },
  { what: 'a word typed inside a plain template', edit: (t) => t.replace('limit 10', 'and total_cents > 5 limit 10'), reuse: true },
  { what: 'a character deleted in a template argument', edit: (t) => t.replace("like 'x%'", "like 'xy%'"), reuse: true },
  { what: 'the same text again', edit: (t) => t, reuse: true },
  { what: 'text before a ${} (the word before it decides how it is read)', edit: (t) => t.replace('where id = ${id}', 'where id >= ${id}'), reuse: false },
  { what: 'a constant another site inlines', edit: (t) => t.replace("status = 'open'", "status = 'closed'"), reuse: false },
  { what: 'a line break inside a template', edit: (t) => t.replace('select * from events', 'select *\nfrom events'), reuse: false },
  { what: 'and removed', edit: (t) => t.replace('select *\nfrom events', 'select * from events'), reuse: false },
  { what: 'a template that no longer reads as a statement', edit: (t) => t.replace('sql`select id, note', 'sql`id, note'), reuse: false },
  { what: 'the statement again', edit: (t) => t.replace('sql`id, note', 'sql`select id, note'), reuse: false },
  { what: 'another dialect', edit: (t) => t.replace('select * from events', 'select toStartOfDay(ts) from events'), reuse: false },
  { what: 'PostgreSQL again', edit: (t) => t.replace('select toStartOfDay(ts) from events', 'select * from events'), reuse: false },
  { what: 'outside every site', edit: (t) => t.replace('export const six', 'export const sixth'), reuse: false },
  { what: 'a backtick typed', edit: (t) => t.replace("'b@example.com'", "'b`@example.com'"), reuse: false },
  { what: 'and removed', edit: (t) => t.replace("'b`@example.com'", "'c@example.com'"), reuse: false },
  { what: 'typed at the end of a template (before its backtick)', edit: (t) => t.replace('select * from events', 'select * from events_2024'), reuse: true },
  { what: 'typed at the start of a template (after its backtick)', edit: (t) => t.replace('`select * from events_2024', '`  select * from events_2024'), reuse: true },
  { what: 'the first character of a template deleted', edit: (t) => t.replace('`  select * from events_2024', '` select * from events_2024'), reuse: true },
  { what: 'above the skipped site: it moves', edit: (t) => t.replace("email like 'xy%'", "email ilike 'xy%'"), reuse: true },
];

describe('reusing the last reading after an edit inside one template', () => {
  test('syntax only: the same sites and skips as a reading from the start, reused only where it is certain', () => {
    const options: FindOptions = { ...resolveFindOptions(), program: false };
    const recent = new RecentSourceFiles(3);
    let text = BASE;
    let previous = findSqlInFile(FILE, text, options, recent);
    assert.deepEqual(plain(previous), plain(findSqlInFile(FILE, text, options)));
    assert.ok(previous.sites.length >= 5, 'the fixture has sites');
    assert.ok(previous.skipped.length >= 1, 'the fixture has a skip');
    for (const { what, edit, reuse } of EDITS) {
      const edited = edit(text);
      assert.ok(edited !== text || what === 'the same text again', `${what}: the edit applies`);
      text = edited;
      const next = findSqlInFile(FILE, text, options, recent);
      assert.deepEqual(plain(next), plain(findSqlInFile(FILE, text, options)), what);
      assert.equal(reused(previous, next), reuse, `${what}: reused`);
      previous = next;
    }
  });

  test('the moved sites map the edited file exactly (every stretch is the text it claims)', () => {
    const options: FindOptions = { ...resolveFindOptions(), program: false };
    const recent = new RecentSourceFiles(3);
    let text = BASE;
    findSqlInFile(FILE, text, options, recent);
    for (const { edit } of EDITS) {
      text = edit(text);
      for (const site of findSqlInFile(FILE, text, options, recent).sites as SqlSite[]) {
        for (const segment of site.segments) {
          if (segment.fileLength !== undefined) continue;
          assert.equal(text.slice(segment.fileStart, segment.fileStart + segment.length), site.text.slice(segment.sqlStart, segment.sqlStart + segment.length));
        }
      }
    }
  });
});

describe('reusing a reading with type information', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'pglens-find-reuse-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(
      join(root, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], strict: true, noEmit: true, baseUrl: '.', paths: { slonik: ['./types/slonik'] } },
        include: ['src', 'types'],
      }),
    );
    cpSync(join(__dirname, '..', 'fixtures', 'realworld', 'ts-slonik', 'types'), join(root, 'types'), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("an edit reused in one file is what the next reading of a file that imports its fragment sees", () => {
    const fragmentsFile = join(root, 'src', 'fragments.ts');
    const queriesFile = join(root, 'src', 'queries.ts');
    const fragments = (status: string) =>
      `import { sql } from 'slonik';\nexport const count = () => sql.unsafe\`select count(*) from orders\`;\nexport const open = sql.fragment\`status = '${status}'\`;\nexport const list = () => sql.unsafe\`select id from orders where customer_email = 'a@example.com'\`;\n`;
    const queries = `import { sql } from 'slonik';\nimport { open } from './fragments';\nexport const q = (id: string) => sql.unsafe\`select * from orders where \${open} and id = \${id}\`;\n`;
    writeFileSync(fragmentsFile, fragments('open'));
    writeFileSync(queriesFile, queries);
    const context = new TypeContext({ incremental: true });
    const options: FindOptions = { ...resolveFindOptions(), program: context };
    const recent = new RecentSourceFiles(3);
    const fresh = (file: string, text: string, edited: Record<string, string>) => {
      const freshContext = new TypeContext({ incremental: true });
      for (const [other, otherText] of Object.entries(edited)) freshContext.noteText(other, otherText);
      return findSqlInFile(file, text, { ...resolveFindOptions(), program: freshContext });
    };

    const first = findSqlInFile(queriesFile, queries, options, recent);
    assert.match(first.sites[0].text, /status = 'open'/, 'the fragment is inlined through the checker');
    // The edit is inside the site `list` of fragments.ts, a plain template: reused.
    const fragmentsBefore = findSqlInFile(fragmentsFile, fragments('open'), options, recent);
    const edited = fragments('open').replace("'a@example.com'", "'b@example.com'");
    const fragmentsAfter = findSqlInFile(fragmentsFile, edited, options, recent);
    assert.deepEqual(plain(fragmentsAfter), plain(fresh(fragmentsFile, edited, {})));
    assert.ok(reused(fragmentsBefore, fragmentsAfter), 'reused');
    // The constant the other file inlines is not a site of this file: changing it is read again (not a plain-site edit)...
    const editedConstant = edited.replace("status = 'open'", "status = 'closed'");
    const fragmentsThen = findSqlInFile(fragmentsFile, editedConstant, options, recent);
    assert.deepEqual(plain(fragmentsThen), plain(fresh(fragmentsFile, editedConstant, {})));
    // ... and the importing file sees it.
    const second = findSqlInFile(queriesFile, queries, options, recent);
    assert.deepEqual(plain(second), plain(fresh(queriesFile, queries, { [fragmentsFile]: editedConstant })));
    assert.match(second.sites[0].text, /status = 'closed'/);
    // A reuse in fragments.ts told the Program its text before queries.ts was read again.
    const editedAgain = editedConstant.replace("'b@example.com'", "'c@example.com'");
    findSqlInFile(fragmentsFile, editedAgain, options, recent);
    const third = findSqlInFile(queriesFile, queries, options, recent);
    assert.deepEqual(plain(third), plain(fresh(queriesFile, queries, { [fragmentsFile]: editedAgain })));
  });
});
