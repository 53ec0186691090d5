// The cache of built embedded databases. Measured on this machine (2 cores, PGlite 0.5.16, shop example with
// 300k orders): reopening a persisted data directory takes ~1.2-1.6 s and ~350 MB RSS, while `loadDataDir`
// from a `dumpDataDir('gzip')` tarball of the same database takes ~5.3 s and ~800 MB, because it unpacks into
// the in-memory file system. So a cache entry is a PostgreSQL data directory.
//
// Layout under the cache directory:
//   initdb-pglite-<version>/  a freshly initdb'd data directory, copied to start every build (saves initdb's ~5 s)
//   db-<key>/                 one built database (schema + synthetic data + ANALYZE) and pglens-embedded.json
//   work/<kind>-<pid>-<rand>/ builds in progress and running sessions' private copies
//
// A running PostgreSQL writes to its data directory (WAL, hint bits, index trials inside BEGIN ... ROLLBACK),
// and the CLI and the language server may run at once, so nobody ever opens a db-<key> directory itself: each
// session opens its own copy (a ~0.2 s copy of ~100 MB) which is deleted when it closes. Entries are
// published by renaming a finished build directory, which is atomic: a killed build leaves only a work/
// directory, cleaned up by the next start, never a half-written entry.

import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { SMALL_BUFFER_POOL, startPglite } from './startPglite';
import type { SchemaProblem } from './loadSchema';
import type { SyntheticDataProblem, TableVolume } from './syntheticData';

const METADATA_FILE = 'pglens-embedded.json';
const METADATA_FORMAT = 1;
/** Built databases kept besides the current one (each is tens to hundreds of MB). */
const ENTRIES_KEPT = 3;

export interface CacheEntryMetadata {
  key: string;
  pgliteVersion: string;
  /** Contrib extensions the database was built with; PGlite must load them again to open it. */
  extensions: string[];
  schemaFiles: string[];
  schemaProblems: SchemaProblem[];
  dataProblems: SyntheticDataProblem[];
  volumes: TableVolume[];
  buildMilliseconds: number;
  builtAt: string;
}

interface StoredMetadata extends CacheEntryMetadata {
  format: number;
  /** Size of every file in the entry: a cheap check that nothing was truncated or removed since it was built. */
  files: Record<string, number>;
}

let cachedPgliteVersion: string | undefined;

/** The installed @electric-sql/pglite version (part of the cache key: another PostgreSQL build, another format). */
export function pgliteVersion(): string {
  if (cachedPgliteVersion) return cachedPgliteVersion;
  try {
    const entry = require.resolve('@electric-sql/pglite');
    let directory = path.dirname(entry);
    for (let i = 0; i < 4; i++) {
      const manifest = path.join(directory, 'package.json');
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
        if (parsed.name === '@electric-sql/pglite' && parsed.version) return (cachedPgliteVersion = parsed.version);
      } catch {
        // not here; look one level up
      }
      directory = path.dirname(directory);
    }
  } catch {
    // bundled without node_modules: fall through
  }
  return (cachedPgliteVersion = 'unknown');
}

export interface CacheKeyInput {
  generatorVersion: number;
  pgliteVersion: string;
  files: { path: string; text: string }[];
  volumes: Record<string, number>;
  values: Record<string, unknown[]>;
  maxTotalRows: number | null;
  /** sha256 of the production statistics snapshot the database is described by (instead of synthetic rows). */
  snapshot?: string;
}

/** sha256 over everything that decides the built database's content. */
export function buildCacheKey(input: CacheKeyInput): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ generator: input.generatorVersion, pglite: input.pgliteVersion, maxTotalRows: input.maxTotalRows }));
  for (const file of input.files) {
    hash.update(`\0file\0${file.path}\0`);
    hash.update(createHash('sha256').update(file.text).digest('hex'));
  }
  hash.update(`\0volumes\0${stableJson(input.volumes)}`);
  hash.update(`\0values\0${stableJson(input.values)}`);
  if (input.snapshot) hash.update(`\0snapshot\0${input.snapshot}`);
  return hash.digest('hex').slice(0, 32);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function entryDirectory(cacheDir: string, key: string): string {
  return path.join(cacheDir, `db-${key}`);
}

