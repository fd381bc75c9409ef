import crypto from 'node:crypto';
import type { EnqueueOptions, JobQueueOptions, RegisterOptions } from './queue.js';

/** Defaults shared by both implementations, with the reason for each. */
export const JOB_DEFAULTS = Object.freeze({
  /** Enough to ride out a restart or a short outage of a target database, not to hide a bug. */
  maxAttempts: 3,
  /** 5 s, 10 s, 20 s…: quick enough for a human waiting on a ticket, slow enough not to hammer. */
  backoffSeconds: 5,
  /** Above the run time of ordinary tasks (it is the run-time limit on pg-boss, see capabilities). */
  leaseSeconds: 300,
  concurrency: 1,
  /** A job enqueued in this process wakes the worker at once; polling covers other processes. */
  pollIntervalMs: 500,
  /** Crash recovery is rare work: a crashed worker's job waits at most lease + this. */
  leaseCheckIntervalMs: 30_000,
  /** Below the usual 30 s between SIGTERM and SIGKILL of container runtimes. */
  stopTimeoutMs: 10_000,
  /** 2^16 · backoff: past this the delay stops growing (as pg-boss does). */
  maxBackoffExponent: 16,
});

export interface ResolvedEnqueueOptions {
  key: string | undefined;
  runAt: Date | undefined;
  maxAttempts: number;
  backoffSeconds: number;
}

export function resolveEnqueueOptions(name: string, payload: unknown, options: EnqueueOptions): ResolvedEnqueueOptions {
  assertJobName(name);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError(`job "${name}": the payload must be a plain JSON object`);
  }
  const maxAttempts = options.maxAttempts ?? JOB_DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`job "${name}": maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  }
  const backoffSeconds = options.backoffSeconds ?? JOB_DEFAULTS.backoffSeconds;
  if (!Number.isFinite(backoffSeconds) || backoffSeconds < 0) {
    throw new RangeError(`job "${name}": backoffSeconds must be ≥ 0, got ${backoffSeconds}`);
  }
  if (options.runAt !== undefined && Number.isNaN(options.runAt.getTime())) {
    throw new RangeError(`job "${name}": runAt is an invalid Date`);
  }
  if (options.key !== undefined && options.key === '') throw new RangeError(`job "${name}": key must not be empty`);
  return { key: options.key, runAt: options.runAt, maxAttempts, backoffSeconds };
}

export interface ResolvedRegisterOptions {
  concurrency: number;
  leaseSeconds: number;
}

export function resolveRegisterOptions(name: string, options: RegisterOptions): ResolvedRegisterOptions {
  assertJobName(name);
  const concurrency = options.concurrency ?? JOB_DEFAULTS.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`job "${name}": concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  const leaseSeconds = options.leaseSeconds ?? JOB_DEFAULTS.leaseSeconds;
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) {
    throw new RangeError(`job "${name}": leaseSeconds must be > 0, got ${leaseSeconds}`);
  }
  return { concurrency, leaseSeconds };
}

export interface ResolvedQueueOptions {
  workerId: string;
  pollIntervalMs: number;
  leaseCheckIntervalMs: number;
  onError: (error: unknown) => void;
}

export function resolveQueueOptions(options: JobQueueOptions): ResolvedQueueOptions {
  return {
    workerId: options.workerId ?? crypto.randomUUID(),
    pollIntervalMs: options.pollIntervalMs ?? JOB_DEFAULTS.pollIntervalMs,
    leaseCheckIntervalMs: options.leaseCheckIntervalMs ?? JOB_DEFAULTS.leaseCheckIntervalMs,
    onError: options.onError ?? ((error) => console.error('[jobs]', error)),
  };
}

/** Delay before the attempt after failed attempt `attempt` (1-based): backoff · 2^(attempt-1). */
export function retryDelayMs(backoffSeconds: number, attempt: number): number {
  return backoffSeconds * 1000 * 2 ** Math.min(Math.max(attempt - 1, 0), JOB_DEFAULTS.maxBackoffExponent);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}

/** A conservative rule, valid as a pg-boss queue name and readable in logs and URLs. */
function assertJobName(name: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new RangeError(`job name "${name}" may only contain letters, digits, '_', '-' and '.'`);
  }
}
