// A database of its own in the shared test cluster, created (fresh) by the superuser for one test file and dropped
// when it ends: for tests that build schemas of their own and hold locks, away from the fixture database.

import { Client } from 'pg';
import { getSharedTestDatabase } from './postgres';

export interface TestFileDatabase {
  /** Superuser URL of the database. */
  url: string;
  /** A superuser connection to it, open. */
  client: Client;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

export async function openTestFileDatabase(name: string): Promise<TestFileDatabase> {
  const shared = await getSharedTestDatabase();
  const admin = new Client({ connectionString: shared.superuserUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = new URL(shared.superuserUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    async drop() {
      await client.end().catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
