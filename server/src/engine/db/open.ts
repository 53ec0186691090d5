// Which database a run plans against: the one the team configured (--db, pglens.json, DATABASE_URL, PG*), or,
// with none configured, the embedded PGlite database built from the repository's own schema.

import type { PglensConfig } from '../config';
import type { ProductionSnapshot } from '../snapshot/format';
import type { DatabaseClient } from './client';
import { connectPostgres, resolveDatabaseUrl } from './postgres';

export interface OpenDatabaseOptions {
  config: PglensConfig;
  cliUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** Build the embedded database when nothing is configured (otherwise: no database, static rules only). */
  allowEmbedded: boolean;
  /** Where the embedded database is cached (the extension passes its global storage). */
  cacheDir?: string;
  onProgress?: (message: string) => void;
  /** Production statistics that describe the embedded database's tables instead of synthetic rows. */
  snapshot?: ProductionSnapshot;
}

export async function openDatabaseForWorkspace(options: OpenDatabaseOptions): Promise<DatabaseClient | undefined> {
  const { url } = resolveDatabaseUrl({ cliUrl: options.cliUrl, configUrl: options.config.database.url, env: options.env ?? process.env });
  if (url) {
    const { maxConnections, statementTimeoutMs, lockTimeoutMs } = options.config.database;
    return connectPostgres(url, { maxConnections, sessionLimits: { statementTimeoutMs, lockTimeoutMs } });
  }
  if (!options.allowEmbedded) return undefined;
  // Loaded lazily: PGlite's WASM is only paid for when it is used.
  const { openEmbeddedDatabase } = await import('./embedded/embedded.js');
  return openEmbeddedDatabase({
    workspaceRoot: options.config.root,
    schemaGlobs: options.config.schema,
    volumes: options.config.volumes,
    values: options.config.values,
    cacheDir: options.cacheDir,
    onProgress: options.onProgress,
    snapshot: options.snapshot,
  });
}
