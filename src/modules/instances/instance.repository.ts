import { sql, type Expression, type Insertable, type SqlBool, type Updateable } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { InstanceDbTable, InstanceTable } from './instance.table.js';

/** Instance and physical-database tables, one function per query. Every read filters by tenant. */

/**
 * Case-insensitive substring match that behaves the same on SQLite and PostgreSQL: both sides
 * lowered, `%`, `_` and `\` in the keyword escaped (SQLite has no default LIKE escape character).
 */
export function containsText(column: string, keyword: string): Expression<SqlBool> {
  const pattern = `%${keyword.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

const INSTANCE_COLUMNS = [
  'instance.id',
  'instance.tenant_id',
  'instance.db_type',
  'instance.host',
  'instance.port',
  'instance.sid',
  'instance.alias',
  'instance.source',
  'instance.env_type',
  'instance.db_user',
  'instance.db_password_enc',
  'instance.dba_user_id',
  'instance.query_timeout_s',
  'instance.export_timeout_s',
  'instance.ddl_online',
  'instance.use_dsql',
  'instance.data_link_name',
  'instance.safe_rule',
  'instance.state',
] as const;

function instancesQuery(db: Db, tenantId: number) {
  return db
    .selectFrom('instance')
    .innerJoin('app_user as dba', 'dba.id', 'instance.dba_user_id')
    .select([...INSTANCE_COLUMNS, 'dba.nick_name as dba_nick_name'])
    .where('instance.tenant_id', '=', tenantId);
}

export function findInstanceById(db: Db, tenantId: number, id: number) {
  return instancesQuery(db, tenantId).where('instance.id', '=', id).executeTakeFirst();
}

export type InstanceRow = NonNullable<Awaited<ReturnType<typeof findInstanceById>>>;

export function findInstanceByAddress(db: Db, tenantId: number, a: { host: string; port: number; sid: string }) {
  return instancesQuery(db, tenantId)
    .where('instance.host', '=', a.host)
    .where('instance.port', '=', a.port)
    .where('instance.sid', '=', a.sid)
    .executeTakeFirst();
}

/** SQLite instances are named by their file alone (they have no port). */
export function findSqliteInstanceByHost(db: Db, tenantId: number, host: string) {
  return instancesQuery(db, tenantId).where('instance.host', '=', host).where('instance.db_type', '=', 'sqlite').executeTakeFirst();
}

export interface InstanceFilter {
  dbType?: string | undefined;
  envType?: string | undefined;
  source?: string | undefined;
  state?: string | undefined;
  search?: string | undefined;
}

function filteredInstances(db: Db, tenantId: number, f: InstanceFilter) {
  let q = instancesQuery(db, tenantId);
  if (f.dbType) q = q.where('instance.db_type', '=', f.dbType);
  if (f.envType) q = q.where('instance.env_type', '=', f.envType);
  if (f.source) q = q.where('instance.source', '=', f.source);
  if (f.state) q = q.where('instance.state', '=', f.state);
  if (f.search) {
    const s = f.search;
    q = q.where((eb) => eb.or([containsText('instance.alias', s), containsText('instance.host', s)]));
  }
  return q;
}

export async function listInstances(db: Db, tenantId: number, f: InstanceFilter, page: { offset: number; limit: number }) {
  const [rows, total] = await Promise.all([
    filteredInstances(db, tenantId, f).orderBy('instance.id').offset(page.offset).limit(page.limit).execute(),
    filteredInstances(db, tenantId, f)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function insertInstance(db: Db, values: Insertable<InstanceTable>): Promise<number> {
  const row = await db.insertInto('instance').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateInstance(db: Db, id: number, patch: Updateable<InstanceTable>): Promise<void> {
  await db.updateTable('instance').set(patch).where('id', '=', id).execute();
}

export async function deleteInstance(db: Db, id: number): Promise<void> {
  await db.deleteFrom('instance').where('id', '=', id).execute();
}

export function findDataLinkName(db: Db, tenantId: number, name: string) {
  return db.selectFrom('instance').select('id').where('tenant_id', '=', tenantId).where('data_link_name', '=', name).executeTakeFirst();
}

// ---- physical databases ----

function dbsQuery(db: Db, tenantId: number) {
  return db
    .selectFrom('instance_db')
    .innerJoin('instance', 'instance.id', 'instance_db.instance_id')
    .innerJoin('app_user as dba', 'dba.id', 'instance.dba_user_id')
    .select([
      'instance_db.id',
      'instance_db.instance_id',
      'instance_db.schema_name',
      'instance_db.catalog_name',
      'instance_db.encoding',
      'instance_db.env_type',
      'instance_db.state',
      'instance.db_type',
      'instance.host',
      'instance.port',
      'instance.sid',
      'instance.alias',
      'instance.data_link_name',
      'instance.dba_user_id',
      'dba.nick_name as dba_nick_name',
    ])
    .where('instance_db.tenant_id', '=', tenantId);
}

export function findDbById(db: Db, tenantId: number, id: number) {
  return dbsQuery(db, tenantId).where('instance_db.id', '=', id).executeTakeFirst();
}

export type DbRow = NonNullable<Awaited<ReturnType<typeof findDbById>>>;

export function findDbsByIds(db: Db, tenantId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([] as DbRow[]);
  return dbsQuery(db, tenantId).where('instance_db.id', 'in', ids).orderBy('instance_db.id').execute();
}

export function findDbBySchema(db: Db, tenantId: number, instanceId: number, schemaName: string) {
  return dbsQuery(db, tenantId).where('instance_db.instance_id', '=', instanceId).where('instance_db.schema_name', '=', schemaName).executeTakeFirst();
}

export interface DbFilter {
  instanceId?: number | undefined;
  dbType?: string | undefined;
  envType?: string | undefined;
  /** Matched against schema name, instance alias and host. */
  search?: string | undefined;
  /** Matched against the schema name only. */
  schemaKeyword?: string | undefined;
  /** Exact schema name. */
  schemaName?: string | undefined;
  /** Only databases this user owns. */
  ownerUserId?: number | undefined;
}

function filteredDbs(db: Db, tenantId: number, f: DbFilter) {
  let q = dbsQuery(db, tenantId);
  if (f.instanceId !== undefined) q = q.where('instance_db.instance_id', '=', f.instanceId);
  if (f.dbType) q = q.where('instance.db_type', '=', f.dbType);
  if (f.envType) q = q.where('instance_db.env_type', '=', f.envType);
  if (f.schemaName) q = q.where('instance_db.schema_name', '=', f.schemaName);
  if (f.schemaKeyword) q = q.where(containsText('instance_db.schema_name', f.schemaKeyword));
  if (f.search) {
    const s = f.search;
    q = q.where((eb) => eb.or([containsText('instance_db.schema_name', s), containsText('instance.alias', s), containsText('instance.host', s)]));
  }
  if (f.ownerUserId !== undefined) {
    const userId = f.ownerUserId;
    q = q.where('instance_db.id', 'in', (eb) =>
      eb.selectFrom('resource_owner').select('resource_id').where('resource_type', '=', 'DATABASE').where('user_id', '=', userId),
    );
  }
  return q;
}

export async function listDbs(db: Db, tenantId: number, f: DbFilter, page: { offset: number; limit: number }) {
  const [rows, total] = await Promise.all([
    filteredDbs(db, tenantId, f).orderBy('instance_db.instance_id').orderBy('instance_db.schema_name').offset(page.offset).limit(page.limit).execute(),
    filteredDbs(db, tenantId, f)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** The databases of one instance, for discovery (any state). */
export function listDbsOfInstance(db: Db, instanceId: number) {
  return db.selectFrom('instance_db').selectAll().where('instance_id', '=', instanceId).orderBy('id').execute();
}

export async function insertDb(db: Db, values: Insertable<InstanceDbTable>): Promise<number> {
  const row = await db.insertInto('instance_db').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDb(db: Db, id: number, patch: Updateable<InstanceDbTable>): Promise<void> {
  await db.updateTable('instance_db').set(patch).where('id', '=', id).execute();
}

export async function updateDbsOfInstance(db: Db, instanceId: number, patch: Updateable<InstanceDbTable>): Promise<void> {
  await db.updateTable('instance_db').set(patch).where('instance_id', '=', instanceId).execute();
}

export async function deleteDbsOfInstance(db: Db, instanceId: number): Promise<void> {
  await db.deleteFrom('instance_db').where('instance_id', '=', instanceId).execute();
}

export function findInstancesByIds(db: Db, tenantId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([] as InstanceRow[]);
  return instancesQuery(db, tenantId).where('instance.id', 'in', ids).orderBy('instance.id').execute();
}
