import type { Deps } from '../../modules/context.js';
import type { RpcResponse } from './dispatch.js';
import type { AnyAction } from './registry.js';

/** Counts an RPC call; an Action name the registry does not know counts as `unknown` (labels stay bounded). */
export function recordRpc(deps: Deps, registry: ReadonlyMap<string, AnyAction>, res: RpcResponse, channel: 'api' | 'console', ms: number): void {
  const action = res.action !== undefined && registry.has(res.action) ? res.action : 'unknown';
  deps.metrics.rpcRequests.inc({ action, outcome: res.outcome, channel });
  deps.metrics.rpcSeconds.observe({ action }, ms / 1000);
}

