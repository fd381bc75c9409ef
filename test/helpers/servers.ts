/**
 * Real database servers for tests. URLs come from the environment (.ci/run sets them):
 *   OPENDMS_TEST_PG_URL     default postgres://postgres@127.0.0.1:5432/postgres
 *   OPENDMS_TEST_MYSQL_URL  default mysql://root@127.0.0.1:3306/test
 * When a server does not answer, its tests are skipped with the reason in the suite name, except
 * under CI (CI=true), where the suite fails: CI must never pass without the real databases.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { describe } from 'vitest';

export const PG_URL = process.env.OPENDMS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_URL = process.env.OPENDMS_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export type ServerKind = 'postgres' | 'mysql';

const probes = new Map<ServerKind, Promise<string | null>>();

/** null when the server answers, else the reason it does not. */
export function probe(kind: ServerKind): Promise<string | null> {
  let p = probes.get(kind);
  if (!p) {
    p = (kind === 'postgres' ? probePostgres() : probeMysql()).catch((e: unknown) => String((e as Error).message ?? e));
    probes.set(kind, p);
  }
  return p;
}

async function probePostgres(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  await c.query('select 1');
  await c.end();
  return null;
}

async function probeMysql(): Promise<string | null> {
  const c = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
  await c.query('select 1');
  await c.end();
  return null;
}

/**
 * `describe` that needs a real server: runs when it answers; otherwise skipped (named, with the
 * reason) outside CI and failing under CI.
 */
export async function describeWithServer(kind: ServerKind, name: string, fn: () => void): Promise<void> {
  const reason = await probe(kind);
  if (reason !== null && process.env.CI) {
    throw new Error(`${kind} test server unreachable under CI (${kind === 'postgres' ? PG_URL : MYSQL_URL}): ${reason}`);
  }
  if (reason !== null) {
    describe.skip(`${name} [skipped: ${kind} at ${kind === 'postgres' ? PG_URL : MYSQL_URL} unreachable: ${reason}]`, fn);
  } else {
    describe(name, fn);
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
}

/** A new, empty PostgreSQL schema; returns its name and a drop function. */
export async function createPgSchema(prefix = 'opendms_t'): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = uniqueName(prefix);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
  return {
    schema,
    drop: async () => {
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`drop schema if exists ${schema} cascade`);
      await d.end();
    },
  };
}

/** A new PostgreSQL database (for target-instance tests that discover databases). */
export async function createPgDatabase(prefix = 'opendms_t'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = uniqueName(prefix);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

/** A new MariaDB/MySQL database (schema). */
export async function createMysqlDatabase(prefix = 'opendms_t'): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = uniqueName(prefix);
  const c = await mysql.createConnection({ uri: MYSQL_URL });
  await c.query(`create database \`${name}\` character set utf8mb4`);
  await c.end();
  return {
    name,
    drop: async () => {
      const d = await mysql.createConnection({ uri: MYSQL_URL });
      await d.query(`drop database if exists \`${name}\``);
      await d.end();
    },
  };
}

export function parsedMysqlUrl(): { host: string; port: number; user: string; password: string } {
  const u = new URL(MYSQL_URL);
  return { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

export function parsedPgUrl(): { host: string; port: number; user: string; password: string } {
  const u = new URL(PG_URL);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}
