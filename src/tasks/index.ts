import type { Deps } from '../modules/context.js';
import { purgeSignatureNoncesTask } from './purge-signature-nonces.task.js';

/** Registers every job handler with the queue (the name → handler map of the running process). */
export function registerTasks(deps: Deps): void {
  deps.jobs.register('purge-signature-nonces', purgeSignatureNoncesTask(deps), { concurrency: 1, leaseSeconds: 60 });
}

/** Every 10 minutes, from every process; the key leaves at most one purge queued in the cluster. */
export function scheduleNoncePurge(deps: Deps): () => void {
  const enqueue = (): void => {
    deps.jobs.enqueue('purge-signature-nonces', {}, { key: 'purge-signature-nonces', maxAttempts: 1 }).catch(() => undefined);
  };
  enqueue();
  const timer = setInterval(enqueue, 10 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
