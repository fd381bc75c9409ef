import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './database.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** The metadata store: one Kysely handle over SQLite (embedded) or PostgreSQL (production mode). */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** PostgreSQL only: connection string and schema, for pg-boss which manages its own pool. */
  readonly postgres: { url: string; schema: string } | undefined;
  /** PostgreSQL: the pool's connections and waiting requests (metrics); null on SQLite. */
  poolUse(): { total: number; idle: number; waiting: number } | null;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type Db = Kysely<Database>;

// int8 (COUNT(*), bigint ids) arrive as strings by default; every value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface OpenStoreOptions {
  /** postgres:// URL; when absent the SQLite file is used. */
  databaseUrl?: string | undefined;
  sqlitePath?: string;
  /** PostgreSQL schema holding our tables (tests use one schema per file). Default `public`. */
  pgSchema?: string;
}

export function openStore(options: OpenStoreOptions): Store {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.pgSchema ?? 'public');
  if (!options.sqlitePath) throw new Error('openStore needs a databaseUrl or a sqlitePath');
  return openSqlite(options.sqlitePath);
}

function openSqlite(file: string): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const conn = new SQLite(file);
  // WAL: readers never block the single writer; busy_timeout: a second process (the CLI while the
  // server runs) waits for the lock instead of failing at once.
  conn.pragma('journal_mode = WAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  conn.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  return {
    db,
    dialect: 'sqlite',
    postgres: undefined,
    poolUse: () => null,
    ping: async () => {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, schema: string): Store {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  // connectionTimeoutMillis: a store that does not answer fails the request (503) instead of
  // holding it. The 'error' listeners: a connection the server drops (a restart) emits an error
  // event when no query is running on it (idle in the pool: on the pool; checked out, e.g. inside a
  // transaction between two queries: on the client), which would end the process. The next query
  // on it fails instead, and the pool discards it and opens a fresh one (docs/deployment.md, Faults).
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    postgres: { url, schema },
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: async () => {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}
