import PgBoss from 'pg-boss';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Store } from '../storage/db.js';
import { isStoreUnavailable } from '../storage/unavailable.js';
import type { Database } from '../storage/database.js';
import {
  errorMessage,
  JOB_DEFAULTS,
  resolveEnqueueOptions,
  resolveQueueOptions,
  resolveRegisterOptions,
  type ResolvedEnqueueOptions,
  type ResolvedQueueOptions,
  type ResolvedRegisterOptions,
} from './job-options.js';
import type { EnqueueOptions, JobHandler, JobInfo, JobQueue, JobQueueOptions, JobState, PayloadRegistry, QueueStats, RegisterOptions } from './queue.js';

/**
 * The job queue of the PostgreSQL store: pg-boss 10, so every server process shares the work.
 *
 * How the interface maps onto pg-boss:
 * - one pg-boss queue per job name, policy `standard`; pg-boss lives in its own schema
 *   (`pgBossSchema()`), because its tables (`job`, `queue`, …) would clash with ours;
 * - `maxAttempts` → `retryLimit = maxAttempts - 1`; `backoffSeconds` → `retryDelay` (whole seconds,
 *   ≥ 1) with `retryBackoff`; `runAt` → `startAfter`; `leaseSeconds` → the queue's `expireInSeconds`
 *   (pg-boss 10 has no heartbeat: it fails an attempt that runs longer, and its maintenance, every
 *   `leaseCheckIntervalMs`, fails attempts of dead workers, which are then retried);
 * - `key` → `singletonKey`, plus our own check. No pg-boss policy gives "one queued *or* active job
 *   per key": `short` allows one queued beside an active one, `singleton` one active beside queued
 *   ones, `stately` one per state, and `standard` ignores the key. So enqueue takes a transaction
 *   advisory lock on (schema, name, key), looks for a live job with that key, and only then inserts.
 *   Every enqueue goes through here, so the lock serializes them across processes; with `trx` the
 *   lock is held until the caller's transaction ends;
 * - `trx` → pg-boss's `db` option, an `executeSql` adapter over the Kysely transaction.
 */
export class PgBossJobQueue<Payloads extends PayloadRegistry<Payloads>> implements JobQueue<Payloads> {
  readonly capabilities = { leaseHeartbeat: false } as const;
  readonly #store: Store;
  readonly #schema: string;
  readonly #boss: PgBoss;
  readonly #options: ResolvedQueueOptions;
  readonly #registrations = new Map<string, Registration>();
  /** pg-boss worker ids per name, to wake them when this process enqueues. */
  readonly #workers = new Map<string, string[]>();
  readonly #running = new Set<AbortController>();
  readonly #queues = new Map<string, Promise<void>>();
  #opened: Promise<void> | undefined;
  #phase: 'new' | 'started' | 'stopped' = 'new';
  #stopping: Promise<void> | undefined;

  constructor(store: Store, options: JobQueueOptions) {
    if (!store.postgres) throw new Error('the pg-boss job queue needs a PostgreSQL store');
    this.#store = store;
    this.#schema = pgBossSchema(store.postgres.schema);
    this.#options = resolveQueueOptions(options);
    this.#boss = new PgBoss({
      connectionString: store.postgres.url,
      schema: this.#schema,
      application_name: `opendms-jobs-${this.#options.workerId}`.slice(0, 63),
      max: 4,
      schedule: false, // no cron jobs (yet); saves pg-boss's timekeeper queue and its polling
      supervise: true, // maintenance: expires attempts past their lease, archives old jobs
      maintenanceIntervalSeconds: Math.max(1, Math.ceil(this.#options.leaseCheckIntervalMs / 1000)),
    });
    this.#boss.on('error', (error) => this.#options.onError(error));
  }

