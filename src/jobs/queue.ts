import type { Kysely } from 'kysely';
import type { Store } from '../storage/db.js';
import type { Database } from '../storage/database.js';
import type { JobPayloads } from './job-types.js';
import { PgBossJobQueue } from './pgboss-runner.js';
import { SqliteJobQueue } from './sqlite-runner.js';

/**
 * Background jobs: one small interface, two implementations chosen by the metadata store
 * (docs/adr/0002-job-runner.md). On PostgreSQL, pg-boss, so several server processes share the
 * work; on SQLite, our own single-process runner over the store's `job` table. Both pass
 * `queue.contract.test.ts`.
 *
 * Terminology:
 * - job: one unit of background work, a name plus a JSON payload (typed by `JobPayloads`);
 * - handler: the function that does the work for one job name (written in `src/tasks/`);
 * - attempt: one run of a handler for a job; a job has at most `maxAttempts` of them;
 * - lease: how long a running attempt may go without proof that its worker is alive; when it
 *   runs out, the attempt counts as failed and the job is retried (crash recovery);
 * - key: an idempotency key; at most one queued or active job per name + key.
 *
 * Guarantees (both implementations): a job runs until one attempt completes, or `maxAttempts`
 * attempts failed (state `failed`, with `lastError`). It is at-least-once, not exactly-once: a
 * worker that dies after the work but before recording it leaves the job to be run again once the
 * lease runs out. Handlers must therefore be idempotent, or resume from progress they recorded
 * themselves (e.g. a ticket's execution state), in the store, within their own transactions.
 */

/** `created`: waiting for its first attempt; `retry`: an attempt failed, waiting for the next;
 *  `active`: running; `completed` / `failed`: final; `cancelled`: stopped by an operator (pg-boss). */
export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'failed' | 'cancelled';

export interface EnqueueOptions {
  /**
   * Idempotency key. While a job with the same name and key is queued (`created`/`retry`) or
   * `active`, `enqueue` adds nothing and returns `null`. Once that job is final (completed, failed,
   * cancelled) the key is free again. Use it for "make sure this gets done" jobs (e.g. key = ticket
   * id); "at most once ever" belongs in the domain's own state, not in a job key.
   */
  key?: string;
  /** Earliest start. Default: now. */
  runAt?: Date;
  /** Attempts before the job ends `failed`. Integer ≥ 1, default 3. */
  maxAttempts?: number;
  /**
   * Base of the exponential backoff: after failed attempt n the job waits at least
   * `backoffSeconds · 2^(n-1)`. Default 5. pg-boss rounds it up to whole seconds (minimum 1) and
   * adds up to 100 % random jitter.
   */
  backoffSeconds?: number;
  /**
   * Enqueue inside the caller's transaction: the job exists only if that transaction commits
   * (principle 8: a ticket change and its follow-up job commit together).
   */
  trx?: Kysely<Database>;
}

export interface JobContext {
  readonly id: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * Aborted when the queue stops, or when this worker no longer owns the job (its lease ran out and
   * the job may already run elsewhere). Long handlers should check it between steps.
   */
  readonly signal: AbortSignal;
}

/** Does the work for one job; resolving completes the attempt, throwing fails it. */
export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export interface RegisterOptions {
  /** Handlers of this name running at the same time in this process. Default 1. */
  concurrency?: number;
  /**
   * Lease of one attempt, in seconds (default 300). SQLite renews it while the handler runs, so it
   * only bounds how long a crashed worker's job waits before it is retried. pg-boss 10 has no
   * heartbeat: there it is also the maximum run time of an attempt (see `capabilities`); set it
   * above the longest run you expect. pg-boss rounds it up to whole seconds.
   */
  leaseSeconds?: number;
}

export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  /** Message of the latest failed attempt; null when none failed or once the job completed. */
  lastError: string | null;
}

/** Where the implementations differ, named once (principle 9). */
export interface JobQueueCapabilities {
  /**
   * true: the lease is renewed while the handler runs, so an attempt may take longer than
   * `leaseSeconds` (SQLite runner). false: `leaseSeconds` is also the run-time limit of an attempt;
   * past it the attempt fails, its signal is aborted and the job is retried (pg-boss 10).
   */
  readonly leaseHeartbeat: boolean;
}

/** A payload registry maps each job name to its payload type; payloads are JSON objects. */
export type PayloadRegistry<P> = { [N in keyof P]: object };

export interface JobQueue<Payloads extends PayloadRegistry<Payloads> = JobPayloads> {
  readonly capabilities: JobQueueCapabilities;
  /** Declares the handler for a job name. Call before `start()`; once per name. */
  register<N extends keyof Payloads & string>(name: N, handler: JobHandler<Payloads[N]>, options?: RegisterOptions): void;
  /**
   * Adds a job and returns its id, or `null` when `options.key` matched a queued or active job.
   * Works before `start()` and in processes that register no handler: another process (or a later
   * `start()`) runs it.
   */
  enqueue<N extends keyof Payloads & string>(name: N, payload: Payloads[N], options?: EnqueueOptions): Promise<string | null>;
  /** Starts working the registered names. A queue starts once; after `stop()` make a new one. */
  start(): Promise<void>;
  /**
   * Graceful shutdown: stop taking jobs, abort the running handlers' signals, wait up to
   * `timeoutMs` (default 10 000) for them to finish. Attempts still running after that are
   * abandoned and count as failed (retried after backoff, or `failed` if it was the last attempt).
   */
  stop(timeoutMs?: number): Promise<void>;
  /** State of one job, for tests and operators; null when unknown (or purged). */
  get(id: string): Promise<JobInfo | null>;
  /** Per job name with waiting or running jobs: how many, and how long the oldest due one has waited (metrics). */
  stats(): Promise<QueueStats[]>;
}

export interface QueueStats {
  name: string;
  /** Waiting (created or retry), due or not. */
  queued: number;
  active: number;
  /** Seconds the oldest due waiting job has waited since it became due; 0 when none is due. */
  oldestDueSeconds: number;
}

export interface JobQueueOptions {
  /** Names this process in `locked_by`/logs. Default: a random UUID per queue. */
  workerId?: string;
  /** How often idle workers look for due jobs. Default 500; pg-boss's minimum is 500. */
  pollIntervalMs?: number;
  /**
   * How often jobs whose lease ran out are looked for and returned to the queue. Default 30 000;
   * pg-boss rounds it up to whole seconds (its maintenance interval; one process does it per interval).
   */
  leaseCheckIntervalMs?: number;
  /** Errors of the background machinery (not of handlers: those are recorded on the job). */
  onError?: (error: unknown) => void;
}

/** The queue for this store: pg-boss on PostgreSQL, the built-in runner on SQLite. */
export function createJobQueue<P extends PayloadRegistry<P> = JobPayloads>(store: Store, options: JobQueueOptions = {}): JobQueue<P> {
  return store.dialect === 'postgres' ? new PgBossJobQueue<P>(store, options) : new SqliteJobQueue<P>(store, options);
}
