/**
 * A MariaDB server of a test's own (the machine's `mariadbd` on a free loopback port with a data
 * folder in a temp dir, as test/helpers/mariadb-pair.ts starts them), for tests that kill the
 * database under OpenDMS and start it again on the same data: `stop()` is SIGKILL (a crash; InnoDB
 * recovers at the next start). The machine's own MariaDB is never touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from './process.js';

const run = promisify(execFile);

export interface PrivateMariaDb {
  readonly port: number;
  /** A login with every privilege (password authentication, as a registered instance uses). */
  readonly user: string;
  readonly password: string;
  query(sql: string, params?: unknown[], database?: string): Promise<any[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-private-mariadb-'));
  const datadir = path.join(dir, 'data');
  const port = await freePort();
  let child: ChildProcess | null = null;
  let out = '';
  const connect = (user = 'root', password = '', database?: string) => mysql.createConnection({ host: '127.0.0.1', port, user, password, database, multipleStatements: true });
  const start = async () => {
    out = '';
    const c = spawn('mariadbd', ['--no-defaults', `--datadir=${datadir}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${path.join(dir, 'mysqld.sock')}`, '--user=root', '--innodb-buffer-pool-size=32M', '--skip-log-bin'], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child = c;
    const until = Date.now() + 60_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`mariadbd exited: ${out.slice(-2000)}`);
      const up = await connect().then(async (conn) => (await conn.end(), true), () => false);
      if (up) return;
      if (Date.now() > until) throw new Error(`mariadbd did not answer within 60 s: ${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  try {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'], { timeout: 120_000 });
    await start();
  } catch (e) {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a private MariaDB: ${(e as Error).message}`);
  }
  const user = 'odms_fault';
  const password = 'Fault-pw-1';
  const root = await connect();
  await root.query(`create user '${user}'@'%' identified by '${password}'; create user '${user}'@'localhost' identified by '${password}'; grant all privileges on *.* to '${user}'@'%'; grant all privileges on *.* to '${user}'@'localhost'`);
  await root.end();
  return {
    port,
    user,
    password,
    query: async (sql, params, database) => {
      const c = await connect('root', '', database);
      try {
        return (await c.query(sql, params))[0] as any[];
      } finally {
        await c.end();
      }
    },
    stop,
    start,
    destroy: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
