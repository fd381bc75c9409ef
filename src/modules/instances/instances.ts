import path from 'node:path';
import { AppError, notFound } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { applyDiscovery, probeInstance } from './discovery.js';
import { connectionSpecOf } from './connections.js';
import { offsetOf, parseEngine, type EnvType, type Instance, type InstanceState, type Page, type Person } from './instance.model.js';
import * as repo from './instance.repository.js';
import * as logicRepo from './logic-db.repository.js';
import * as metaRepo from './meta.repository.js';
import * as ownerRepo from './owner.repository.js';
import { refreshTables } from './metadata.js';
import { ownersByResource, requireTenantMember } from './people.js';
import { requireInstanceManager } from './permissions.js';

/** What RegisterInstance / AddInstance / UpdateInstance give (the engine as its DMS code). */
export interface InstanceSettings {
  engine: string;
  host: string;
  /** Required except for SQLite (which has none; stored as 0). */
  port?: number | undefined;
  sid?: string | undefined;
  alias: string;
  source: string;
  envType: EnvType;
  /** Required except for SQLite. */
  databaseUser?: string | undefined;
  databasePassword?: string | undefined;
  /** The DBA; absent: the actor. */
  dba?: { userId: number } | { uid: string } | undefined;
  queryTimeoutSeconds: number;
  exportTimeoutSeconds: number;
  ddlOnline?: number | undefined;
  useDsql?: number | undefined;
  dataLinkName?: string | undefined;
  safeRule?: string | undefined;
  /** Register even when the instance cannot be reached now (no databases until the next discovery). */
  skipTest?: boolean | undefined;
}

/** How an instance is named in DMS: Host + Port (+ Sid). SQLite instances need no Port. */
export interface InstanceAddress {
  host: string;
  port?: number | undefined;
  sid?: string | undefined;
}

function toInstance(r: repo.InstanceRow, owners: Person[]): Instance {
  return {
    instanceId: r.id,
    engine: parseEngine(r.db_type),
    host: r.host,
    port: r.port,
    sid: r.sid === '' ? null : r.sid,
    alias: r.alias,
    source: r.source,
    envType: r.env_type as EnvType,
    databaseUser: r.db_user,
    dba: { userId: r.dba_user_id, nickName: r.dba_nick_name },
    owners,
    queryTimeoutSeconds: r.query_timeout_s,
    exportTimeoutSeconds: r.export_timeout_s,
    ddlOnline: r.ddl_online,
    useDsql: r.use_dsql,
    dataLinkName: r.data_link_name,
    safeRule: r.safe_rule,
    state: r.state as InstanceState,
  };
}

/**
 * A SQLite instance's Host as stored: the absolute file path (relative paths are relative to the
 * SQLite folder), so one file is one instance however it is written.
 */
function sqliteHost(deps: Deps, host: string): string {
  return path.resolve(deps.config.sqliteInstanceDir, host.trim());
}

/**
 * The instance at an address, or undefined. Without a Port (or with 0) only SQLite instances can
 * match; when none does, the Port was needed.
 */
export async function lookupInstance(deps: Deps, tenantId: number, a: InstanceAddress): Promise<repo.InstanceRow | undefined> {
  if (a.port === undefined || a.port === 0) {
    const sqlite = await repo.findSqliteInstanceByHost(deps.db, tenantId, sqliteHost(deps, a.host));
    if (sqlite || a.port === 0) return sqlite;
    throw new AppError('MissingPort', 'Port is mandatory for this action.');
  }
  return repo.findInstanceByAddress(deps.db, tenantId, { host: a.host.trim(), port: a.port, sid: a.sid?.trim() ?? '' });
}

