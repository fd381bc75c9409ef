import { buildRegistry, type AnyAction } from '../rpc/registry.js';
import { accessKeyActions } from './access-keys.actions.js';
import { tenantActions } from './tenants.actions.js';
import { userActions } from './users.actions.js';

/** Every Action the RPC endpoint serves. */
export const ALL_ACTIONS: readonly AnyAction[] = [...tenantActions, ...userActions, ...accessKeyActions];

export const createRegistry = (): ReadonlyMap<string, AnyAction> => buildRegistry(ALL_ACTIONS);
