import type { Db } from '../../storage/db.js';
import { containsText } from './instance.repository.js';

/** Logical databases and their members, one function per query. */

export async function insertLogicDb(db: Db, v: { tenantId: number; alias: string; schemaName: string }, now: number): Promise<number> {
  const row = await db
    .insertInto('logic_db')
    .values({ tenant_id: v.tenantId, alias: v.alias, schema_name: v.schemaName, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateLogicDb(db: Db, id: number, patch: { alias: string; schema_name: string; updated_at: number }): Promise<void> {
  await db.updateTable('logic_db').set(patch).where('id', '=', id).execute();
}

export async function deleteLogicDb(db: Db, id: number): Promise<void> {
  await db.deleteFrom('logic_db').where('id', '=', id).execute();
}

export function findLogicDb(db: Db, tenantId: number, id: number) {
  return db.selectFrom('logic_db').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function findLogicDbByAlias(db: Db, tenantId: number, alias: string) {
  return db.selectFrom('logic_db').selectAll().where('tenant_id', '=', tenantId).where('alias', '=', alias).executeTakeFirst();
}

export function findLogicDbsByIds(db: Db, tenantId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('logic_db').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').execute();
}

export type LogicDbRow = NonNullable<Awaited<ReturnType<typeof findLogicDb>>>;

export interface LogicDbFilter {
  /** Matched against alias and schema name. */
  search?: string | undefined;
  ownerUserId?: number | undefined;
  /** Only logical databases with a member of this engine / environment. */
  dbType?: string | undefined;
  envType?: string | undefined;
}

function filteredLogicDbs(db: Db, tenantId: number, f: LogicDbFilter) {
  let q = db.selectFrom('logic_db').where('logic_db.tenant_id', '=', tenantId);
  if (f.search) {
    const like = f.search;
    q = q.where((eb) => eb.or([containsText('logic_db.alias', like), containsText('logic_db.schema_name', like)]));
  }
  if (f.ownerUserId !== undefined) {
    const userId = f.ownerUserId;
    q = q.where('logic_db.id', 'in', (eb) =>
      eb.selectFrom('resource_owner').select('resource_id').where('resource_type', '=', 'LOGIC_DATABASE').where('user_id', '=', userId),
    );
  }
  if (f.dbType || f.envType) {
    const { dbType, envType } = f;
    q = q.where('logic_db.id', 'in', (eb) => {
      let sub = eb
        .selectFrom('logic_db_member')
        .innerJoin('instance_db', 'instance_db.id', 'logic_db_member.db_id')
        .innerJoin('instance', 'instance.id', 'instance_db.instance_id')
        .select('logic_db_member.logic_db_id');
      if (dbType) sub = sub.where('instance.db_type', '=', dbType);
      if (envType) sub = sub.where('instance_db.env_type', '=', envType);
      return sub;
    });
  }
  return q;
}

export async function listLogicDbs(db: Db, tenantId: number, f: LogicDbFilter, page: { offset: number; limit: number }) {
  const [rows, total] = await Promise.all([
    filteredLogicDbs(db, tenantId, f).selectAll('logic_db').orderBy('logic_db.id').offset(page.offset).limit(page.limit).execute(),
    filteredLogicDbs(db, tenantId, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Members of several logical databases, with the engine and environment of each. */
export function listMembers(db: Db, logicDbIds: readonly number[]) {
  if (logicDbIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('logic_db_member')
    .innerJoin('instance_db', 'instance_db.id', 'logic_db_member.db_id')
    .innerJoin('instance', 'instance.id', 'instance_db.instance_id')
    .select(['logic_db_member.logic_db_id', 'logic_db_member.db_id', 'instance.db_type', 'instance_db.env_type'])
    .where('logic_db_member.logic_db_id', 'in', logicDbIds)
    .orderBy('logic_db_member.db_id')
    .execute();
}

/** Which logical database (if any) each of these physical databases belongs to. */
export function findMembershipsOfDbs(db: Db, dbIds: readonly number[]) {
  if (dbIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('logic_db_member').select(['logic_db_id', 'db_id']).where('db_id', 'in', dbIds).execute();
}

export async function insertMembers(db: Db, tenantId: number, logicDbId: number, dbIds: readonly number[]): Promise<void> {
  if (dbIds.length === 0) return;
  await db
    .insertInto('logic_db_member')
    .values(dbIds.map((dbId) => ({ logic_db_id: logicDbId, db_id: dbId, tenant_id: tenantId })))
    .execute();
}

export async function deleteMembersOfLogicDb(db: Db, logicDbId: number): Promise<void> {
  await db.deleteFrom('logic_db_member').where('logic_db_id', '=', logicDbId).execute();
}

export async function deleteMembershipsOfDbs(db: Db, dbIds: readonly number[]): Promise<void> {
  if (dbIds.length === 0) return;
  await db.deleteFrom('logic_db_member').where('db_id', 'in', dbIds).execute();
}
