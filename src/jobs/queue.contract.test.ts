/**
 * The JobQueue contract, run against both implementations (principle 11): the SQLite runner on a
 * fresh SQLite store, and pg-boss on a fresh PostgreSQL schema. Each test uses its own job names,
 * so tests share one store per implementation. Where the implementations differ on purpose, the
 * test branches on `queue.capabilities` and says why.
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../storage/db.js';
import { describeWithServer, PG_URL } from '../../test/helpers/servers.js';
import { postgresTestStore, sqliteTestStore } from '../../test/helpers/store.js';
import { deleteExpiredNonces } from '../modules/identity/identity.repository.js';
import { purgeSignatureNoncesTask } from '../tasks/purge-signature-nonces.task.js';
import { pgBossSchema } from './pgboss-runner.js';
import { createJobQueue, type JobContext, type JobInfo, type JobQueue, type JobState } from './queue.js';

/** Test jobs: any name, a small payload. */
type TestPayloads = Record<string, { n: number }>;

interface Target {
  label: string;
  open(): Promise<Store>;
  /** Leaves job `id` as a worker that died mid-attempt would: active, with a lease that runs out. */
  abandon(store: Store, name: string, id: string): Promise<void>;
  close(store: Store): Promise<void>;
}

const sqliteTarget: Target = {
  label: 'job queue contract: SQLite store (built-in runner)',
  open: sqliteTestStore,
  async abandon(store, _name, id) {
    await store.db
      .updateTable('job')
      .set({ state: 'active', attempts: 1, locked_by: 'worker-that-died', locked_until: Date.now() - 1 })
      .where('id', '=', id)
      .execute();
  },
  close: (store) => store.close(),
};

const postgresTarget: Target = {
  label: 'job queue contract: PostgreSQL store (pg-boss)',
  open: postgresTestStore,
  async abandon(store, name, id) {
    // A second pg-boss client takes the job and goes away without finishing or failing it.
    const boss = new PgBoss({ connectionString: PG_URL, schema: pgBossSchema(store.postgres!.schema), supervise: false, schedule: false, migrate: false });
    boss.on('error', () => {});
    await boss.start();
    const [job] = await boss.fetch<{ n: number }>(name);
    expect(job?.id).toBe(id);
    await boss.stop({ graceful: false, close: true });
  },
  async close(store) {
    const schema = pgBossSchema(store.postgres!.schema);
    await store.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  },
};

describe(sqliteTarget.label, () => contract(sqliteTarget));
await describeWithServer('postgres', postgresTarget.label, () => contract(postgresTarget));

