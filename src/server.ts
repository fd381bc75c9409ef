import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createRegistry } from './http/actions/index.js';
import { buildApp } from './http/app.js';
import { bootstrap, type BootstrapResult } from './modules/identity/bootstrap.js';
import { registerDemoDatabase } from './modules/instances/demo.js';
import { setDemoConsolePassword } from './modules/identity/demo-password.js';
import { openRuntime } from './runtime.js';
import type { Deps } from './modules/context.js';
import { registerTasks, scheduleCronClearSweep, scheduleHourlyPurges, scheduleNoncePurge } from './tasks/index.js';

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  url: string;
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

/** Log redaction: parameters and headers that carry secrets never reach the log. */
const REDACT = ['req.headers.authorization', '*.AccessKeySecret', '*.DatabasePassword', '*.password', '*.secret'];

/**
 * `opendms serve`: store → migrations → bootstrap → HTTP. Returns once listening; `close()` drains
 * in-flight requests, then closes the store.
 */
export async function startServer(config: Config, options: { logger?: boolean | object; printBootstrap?: boolean } = {}): Promise<RunningServer> {
  const { deps, store } = await openRuntime(config);
  let app: FastifyInstance | undefined;
  try {
    const given =
      config.bootstrapAccessKeyId && config.bootstrapAccessKeySecret
        ? { accessKeyId: config.bootstrapAccessKeyId, accessKeySecret: config.bootstrapAccessKeySecret }
        : undefined;
    const boot = await bootstrap(deps, { accessKey: given });
    if (boot.created && boot.accessKey?.generated) saveAdminKey(config.dataDir, boot);
    if (options.printBootstrap && boot.created && boot.accessKey) printAdminKey(config, boot);
    if (config.demo) await registerDemoDatabase(deps, { tenantId: boot.tenantId, adminUserId: boot.userId });
    if (config.demo) {
      const pw = await setDemoConsolePassword(deps, boot.userId);
      if (pw && options.printBootstrap) process.stdout.write(`Console: http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/console/ — log in as ${pw.uid} / ${pw.password}\n`);
    }

    // `serve --no-jobs`: this process answers HTTP only; `opendms worker` processes run the jobs.
    const stopSchedules = config.runJobs ? await startBackgroundWork(deps) : () => undefined;

    app = buildApp({
      deps,
      registry: createRegistry(),
      logger: options.logger === false ? false : { level: config.logLevel, redact: REDACT, ...(typeof options.logger === 'object' ? options.logger : {}) },
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const running = app;
    return {
      app: running,
      deps,
      url: `http://${host}:${port}`,
      bootstrap: boot,
      close: async () => {
        stopSchedules();
        // Drain in-flight requests, but not forever: a client that keeps a response open (a slow
        // or abandoned download, an unread body on a kept-alive socket) would hold the shutdown.
        const cut = setTimeout(() => running.server.closeAllConnections(), config.shutdownGraceSeconds * 1000);
        await running.close();
        clearTimeout(cut);
        await deps.jobs.stop();
        await store.close();
      },
    };
  } catch (e) {
    await app?.close();
    await deps.jobs.stop().catch(() => undefined);
    await store.close();
    throw e;
  }
}

/**
 * Background work of a process: every job handler, the queue, and the periodic enqueues (purges,
 * cleanup-schedule sweep) whose keys leave one queued per cluster. Returns what stops the periodic
 * part (the queue is stopped by its owner).
 */
export async function startBackgroundWork(deps: Deps): Promise<() => void> {
  registerTasks(deps);
  await deps.jobs.start();
  const stops = [scheduleNoncePurge(deps), scheduleHourlyPurges(deps), scheduleCronClearSweep(deps)];
  return () => stops.forEach((stop) => stop());
}

function adminKeyFile(dataDir: string): string {
  return path.join(dataDir, 'admin-access-key.json');
}

function saveAdminKey(dataDir: string, boot: BootstrapResult): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const body = JSON.stringify(
    { AccessKeyId: boot.accessKey!.accessKeyId, AccessKeySecret: boot.accessKey!.accessKeySecret, UserId: boot.userId, Tid: boot.tenantId },
    null,
    2,
  );
  fs.writeFileSync(adminKeyFile(dataDir), body + '\n', { mode: 0o600 });
}

function printAdminKey(config: Config, boot: BootstrapResult): void {
  const k = boot.accessKey!;
  const lines = [
    '',
    'OpenDMS bootstrapped a tenant and its administrator.',
    `  Tid:             ${boot.tenantId}`,
    `  UserId:          ${boot.userId} (uid "admin", roles ADMIN)`,
    `  AccessKeyId:     ${k.accessKeyId}`,
    k.generated ? `  AccessKeySecret: ${k.accessKeySecret}` : '  AccessKeySecret: (the one given in OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET)',
    k.generated ? `  Saved to ${adminKeyFile(config.dataDir)} (mode 0600). It is shown only this once.` : '',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
