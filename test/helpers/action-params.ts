/**
 * Parameters for calling any registered Action against the objects of a World (tenant-world.ts):
 * every required parameter, and every optional one naming an object, gets a value of the right
 * type — an id that exists in that world where the name says it is one. Used by the sweeps of the
 * security tests, so an Action added later is called with sensible parameters without a new entry.
 */
import type { AnyAction } from '../../src/http/rpc/registry.js';
import type { ParamSpec } from '../../src/http/rpc/schema.js';
import type { World } from './tenant-world.js';

export interface FilledParams {
  params: Record<string, string>;
  /** Names of the parameters that name an object of the world (ids, keys, uids, addresses). */
  objectParams: string[];
}

/** A value of the right type for a parameter, naming no object (what a required parameter gets by default). */
export function plausible(spec: ParamSpec): string {
  if (spec.enumValues) return spec.enumValues[0]!;
  switch (spec.type) {
    case 'long':
    case 'integer':
    case 'double':
      return String(Math.max(1, spec.min ?? 1));
    case 'boolean':
      return 'false';
    case 'list':
      return '1';
    case 'json':
      return '{}';
    default:
      return 'x';
  }
}

/** Which of the world's tickets an Action's OrderId names. */
function orderFor(action: AnyAction, w: World): number {
  const n = action.name;
  if (action.group === 'Data export') return w.orders.export;
  if (action.group === 'Data import') return w.orders.import;
  if (action.group === 'Schema design') return w.orders.design;
  if (/CronClear/.test(n)) return w.orders.cron;
  if (action.group === 'Data change') return w.orders.change;
  return w.orders.export;
}

/** The value for a parameter that names an object of `w`, or undefined. */
function objectValue(action: AnyAction, name: string, w: World): string | undefined {
  const n = action.name;
  const u = w.members.USER;
  switch (name) {
    case 'OrderId':
      return String(orderFor(action, w));
    case 'JobId':
      return String(action.group === 'Data export' ? w.exportJobId : w.changeJobId);
    case 'DBTaskGroupId':
      return String(w.changeTaskGroupId);
    case 'WorkflowInstanceId':
      return String(w.exportWorkflowId);
    case 'InstanceId':
      return String(w.instanceId);
    case 'Host':
      return w.file;
    case 'SchemaName':
      return 'main';
    case 'DbId':
      return String(n === 'GetLogicDatabase' ? w.logicDbId : w.dbId);
    case 'DatabaseId':
      return String(w.dbId);
    case 'DatabaseIds':
      return JSON.stringify([w.dbId]);
    case 'TableId':
      return String(w.tableId);
    case 'LogicDbId':
      return String(w.logicDbId);
    case 'ResourceId':
      return String(w.instanceId);
    case 'UserId':
      return String(u.userId);
    case 'Uid':
      // RegisterUser adds a person to the caller's tenant, existing or new: a new one here
      // (joining an existing user of another tenant is tested on its own in security-matrix).
      return n === 'RegisterUser' ? undefined : u.uid;
    case 'DbaId':
      return String(w.members.DBA.userId);
    case 'DbaUid':
      return w.members.DBA.uid;
    case 'OwnerIds':
    case 'AuditUserIdList':
    case 'RelatedUserList':
      return JSON.stringify([u.userId]);
    case 'NewApprover':
    case 'OldApprover':
      return String(u.userId);
    case 'UserAccessKeyId':
      return u.accessKeyId;
    case 'TemplateId':
      return String(w.templateId);
    case 'NodeId':
      return String(w.nodeId);
    case 'NodeIdList':
      return JSON.stringify([w.nodeId]);
    case 'WebhookId':
      return String(w.webhookId);
    case 'JobKey':
      return w.uploadJobKey;
    case 'AttachmentKey':
      return w.attachmentKey;
    case 'ChangeId':
      return String(w.designChangeId);
    default:
      return undefined;
  }
}

/** JSON parameters (PluginParam, Param, Rules …) that name the world's databases and objects. */
function jsonValue(action: AnyAction, name: string, w: World): string | undefined {
  const items = [{ DbId: w.dbId, Logic: false }];
  const sql = 'update items set name = name where id = 3';
  switch (`${action.name}.${name}`) {
    case 'CreateOrder.PluginParam':
      return JSON.stringify({ dbId: w.dbId, exeSQL: 'select * from items', logic: false, classify: 'x', ignoreAffectRows: false });
    case 'CreateDataExportOrder.PluginParam':
      return JSON.stringify({ DbId: w.dbId, ExeSQL: 'select * from items', Logic: false, Classify: 'x', IgnoreAffectRows: false });
    case 'CreateDataCorrectOrder.Param':
      return JSON.stringify({ DbItemList: items, SqlType: 'TEXT', ExecSQL: sql });
    case 'CreateFreeLockCorrectOrder.Param':
      return JSON.stringify({ DbItemList: items, SqlType: 'TEXT', ExecSQL: sql, BatchRows: 100 });
    case 'CreateDataCronClearOrder.Param':
      return JSON.stringify({ DbItemList: items, CronFormat: '0 0 3 * * ?', CronClearItemList: [{ TableName: 'items', ColumnName: 'created_at', RemainDays: 30 }] });
    case 'CreateDataImportOrder.Param':
      return JSON.stringify({ DbItemList: items, AttachmentName: w.attachmentKey, FileType: 'SQL' });
    case 'SetApprovalRoutingRules.Rules':
      return JSON.stringify([{ Name: 'matrix', PluginTypes: ['NDDL'], Decision: 'APPROVAL', TemplateId: w.templateId }]);
    default:
      return undefined;
  }
}

/** Parameters objects are read from (DbId inside a JSON parameter counts as naming an object). */
const JSON_NAMING_OBJECTS = new Set(['PluginParam', 'Param', 'Rules']);

export function paramsFor(action: AnyAction, w: World): FilledParams {
  const params: Record<string, string> = {};
  const objectParams: string[] = [];
  for (const [name, spec] of Object.entries(action.params as Record<string, ParamSpec>)) {
    if (name === 'Tid' || name === 'RealLoginUserUid') continue;
    const json = spec.type === 'json' ? jsonValue(action, name, w) : undefined;
    const object = objectValue(action, name, w);
    if (json !== undefined) {
      params[name] = json;
      if (JSON_NAMING_OBJECTS.has(name)) objectParams.push(name);
    } else if (object !== undefined) {
      params[name] = object;
      objectParams.push(name);
    } else if (action.name === 'RegisterUser' && name === 'Uid') {
      params[name] = `newcomer-${w.tid}`;
    } else if (spec.required) {
      params[name] = name === 'Port' ? '0' : plausible(spec);
    }
  }
  if ('Port' in (action.params as object) && params.Host !== undefined) params.Port = '0';
  return { params, objectParams };
}
