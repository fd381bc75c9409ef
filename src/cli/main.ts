#!/usr/bin/env node
import { Command, Option } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config.js';
import { createAccessKeyFor } from '../modules/identity/access-keys.js';
import { setPassword } from '../modules/identity/sessions.js';
import { resolveActor } from '../modules/identity/authentication.js';
import { bootstrap } from '../modules/identity/bootstrap.js';
import { isRole, type Role } from '../modules/identity/roles.js';
import { getMember, registerUser } from '../modules/identity/users.js';
import { openRuntime } from '../runtime.js';
import { runDoctor, renderFindings } from '../doctor.js';
import { startServer } from '../server.js';
import { startWorker } from '../worker.js';
import { surviveStoreOutages } from '../storage/unavailable.js';

const program = new Command('opendms').description('OpenDMS: database tickets, wire-compatible with Alibaba Cloud DMS Enterprise');

const storeOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--data-dir <dir>', 'data folder (SQLite store, keys, files)').env('OPENDMS_DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'PostgreSQL metadata store (production mode)').env('OPENDMS_DATABASE_URL'));

function overrides(o: Record<string, unknown>): ConfigOverrides {
  return {
    host: o.host as string | undefined,
    port: o.port as string | undefined,
    dataDir: o.dataDir as string | undefined,
    databaseUrl: o.databaseUrl as string | undefined,
    demo: o.demo as boolean | undefined,
    runJobs: o.jobs as boolean | undefined,
  };
}

/** SIGTERM / SIGINT: `close` once, then exit 0 (1 when closing failed). */
function exitOnSignal(close: () => Promise<void>, log: (msg: string, e?: unknown) => void): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log(`${signal}: shutting down`);
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        log('shutdown failed', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  surviveStoreOutages((e) => log('the metadata store is unavailable (a job outcome is recorded once it is back)', e));
}

storeOptions(
  program
    .command('serve')
    .description('run the service (HTTP API and background jobs)')
    .addOption(new Option('--host <host>', 'address to listen on').env('OPENDMS_HOST'))
    .addOption(new Option('--port <port>', 'port to listen on').env('OPENDMS_PORT'))
    .option('--demo', 'register the sample shop database (once)', false)
    .option('--no-jobs', 'answer HTTP only; `opendms worker` processes run the background jobs (OPENDMS_RUN_JOBS=false)'),
).action(async (o: Record<string, unknown>) => {
  const config = loadConfig(overrides({ ...o, jobs: o.jobs === false ? false : undefined }));
  const server = await startServer(config, { printBootstrap: true });
  process.stdout.write(`OpenDMS listening on ${server.url} (store: ${server.deps.store.dialect}, data: ${config.dataDir}${config.runJobs ? '' : ', no background jobs'})\n`);
  exitOnSignal(server.close, (msg, e) => (e ? server.app.log.error({ err: e }, msg) : server.app.log.info(msg)));
});

storeOptions(program.command('worker').description('run the background jobs only (no HTTP), next to `serve --no-jobs` processes')).action(async (o: Record<string, unknown>) => {
  const config = loadConfig(overrides(o));
  const worker = await startWorker(config);
  process.stdout.write(`OpenDMS worker running (store: ${worker.deps.store.dialect}, data: ${config.dataDir})\n`);
  exitOnSignal(worker.close, (msg, e) => process.stderr.write(`${msg}${e ? `: ${(e as Error).message}` : ''}\n`));
});

storeOptions(program.command('doctor').description('check the store, master key, job engine, file store, clock and every registered instance, and say what is wrong')).action(async (o: Record<string, unknown>) => {
  const findings = await runDoctor(loadConfig(overrides(o)));
  process.stdout.write(renderFindings(findings));
  process.exitCode = findings.every((f) => f.ok) ? 0 : 1;
});

storeOptions(program.command('migrate').description('create or upgrade the metadata store, then exit')).action(async (o: Record<string, unknown>) => {
  const { store, migrated } = await openRuntime(loadConfig(overrides(o)));
  await store.close();
  process.stdout.write(migrated.length ? `Applied: ${migrated.join(', ')}\n` : 'The store is up to date.\n');
});

const user = program.command('user').description('manage users');
storeOptions(
  user
    .command('add')
    .description('add a user to a tenant and print their new AccessKey')
    .requiredOption('--nick <nick>', 'nickname')
    .option('--uid <uid>', 'login name (default: the nickname, lower-cased)')
    .option('--roles <roles>', 'comma-separated roles', 'USER')
    .option('--tenant <tid>', 'tenant id (default: the bootstrapped tenant)'),
).action(async (o: Record<string, unknown>) => {
  const roles = String(o.roles).split(',').map((r) => r.trim().toUpperCase());
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length) throw new Error(`unknown role(s): ${bad.join(', ')}`);
  const { deps, store } = await openRuntime(loadConfig(overrides(o)));
  try {
    const boot = await bootstrap(deps, {});
    const tid = o.tenant === undefined ? boot.tenantId : Number(o.tenant);
    const admin = await resolveActor(deps, boot.userId, tid);
    const uid = (o.uid as string | undefined) ?? String(o.nick).toLowerCase().replace(/\s+/g, '.');
    const member = await registerUser(deps, admin, { uid, nickName: String(o.nick), roles: roles as Role[] });
    const key = await createAccessKeyFor(deps, member.userId);
    process.stdout.write(
      JSON.stringify({ UserId: member.userId, Uid: member.uid, Tid: tid, Roles: member.roles, AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret }, null, 2) + '\n',
    );
  } finally {
    await store.close();
  }
});

storeOptions(
  user
    .command('set-password')
    .description("set a user's console password (read from standard input, one line, unless --password is given); their sessions end")
    .requiredOption('--uid <uid>', 'login name')
    .option('--password <password>', 'the password (visible in the process list: prefer standard input)'),
).action(async (o: Record<string, unknown>) => {
  const password = typeof o.password === 'string' ? o.password : (await readStdin()).replace(/\r?\n$/, '');
  const { deps, store } = await openRuntime(loadConfig(overrides(o)));
  try {
    await setPassword(deps, String(o.uid), password);
    process.stdout.write(`The password of ${String(o.uid)} is set.\n`);
  } finally {
    await store.close();
  }
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

const accessKey = program.command('access-key').description('manage AccessKeys');
storeOptions(accessKey.command('create').description("create an AccessKey for a user and print it").requiredOption('--user <userId>', 'DMS user id')).action(
  async (o: Record<string, unknown>) => {
    const userId = Number(o.user);
    if (!Number.isSafeInteger(userId)) throw new Error('--user must be a numeric user id');
    const { deps, store } = await openRuntime(loadConfig(overrides(o)));
    try {
      const boot = await bootstrap(deps, {});
      const admin = await resolveActor(deps, boot.userId, undefined);
      await getMember(deps, admin, { userId }).catch(() => {
        throw new Error(`user ${userId} does not exist`);
      });
      const key = await createAccessKeyFor(deps, userId);
      process.stdout.write(JSON.stringify({ UserId: userId, AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret }, null, 2) + '\n');
    } finally {
      await store.close();
    }
  },
);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`opendms: ${(e as Error).message}\n`);
  process.exit(1);
});
