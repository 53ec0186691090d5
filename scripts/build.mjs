// Bundles the CLI, the language server and the VS Code client with esbuild into out/.
// Packages that load .wasm or native files at run time stay external and ship in node_modules.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const entries = [
  { in: 'server/src/cli/index.ts', out: 'out/cli.js' },
  { in: 'server/src/lsp/main.ts', out: 'out/server.js' },
  { in: 'client/src/extension.ts', out: 'out/extension.js' },
];

// Packages loaded on first use. `pglens --help` or a check of .sql files never needs the TypeScript compiler (about
// two thirds of a bundle that held it, and most of its start-up), and a run without a database never needs pg or
// PGlite. Each is kept out of out/cli.js and out/server.js: an import of it gets a stand-in module whose exports are
// getters that require the real one the first time any of them is read. `bundle: true` builds the package into
// out/<name>.js (so out/ keeps running without node_modules, as the .vsix needs); otherwise it is required from
// node_modules like any external. `inlineData`: the package's plain-data exports (TypeScript's enums such as
// SyntaxKind, read at module load by the finders: `const SK = ts.SyntaxKind`) are copied into the stand-in, so reading
// them loads nothing. Which of them a command loaded is asserted by test/cli/startup.test.ts.
const LAZY_PACKAGES = [
  { name: 'typescript', bundle: true, inlineData: true },
  { name: 'pg', bundle: true },
  { name: '@electric-sql/pglite', bundle: false },
  // Node's crypto module loads 16 internal modules; a check of one .sql file without a database hashes nothing.
  { name: 'node:crypto', bundle: false },
];
const require = createRequire(import.meta.url);
const lazyTarget = (lazy) => (lazy.bundle ? `./${lazy.name}.js` : lazy.name);

/** Plain data (numbers, strings, booleans, and objects of them): safe to copy into the stand-in. */
function isPlainData(value, depth = 0) {
  if (value === null || ['number', 'string', 'boolean'].includes(typeof value)) return true;
  if (typeof value !== 'object' || depth > 0 || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((inner) => isPlainData(inner, depth + 1));
}

function lazyStandIn(lazy) {
  const real = require(lazy.name);
  const data = {};
  const lazyNames = [];
  for (const name of Object.keys(real)) {
    // Only read when asked for: reading every export of pg would run its `native` getter (pg-native).
    if (lazy.inlineData && isPlainData(real[name])) data[name] = real[name];
    else lazyNames.push(name);
  }
  // Data as a JSON string and names in one array: V8 reads JSON.parse's argument far faster than the same data as
  // object literals, and one loop compiles faster than a statement per export (TypeScript has about 1,700).
  // The first read of an export replaces its getter by the value: the finders read `ts.isIdentifier` and the like
  // millions of times in a language server's life, and a getter there cost ~1 s self per 45 edits in a profile.
  // Importers use `import ts = require('typescript')` (no esbuild `import *` namespace copy of 1,700 getters each).
  return [
    `let loaded;`,
    `const load = () => (loaded ??= require(${JSON.stringify(lazyTarget(lazy))}));`,
    `Object.assign(exports, JSON.parse(${JSON.stringify(JSON.stringify(data))}));`,
    `for (const name of ${JSON.stringify(lazyNames)}) Object.defineProperty(exports, name, { enumerable: true, configurable: true, get() { const value = load()[name]; Object.defineProperty(exports, name, { enumerable: true, value }); return value; } });`,
  ].join('\n');
}

const lazyPackagesPlugin = {
  name: 'pglens-lazy-packages',
  setup(build) {
    for (const lazy of LAZY_PACKAGES) {
      const exact = new RegExp(`^${lazy.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
      build.onResolve({ filter: exact }, (args) => (args.namespace === 'pglens-lazy' ? { path: args.path, external: true } : { path: lazy.name, namespace: 'pglens-lazy' }));
      build.onLoad({ filter: exact, namespace: 'pglens-lazy' }, () => ({ contents: lazyStandIn(lazy), loader: 'js' }));
    }
    build.onResolve({ filter: /^\.\/[\w@.-]+\.js$/, namespace: 'pglens-lazy' }, (args) => ({ path: args.path, external: true }));
    // `import * as fs from 'node:fs'` of an external is a copy of the module's exports (getters) in each importing
    // module: 34 of node:path and 16 of node:fs at start-up. One ESM module re-exporting each is copied once.
    build.onResolve({ filter: /^node:(?:fs|path)$/ }, (args) => (args.namespace === 'pglens-builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'pglens-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'pglens-builtin' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // Comments and indentation go even in development builds: a bundle is held in memory as its source text, and one
  // non-ASCII character in a dependency's comment (pg has an em dash) made V8 store all 10 MB of it as UTF-16.
  // Identifiers stay readable for stack traces; the source map maps back to the sources.
  minifyWhitespace: true,
  logLevel: 'warning',
  // jsonc-parser's UMD entry requires files by computed paths that esbuild cannot follow: prefer ES modules.
  mainFields: ['module', 'main'],
  external: ['vscode', '@libpg-query/parser', '@electric-sql/pglite', 'pg-native'],
  define: { PGLENS_VERSION: JSON.stringify(pkg.version) },
  charset: 'ascii',
};

const started = Date.now();
// The TypeScript compiler bundled into out/cli.js and out/server.js looks for its standard library (lib.es2022.d.ts,
// ...) beside the bundle: without it the type checker knows no Array or Promise, and `ids.map(...)` is not known to
// be an array. The lib files go to out/ (3.3 MB; the .vsix ships them too).
const typescriptLib = dirname(require.resolve('typescript'));
mkdirSync('out', { recursive: true });
for (const name of readdirSync(typescriptLib)) if (/^lib\..*\.d\.ts$|^lib\.d\.ts$/.test(name)) copyFileSync(join(typescriptLib, name), join('out', name));
const lazyBundles = LAZY_PACKAGES.filter((lazy) => lazy.bundle).map((lazy) => ({ stdin: { contents: `module.exports = require(${JSON.stringify(lazy.name)});`, resolveDir: process.cwd() }, outfile: `out/${lazy.name}.js` }));
await Promise.all([
  ...entries.filter((entry) => existsSync(entry.in)).map((entry) => build({ ...common, entryPoints: [entry.in], outfile: entry.out, plugins: entry.out === 'out/extension.js' ? [] : [lazyPackagesPlugin] })),
  ...lazyBundles.map((lazy) => build({ ...common, stdin: lazy.stdin, outfile: lazy.outfile })),
]);
if (!watch) console.log(`built ${entries.filter((e) => existsSync(e.in)).map((e) => e.out).join(', ')} in ${Date.now() - started} ms`);
