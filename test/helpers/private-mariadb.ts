/**
 * A MariaDB server of a test's own (the machine's `mariadbd` on a free loopback port with a data
 * folder in a temp dir, started with the pieces of test/helpers/mariadb-pair.ts), for tests that
 * kill the database under OpenDMS and start it again on the same data: `stop()` is SIGKILL (a
 * crash; InnoDB recovers at the next start). The machine's own MariaDB is never touched.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installMariaDb, killMariadbd, mariaDbServer, spawnMariadbd } from './mariadb-pair.js';
import { freePort } from './process.js';

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
  const start = async () => {
    child = await spawnMariadbd(datadir, port, path.join(dir, 'mysqld.sock'), ['--innodb-buffer-pool-size=32M', '--skip-log-bin'], 60_000);
  };
  const stop = async () => {
    if (child) await killMariadbd(child);
  };
  try {
    await installMariaDb(datadir);
    await start();
  } catch (e) {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a private MariaDB: ${(e as Error).message}`);
  }
  const user = 'odms_fault';
  const password = 'Fault-pw-1';
  const root = mariaDbServer(port);
  await root.query(`create user '${user}'@'%' identified by '${password}'; create user '${user}'@'localhost' identified by '${password}'; grant all privileges on *.* to '${user}'@'%'; grant all privileges on *.* to '${user}'@'localhost'`);
  return {
    port,
    user,
    password,
    query: root.query,
    stop,
    start,
    destroy: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
