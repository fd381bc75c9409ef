/**
 * An OpenDMS server as a real child process (`opendms serve` through tsx), for tests that kill it
 * (SIGKILL) and start it again on the same data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { ADMIN_KEY, createUser, ok, pop, type Body, type Key } from './server.js';
import { createPgDatabase, parsedPgUrl } from './servers.js';
import { until } from './export-flow.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL: no shutdown code runs, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far (its log lines). */
  output(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startServerProcess(opts: { dataDir: string; port?: number; env?: Record<string, string> }): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', opts.dataDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      OPENDMS_BOOTSTRAP_ACCESS_KEY_ID: ADMIN_KEY.accessKeyId,
      OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET: ADMIN_KEY.accessKeySecret,
      OPENDMS_LOG_LEVEL: process.env.OPENDMS_TEST_LOG_LEVEL ?? 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`opendms serve exited with ${child.exitCode}: ${output.slice(-2000)}`);
    const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`opendms serve did not answer within 30 s: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    output: () => output,
  };
}

/**
 * On a server process: a DBA `dana`, and the test PostgreSQL server registered as a `dev` instance
 * she is DBA of; returns her key and the DbId of `database` on it.
 */
export async function registerPgTarget(server: ServerProcess, database: string): Promise<{ dba: Key & { userId: number }; dbId: number }> {
  const dba = await createUser({ url: server.url, port: server.port, admin: ADMIN_KEY }, 'dana', 'DBA');
  const admin = pop(server, ADMIN_KEY);
  const pgc = parsedPgUrl();
  ok(await admin('RegisterInstance', { InstanceType: 'postgresql', Host: pgc.host, Port: pgc.port, DatabaseUser: pgc.user, DatabasePassword: pgc.password || 'x', InstanceAlias: 'crash', EnvType: 'dev', DbaUid: 'dana', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default' }));
  const found: Body = ok(await admin('SearchDatabase', { SearchKey: database }));
  return { dba, dbId: Number(found.SearchDatabaseList.SearchDatabase.find((d: Body) => d.SchemaName === database).DatabaseId) };
}

export interface CrashEnv {
  /** The server process running now (a new one after `restart`). */
  readonly server: ServerProcess;
  readonly dataDir: string;
  readonly target: { name: string; url: string };
  readonly dba: Key & { userId: number };
  readonly dbId: number;
  call(key: Key): (action: string, params?: Record<string, unknown>) => Promise<Body>;
  admin(action: string, params?: Record<string, unknown>): Promise<Body>;
  /** A query on the target database (its own connection). */
  query(sql: string, values?: unknown[]): Promise<Body[]>;
  /** Starts a new server process on the same data folder (after `server.kill()`). */
  restart(): Promise<void>;
  /** Waits for the data-change ticket's precheck to pass (throws if it failed), submits it (ADMIN) and approves it (the DBA). */
  approve(orderId: number): Promise<void>;
  /** ExecuteDataCorrect on an approved ticket; returns the JobId of its (only) job. */
  execute(orderId: number): Promise<number>;
  /** Polls GetDataCorrectTaskDetail until jobStatus is one of `settled`; returns the task. */
  settled(orderId: number, what: string, timeoutMs: number, settled?: string[]): Promise<Body>;
}

/**
 * What the crash tests share, registered as the describe block's hooks: a server process on a data
 * folder of its own, a PostgreSQL target database prepared with `setupSql`, the test PostgreSQL
 * registered with the DBA dana; afterwards everything is killed and removed.
 */
export function crashEnv(name: string, setupSql: string, env: Record<string, string> = {}): CrashEnv {
  const state = {} as { server: ServerProcess; dataDir: string; target: Awaited<ReturnType<typeof createPgDatabase>>; dba: Key & { userId: number }; dbId: number };
  const query = async (sql: string, values: unknown[] = []): Promise<Body[]> => {
    const c = new pg.Client({ connectionString: state.target.url });
    await c.connect();
    try {
      return (await c.query(sql, values)).rows;
    } finally {
      await c.end();
    }
  };
  beforeAll(async () => {
    state.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `opendms-${name}-`));
    state.target = await createPgDatabase(`opendms_${name.replaceAll('-', '_')}`);
    await query(setupSql);
    state.server = await startServerProcess({ dataDir: state.dataDir, env });
    ({ dba: state.dba, dbId: state.dbId } = await registerPgTarget(state.server, state.target.name));
  }, 180_000);
  afterAll(async () => {
    await state.server?.kill();
    await state.target?.drop();
    if (state.dataDir) fs.rmSync(state.dataDir, { recursive: true, force: true });
  });
  const call = (key: Key) => (action: string, params: Record<string, unknown> = {}) => pop(state.server, key)(action, params);
  const admin = (action: string, params: Record<string, unknown> = {}) => call(ADMIN_KEY)(action, params);
  return {
    get server() {
      return state.server;
    },
    get dataDir() {
      return state.dataDir;
    },
    get target() {
      return state.target;
    },
    get dba() {
      return state.dba;
    },
    get dbId() {
      return state.dbId;
    },
    call,
    admin,
    query,
    restart: async () => {
      state.server = await startServerProcess({ dataDir: state.dataDir, env });
    },
    approve: async (orderId) => {
      await until('the precheck', async () => {
        const d = ok(await admin('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
        if (d.Status === 'precheckFailed') throw new Error(JSON.stringify(d.PreCheckDetail));
        return d.Status === 'precheck_success' ? true : undefined;
      }, 60_000);
      const wf = ok(await admin('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
      ok(await call(state.dba)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    },
    execute: async (orderId) => {
      const { DBTaskGroupId } = ok(await admin('ExecuteDataCorrect', { OrderId: orderId }));
      return ok(await admin('ListDBTaskSQLJob', { DBTaskGroupId })).DBTaskSQLJobList[0].JobId;
    },
    settled: (orderId, what, timeoutMs, settled = ['SUCCESS', 'FAIL']) =>
      until(what, async () => {
        const t = ok(await admin('GetDataCorrectTaskDetail', { OrderId: orderId })).DataCorrectTaskDetail;
        return settled.includes(t.jobStatus) ? t : undefined;
      }, timeoutMs),
  };
}
