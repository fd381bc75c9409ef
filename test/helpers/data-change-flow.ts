/**
 * The data-change ticket flow (DC_COMMON, DC_CHUNK, DC_BIG_FILE) through the real clients, for the
 * data-change and data-import tests: the file's ExportEnv (server, users, target registration in
 * export-flow.ts) registered as the file's hooks, and the steps after filing: the precheck, the
 * approval, the task and its jobs.
 */
import { afterAll, beforeAll } from 'vitest';
import { ok, type Body } from './server.js';
import { startExportEnv, until, type ExportEnv, type User } from './export-flow.js';

export type Engine = 'sqlite' | 'postgresql' | 'mariadb';

/**
 * An ExportEnv started in the file's beforeAll and closed in its afterAll (register it at the top
 * level, before the describe blocks' own hooks). The returned object reads the running env, so it
 * may be used from hooks and tests only.
 */
export function exportEnvHooks(options: Record<string, string> = {}): ExportEnv {
  let live: ExportEnv | undefined;
  beforeAll(async () => {
    live = await startExportEnv(options);
  });
  afterAll(async () => {
    await live?.close();
  });
  // Every property read goes to the env running now (its members are plain values and arrow functions).
  return new Proxy({} as ExportEnv, {
    get: (_, key) => {
      if (!live) throw new Error('the ExportEnv starts in beforeAll: use it in hooks and tests');
      return live[key as keyof ExportEnv];
    },
  });
}

export async function dcOrderDetail(env: ExportEnv, orderId: number): Promise<Body> {
  return ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
}

/** Polls the ticket's detail until its precheck is over (passed or not); returns the detail. */
export async function dcPrecheckOver(env: ExportEnv, orderId: number, timeoutMs = 60_000): Promise<Body> {
  return until('the precheck', async () => {
    const x = await dcOrderDetail(env, orderId);
    return x.Status === 'precheck' ? undefined : x;
  }, timeoutMs);
}

/** Submits (the committer) and approves (DBA dora, AGREE) a ticket whose precheck passed. */
export async function dcApprove(env: ExportEnv, orderId: number, committer: User = env.ulla): Promise<void> {
  const wf = ok(await env.as(committer)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE', Comment: 'ok' }));
}

export async function dcTaskDetail(env: ExportEnv, orderId: number): Promise<Body> {
  return ok(await env.v3(env.ulla)('GetDataCorrectTaskDetail', { OrderId: orderId })).DataCorrectTaskDetail;
}

/** Polls the task until its jobStatus is one of `wanted`; returns the task. */
export async function dcSettled(env: ExportEnv, orderId: number, wanted: string[] = ['SUCCESS', 'FAIL', 'PAUSE'], timeoutMs = 120_000): Promise<Body> {
  return until(`ticket ${orderId}'s execution`, async () => {
    const t = await dcTaskDetail(env, orderId);
    return wanted.includes(t.jobStatus) ? t : undefined;
  }, timeoutMs);
}

/** The jobs of the ticket's task (one per database). */
export async function dcJobs(env: ExportEnv, orderId: number): Promise<Body[]> {
  const t = await dcTaskDetail(env, orderId);
  return ok(await env.as(env.ulla)('ListDBTaskSQLJob', { DBTaskGroupId: t.DBTaskGroupId })).DBTaskSQLJobList;
}
