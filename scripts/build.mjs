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
const typescriptLib = dirname(createRequire(import.meta.url).resolve('typescript'));
mkdirSync('out', { recursive: true });
for (const name of readdirSync(typescriptLib)) if (/^lib\..*\.d\.ts$|^lib\.d\.ts$/.test(name)) copyFileSync(join(typescriptLib, name), join('out', name));
await Promise.all(entries.filter((entry) => existsSync(entry.in)).map((entry) => build({ ...common, entryPoints: [entry.in], outfile: entry.out })));
if (!watch) console.log(`built ${entries.filter((e) => existsSync(e.in)).map((e) => e.out).join(', ')} in ${Date.now() - started} ms`);
