import type { ConnectionSpec, Engine } from '../../connectors/index.js';
import { AppError, notFound } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { connectionSpecOf } from './connections.js';
import { logicSearchNameOf, parseEngine, searchNameOf, type DatabaseState, type EnvType } from './instance.model.js';
import * as repo from './instance.repository.js';
import { getLogicDatabase } from './logic-databases.js';

/** One physical database a ticket runs on, with everything needed to connect (password decrypted). */
export interface TargetDatabase {
  dbId: number;
  instanceId: number;
  engine: Engine;
  schemaName: string;
  searchName: string;
  envType: EnvType;
  state: DatabaseState;
  /** Logs in to the database itself (MySQL default schema, PostgreSQL database). */
  spec: ConnectionSpec;
  queryTimeoutMs: number;
  /** The instance's ExportTimeout. */
  exportTimeoutMs: number;
}

/** A ticket's database: a physical one (one member, itself) or a logical one (each member). */
export interface ResolvedTarget {
  dbId: number;
  logic: boolean;
  /** Display name: `schema@host:port[alias]`, or the logical `schema[alias]`. */
  searchName: string;
  engine: Engine;
  envType: EnvType;
  members: TargetDatabase[];
}

async function physicalTargets(deps: Deps, tenantId: number, dbIds: readonly number[]): Promise<TargetDatabase[]> {
  const rows = await repo.findDbsByIds(deps.db, tenantId, dbIds);
  const instances = new Map((await repo.findInstancesByIds(deps.db, tenantId, [...new Set(rows.map((r) => r.instance_id))])).map((i) => [i.id, i]));
  return rows.map((r) => {
    const instance = instances.get(r.instance_id)!;
    const engine = parseEngine(r.db_type);
    return {
      dbId: r.id,
      instanceId: r.instance_id,
      engine,
      schemaName: r.schema_name,
      searchName: searchNameOf({ schemaName: r.schema_name, host: r.host, port: r.port, engine, instanceAlias: r.alias }),
      envType: r.env_type as EnvType,
      state: r.state as DatabaseState,
      spec: connectionSpecOf(deps, instance, engine === 'sqlite' ? undefined : r.schema_name),
      queryTimeoutMs: instance.query_timeout_s * 1000,
      exportTimeoutMs: instance.export_timeout_s * 1000,
    };
  });
}

/**
 * Where a ticket on `dbId` runs, for later ticket types: any member of the tenant may resolve a
 * database of the tenant (permission to file the ticket is decided by the ticket's approval).
 * A logical database without members cannot be a target.
 */
export async function resolveTargetDatabase(deps: Deps, actor: Actor, dbId: number, logic: boolean): Promise<ResolvedTarget> {
  if (!logic) {
    const [member] = await physicalTargets(deps, actor.tenantId, [dbId]);
    if (!member) throw notFound('Database', dbId);
    return { dbId, logic, searchName: member.searchName, engine: member.engine, envType: member.envType, members: [member] };
  }
  const l = await getLogicDatabase(deps, actor, dbId);
  const members = await physicalTargets(deps, actor.tenantId, l.memberDbIds);
  if (!l.engine || !l.envType || members.length === 0) throw new AppError('InvalidStatus', `Logical database ${dbId} has no member databases.`);
  return { dbId, logic, searchName: logicSearchNameOf(l), engine: l.engine, envType: l.envType, members };
}

/** One physical database of the tenant by id, with its connection (for background work); undefined when it no longer exists. */
export async function physicalTarget(deps: Deps, tenantId: number, dbId: number): Promise<TargetDatabase | undefined> {
  return (await physicalTargets(deps, tenantId, [dbId]))[0];
}
