import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Store } from '../storage/db.js';
import type { Database } from '../storage/database.js';
import type { JobRow } from './job.table.js';
import {
  errorMessage,
  JOB_DEFAULTS,
  resolveEnqueueOptions,
  resolveQueueOptions,
  resolveRegisterOptions,
  type ResolvedQueueOptions,
  type ResolvedRegisterOptions,
} from './job-options.js';
import type { EnqueueOptions, JobHandler, JobInfo, JobQueue, JobQueueOptions, PayloadRegistry, QueueStats, RegisterOptions } from './queue.js';
import {
  claimNextJob,
  completeJob,
  failJobAttempt,
  findJobById,
  insertJob,
  listExpiredLeases,
  queueCounts,
  renewLease,
  type Lease,
} from './sqlite-job.repository.js';

/**
 * The job runner of the embedded SQLite store: one process polls the store's `job` table.
 *
 * - claim: one `UPDATE … WHERE id = (SELECT next due job)` statement, atomic under SQLite's single
 *   writer, also against a second process on the same file;
 * - lease: the claim sets `locked_until`; a heartbeat renews it every third of the lease while the
 *   handler runs; if the renewal finds the job taken, the handler's signal is aborted;
 * - crash recovery: every `leaseCheckIntervalMs` (and at start) active jobs whose lease ran out
 *   count as a failed attempt ("lease expired") and go back to `retry` (or `failed`);
 * - retry: a failed attempt waits `backoff · 2^(attempt-1)`; after `max_attempts`, `failed`;
 * - wake-up: `enqueue` in this process, and every finished attempt, wake the poller at once.
 */
export class SqliteJobQueue<Payloads extends PayloadRegistry<Payloads>> implements JobQueue<Payloads> {
  readonly capabilities = { leaseHeartbeat: true } as const;
  readonly #db: Kysely<Database>;
  readonly #options: ResolvedQueueOptions;
  readonly #registrations = new Map<string, Registration>();
  readonly #running = new Map<string, Run>();
  readonly #wakeup = new Wakeup();
  #phase: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  #loop: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  #nextLeaseCheck = 0;

  constructor(store: Store, options: JobQueueOptions) {
    this.#db = store.db;
    this.#options = resolveQueueOptions(options);
  }

