import { notFound } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { offsetOf, parseEngine, type DatabaseState, type EnvType, type LogicDatabase, type Page, type PhysicalDatabase } from './instance.model.js';
import * as repo from './instance.repository.js';
import { lookupInstance } from './instances.js';
import { listLogicDatabasesWhere } from './logic-databases.js';
import { ownersByResource } from './people.js';

/** Physical databases (discovered on instances) and the search over physical and logical ones. */

export async function toPhysicalDatabases(deps: Deps, tenantId: number, rows: readonly repo.DbRow[]): Promise<PhysicalDatabase[]> {
  const owners = await ownersByResource(deps, tenantId, 'DATABASE', rows.map((r) => r.id));
  return rows.map((r) => ({
    dbId: r.id,
    instanceId: r.instance_id,
    engine: parseEngine(r.db_type),
    host: r.host,
    port: r.port,
    sid: r.sid === '' ? null : r.sid,
    instanceAlias: r.alias,
    dataLinkName: r.data_link_name,
    schemaName: r.schema_name,
    catalogName: r.catalog_name,
    encoding: r.encoding,
    envType: r.env_type as EnvType,
    state: r.state as DatabaseState,
    dba: { userId: r.dba_user_id, nickName: r.dba_nick_name },
    owners: owners.get(r.id) ?? [],
  }));
}

/** ListDatabases: the databases of one instance of the tenant (any member). */
export async function listDatabases(
  deps: Deps,
  actor: Actor,
  instanceId: number,
  search: string | undefined,
  page: Page,
): Promise<{ databases: PhysicalDatabase[]; total: number }> {
  if (!(await repo.findInstanceById(deps.db, actor.tenantId, instanceId))) throw notFound('Instance', instanceId);
  const { rows, total } = await repo.listDbs(deps.db, actor.tenantId, { instanceId, schemaKeyword: search }, offsetOf(page));
  return { databases: await toPhysicalDatabases(deps, actor.tenantId, rows), total };
}

/** GetPhysicalDatabase: one database of the tenant by DbId (any member). */
export async function getPhysicalDatabase(deps: Deps, actor: Actor, dbId: number): Promise<PhysicalDatabase> {
  const row = await repo.findDbById(deps.db, actor.tenantId, dbId);
  if (!row) throw notFound('Database', dbId);
  return (await toPhysicalDatabases(deps, actor.tenantId, [row]))[0]!;
}

/** GetDatabase: by instance address and schema name. SQLite instances need no port. */
export async function getDatabaseByAddress(
  deps: Deps,
  actor: Actor,
  a: { host: string; port?: number | undefined; sid?: string | undefined; schemaName: string },
): Promise<PhysicalDatabase> {
  const instance = await lookupInstance(deps, actor.tenantId, a);
  const row = instance && (await repo.findDbBySchema(deps.db, actor.tenantId, instance.id, a.schemaName));
  if (!row) throw notFound('Database', `${a.schemaName}@${a.host}${a.port ? `:${a.port}` : ''}`);
  return (await toPhysicalDatabases(deps, actor.tenantId, [row]))[0]!;
}

export type SearchRange = 'HAS_PERMSSION' | 'OWNER' | 'MY_FOCUS' | 'UNKNOWN';
export type SearchTarget = 'DB' | 'SINGLE_DB' | 'LOGIC_DB';

export type FoundDatabase = ({ logic: false } & PhysicalDatabase) | ({ logic: true } & LogicDatabase);

/**
 * SearchDatabase over physical (SINGLE_DB), logical (LOGIC_DB) or both (DB, physical first).
 * Ranges: OWNER = databases the actor owns; MY_FOCUS = none (OpenDMS keeps no focus list);
 * HAS_PERMSSION and UNKNOWN = every database of the tenant, since every member may read them.
 */
export async function searchDatabases(
  deps: Deps,
  actor: Actor,
  q: { search?: string | undefined; dbType?: string | undefined; envType?: string | undefined; range?: SearchRange | undefined; target?: SearchTarget | undefined },
  page: Page,
): Promise<{ databases: FoundDatabase[]; total: number }> {
  if (q.range === 'MY_FOCUS') return { databases: [], total: 0 };
  const target = q.target ?? 'DB';
  const filter = {
    search: q.search,
    dbType: q.dbType?.trim().toLowerCase(),
    envType: q.envType,
    ownerUserId: q.range === 'OWNER' ? actor.userId : undefined,
  };
  const { offset, limit } = offsetOf(page);
  const out: FoundDatabase[] = [];
  let physicalTotal = 0;
  if (target !== 'LOGIC_DB') {
    const { rows, total } = await repo.listDbs(deps.db, actor.tenantId, filter, { offset, limit });
    physicalTotal = total;
    for (const d of await toPhysicalDatabases(deps, actor.tenantId, rows)) out.push({ logic: false, ...d });
  }
  let logicTotal = 0;
  if (target !== 'SINGLE_DB') {
    // Logical databases follow the physical ones: the page continues where those end.
    const logicOffset = Math.max(0, offset - physicalTotal);
    const logicLimit = limit - out.length;
    const { logicDatabases, total } = await listLogicDatabasesWhere(deps, actor, filter, { offset: logicOffset, limit: Math.max(logicLimit, 0) });
    logicTotal = total;
    if (logicLimit > 0) for (const l of logicDatabases) out.push({ logic: true, ...l });
  }
  return { databases: out, total: physicalTotal + logicTotal };
}
