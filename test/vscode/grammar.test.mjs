// The SQL injection grammar (syntaxes/sql-in-js.injection.json), tokenized with vscode-textmate + vscode-oniguruma
// (the engine VS Code itself uses) over VS Code's own TypeScript, JavaScript and SQL grammars, taken from the
// code-server installation the extension tests use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const codeServer = process.env.PGLENS_CODE_SERVER_DIR ?? join(homedir(), '.cache', 'pglens-test', 'code-server');
const extensions = join(codeServer, 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');

const GRAMMARS = {
  'source.ts': join(extensions, 'typescript-basics', 'syntaxes', 'TypeScript.tmLanguage.json'),
  'source.tsx': join(extensions, 'typescript-basics', 'syntaxes', 'TypeScriptReact.tmLanguage.json'),
  'source.js': join(extensions, 'javascript', 'syntaxes', 'JavaScript.tmLanguage.json'),
  'source.js.jsx': join(extensions, 'javascript', 'syntaxes', 'JavaScriptReact.tmLanguage.json'),
  'source.sql': join(extensions, 'sql', 'syntaxes', 'sql.tmLanguage.json'),
  'inline.pglens.sql': join(root, 'syntaxes', 'sql-in-js.injection.json'),
};

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributed = manifest.contributes.grammars.find((g) => g.scopeName === 'inline.pglens.sql');

let registry;
async function grammarFor(scope) {
  if (!registry) {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
    await oniguruma.loadWASM(wasm);
    registry = new vsctm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scopeName) => (GRAMMARS[scopeName] ? vsctm.parseRawGrammar(readFileSync(GRAMMARS[scopeName], 'utf8'), GRAMMARS[scopeName]) : null),
      // As package.json contributes it: injected into the JS/TS scopes.
      getInjections: (scopeName) => (contributed.injectTo.includes(scopeName) ? ['inline.pglens.sql'] : undefined),
    });
  }
  return registry.loadGrammar(scope);
}

/** [text, scopes] for every token of every line. */
async function tokenize(scope, source) {
  const grammar = await grammarFor(scope);
  let stack = vsctm.INITIAL;
  const tokens = [];
  for (const line of source.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) tokens.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    stack = result.ruleStack;
  }
  return tokens;
}

const scopesOf = (tokens, text, last = false) => (last ? tokens.filter((t) => t.text.trim() === text).at(-1) : tokens.find((t) => t.text.trim() === text))?.scopes ?? [];
const isSqlKeyword = (scopes) => scopes.includes('meta.embedded.block.sql') && scopes.some((s) => s.startsWith('keyword.') && s.endsWith('.sql'));

test('package.json contributes the grammar to the JS/TS scopes with sql as the embedded language', () => {
  assert.deepEqual(contributed.injectTo.sort(), ['source.js', 'source.js.jsx', 'source.ts', 'source.tsx']);
  assert.deepEqual(contributed.embeddedLanguages, { 'meta.embedded.block.sql': 'sql' });
  const grammar = JSON.parse(readFileSync(GRAMMARS['inline.pglens.sql'], 'utf8'));
  assert.equal(grammar.injectionSelector, 'L:source -comment -string');
});

for (const [scope, label] of [
  ['source.ts', 'TypeScript'],
  ['source.tsx', 'TSX'],
  ['source.js', 'JavaScript'],
  ['source.js.jsx', 'JSX'],
]) {
  test(`${label}: sql\`...\` is SQL and \${...} stays code`, async () => {
    const tokens = await tokenize(scope, 'const rows = await sql`select id from orders where note = ${note.trim()}`;');
    assert.ok(isSqlKeyword(scopesOf(tokens, 'select')), JSON.stringify(scopesOf(tokens, 'select')));
    assert.ok(isSqlKeyword(scopesOf(tokens, 'where')));
    // `note` is a column in the SQL and, last, the variable inside ${...}.
    assert.ok(scopesOf(tokens, 'note').includes('meta.embedded.block.sql'));
    const substitution = scopesOf(tokens, 'note', true);
    // Inside ${...} the scopes under the template expression are TypeScript's, none of SQL's.
    const expression = substitution.indexOf('meta.template.expression.ts');
    assert.ok(expression > 0, JSON.stringify(substitution));
    assert.ok(!substitution.slice(expression).some((s) => s.endsWith('.sql')), JSON.stringify(substitution));
    assert.ok(scopesOf(tokens, 'trim').some((s) => s.startsWith('entity.name.function')), JSON.stringify(scopesOf(tokens, 'trim')));
  });
}

test('tags: SQL, Prisma.sql, db.sql, prisma.$queryRaw, tx.$executeRaw, generic $queryRaw<T>; multi-line templates', async () => {
  for (const tag of ['SQL', 'Prisma.sql', 'db.sql', 'prisma.$queryRaw', 'tx.$executeRaw', 'prisma.$queryRaw<User[]>']) {
    const tokens = await tokenize('source.ts', `const q = ${tag}\`\n  select *\n  from users\n\`;\nconst after = 1;`);
    assert.ok(isSqlKeyword(scopesOf(tokens, 'select')), `${tag}: ${JSON.stringify(scopesOf(tokens, 'select'))}`);
    assert.ok(isSqlKeyword(scopesOf(tokens, 'from')), tag);
    // The template closes: code after it is TypeScript again.
    assert.ok(!scopesOf(tokens, 'after').includes('meta.embedded.block.sql'), tag);
  }
});

test('/* sql */ templates are SQL; other templates, strings and comments are not', async () => {
  const marked = await tokenize('source.ts', 'const q = /* sql */ `select 1 from accounts`;');
  assert.ok(isSqlKeyword(scopesOf(marked, 'select')));
  const plain = await tokenize('source.ts', 'const q = html`select from`; const s = "sql`select`"; // sql`select`');
  for (const token of plain) assert.ok(!token.scopes.includes('meta.embedded.block.sql'), JSON.stringify(token));
  const mysql = await tokenize('source.ts', 'const q = nosql`select 1`;');
  assert.ok(!isSqlKeyword(scopesOf(mysql, 'select')));
});
