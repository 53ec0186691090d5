#!/usr/bin/env node
// Puts the packages the bundles keep external (they load .wasm and data files at run time) into out/node_modules,
// where `require()` from out/server.js and out/cli.js finds them inside the installed extension. Only the files they
// load are copied: no source maps, type declarations or docs. Run by `npm run package` before `vsce package`.
//
//   node client/scripts/stageRuntime.mjs [--no-embedded]     --no-embedded: leave PGlite out (static + real databases only)

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, 'out', 'node_modules');
const withEmbedded = !process.argv.includes('--no-embedded');

/** External packages and what of them is loaded at run time. */
const PACKAGES = [
  // Only the WASM module and its loader: pglens does not load the package's index (server/src/engine/parse/libpgQuery.ts),
  // so its protobuf codec (proto.js, 5.4 MB) and its dependencies (the codec's and the AST types) stay out.
  { name: '@libpg-query/parser', files: ['package.json', 'wasm/libpg-query.js', 'wasm/libpg-query.wasm', 'LICENSE'], withoutDependencies: true },
  ...(withEmbedded ? [{ name: '@electric-sql/pglite', all: true }] : []),
];
const SKIPPED = /(\.map|\.d\.ts|\.d\.cts|\.d\.mts|\.md)$|(^|\/)(test|tests|docs|example|examples)\//;

function copyFile(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

function copyTree(dir, into, base = dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const rel = relative(base, full).split('\\').join('/');
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      copyTree(full, into, base);
    } else if (!SKIPPED.test(rel) || rel === 'package.json') {
      copyFile(full, join(into, rel));
    }
  }
}

rmSync(target, { recursive: true, force: true });
let bytes = 0;
// Their dependencies come along (whole, minus maps and declarations), transitively.
const queue = [...PACKAGES];
const staged = new Set();
while (queue.length > 0) {
  const pkg = queue.shift();
  if (staged.has(pkg.name)) continue;
  staged.add(pkg.name);
  const source = join(root, 'node_modules', pkg.name);
  if (!existsSync(source)) throw new Error(`${pkg.name} is not installed: run npm ci`);
  const into = join(target, pkg.name);
  if (pkg.all) copyTree(source, into);
  else for (const file of pkg.files) if (existsSync(join(source, file))) copyFile(join(source, file), join(into, file));
  if (pkg.withoutDependencies) continue;
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    // Type declarations are never loaded at run time.
    if (dependency.startsWith('@types/') || dependency === 'undici-types' || staged.has(dependency)) continue;
    queue.push({ name: dependency, all: true });
  }
}
const size = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
bytes = size(target);
console.log(`staged ${[...staged].join(', ')} into out/node_modules (${(bytes / 1e6).toFixed(1)} MB)`);
