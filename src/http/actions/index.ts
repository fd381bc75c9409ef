import { buildRegistry, type AnyAction } from '../rpc/registry.js';
import { accessKeyActions } from './access-keys.actions.js';
import { attachmentActions } from './attachments.actions.js';
import { availableActionActions } from './available-actions.actions.js';
import { dataChangeActions } from './data-change.actions.js';
import { dataCronActions } from './data-cron.actions.js';
import { dataImportActions } from './data-import.actions.js';
import { dataExportActions } from './data-export.actions.js';
import { databaseActions } from './databases.actions.js';
import { instanceActions } from './instances.actions.js';
import { logicDatabaseActions } from './logic-databases.actions.js';
import { orderActions } from './orders.actions.js';
import { approvalActions } from './approvals.actions.js';
import { ownerActions } from './owners.actions.js';
import { reviewRuleActions } from './review-rules.actions.js';
import { schemaDesignActions } from './schema-design.actions.js';
import { tenantActions } from './tenants.actions.js';
import { userActions } from './users.actions.js';
import { userPasswordActions } from './user-passwords.actions.js';
import { webhookActions } from './webhooks.actions.js';

/** Every Action the RPC endpoint serves. */
export const ALL_ACTIONS: readonly AnyAction[] = [
  ...tenantActions,
  ...userActions,
  ...userPasswordActions,
  ...accessKeyActions,
  ...instanceActions,
  ...databaseActions,
  ...logicDatabaseActions,
  ...ownerActions,
  ...orderActions,
  ...availableActionActions,
  ...attachmentActions,
  ...approvalActions,
  ...dataExportActions,
  ...dataChangeActions,
  ...dataCronActions,
  ...dataImportActions,
  ...schemaDesignActions,
  ...reviewRuleActions,
  ...webhookActions,
];

export const createRegistry = (): ReadonlyMap<string, AnyAction> => buildRegistry(ALL_ACTIONS);
