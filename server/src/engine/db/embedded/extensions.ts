// The PostgreSQL extensions PGlite 0.5.16 ships as contrib modules inside its npm package (dist/*.tar.gz,
// loaded from disk, no download). An extension has to be handed to PGlite when it starts, so the schema is
// scanned for CREATE EXTENSION before the database opens. Anything else (postgis, pgvector, timescaledb) is
// not available and its CREATE EXTENSION is reported and skipped.

import type { Extension } from '@electric-sql/pglite';

type ExtensionLoader = () => Promise<Extension>;

/** Keyed by the name used in CREATE EXTENSION. Static imports so a bundler can see every module. */
const CONTRIB_EXTENSIONS: Record<string, ExtensionLoader> = {
  amcheck: async () => (await import('@electric-sql/pglite/contrib/amcheck')).amcheck,
  auto_explain: async () => (await import('@electric-sql/pglite/contrib/auto_explain')).auto_explain,
  bloom: async () => (await import('@electric-sql/pglite/contrib/bloom')).bloom,
  btree_gin: async () => (await import('@electric-sql/pglite/contrib/btree_gin')).btree_gin,
  btree_gist: async () => (await import('@electric-sql/pglite/contrib/btree_gist')).btree_gist,
  citext: async () => (await import('@electric-sql/pglite/contrib/citext')).citext,
  cube: async () => (await import('@electric-sql/pglite/contrib/cube')).cube,
  dict_int: async () => (await import('@electric-sql/pglite/contrib/dict_int')).dict_int,
  dict_xsyn: async () => (await import('@electric-sql/pglite/contrib/dict_xsyn')).dict_xsyn,
  earthdistance: async () => (await import('@electric-sql/pglite/contrib/earthdistance')).earthdistance,
  file_fdw: async () => (await import('@electric-sql/pglite/contrib/file_fdw')).file_fdw,
  fuzzystrmatch: async () => (await import('@electric-sql/pglite/contrib/fuzzystrmatch')).fuzzystrmatch,
  hstore: async () => (await import('@electric-sql/pglite/contrib/hstore')).hstore,
  intarray: async () => (await import('@electric-sql/pglite/contrib/intarray')).intarray,
  isn: async () => (await import('@electric-sql/pglite/contrib/isn')).isn,
  lo: async () => (await import('@electric-sql/pglite/contrib/lo')).lo,
  ltree: async () => (await import('@electric-sql/pglite/contrib/ltree')).ltree,
  moddatetime: async () => (await import('@electric-sql/pglite/contrib/moddatetime')).moddatetime,
  pageinspect: async () => (await import('@electric-sql/pglite/contrib/pageinspect')).pageinspect,
  pg_buffercache: async () => (await import('@electric-sql/pglite/contrib/pg_buffercache')).pg_buffercache,
  pg_freespacemap: async () => (await import('@electric-sql/pglite/contrib/pg_freespacemap')).pg_freespacemap,
  pg_stat_statements: async () => (await import('@electric-sql/pglite/contrib/pg_stat_statements')).pg_stat_statements,
  pg_surgery: async () => (await import('@electric-sql/pglite/contrib/pg_surgery')).pg_surgery,
  pg_trgm: async () => (await import('@electric-sql/pglite/contrib/pg_trgm')).pg_trgm,
  pg_visibility: async () => (await import('@electric-sql/pglite/contrib/pg_visibility')).pg_visibility,
  pg_walinspect: async () => (await import('@electric-sql/pglite/contrib/pg_walinspect')).pg_walinspect,
  pgcrypto: async () => (await import('@electric-sql/pglite/contrib/pgcrypto')).pgcrypto,
  seg: async () => (await import('@electric-sql/pglite/contrib/seg')).seg,
  tablefunc: async () => (await import('@electric-sql/pglite/contrib/tablefunc')).tablefunc,
  tcn: async () => (await import('@electric-sql/pglite/contrib/tcn')).tcn,
  tsm_system_rows: async () => (await import('@electric-sql/pglite/contrib/tsm_system_rows')).tsm_system_rows,
  tsm_system_time: async () => (await import('@electric-sql/pglite/contrib/tsm_system_time')).tsm_system_time,
  unaccent: async () => (await import('@electric-sql/pglite/contrib/unaccent')).unaccent,
  'uuid-ossp': async () => (await import('@electric-sql/pglite/contrib/uuid_ossp')).uuid_ossp,
};

/** Extensions built into every PostgreSQL, always present. */
const BUILT_IN_EXTENSIONS = new Set(['plpgsql']);

/** Extensions that need another one installed first (CREATE EXTENSION ... CASCADE would do the same). */
const EXTENSION_DEPENDENCIES: Record<string, string[]> = { earthdistance: ['cube'] };

export function isExtensionAvailable(name: string): boolean {
  return BUILT_IN_EXTENSIONS.has(name) || name in CONTRIB_EXTENSIONS;
}

/** Extension names the SQL texts ask for with CREATE EXTENSION (a cheap scan; the real statement is parsed later). */
export function requestedExtensions(sqlTexts: string[]): string[] {
  const names = new Set<string>();
  const pattern = /create\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$-]*)/gi;
  for (const text of sqlTexts) {
    for (const match of text.matchAll(pattern)) {
      const raw = match[1];
      names.add(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase());
    }
  }
  return [...names].sort();
}

/** The contrib modules to hand to PGlite for `names` (unavailable names are left out; they are reported when applied). */
export async function loadContribExtensions(names: string[]): Promise<Record<string, Extension>> {
  const wanted = new Set<string>();
  for (const name of names) {
    if (!(name in CONTRIB_EXTENSIONS)) continue;
    for (const dependency of EXTENSION_DEPENDENCIES[name] ?? []) wanted.add(dependency);
    wanted.add(name);
  }
  const extensions: Record<string, Extension> = {};
  for (const name of [...wanted].sort()) {
    extensions[name.replace(/-/g, '_')] = await CONTRIB_EXTENSIONS[name]();
  }
  return extensions;
}