/** The entry for `key` when it is complete and intact; a damaged one is deleted. */
export async function readCacheEntry(cacheDir: string, key: string): Promise<{ directory: string; metadata: CacheEntryMetadata } | undefined> {
  const directory = entryDirectory(cacheDir, key);
  let text: string;
  try {
    text = await fs.readFile(path.join(directory, METADATA_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') await removeDirectory(directory);
    else if (await exists(directory)) await removeDirectory(directory); // a directory without metadata is not an entry
    return undefined;
  }
  try {
    const metadata = JSON.parse(text) as StoredMetadata;
    if (metadata.format !== METADATA_FORMAT || metadata.key !== key || !metadata.files) throw new Error('stale metadata');
    const sizes = await fileSizes(directory);
    for (const [file, size] of Object.entries(metadata.files)) {
      if (sizes.get(file) !== size) throw new Error(`${file} changed since the entry was built`);
    }
    await fs.utimes(directory, new Date(), new Date()).catch(() => undefined); // most recently used, for pruning
    return { directory, metadata };
  } catch {
    await removeDirectory(directory);
    return undefined;
  }
}

/** Writes the metadata into the finished build directory and renames it into place. */
export async function publishCacheEntry(cacheDir: string, buildDirectory: string, metadata: CacheEntryMetadata): Promise<void> {
  const stored: StoredMetadata = { format: METADATA_FORMAT, ...metadata, files: Object.fromEntries(await fileSizes(buildDirectory)) };
  await fs.writeFile(path.join(buildDirectory, METADATA_FILE), JSON.stringify(stored, null, 1));
  const target = entryDirectory(cacheDir, metadata.key);
  try {
    await fs.rename(buildDirectory, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another process published the same key first: its entry is as good as ours.
    if (code === 'ENOTEMPTY' || code === 'EEXIST') await removeDirectory(buildDirectory);
    else throw error;
  }
}

/** A fresh initdb'd data directory for this PGlite version, created once and then only copied. */
export async function ensureInitdbTemplate(cacheDir: string, progress: (message: string) => void): Promise<string> {
  const template = path.join(cacheDir, `initdb-pglite-${pgliteVersion()}`);
  const marker = path.join(template, METADATA_FILE);
  if (await exists(marker)) return template;
  await removeDirectory(template);
  progress('initialising the embedded PostgreSQL (once per PGlite version)…');
  const directory = await newWorkDirectory(cacheDir, 'initdb');
  try {
    // initdb writes the data directory; the server PGlite starts on it afterwards only checkpoints, with a small pool
    // (measured: peak RSS of this step 829 -> 712 MB; the files, postgresql.conf included, are the same).
    const db = await startPglite(directory, { startParams: [...PGlite.defaultStartParams, ...SMALL_BUFFER_POOL] });
    await db.exec('CHECKPOINT');
    await db.close();
    await fs.writeFile(path.join(directory, METADATA_FILE), JSON.stringify({ format: METADATA_FORMAT, pgliteVersion: pgliteVersion() }));
    await fs.rename(directory, template);
  } catch (error) {
    await removeDirectory(directory);
    if (!(await exists(marker))) throw error; // unless another process made it meanwhile
  }
  return template;
}

/** A new directory under work/, named so that a later start can tell whether its process is still alive. */
export async function newWorkDirectory(cacheDir: string, kind: 'building' | 'session' | 'initdb'): Promise<string> {
  const work = path.join(cacheDir, 'work');
  await fs.mkdir(work, { recursive: true });
  const directory = path.join(work, `${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(directory);
  return directory;
}

/** Removes work directories of processes that no longer run (killed builds, sessions that never closed). */
export async function cleanStaleWorkDirectories(cacheDir: string): Promise<void> {
  const work = path.join(cacheDir, 'work');
  let names: string[];
  try {
    names = await fs.readdir(work);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || !isProcessAlive(pid)) await removeDirectory(path.join(work, name));
  }
}

/** Keeps the current entry and the ENTRIES_KEPT most recently used others. */
export async function pruneCacheEntries(cacheDir: string, currentKey: string): Promise<void> {
  const names = (await fs.readdir(cacheDir).catch(() => [] as string[])).filter((name) => name.startsWith('db-') && name !== `db-${currentKey}`);
  const entries = await Promise.all(
    names.map(async (name) => ({ name, modified: (await fs.stat(path.join(cacheDir, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  entries.sort((a, b) => b.modified - a.modified);
  for (const entry of entries.slice(ENTRIES_KEPT)) await removeDirectory(path.join(cacheDir, entry.name));
}

/**
 * Copies a data directory; copy-on-write clones where the file system has them (btrfs, xfs, APFS). Its ~1,100
 * files are copied by parallel copyFile calls: measured on a 190 MB entry, `fs.promises.cp` took 9.8 s under
 * load where `cp -a` took 2.2 s and this takes about as long as `cp -a`.
 */
export async function copyDataDirectory(from: string, to: string): Promise<void> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    await fs.mkdir(path.join(to, relative), { recursive: true });
    for (const entry of await fs.readdir(path.join(from, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && entry.name !== 'postmaster.pid') files.push(child);
    }
  };
  await walk('');
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      await fs.copyFile(path.join(from, file), path.join(to, file), fsConstants.COPYFILE_FICLONE);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export async function removeDirectory(directory: string): Promise<void> {
  await fs.rm(directory, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
}

async function fileSizes(root: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name !== METADATA_FILE) sizes.set(path.relative(root, full).split(path.sep).join('/'), (await fs.stat(full)).size);
    }
  };
  await walk(root);
  return sizes;
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
