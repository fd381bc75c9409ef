/**
 * The first error of a streaming job that has several sources of failure (an archiver's 'error'
 * and 'warning', the output's 'error' or 'close', a writer that throws): `fail` records it once;
 * `failure` rejects with it, so a wait can race it (`Promise.race([step, latch.failure])`) and
 * stop at once instead of hanging on a stream that will never drain.
 */
export interface FailureLatch {
  readonly failure: Promise<never>;
  readonly failed: boolean;
  fail(error: unknown): void;
}

export function failureLatch(): FailureLatch {
  let reject!: (error: unknown) => void;
  const failure = new Promise<never>((_, r) => (reject = r));
  failure.catch(() => undefined); // observed through `failed` and the races, never unhandled
  const latch = {
    failure,
    failed: false,
    fail(error: unknown): void {
      if (latch.failed) return;
      latch.failed = true;
      reject(error);
    },
  };
  return latch;
}
