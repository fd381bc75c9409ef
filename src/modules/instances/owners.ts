import { AppError, noPermission, notFound } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { toPhysicalDatabases } from './databases.js';
import type { Engine } from '../../connectors/index.js';
import { parseEngine, type EnvType, type OwnerType, type Page } from './instance.model.js';
import * as repo from './instance.repository.js';
import * as logicRepo from './logic-db.repository.js';
import { getLogicDatabasesByIds } from './logic-databases.js';
import * as metaRepo from './meta.repository.js';
import * as ownerRepo from './owner.repository.js';
import { requireTenantMember } from './people.js';
import { canManageInstances, requireInstanceManager } from './permissions.js';

export { physicalTarget, resolveTargetDatabase, type ResolvedTarget, type TargetDatabase } from './targets.js';

/**
 * Owners of instances, databases, logical databases and tables. Together with the instance's DBA,
 * the owners of a database are the people its tickets are routed to.
 */

async function requireResource(deps: Deps, tenantId: number, type: OwnerType, id: number): Promise<void> {
  const found =
    type === 'INSTANCE'
      ? await repo.findInstanceById(deps.db, tenantId, id)
      : type === 'DATABASE'
        ? await repo.findDbById(deps.db, tenantId, id)
        : type === 'LOGIC_DATABASE'
          ? await logicRepo.findLogicDb(deps.db, tenantId, id)
          : await metaRepo.findTable(deps.db, tenantId, id);
  if (!found) throw notFound(type === 'LOGIC_DATABASE' ? 'LogicDatabase' : type === 'DATABASE' ? 'Database' : type === 'TABLE' ? 'Table' : 'Instance', id);
}

/** SetOwners (ADMIN or DBA): replaces the owners of one resource; each must be a member of the tenant. */
export async function setOwners(
  deps: Deps,
  actor: Actor,
  input: { type: OwnerType | 'LOGIC_TABLE'; resourceId: number; ownerUserIds: number[] },
): Promise<void> {
  requireInstanceManager(actor);
  if (input.type === 'LOGIC_TABLE') throw new AppError('NotSupported', 'OpenDMS has no logical tables; owners can be set on INSTANCE, DATABASE, LOGIC_DATABASE and TABLE.');
  const type = input.type;
  await requireResource(deps, actor.tenantId, type, input.resourceId);
  const userIds = [...new Set(input.ownerUserIds)];
  if (userIds.length === 0) throw new AppError('InvalidOwnerIds', 'Specified parameter OwnerIds is not valid: at least one owner is needed.');
  for (const userId of userIds) await requireTenantMember(deps, actor, { userId }, 'owner');
  await inTransaction(deps, async (tx) => {
    await ownerRepo.deleteOwners(tx.db, type, [input.resourceId]);
    await ownerRepo.insertOwners(tx.db, actor.tenantId, type, input.resourceId, userIds, tx.now());
  });
}

/** A resource someone owns, flattened as ListUserOwnedResources shows it. */
export interface OwnedResource {
  type: OwnerType;
  logic: boolean;
  instanceId: number | null;
  dbId: number | null;
  engine: Engine | null;
  envType: EnvType | null;
  host: string | null;
  port: number | null;
  alias: string | null;
  schemaName: string | null;
  tableId: number | null;
  tableName: string | null;
}

export interface OwnedFilter {
  /** Substring of the database (schema) name, case-insensitive. */
  databaseName?: string | undefined;
  dbType?: string | undefined;
  envType?: string | undefined;
}

async function ownedOfType(deps: Deps, tenantId: number, type: OwnerType, ids: number[]): Promise<OwnedResource[]> {
  const none = { instanceId: null, dbId: null, engine: null, envType: null, host: null, port: null, alias: null, schemaName: null, tableId: null, tableName: null };
  if (type === 'INSTANCE') {
    return (await repo.findInstancesByIds(deps.db, tenantId, ids)).map((i) => ({
      ...none, type, logic: false, instanceId: i.id, engine: parseEngine(i.db_type), envType: i.env_type as EnvType, host: i.host, port: i.port, alias: i.alias,
    }));
  }
  if (type === 'LOGIC_DATABASE') {
    return (await getLogicDatabasesByIds(deps, tenantId, ids)).map((l) => ({
      ...none, type, logic: true, dbId: l.logicDbId, engine: l.engine, envType: l.envType, alias: l.alias, schemaName: l.schemaName,
    }));
  }
  const tables = type === 'TABLE' ? await metaRepo.findTablesByIds(deps.db, tenantId, ids) : [];
  const dbIds = type === 'TABLE' ? [...new Set(tables.map((t) => t.db_id))] : ids;
  const dbs = new Map((await toPhysicalDatabases(deps, tenantId, await repo.findDbsByIds(deps.db, tenantId, dbIds))).map((d) => [d.dbId, d]));
  const fromDb = (dbId: number) => {
    const d = dbs.get(dbId)!;
    return { instanceId: d.instanceId, dbId: d.dbId, engine: d.engine, envType: d.envType, host: d.host, port: d.port, alias: d.instanceAlias, schemaName: d.schemaName };
  };
  if (type === 'DATABASE') return [...dbs.keys()].map((id) => ({ ...none, type, logic: false, ...fromDb(id) }));
  return tables.map((t) => ({ ...none, type, logic: false, ...fromDb(t.db_id), tableId: t.id, tableName: t.table_name }));
}

/**
 * ListUserOwnedResources: what `userId` owns, of one type (DATABASE with `logic` means
 * LOGIC_DATABASE). One's own resources: anyone; another user's: ADMIN or DBA.
 */
export async function listUserOwnedResources(
  deps: Deps,
  actor: Actor,
  input: { userId: number; type: OwnerType; logic?: boolean | undefined } & OwnedFilter,
  page: Page,
): Promise<{ resources: OwnedResource[]; total: number }> {
  if (input.userId !== actor.userId && !canManageInstances(actor)) {
    throw noPermission(`Only ADMIN or DBA may list the resources of another user (user ${actor.userId} asked for ${input.userId}).`);
  }
  // Someone outside the tenant owns nothing here: say so rather than answer an empty list.
  if (input.userId !== actor.userId) await requireTenantMember(deps, actor, { userId: input.userId }, 'user');
  const type: OwnerType = input.type === 'DATABASE' && input.logic ? 'LOGIC_DATABASE' : input.type;
  const ids = await ownerRepo.listOwnedResourceIds(deps.db, actor.tenantId, input.userId, type);
  const dbType = input.dbType?.trim().toLowerCase();
  const name = input.databaseName?.toLowerCase();
  const matching = (await ownedOfType(deps, actor.tenantId, type, ids)).filter(
    (r) =>
      (!dbType || r.engine === dbType) &&
      (!input.envType || r.envType === input.envType) &&
      (!name || (r.schemaName ?? '').toLowerCase().includes(name)),
  );
  const offset = (page.number - 1) * page.size;
  return { resources: matching.slice(offset, offset + page.size), total: matching.length };
}