/** Checks and completes settings; `selfId` is the instance being updated. */
async function normalize(deps: Deps, actor: Actor, s: InstanceSettings, selfId: number | undefined) {
  const engine = parseEngine(s.engine);
  let host = s.host.trim();
  if (host === '') throw new AppError('InvalidHost', 'Specified parameter Host is not valid: it is empty.');
  let port = 0;
  if (engine === 'sqlite') {
    // The connector enforces this too; checking here gives a clear error before anything is stored.
    const dir = path.resolve(deps.config.sqliteInstanceDir);
    host = sqliteHost(deps, host);
    const rel = path.relative(dir, host);
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new AppError('InvalidHost', `Specified parameter Host is not valid: a SQLite file must lie inside ${dir}, got ${JSON.stringify(s.host)}.`);
    }
  } else {
    if (s.port === undefined) throw new AppError('MissingPort', 'Port is mandatory for this action.');
    if (s.port < 1) throw new AppError('InvalidPort', 'Specified parameter Port is not valid: it must be between 1 and 65535.');
    if (!s.databaseUser) throw new AppError('MissingDatabaseUser', 'DatabaseUser is mandatory for this action.');
    if (!s.databasePassword) throw new AppError('MissingDatabasePassword', 'DatabasePassword is mandatory for this action.');
    port = s.port;
  }
  const useDsql = s.useDsql ?? 0;
  const dataLinkName = s.dataLinkName ?? null;
  if (useDsql === 1 && !dataLinkName) throw new AppError('MissingDataLinkName', 'DataLinkName is mandatory when UseDsql is 1.');
  if (dataLinkName !== null) {
    if (!/^[a-z_]+$/.test(dataLinkName)) throw new AppError('InvalidDataLinkName', 'Specified parameter DataLinkName is not valid: lowercase letters and _ only.');
    const other = await repo.findDataLinkName(deps.db, actor.tenantId, dataLinkName);
    if (other && other.id !== selfId) throw new AppError('InvalidDataLinkName', `Specified parameter DataLinkName is not valid: ${dataLinkName} is used by instance ${other.id}.`);
  }
  const dba = s.dba ? await requireTenantMember(deps, actor, s.dba, 'DBA') : { userId: actor.userId, nickName: actor.nickName };
  const address = { host, port, sid: s.sid?.trim() ?? '' };
  const clash = await repo.findInstanceByAddress(deps.db, actor.tenantId, address);
  if (clash && clash.id !== selfId) {
    throw new AppError('ResourceAlreadyExists', `An instance at ${host}${engine === 'sqlite' ? '' : `:${port}`} is already registered (InstanceId ${clash.id}).`);
  }
  const row = {
    db_type: engine,
    ...address,
    alias: s.alias,
    source: s.source,
    env_type: s.envType,
    db_user: s.databaseUser ?? '',
    db_password_enc: deps.secrets.encrypt(s.databasePassword ?? ''),
    dba_user_id: dba.userId,
    query_timeout_s: s.queryTimeoutSeconds,
    export_timeout_s: s.exportTimeoutSeconds,
    ddl_online: s.ddlOnline ?? 0,
    use_dsql: useDsql,
    data_link_name: dataLinkName,
    safe_rule: s.safeRule ?? null,
  };
  return row;
}

/**
 * RegisterInstance / AddInstance (ADMIN or DBA): tests the connection (unless `skipTest`), then
 * records the instance and the databases found on it, in one transaction.
 */
export async function registerInstance(deps: Deps, actor: Actor, s: InstanceSettings): Promise<Instance> {
  requireInstanceManager(actor);
  const row = await normalize(deps, actor, s, undefined);
  const found = await probeInstance(deps, connectionSpecOf(deps, row), s.skipTest ?? false);
  const id = await inTransaction(deps, async (tx) => {
    const now = tx.now();
    const instanceId = await repo.insertInstance(tx.db, { ...row, tenant_id: actor.tenantId, state: 'NORMAL', created_at: now, updated_at: now });
    if (found) await applyDiscovery(tx, { id: instanceId, tenant_id: actor.tenantId, db_type: row.db_type, env_type: row.env_type }, found);
    return instanceId;
  });
  return getInstanceById(deps, actor, id);
}

/**
 * UpdateInstance (ADMIN or DBA): replaces the settings, re-tests the connection (unless `skipTest`)
 * and re-runs discovery. The engine cannot change. The environment passes to the databases.
 */
export async function updateInstance(deps: Deps, actor: Actor, instanceId: number, s: InstanceSettings): Promise<Instance> {
  requireInstanceManager(actor);
  const current = await repo.findInstanceById(deps.db, actor.tenantId, instanceId);
  if (!current) throw notFound('Instance', instanceId);
  if (parseEngine(s.engine) !== current.db_type) {
    throw new AppError('InvalidInstanceType', `Specified parameter InstanceType is not valid: instance ${instanceId} is ${current.db_type} and cannot change engine.`);
  }
  const row = await normalize(deps, actor, s, instanceId);
  const found = await probeInstance(deps, connectionSpecOf(deps, row), s.skipTest ?? false);
  await inTransaction(deps, async (tx) => {
    const now = tx.now();
    await repo.updateInstance(tx.db, instanceId, { ...row, updated_at: now });
    await repo.updateDbsOfInstance(tx.db, instanceId, { env_type: row.env_type, updated_at: now });
    if (found) await applyDiscovery(tx, { id: instanceId, tenant_id: actor.tenantId, db_type: row.db_type, env_type: row.env_type }, found);
  });
  return getInstanceById(deps, actor, instanceId);
}