function contract(target: Target): void {
  let store: Store;
  let names = 0;
  const queues: Array<{ stop(timeoutMs?: number): Promise<void> }> = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    store = await target.open();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop(2000)));
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    if (store) await target.close(store);
  });

  const jobName = (): string => `test-job-${++names}`;
  function newQueue<P extends TestPayloads = TestPayloads>(): JobQueue<P> {
    // Short intervals keep the suite fast; pg-boss raises polling to 0.5 s and maintenance to 1 s.
    const queue = createJobQueue<P>(store, { pollIntervalMs: 100, leaseCheckIntervalMs: 200, onError: (e) => errors.push(e) });
    queues.push(queue);
    return queue;
  }

  it('runs a job once, with its payload, and completes it', async () => {
    const queue = newQueue();
    const name = jobName();
    const calls: Array<{ payload: { n: number }; ctx: JobContext }> = [];
    queue.register(name, async (payload, ctx) => {
      calls.push({ payload, ctx });
    });
    const id = await queue.enqueue(name, { n: 42 });
    expect(id).toEqual(expect.any(String));
    expect(await queue.get(id!)).toMatchObject({ id, name, state: 'created', attempts: 0, lastError: null });

    await queue.start();
    const done = await waitForState(queue, id!, 'completed');
    expect(done).toEqual({ id, name, state: 'completed', attempts: 1, lastError: null });
    await sleep(300);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.payload).toEqual({ n: 42 });
    expect(calls[0]!.ctx).toMatchObject({ id, attempt: 1 });
  });

  it('runs up to `concurrency` attempts of one name at a time', async () => {
    const queue = newQueue();
    const name = jobName();
    let running = 0;
    let peak = 0;
    queue.register(
      name,
      async () => {
        peak = Math.max(peak, ++running);
        await sleep(400);
        running--;
      },
      { concurrency: 2 },
    );
    const ids = await Promise.all([1, 2, 3].map((n) => queue.enqueue(name, { n })));
    await queue.start();
    for (const id of ids) await waitForState(queue, id!, 'completed');
    expect(peak).toBe(2);
  });

  it('keeps one queued or active job per name + key', async () => {
    const queue = newQueue();
    const name = jobName();
    const other = jobName();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    queue.register(name, () => gate, { concurrency: 2 });

    const first = await queue.enqueue(name, { n: 1 }, { key: 'ticket-1' });
    expect(first).not.toBeNull();
    expect(await queue.enqueue(name, { n: 2 }, { key: 'ticket-1' })).toBeNull(); // queued
    expect(await queue.enqueue(name, { n: 3 }, { key: 'ticket-2' })).not.toBeNull(); // other key
    expect(await queue.enqueue(other, { n: 4 }, { key: 'ticket-1' })).not.toBeNull(); // other name
    expect(await queue.enqueue(name, { n: 5 })).not.toBeNull(); // no key

    await queue.start();
    await waitForState(queue, first!, 'active');
    expect(await queue.enqueue(name, { n: 6 }, { key: 'ticket-1' })).toBeNull(); // active
    release();
    await waitForState(queue, first!, 'completed');
    const again = await queue.enqueue(name, { n: 7 }, { key: 'ticket-1' }); // key free again
    expect(again).not.toBeNull();
    expect(again).not.toBe(first);
    await waitForState(queue, again!, 'completed');
  });

  it('retries a failing handler with backoff, then ends failed with the last error', async () => {
    const queue = newQueue();
    const name = jobName();
    const startedAt: number[] = [];
    queue.register(name, async (_payload, ctx) => {
      startedAt.push(Date.now());
      throw new Error(`boom ${ctx.attempt}`);
    });
    const id = await queue.enqueue(name, { n: 1 }, { maxAttempts: 2, backoffSeconds: 0.2 });
    await queue.start();

    const failed = await waitForState(queue, id!, 'failed');
    expect(failed).toMatchObject({ state: 'failed', attempts: 2, lastError: 'boom 2' });
    expect(startedAt).toHaveLength(2);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(200); // backoff · 2^0
    await sleep(300);
    expect(startedAt).toHaveLength(2);
  });

  it('does not start a job before runAt', async () => {
    const queue = newQueue();
    const name = jobName();
    let startedAt = 0;
    queue.register(name, async () => {
      startedAt = Date.now();
    });
    const runAt = new Date(Date.now() + 1200);
    const id = await queue.enqueue(name, { n: 1 }, { runAt });
    await queue.start();
    await sleep(600);
    expect((await queue.get(id!))?.state).toBe('created');
    await waitForState(queue, id!, 'completed');
    expect(startedAt).toBeGreaterThanOrEqual(runAt.getTime() - 50); // 50 ms: database vs process clock
  });

  it("enqueues inside the caller's transaction: rollback leaves no job, commit runs it", async () => {
    const queue = newQueue();
    const name = jobName();
    const seen: number[] = [];
    queue.register(name, async ({ n }) => {
      seen.push(n);
    });

    let rolledBack: string | null = null;
    await expect(
      store.db.transaction().execute(async (trx) => {
        rolledBack = await queue.enqueue(name, { n: 1 }, { trx, key: 'k' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(rolledBack).not.toBeNull();
    expect(await queue.get(rolledBack!)).toBeNull();

    const committed = await store.db.transaction().execute((trx) => queue.enqueue(name, { n: 2 }, { trx, key: 'k' }));
    expect(committed).not.toBeNull();
    await queue.start();
    await waitForState(queue, committed!, 'completed');
    expect(seen).toEqual([2]);
  });

  it('stop() aborts the signal and waits for a running handler to finish', async () => {
    const queue = newQueue();
    const name = jobName();
    let started = false;
    let finished = false;
    let abortedWhileRunning = false;
    queue.register(name, async (_payload, ctx) => {
      started = true;
      await sleep(700); // a handler that finishes its step despite the signal
      abortedWhileRunning = ctx.signal.aborted;
      finished = true;
    });
    const id = await queue.enqueue(name, { n: 1 });
    await queue.start();
    await waitUntil(() => started);

    await queue.stop(5000);
    expect(finished).toBe(true);
    expect(abortedWhileRunning).toBe(true);
    expect(await waitForState(queue, id!, 'completed')).toMatchObject({ attempts: 1 });
  });

  it('stop() gives up on a handler after its timeout and counts the attempt as failed', async () => {
    const queue = newQueue();
    const name = jobName();
    let started = false;
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    queue.register(name, async () => {
      started = true;
      await stuck; // ignores the signal
    });
    const id = await queue.enqueue(name, { n: 1 }, { maxAttempts: 1 });
    await queue.start();
    await waitUntil(() => started);

    const t0 = Date.now();
    await queue.stop(300);
    expect(Date.now() - t0).toBeLessThan(3000); // pg-boss waits at least 1 s
    const info = await waitForState(queue, id!, 'failed');
    expect(info.lastError).toEqual(expect.any(String));
    release();
  });

  it('recovers the job of a crashed worker once its lease runs out', async () => {
    const queue = newQueue();
    const name = jobName();
    const attempts: number[] = [];
    queue.register(name, async (_payload, ctx) => {
      attempts.push(ctx.attempt);
    }, { leaseSeconds: 1 });
    const id = await queue.enqueue(name, { n: 1 }, { backoffSeconds: 0.1 });
    await target.abandon(store, name, id!);
    expect(await queue.get(id!)).toMatchObject({ state: 'active', attempts: 1 });

    await queue.start();
    const done = await waitForState(queue, id!, 'completed', 15_000);
    expect(done.attempts).toBe(2);
    expect(attempts).toEqual([2]); // the dead worker's attempt counts; this runner ran the second
  });

  it('leaseSeconds: renewed while the handler runs (heartbeat), or its run-time limit', async () => {
    const queue = newQueue();
    const name = jobName();
    const runs: Array<{ attempt: number; aborted: boolean }> = [];
    queue.register(name, async (_payload, ctx) => {
      await sleep(1600);
      runs.push({ attempt: ctx.attempt, aborted: ctx.signal.aborted });
    }, { leaseSeconds: 1 });
    const id = await queue.enqueue(name, { n: 1 }, { maxAttempts: 1 });
    await queue.start();

    if (queue.capabilities.leaseHeartbeat) {
      // SQLite: the heartbeat keeps the lease, so the long attempt completes and runs only once.
      expect(await waitForState(queue, id!, 'completed')).toMatchObject({ attempts: 1 });
      expect(runs).toEqual([{ attempt: 1, aborted: false }]);
    } else {
      // pg-boss 10: no heartbeat; past the lease the attempt fails and the handler is told to stop.
      const info = await waitForState(queue, id!, 'failed');
      // Either pg-boss's worker gives up ("…exceeded…") or its supervisor expires the job first
      // ("job failed by timeout in active state"): both mean the lease ran out.
      expect(info.lastError).toMatch(/exceeded|failed by timeout/);
      await waitUntil(() => runs.length === 1);
      expect(runs).toEqual([{ attempt: 1, aborted: true }]);
    }
  });

  it('runs the purge-signature-nonces job: deletes expired nonces only', async () => {
    const queue = createJobQueue(store, { pollIntervalMs: 100, onError: (e) => errors.push(e) });
    queues.push(queue);
    const now = Date.now();
    await store.db
      .insertInto('signature_nonce')
      .values([
        { access_key_id: 'ak', nonce: 'old', expires_at: now - 1000 },
        { access_key_id: 'ak', nonce: 'fresh', expires_at: now + 60_000 },
      ])
      .execute();
    queue.register('purge-signature-nonces', purgeSignatureNoncesTask({ db: store.db, now: Date.now }));
    const id = await queue.enqueue('purge-signature-nonces', {}, { key: 'purge-signature-nonces' });
    await queue.start();
    await waitForState(queue, id!, 'completed');
    const left = await store.db.selectFrom('signature_nonce').select('nonce').execute();
    expect(left).toEqual([{ nonce: 'fresh' }]);
    expect(await deleteExpiredNonces(store.db, now)).toBe(0); // idempotent
  });
}

async function waitForState(queue: Pick<JobQueue, 'get'>, id: string, state: JobState, timeoutMs = 10_000): Promise<JobInfo> {
  const deadline = Date.now() + timeoutMs;
  let info: JobInfo | null = null;
  while (Date.now() < deadline) {
    info = await queue.get(id);
    if (info?.state === state) return info;
    await sleep(50);
  }
  throw new Error(`job ${id} did not reach state ${state} within ${timeoutMs} ms; last seen: ${JSON.stringify(info)}`);
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
