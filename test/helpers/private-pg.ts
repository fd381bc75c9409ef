/**
 * A PostgreSQL cluster of a test's own (initdb + pg_ctl of the machine's PostgreSQL 15, a free
 * loopback port, a temp folder), for tests that stop and start the database under OpenDMS: the
 * shared test server (OPENDMS_TEST_PG_URL) is never touched. As root the binaries run as the
 * `postgres` user (initdb refuses root). `destroy()` stops it and removes the folder.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe } from 'vitest';
import { withPg } from './export-flow.js';
import { freePort } from './process.js';

const run = promisify(execFile);

export const PG_BIN = process.env.OPENDMS_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePg {
  readonly port: number;
  readonly dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust authentication). */
  url(database?: string): string;
  query(sql: string, values?: unknown[], database?: string): Promise<Record<string, any>[]>;
  /** pg_ctl stop: `immediate` kills the server processes as in a crash (recovery at the next start). */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  running(): Promise<boolean>;
  destroy(): Promise<void>;
}

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
async function pgBin(name: string, args: string[]): Promise<string> {
  const bin = path.join(PG_BIN, name);
  const asRoot = process.getuid?.() === 0;
  const { stdout } = await run(asRoot ? 'runuser' : bin, asRoot ? ['-u', 'postgres', '--', bin, ...args] : args, { timeout: 60_000 });
  return stdout;
}

export async function startPrivatePg(): Promise<PrivatePg> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-private-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const ctl = (args: string[]) => pgBin('pg_ctl', ['-D', data, ...args]);
  const start = async () => {
    // fsync off: the tests stop the server, never the machine, so the page cache keeps what was
    // written; synchronous_commit stays on (a commit OpenDMS was told about must survive a crash).
    const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB`;
    await ctl(['-w', '-t', '60', '-l', log, '-o', opts, 'start']);
  };
  const logTail = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '');
  try {
    await pgBin('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await start();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a private PostgreSQL with ${PG_BIN}: ${(e as Error).message} ${logTail()}`);
  }
  const self: PrivatePg = {
    port,
    dir,
    url,
    query: (sql, values = [], database = 'postgres') => withPg(url(database), async (c) => (await c.query(sql, values)).rows),
    stop: async (mode = 'immediate') => {
      await ctl(['-w', '-m', mode, 'stop']);
    },
    start,
    running: async () => ctl(['status']).then(() => true, () => false),
    destroy: async () => {
      if (await self.running()) await self.stop('immediate').catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/**
 * `describe` for tests that need a private cluster: runs when the PostgreSQL binaries exist;
 * otherwise skipped with the reason, except under CI (CI=true), where the suite fails.
 */
export function describeWithPrivatePg(name: string, fn: () => void): void {
  const missing = fs.existsSync(path.join(PG_BIN, 'initdb')) && fs.existsSync(path.join(PG_BIN, 'pg_ctl')) ? null : `no initdb/pg_ctl in ${PG_BIN}`;
  if (missing && process.env.CI) throw new Error(`private PostgreSQL unavailable under CI: ${missing}`);
  if (missing) describe.skip(`${name} [skipped: ${missing}]`, fn);
  else describe(name, fn);
}
