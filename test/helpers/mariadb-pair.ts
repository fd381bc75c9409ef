/**
 * A MariaDB primary and a replica of it, as two real `mariadbd` processes of the machine's MariaDB
 * on free loopback ports with data folders of their own (for tests of what depends on replication,
 * e.g. lock-free changes that wait for a lagging replica). The machine's own MariaDB is not touched.
 * The pieces (a data folder, a `mariadbd` on it, a client, a kill) serve private-mariadb.ts too.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from './process.js';

const run = promisify(execFile);

export interface MariaDbServer {
  port: number;
  query(sql: string, params?: unknown[], database?: string): Promise<any[]>;
}

export interface MariaDbPair {
  primary: MariaDbServer;
  replica: MariaDbServer;
  /** Login with every privilege on both (created on the primary, replicated). */
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** A new data folder (mariadb-install-db): root logs in without a password. */
export async function installMariaDb(datadir: string): Promise<void> {
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'], { timeout: 120_000 });
}

/**
 * Starts `mariadbd` on `datadir`, listening on 127.0.0.1:`port` (its socket in `socket`), with
 * `args` on top, and waits until root can log in (failing with the end of what it printed).
 */
export async function spawnMariadbd(datadir: string, port: number, socket: string, args: string[], timeoutMs: number): Promise<ChildProcess> {
  const child = spawn('mariadbd', ['--no-defaults', `--datadir=${datadir}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socket}`, '--user=root', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited: ${out.slice(-2000)}`);
    const up = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' }).then(async (c) => (await c.end(), true), () => false);
    if (up) return child;
    if (Date.now() > until) {
      await killMariadbd(child);
      throw new Error(`mariadbd did not answer within ${timeoutMs / 1000} s: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGKILL (a crash: InnoDB recovers at the next start) and wait for the exit; nothing if it has ended. */
export async function killMariadbd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** A client of the server on `port`: each query on a connection of its own (multiple statements allowed). */
export const mariaDbServer = (port: number, user = 'root', password = ''): MariaDbServer => ({
  port,
  query: async (sql, params, database) => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port, user, password, database, multipleStatements: true });
    try {
      return (await c.query(sql, params))[0] as any[];
    } finally {
      await c.end();
    }
  },
});

async function startOne(dir: string, serverId: number): Promise<{ port: number; child: ChildProcess }> {
  const datadir = path.join(dir, `d${serverId}`);
  await installMariaDb(datadir);
  const port = await freePort();
  const child = await spawnMariadbd(datadir, port, path.join(dir, `s${serverId}.sock`), [`--server-id=${serverId}`, `--log-bin=${path.join(datadir, 'bin')}`, '--skip-name-resolve=0'], 30_000);
  return { port, child };
}

export async function startMariaDbPair(): Promise<MariaDbPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-mariadb-pair-'));
  const started: ChildProcess[] = [];
  const stop = async () => {
    for (const c of started) await killMariadbd(c);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const p = await startOne(dir, 1);
    started.push(p.child);
    const r = await startOne(dir, 2);
    started.push(r.child);
    const primary = mariaDbServer(p.port);
    const replica = mariaDbServer(r.port);
    const [pos] = await primary.query('show master status');
    await replica.query(`change master to master_host = '127.0.0.1', master_port = ${p.port}, master_user = 'root', master_password = '', master_log_file = ?, master_log_pos = ?, master_use_gtid = no; start slave`, [pos.File, Number(pos.Position)]);
    const user = 'odms_pair';
    const password = 'Pair-pw-1';
    await primary.query(`create user '${user}'@'%' identified by '${password}'; create user '${user}'@'localhost' identified by '${password}'; grant all privileges on *.* to '${user}'@'%'; grant all privileges on *.* to '${user}'@'localhost'`);
    await caughtUp({ primary, replica, user, password, stop });
    return { primary: mariaDbServer(p.port, user, password), replica: mariaDbServer(r.port, user, password), user, password, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Waits until the replica has applied everything the primary wrote so far. */
export async function caughtUp(pair: MariaDbPair, timeoutMs = 30_000): Promise<void> {
  const [m] = await pair.primary.query('show master status');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [s] = await pair.replica.query('show slave status');
    if (s && s.Relay_Master_Log_File === m.File && Number(s.Exec_Master_Log_Pos) >= Number(m.Position)) return;
    if (s && s.Last_SQL_Error) throw new Error(`replication failed: ${s.Last_SQL_Error}`);
    if (Date.now() > until) throw new Error(`the replica did not catch up within ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
