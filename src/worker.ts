import type { Config } from './config.js';
import type { Deps } from './modules/context.js';
import { openRuntime } from './runtime.js';
import { startBackgroundWork } from './server.js';

export interface RunningWorker {
  deps: Deps;
  close(): Promise<void>;
}

/**
 * `opendms worker`: the background jobs of the cluster (prechecks, exports, data changes,
 * publishes, uploads, purges, webhooks, schedules) without HTTP, for deployments that run
 * `serve --no-jobs` behind the load balancer and workers apart. Migrates the store like `serve`
 * (one process migrates, the others wait) and refuses a store newer than itself.
 */
export async function startWorker(config: Config): Promise<RunningWorker> {
  const { deps, store } = await openRuntime(config);
  try {
    const stopSchedules = await startBackgroundWork(deps);
    return {
      deps,
      close: async () => {
        stopSchedules();
        await deps.jobs.stop();
        await store.close();
      },
    };
  } catch (e) {
    await deps.jobs.stop().catch(() => undefined);
    await store.close();
    throw e;
  }
}