/**
 * SyncInstanceMeta (ADMIN or DBA): re-runs discovery; unless `ignoreTables`, also records the
 * tables of every database (their TableIds). Returns how many databases are new.
 */
export async function syncInstance(deps: Deps, actor: Actor, instanceId: number, ignoreTables: boolean): Promise<number> {
  requireInstanceManager(actor);
  const row = await repo.findInstanceById(deps.db, actor.tenantId, instanceId);
  if (!row) throw notFound('Instance', instanceId);
  const found = (await probeInstance(deps, connectionSpecOf(deps, row), false))!;
  const added = await inTransaction(deps, (tx) => applyDiscovery(tx, row, found));
  if (!ignoreTables) {
    for (const d of await repo.listDbsOfInstance(deps.db, instanceId)) {
      if (d.state === 'NORMAL') await refreshTables(deps, row, d);
    }
  }
  return added;
}

/**
 * DeleteInstance (ADMIN or DBA): the instance, its databases' registrations, their owners, table
 * ids and logical-database memberships go in one transaction. Logical databases stay (perhaps empty).
 */
export async function deleteInstance(deps: Deps, actor: Actor, address: InstanceAddress): Promise<void> {
  requireInstanceManager(actor);
  const row = await findByAddress(deps, actor.tenantId, address);
  await inTransaction(deps, async (tx) => {
    const dbIds = (await repo.listDbsOfInstance(tx.db, row.id)).map((d) => d.id);
    const tableIds = (await metaRepo.listTableIdsOfDbs(tx.db, dbIds)).map((t) => t.id);
    await ownerRepo.deleteOwners(tx.db, 'TABLE', tableIds);
    await metaRepo.deleteMetaOfDbs(tx.db, dbIds);
    await ownerRepo.deleteOwners(tx.db, 'DATABASE', dbIds);
    await logicRepo.deleteMembershipsOfDbs(tx.db, dbIds);
    await repo.deleteDbsOfInstance(tx.db, row.id);
    await ownerRepo.deleteOwners(tx.db, 'INSTANCE', [row.id]);
    await repo.deleteInstance(tx.db, row.id);
  });
}

async function findByAddress(deps: Deps, tenantId: number, a: InstanceAddress): Promise<repo.InstanceRow> {
  const row = await lookupInstance(deps, tenantId, a);
  if (!row) throw notFound('Instance', `${a.host}${a.port ? `:${a.port}` : ''}${a.sid ? `:${a.sid}` : ''}`);
  return row;
}

/** GetInstance: any member of the tenant. */
export async function getInstance(deps: Deps, actor: Actor, address: InstanceAddress): Promise<Instance> {
  const row = await findByAddress(deps, actor.tenantId, address);
  const owners = await ownersByResource(deps, actor.tenantId, 'INSTANCE', [row.id]);
  return toInstance(row, owners.get(row.id) ?? []);
}

export async function getInstanceById(deps: Deps, actor: Actor, instanceId: number): Promise<Instance> {
  const row = await repo.findInstanceById(deps.db, actor.tenantId, instanceId);
  if (!row) throw notFound('Instance', instanceId);
  const owners = await ownersByResource(deps, actor.tenantId, 'INSTANCE', [row.id]);
  return toInstance(row, owners.get(row.id) ?? []);
}

/** ListInstances: any member of the tenant. An unsupported DbType filter matches nothing. */
export async function listInstances(
  deps: Deps,
  actor: Actor,
  filter: { dbType?: string | undefined; envType?: string | undefined; source?: string | undefined; state?: string | undefined; search?: string | undefined },
  page: Page,
): Promise<{ instances: Instance[]; total: number }> {
  const f = { ...filter, dbType: filter.dbType?.trim().toLowerCase() };
  const { rows, total } = await repo.listInstances(deps.db, actor.tenantId, f, offsetOf(page));
  const owners = await ownersByResource(deps, actor.tenantId, 'INSTANCE', rows.map((r) => r.id));
  return { instances: rows.map((r) => toInstance(r, owners.get(r.id) ?? [])), total };
}
