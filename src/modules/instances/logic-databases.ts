import { AppError, notFound } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { offsetOf, parseEngine, type EnvType, type LogicDatabase, type Page } from './instance.model.js';
import * as repo from './instance.repository.js';
import * as logicRepo from './logic-db.repository.js';
import * as ownerRepo from './owner.repository.js';
import { ownersByResource } from './people.js';
import { requireInstanceManager } from './permissions.js';

/**
 * Logical databases: physical databases of the same schema (shards, or one schema per region)
 * grouped under one DbId; a ticket on it runs on each member. Members share engine and environment
 * (a ticket must not mix production with test), and a physical database is in at most one group.
 */

async function toLogicDatabases(deps: Deps, tenantId: number, rows: readonly logicRepo.LogicDbRow[]): Promise<LogicDatabase[]> {
  const ids = rows.map((r) => r.id);
  const [members, owners] = await Promise.all([logicRepo.listMembers(deps.db, ids), ownersByResource(deps, tenantId, 'LOGIC_DATABASE', ids)]);
  return rows.map((r) => {
    const mine = members.filter((m) => m.logic_db_id === r.id);
    const first = mine[0];
    return {
      logicDbId: r.id,
      alias: r.alias,
      schemaName: r.schema_name,
      engine: first ? parseEngine(first.db_type) : null,
      envType: first ? (first.env_type as EnvType) : null,
      memberDbIds: mine.map((m) => m.db_id),
      owners: owners.get(r.id) ?? [],
    };
  });
}

/** `shop` for shop_01 + shop_02; the shared name when all are equal; otherwise the alias. */
function commonSchemaName(names: readonly string[], alias: string): string {
  const distinct = [...new Set(names)];
  if (distinct.length === 1) return distinct[0]!;
  const stems = new Set(distinct.map((n) => n.replace(/[_-]?\d+$/, '')));
  const [stem] = stems;
  return stems.size === 1 && stem ? stem : alias;
}

/** Checks the members (same tenant, engine and environment; in no other group); returns the schema name. */
async function checkMembers(deps: Deps, actor: Actor, dbIds: readonly number[], alias: string, selfId: number | undefined): Promise<string> {
  if (dbIds.length === 0) throw new AppError('InvalidDatabaseIds', 'Specified parameter DatabaseIds is not valid: at least one database is needed.');
  const rows = await repo.findDbsByIds(deps.db, actor.tenantId, dbIds);
  const missing = dbIds.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length > 0) throw notFound('Database', missing.join(','));
  const kinds = new Set(rows.map((r) => `${r.db_type}/${r.env_type}`));
  if (kinds.size > 1) {
    throw new AppError('InvalidDatabaseIds', `Specified parameter DatabaseIds is not valid: members must share engine and environment, got ${[...kinds].join(', ')}.`);
  }
  const taken = (await logicRepo.findMembershipsOfDbs(deps.db, dbIds)).filter((m) => m.logic_db_id !== selfId);
  if (taken.length > 0) {
    const t = taken[0]!;
    throw new AppError('InvalidDatabaseIds', `Specified parameter DatabaseIds is not valid: database ${t.db_id} already belongs to logical database ${t.logic_db_id}.`);
  }
  const clash = await logicRepo.findLogicDbByAlias(deps.db, actor.tenantId, alias);
  if (clash && clash.id !== selfId) throw new AppError('ResourceAlreadyExists', `A logical database named ${alias} already exists (LogicDbId ${clash.id}).`);
  return commonSchemaName(rows.map((r) => r.schema_name), alias);
}

/** CreateLogicDatabase (ADMIN or DBA). */
export async function createLogicDatabase(deps: Deps, actor: Actor, input: { alias: string; dbIds: number[] }): Promise<number> {
  requireInstanceManager(actor);
  const dbIds = [...new Set(input.dbIds)];
  const schemaName = await checkMembers(deps, actor, dbIds, input.alias, undefined);
  return inTransaction(deps, async (tx) => {
    const id = await logicRepo.insertLogicDb(tx.db, { tenantId: actor.tenantId, alias: input.alias, schemaName }, tx.now());
    await logicRepo.insertMembers(tx.db, actor.tenantId, id, dbIds);
    return id;
  });
}

/** EditLogicDatabase (ADMIN or DBA): new alias and member list. */
export async function editLogicDatabase(deps: Deps, actor: Actor, logicDbId: number, input: { alias: string; dbIds: number[] }): Promise<void> {
  requireInstanceManager(actor);
  if (!(await logicRepo.findLogicDb(deps.db, actor.tenantId, logicDbId))) throw notFound('LogicDatabase', logicDbId);
  const dbIds = [...new Set(input.dbIds)];
  const schemaName = await checkMembers(deps, actor, dbIds, input.alias, logicDbId);
  await inTransaction(deps, async (tx) => {
    await logicRepo.updateLogicDb(tx.db, logicDbId, { alias: input.alias, schema_name: schemaName, updated_at: tx.now() });
    await logicRepo.deleteMembersOfLogicDb(tx.db, logicDbId);
    await logicRepo.insertMembers(tx.db, actor.tenantId, logicDbId, dbIds);
  });
}

/** DeleteLogicDatabase (ADMIN or DBA): the group and its owners; the physical databases stay. */
export async function deleteLogicDatabase(deps: Deps, actor: Actor, logicDbId: number): Promise<void> {
  requireInstanceManager(actor);
  if (!(await logicRepo.findLogicDb(deps.db, actor.tenantId, logicDbId))) throw notFound('LogicDatabase', logicDbId);
  await inTransaction(deps, async (tx) => {
    await logicRepo.deleteMembersOfLogicDb(tx.db, logicDbId);
    await ownerRepo.deleteOwners(tx.db, 'LOGIC_DATABASE', [logicDbId]);
    await logicRepo.deleteLogicDb(tx.db, logicDbId);
  });
}

/** GetLogicDatabase: any member of the tenant. */
export async function getLogicDatabase(deps: Deps, actor: Actor, logicDbId: number): Promise<LogicDatabase> {
  const row = await logicRepo.findLogicDb(deps.db, actor.tenantId, logicDbId);
  if (!row) throw notFound('LogicDatabase', logicDbId);
  return (await toLogicDatabases(deps, actor.tenantId, [row]))[0]!;
}

/** ListLogicDatabases: any member of the tenant. */
export function listLogicDatabases(deps: Deps, actor: Actor, page: Page): Promise<{ logicDatabases: LogicDatabase[]; total: number }> {
  return listLogicDatabasesWhere(deps, actor, {}, offsetOf(page));
}

export async function listLogicDatabasesWhere(
  deps: Deps,
  actor: Actor,
  filter: logicRepo.LogicDbFilter,
  range: { offset: number; limit: number },
): Promise<{ logicDatabases: LogicDatabase[]; total: number }> {
  const { rows, total } = await logicRepo.listLogicDbs(deps.db, actor.tenantId, filter, range);
  return { logicDatabases: await toLogicDatabases(deps, actor.tenantId, rows), total };
}

export async function getLogicDatabasesByIds(deps: Deps, tenantId: number, ids: readonly number[]): Promise<LogicDatabase[]> {
  return toLogicDatabases(deps, tenantId, await logicRepo.findLogicDbsByIds(deps.db, tenantId, ids));
}
