import type { Engine } from '../../connectors/index.js';
import { AppError } from '../../errors.js';

/** Domain types and enums of registered instances (reference §2.3, §7). */

export const SUPPORTED_ENGINES: readonly Engine[] = ['mysql', 'mariadb', 'postgresql', 'sqlite'];

/** Environment tags (lowercase is the canonical spelling in requests). */
export const ENV_TYPES = ['product', 'dev', 'pre', 'test', 'sit', 'uat', 'pet', 'stag'] as const;
export type EnvType = (typeof ENV_TYPES)[number];

/** Where an instance lives. GATEWAY is accepted by AddInstance only. */
export const INSTANCE_SOURCES = ['PUBLIC_OWN', 'RDS', 'ECS_OWN', 'VPC_IDC', 'GATEWAY'] as const;
export type InstanceSource = (typeof INSTANCE_SOURCES)[number];

export const INSTANCE_STATES = ['NORMAL', 'DISABLE'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

/** NOT_EXIST: a discovery no longer found the database on its instance. */
export type DatabaseState = 'NORMAL' | 'DISABLE' | 'OFFLINE' | 'NOT_EXIST';

/** Resources that can have owners. LOGIC_TABLE exists in DMS but OpenDMS has no logical tables. */
export const OWNER_TYPES = ['INSTANCE', 'DATABASE', 'LOGIC_DATABASE', 'TABLE'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

/**
 * The engine of a DbType / InstanceType code, matched case-insensitively. Other DMS engines
 * (oracle, sqlserver, polardb, …) are refused with the list of supported ones.
 */
export function parseEngine(text: string): Engine {
  const t = text.trim().toLowerCase();
  const engine = SUPPORTED_ENGINES.find((e) => e === t);
  if (!engine) throw new AppError('NotSupported', `Database type "${text}" is not supported; OpenDMS supports ${SUPPORTED_ENGINES.join(', ')}.`);
  return engine;
}

/** A tenant member as DMS shows people next to a resource (OwnerIdList / OwnerNameList, DBA). */
export interface Person {
  userId: number;
  nickName: string;
}

export interface Instance {
  instanceId: number;
  engine: Engine;
  host: string;
  /** 0 for SQLite. */
  port: number;
  sid: string | null;
  alias: string;
  source: string;
  envType: EnvType;
  databaseUser: string;
  dba: Person;
  owners: Person[];
  queryTimeoutSeconds: number;
  exportTimeoutSeconds: number;
  ddlOnline: number;
  useDsql: number;
  dataLinkName: string | null;
  safeRule: string | null;
  state: InstanceState;
}

export interface PhysicalDatabase {
  dbId: number;
  instanceId: number;
  engine: Engine;
  host: string;
  port: number;
  sid: string | null;
  instanceAlias: string;
  dataLinkName: string | null;
  schemaName: string;
  catalogName: string;
  encoding: string;
  envType: EnvType;
  state: DatabaseState;
  dba: Person;
  owners: Person[];
}

export interface LogicDatabase {
  logicDbId: number;
  alias: string;
  schemaName: string;
  /** From the members; null while it has none (its instances were deleted). */
  engine: Engine | null;
  envType: EnvType | null;
  memberDbIds: number[];
  owners: Person[];
}

/**
 * DMS display name: `schema@host:port[alias]` for a physical database (SQLite has no port:
 * `main@file[alias]`), `schema[alias]` for a logical one.
 */
export function searchNameOf(db: { schemaName: string; host: string; port: number; engine: Engine; instanceAlias: string }): string {
  const address = db.engine === 'sqlite' ? db.host : `${db.host}:${db.port}`;
  return `${db.schemaName}@${address}[${db.instanceAlias}]`;
}

export function logicSearchNameOf(db: { schemaName: string; alias: string }): string {
  return `${db.schemaName}[${db.alias}]`;
}

/** Page of a list: 1-based number and size, as the Actions take them. */
export interface Page {
  number: number;
  size: number;
}

export const offsetOf = (page: Page): { offset: number; limit: number } => ({ offset: (page.number - 1) * page.size, limit: page.size });
