/**
 * Production-mode processes on one PostgreSQL store (real child processes): `serve --no-jobs`
 * answers requests but runs no background job (a ticket's precheck waits), an `opendms worker`
 * on the same store runs it, and stops cleanly on SIGTERM; `opendms doctor` reports every check
 * in words and exits 1 when an instance cannot be reached.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY, ok, pop } from '../helpers/server.js';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { sleep, until } from '../helpers/export-flow.js';
import { createPgDatabase, createPgSchema, describeWithServer, parsedPgUrl } from '../helpers/servers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const PG_URL = process.env.OPENDMS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = promisify(execFile);

await describeWithServer('postgres', 'serve --no-jobs, opendms worker and opendms doctor on one PostgreSQL store', () => {
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let target: Awaited<ReturnType<typeof createPgDatabase>>;
  let dataDir: string;
  let server: ServerProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    schema = await createPgSchema('opendms_worker');
    target = await createPgDatabase('opendms_worker_t');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-worker-'));
    env = { OPENDMS_DATABASE_URL: PG_URL, OPENDMS_DATABASE_SCHEMA: schema.schema, OPENDMS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), OPENDMS_RUN_JOBS: 'false' };
    server = await startServerProcess({ dataDir, env });
  }, 120_000);

  afterAll(async () => {
    await server?.kill();
    await target?.drop();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = (action: string, params: Record<string, unknown> = {}) => pop(server, ADMIN_KEY)(action, params);
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', MAIN, ...args, '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, ...env, OPENDMS_RUN_JOBS: '' }, timeout: 60_000 }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '' }),
    );

  it('serve --no-jobs leaves the jobs to a worker, which runs them and stops on SIGTERM', async () => {
    const pgc = parsedPgUrl();
    ok(await admin('RegisterInstance', { InstanceType: 'postgresql', Host: pgc.host, Port: pgc.port, DatabaseUser: pgc.user, DatabasePassword: pgc.password || 'x', InstanceAlias: 'target', EnvType: 'dev', DbaUid: 'admin', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default' }));
    const found = ok(await admin('SearchDatabase', { SearchKey: target.name })).SearchDatabaseList.SearchDatabase.find((d: { SchemaName: string }) => d.SchemaName === target.name);
    const id = ok(await admin('CreateOrder', { Comment: 'worker test', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: Number(found.DatabaseId), exeSQL: 'select 1 as one', ignoreAffectRows: true, ignoreAffectRowsReason: 'test' }) })).CreateOrderResult.OrderIds[0];
    const status = async () => ok(await admin('GetDataExportOrderDetail', { OrderId: id })).DataExportOrderDetail.KeyInfo.JobStatus as string;
    await sleep(3000);
    expect(await status()).toBe('PRE_CHECKING');

    const worker = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, ...env, OPENDMS_RUN_JOBS: '', OPENDMS_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    worker.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    try {
      expect(await until('the worker to run the precheck', async () => ((await status()) === 'PRE_CHECKING' ? undefined : status()), 60_000)).toBe('PRE_CHECK_SUCCESS');
      await until('the worker to say it runs', async () => (/OpenDMS worker running \(store: postgres/.test(out) ? true : undefined));
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);

  it('opendms doctor reports each check and fails on an unreachable instance', async () => {
    const good = await cli(['doctor']);
    expect(good.code, good.out).toBe(0);
    expect(good.out).toMatch(/^ok {3}store: PostgreSQL 1\d\.\d+.*schema at 0\d{3}_/m);
    expect(good.out).toMatch(/^ok {3}master key: decrypts the stored secrets$/m);
    expect(good.out).toMatch(/^ok {3}job engine: pg-boss; /m);
    expect(good.out).toMatch(/^ok {3}file store: .* write, read and delete work/m);
    expect(good.out).toMatch(/^ok {3}clock: within \d+ ms of the store's$/m);
    expect(good.out).toMatch(/^ok {3}instance \d+ \(target postgresql .*\): PostgreSQL 1\d/m);
    expect(good.out).toMatch(/Everything OpenDMS needs answers\.$/m);

    // An instance that later becomes unreachable: registered while it answers, then moved (in the store) to a closed port.
    const closed = await freePort();
    const pgc = parsedPgUrl();
    ok(await admin('RegisterInstance', { InstanceType: 'postgresql', Host: 'localhost', Port: pgc.port, DatabaseUser: pgc.user, DatabasePassword: pgc.password || 'x', InstanceAlias: 'gone', EnvType: 'dev', DbaUid: 'admin', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default' }));
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`update ${schema.schema}.instance set port = $1 where alias = 'gone'`, [closed]);
    await c.end();
    const bad = await cli(['doctor']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(new RegExp(`^FAIL instance \\d+ \\(gone postgresql localhost:${closed}, tenant \\d+\\): .*check its address, port, user and password`, 'm'));
    expect(bad.out).toMatch(/1 problem\(s\) found\.$/m);
  }, 180_000);
});