  register<N extends keyof Payloads & string>(name: N, handler: JobHandler<Payloads[N]>, options: RegisterOptions = {}): void {
    if (this.#phase !== 'new') throw new Error(`register("${name}") must come before start()`);
    if (this.#registrations.has(name)) throw new Error(`job "${name}" already has a handler`);
    this.#registrations.set(name, { ...resolveRegisterOptions(name, options), handler: handler as JobHandler<unknown> });
    this.#queues.delete(name); // an earlier enqueue created the queue without this handler's lease
  }

  async enqueue<N extends keyof Payloads & string>(name: N, payload: Payloads[N], options: EnqueueOptions = {}): Promise<string | null> {
    const o = resolveEnqueueOptions(name, payload, options);
    await this.#ensureQueue(name);
    const send = (db: Kysely<Database>): Promise<string | null> =>
      o.key !== undefined && !db.isTransaction ? db.transaction().execute((trx) => this.#send(trx, name, payload, o)) : this.#send(db, name, payload, o);
    const id = await send(options.trx ?? this.#store.db);
    // A job in an uncommitted transaction is invisible to workers; they find it at their next poll.
    if (id !== null && !options.trx) for (const worker of this.#workers.get(name) ?? []) this.#boss.notifyWorker(worker);
    return id;
  }

  async start(): Promise<void> {
    if (this.#phase === 'started') return;
    if (this.#phase !== 'new') throw new Error('a stopped job queue cannot be started again; create a new one');
    this.#phase = 'started';
    await this.#open();
    const pollingIntervalSeconds = Math.max(0.5, this.#options.pollIntervalMs / 1000);
    for (const [name, registration] of this.#registrations) {
      await this.#ensureQueue(name);
      const ids: string[] = [];
      // pg-boss 10 has no team size: concurrency is one polling worker per slot.
      for (let i = 0; i < registration.concurrency; i++) {
        ids.push(
          await this.#boss.work<unknown>(name, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds }, ([job]) =>
            job ? this.#run(registration, job) : Promise.resolve(),
          ),
        );
      }
      this.#workers.set(name, ids);
    }
  }

  stop(timeoutMs: number = JOB_DEFAULTS.stopTimeoutMs): Promise<void> {
    this.#stopping ??= this.#shutdown(timeoutMs);
    return this.#stopping;
  }

  /** Reads pg-boss's table directly (without starting pg-boss: `opendms doctor` asks too). */
  async stats(): Promise<QueueStats[]> {
    const { rows } = await sql<{ name: string; queued: string; active: string; oldest_due: number | null }>`
      select name,
        count(*) filter (where state in ('created', 'retry')) as queued,
        count(*) filter (where state = 'active') as active,
        extract(epoch from now() - min(start_after) filter (where state in ('created', 'retry') and start_after <= now()))::float8 as oldest_due
      from ${sql.id(this.#schema, 'job')}
      where state in ('created', 'retry', 'active')
      group by name
      order by name`.execute(this.#store.db);
    return rows.map((r) => ({ name: r.name, queued: Number(r.queued), active: Number(r.active), oldestDueSeconds: Math.max(0, Number(r.oldest_due ?? 0)) }));
  }

  async get(id: string): Promise<JobInfo | null> {
    if (!UUID.test(id)) return null;
    await this.#open();
    const columns = sql`id, name, state, retry_count, started_on, output`;
    const { rows } = await sql<PgBossJobRow>`
      select ${columns} from ${sql.id(this.#schema, 'job')} where id = ${id}
      union all
      select ${columns} from ${sql.id(this.#schema, 'archive')} where id = ${id}
      limit 1`.execute(this.#store.db);
    const row = rows[0];
    if (!row) return null;
    const failed: JobState[] = ['retry', 'active', 'failed', 'cancelled'];
    return {
      id: row.id,
      name: row.name,
      state: row.state,
      // retry_count counts restarts: 0 during the first attempt.
      attempts: row.started_on === null ? 0 : row.retry_count + 1,
      lastError: failed.includes(row.state) && row.output ? outputMessage(row.output) : null,
    };
  }

  /** Opens pg-boss once: creates or migrates its schema and starts its maintenance. */
  #open(): Promise<void> {
    this.#opened ??= this.#boss.start().then(() => undefined);
    return this.#opened;
  }

  /** pg-boss only accepts jobs for existing queues: create each once (idempotent across processes). */
  #ensureQueue(name: string): Promise<void> {
    let ready = this.#queues.get(name);
    if (!ready) {
      ready = this.#configureQueue(name);
      ready.catch(() => this.#queues.delete(name)); // try again on the next call
      this.#queues.set(name, ready);
    }
    return ready;
  }

  async #configureQueue(name: string): Promise<void> {
    await this.#open();
    const registration = this.#registrations.get(name);
    if (!registration) return retryConcurrentDdl(() => this.#boss.createQueue(name));
    // The handler's process owns the lease; pg-boss copies it onto each job at insert.
    const queue = { name, policy: 'standard' as const, expireInSeconds: Math.max(1, Math.ceil(registration.leaseSeconds)) };
    await retryConcurrentDdl(async () => {
      await this.#boss.createQueue(name, queue);
      await this.#boss.updateQueue(name, queue);
    });
  }

  async #send(db: Kysely<Database>, name: string, payload: object, o: ResolvedEnqueueOptions): Promise<string | null> {
    if (o.key !== undefined) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`${this.#schema}:${name}:${o.key}`}, 0))`.execute(db);
      const live = await sql<{ id: string }>`
        select id from ${sql.id(this.#schema, 'job')}
        where name = ${name} and singleton_key = ${o.key} and state < 'completed' limit 1`.execute(db);
      if (live.rows.length > 0) return null;
    }
    const id = await this.#boss.send(name, payload, {
      db: executeSqlOver(db),
      ...(o.key !== undefined && { singletonKey: o.key }),
      ...(o.runAt && { startAfter: o.runAt }),
      retryLimit: o.maxAttempts - 1,
      retryDelay: Math.max(1, Math.ceil(o.backoffSeconds)),
      retryBackoff: true,
    });
    // With policy `standard` and no singletonSeconds, pg-boss drops a job only when its queue is missing.
    if (id === null) throw new Error(`pg-boss did not accept job "${name}": its queue does not exist in schema ${this.#schema}`);
    return id;
  }

  async #run(registration: Registration, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const controller = new AbortController();
    this.#running.add(controller);
    // pg-boss fails the attempt at expiry and another worker may retry it: tell the handler to stop.
    const expiry = setTimeout(() => controller.abort(new Error('lease expired: the attempt ran longer than leaseSeconds')), Number(job.expireInSeconds) * 1000);
    // pg-boss records the outcome (complete / fail) right after this returns, without handling its
    // own failure: a store that is down then ends the process (an unhandled rejection in pg-boss 10),
    // and the attempt would stay active until its lease runs out (an export's: hours). So the
    // outcome waits for the store to answer (within the lease): after a failure caused by the store
    // going away, and, with one `select 1`, after a success.
    try {
      await registration.handler(job.data, { id: job.id, attempt: job.retryCount + 1, signal: controller.signal });
    } catch (e) {
      if (isStoreUnavailable(e)) await this.#storeBack(controller.signal);
      throw e;
    } finally {
      clearTimeout(expiry);
      this.#running.delete(controller);
    }
    await this.#storeBack(controller.signal);
  }

  async #storeBack(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#phase === 'started' && !(await this.#store.ping())) {
      await new Promise((r) => setTimeout(r, STORE_RETRY_MS));
    }
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#phase = 'stopped';
    for (const controller of this.#running) controller.abort(new Error('job queue stopping'));
    if (!this.#opened) return;
    try {
      await this.#opened;
    } catch {
      return; // pg-boss never started: nothing to stop
    }
    // Waits for running handlers up to the timeout, then fails the rest (they are retried) and closes its pool.
    await this.#boss.stop({ graceful: true, wait: true, close: true, timeout: timeoutMs });
  }
}

/** pg-boss's schema for a store schema (pg-boss limits names to 50 characters). */
export function pgBossSchema(storeSchema: string): string {
  const schema = `${storeSchema}_jobs`;
  if (schema.length > 50) throw new Error(`PostgreSQL schema "${storeSchema}" is too long for the job queue's schema "${schema}" (max 50)`);
  return schema;
}

/** pg-boss's one database seam, over a Kysely connection or transaction (pg-boss's own kysely adapter idea). */
function executeSqlOver(db: Kysely<Database>): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: [...result.rows] };
    },
  };
}

/** pg-boss stores a failed attempt's error (serialized) in `output`; expiry and shutdown use `{ value }`. */
function outputMessage(output: unknown): string {
  if (typeof output === 'object' && output !== null) {
    const o = output as { message?: unknown; value?: unknown };
    if (typeof o.message === 'string') return o.message;
    if (o.value !== undefined) return outputMessage(o.value);
  }
  return errorMessage(output);
}

/** How often a job that failed because the store went away checks whether it is back. */
const STORE_RETRY_MS = 1_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Registration extends ResolvedRegisterOptions {
  handler: JobHandler<unknown>;
}

interface PgBossJobRow {
  id: string;
  name: string;
  state: JobState;
  retry_count: number;
  started_on: Date | null;
  output: unknown;
}

/**
 * pg-boss creates a queue with DDL (a partition of its job table). Processes starting together on
 * one store create the same queues at once and can deadlock (40P01) or collide (23505); the
 * statements are idempotent, so the loser simply tries again after a short random pause.
 */
async function retryConcurrentDdl(fn: () => Promise<void>, attempts = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (i >= attempts || (code !== '40P01' && code !== '23505' && code !== '42P07')) throw e;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * i));
    }
  }
}