  register<N extends keyof Payloads & string>(name: N, handler: JobHandler<Payloads[N]>, options: RegisterOptions = {}): void {
    if (this.#phase !== 'new') throw new Error(`register("${name}") must come before start()`);
    if (this.#registrations.has(name)) throw new Error(`job "${name}" already has a handler`);
    this.#registrations.set(name, { ...resolveRegisterOptions(name, options), handler: handler as JobHandler<unknown>, active: 0 });
  }

  async enqueue<N extends keyof Payloads & string>(name: N, payload: Payloads[N], options: EnqueueOptions = {}): Promise<string | null> {
    const o = resolveEnqueueOptions(name, payload, options);
    const now = Date.now();
    const row: JobRow = {
      id: crypto.randomUUID(),
      name,
      payload: JSON.stringify(payload),
      state: 'created',
      key: o.key ?? null,
      attempts: 0,
      max_attempts: o.maxAttempts,
      backoff_seconds: o.backoffSeconds,
      run_at: o.runAt?.getTime() ?? now,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: now,
      completed_at: null,
    };
    // The key check is the partial unique index `job_key_unique`: insert-or-nothing, one statement.
    if (!(await insertJob(options.trx ?? this.#db, row))) return null;
    // Inside a caller's transaction the poller's claim waits for the (single) connection, so it
    // sees the job once the transaction commits, and nothing if it rolls back.
    this.#wakeup.notify();
    return row.id;
  }

  async start(): Promise<void> {
    if (this.#phase === 'started') return;
    if (this.#phase !== 'new') throw new Error('a stopped job queue cannot be started again; create a new one');
    this.#phase = 'started';
    this.#loop = this.#pollLoop();
  }

  stop(timeoutMs: number = JOB_DEFAULTS.stopTimeoutMs): Promise<void> {
    this.#stopping ??= this.#shutdown(timeoutMs);
    return this.#stopping;
  }

  async stats(): Promise<QueueStats[]> {
    const now = Date.now();
    return (await queueCounts(this.#db, now)).map((r) => ({
      name: r.name,
      queued: Number(r.queued ?? 0),
      active: Number(r.active ?? 0),
      oldestDueSeconds: r.oldest_due === null ? 0 : Math.max(0, (now - Number(r.oldest_due)) / 1000),
    }));
  }

  async get(id: string): Promise<JobInfo | null> {
    const row = await findJobById(this.#db, id);
    return row ? { id: row.id, name: row.name, state: row.state, attempts: row.attempts, lastError: row.last_error } : null;
  }

  async #pollLoop(): Promise<void> {
    while (this.#phase === 'started') {
      try {
        await this.#tick();
      } catch (error) {
        this.#options.onError(error);
      }
      if (this.#phase !== 'started') break;
      await this.#wakeup.wait(this.#options.pollIntervalMs);
    }
  }

  /** One round: recover expired leases when due, then fill every name's free slots. */
  async #tick(): Promise<void> {
    const now = Date.now();
    if (now >= this.#nextLeaseCheck) {
      this.#nextLeaseCheck = now + this.#options.leaseCheckIntervalMs;
      await this.#recoverExpiredLeases(now);
    }
    for (const [name, registration] of this.#registrations) {
      while (registration.active < registration.concurrency && this.#phase === 'started') {
        const claimedAt = Date.now();
        const leaseUntil = claimedAt + registration.leaseSeconds * 1000;
        const row = await claimNextJob(this.#db, name, this.#options.workerId, claimedAt, leaseUntil);
        if (!row) break;
        this.#execute(registration, row);
      }
    }
  }

  async #recoverExpiredLeases(now: number): Promise<void> {
    for (const row of await listExpiredLeases(this.#db, now)) {
      const message = `lease expired: worker ${row.locked_by ?? '?'} stopped renewing it (crashed or stalled)`;
      await failJobAttempt(this.#db, row, message, now, now);
    }
  }

  /** Runs one attempt in the background; its outcome is written with the lease as guard. */
  #execute(registration: Registration, row: JobRow): void {
    registration.active++;
    const lease: Lease = { id: row.id, workerId: this.#options.workerId, attempt: row.attempts };
    const controller = new AbortController();
    const leaseMs = registration.leaseSeconds * 1000;
    const heartbeat = setInterval(() => void this.#renew(lease, leaseMs, controller), Math.max(leaseMs / 3, 10));
    const run: Run = { row, controller, heartbeat, abandoned: false, done: Promise.resolve() };
    run.done = (async () => {
      let failure: { error: unknown } | undefined;
      try {
        const payload: unknown = JSON.parse(row.payload);
        await registration.handler(payload, { id: row.id, attempt: row.attempts, signal: controller.signal });
      } catch (error) {
        failure = { error };
      }
      clearInterval(heartbeat);
      try {
        if (run.abandoned) return; // stop() already recorded this attempt as failed
        if (failure) await failJobAttempt(this.#db, row, errorMessage(failure.error), Date.now());
        else await completeJob(this.#db, lease, Date.now());
      } catch (error) {
        this.#options.onError(error); // the lease runs out and the job is recovered
      } finally {
        registration.active--;
        this.#running.delete(row.id);
        this.#wakeup.notify();
      }
    })();
    this.#running.set(row.id, run);
  }

  async #renew(lease: Lease, leaseMs: number, controller: AbortController): Promise<void> {
    try {
      const held = await renewLease(this.#db, lease, Date.now() + leaseMs);
      if (!held && !controller.signal.aborted) controller.abort(new Error('lease lost: this worker no longer owns the job'));
    } catch (error) {
      this.#options.onError(error);
    }
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    if (this.#phase === 'new') {
      this.#phase = 'stopped';
      return;
    }
    this.#phase = 'stopping';
    this.#wakeup.notify();
    await this.#loop;
    const runs = [...this.#running.values()];
    for (const run of runs) run.controller.abort(new Error('job queue stopping'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(runs.map((r) => r.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    for (const run of this.#running.values()) {
      run.abandoned = true;
      clearInterval(run.heartbeat);
      try {
        await failJobAttempt(this.#db, run.row, 'the worker stopped before the attempt finished', Date.now());
      } catch (error) {
        this.#options.onError(error);
      }
    }
    this.#phase = 'stopped';
  }
}

interface Registration extends ResolvedRegisterOptions {
  handler: JobHandler<unknown>;
  /** Attempts of this name running now. */
  active: number;
}

interface Run {
  row: JobRow;
  controller: AbortController;
  heartbeat: NodeJS.Timeout;
  /** Set by stop() after its timeout: the attempt's outcome is no longer written. */
  abandoned: boolean;
  done: Promise<void>;
}

/** A sleep that `notify()` ends early; a notify while nobody sleeps skips the next sleep. */
class Wakeup {
  #pending = false;
  #wake: (() => void) | undefined;

  notify(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }

  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }
}
