import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { DesignChangeTable, DesignProjectTable, DesignPublishJobTable, DesignPublishTable, PublishStatus } from './design.table.js';

/** Schema design tables, one function per query. */

export function findFlow(db: Db, tenantId: number) {
  return db.selectFrom('design_flow').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

export async function upsertFlow(db: Db, v: { tenantId: number; name: string; stages: string; pgConcurrentIndex: boolean; by: number }, now: number): Promise<void> {
  const row = { tenant_id: v.tenantId, name: v.name, stages: v.stages, pg_concurrent_index: v.pgConcurrentIndex ? 1 : 0, updated_by: v.by, updated_at: now };
  await db
    .insertInto('design_flow')
    .values(row)
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ name: row.name, stages: row.stages, pg_concurrent_index: row.pg_concurrent_index, updated_by: row.updated_by, updated_at: row.updated_at }))
    .execute();
}

export async function insertProject(db: Db, v: Insertable<DesignProjectTable>): Promise<number> {
  return (await db.insertInto('design_project').values(v).returning('id').executeTakeFirstOrThrow()).id;
}

export function findProjectByTicket(db: Db, ticketId: number) {
  return db.selectFrom('design_project').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

export type ProjectRow = NonNullable<Awaited<ReturnType<typeof findProjectByTicket>>>;

export async function updateProject(db: Db, id: number, set: Updateable<DesignProjectTable>, now: number): Promise<void> {
  await db.updateTable('design_project').set({ ...set, modified_at: now }).where('id', '=', id).execute();
}

export function listChanges(db: Db, projectId: number) {
  return db.selectFrom('design_change').selectAll().where('project_id', '=', projectId).orderBy('position').execute();
}

export type ChangeRow = Awaited<ReturnType<typeof listChanges>>[number];

export async function insertChange(db: Db, v: Insertable<DesignChangeTable>): Promise<number> {
  return (await db.insertInto('design_change').values(v).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateChange(db: Db, id: number, set: Updateable<DesignChangeTable>): Promise<void> {
  await db.updateTable('design_change').set(set).where('id', '=', id).execute();
}

export async function deleteChange(db: Db, id: number): Promise<void> {
  await db.deleteFrom('design_change').where('id', '=', id).execute();
}

/** Renumbers the positions 1..n in the given order. */
export async function renumber(db: Db, ids: readonly number[]): Promise<void> {
  for (const [k, id] of ids.entries()) await db.updateTable('design_change').set({ position: k + 1 }).where('id', '=', id).execute();
}

export function listSnapshots(db: Db, projectId: number) {
  return db.selectFrom('design_snapshot').selectAll().where('project_id', '=', projectId).orderBy('table_name').orderBy('position').execute();
}

export async function putSnapshot(db: Db, v: { projectId: number; position: number; table: string; state: string }): Promise<void> {
  await db
    .insertInto('design_snapshot')
    .values({ project_id: v.projectId, position: v.position, table_name: v.table, state: v.state })
    .onConflict((oc) => oc.columns(['project_id', 'table_name', 'position']).doUpdateSet({ state: v.state }))
    .execute();
}

export async function insertPublish(db: Db, v: Insertable<DesignPublishTable>): Promise<number> {
  return (await db.insertInto('design_publish').values(v).returning('id').executeTakeFirstOrThrow()).id;
}

export function findPublish(db: Db, id: number) {
  return db.selectFrom('design_publish').selectAll().where('id', '=', id).executeTakeFirst();
}

export type PublishRow = NonNullable<Awaited<ReturnType<typeof findPublish>>>;

export function listPublishes(db: Db, projectId: number) {
  return db.selectFrom('design_publish').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
}

export async function updatePublishIf(db: Db, id: number, from: readonly PublishStatus[], set: Updateable<DesignPublishTable>): Promise<boolean> {
  const r = await db.updateTable('design_publish').set(set).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The jobs of one member database of a publish, replaced (a new plan). */
export async function replacePublishJobs(db: Db, publishId: number, dbId: number, jobs: readonly Omit<Insertable<DesignPublishJobTable>, 'publish_id' | 'db_id'>[]): Promise<void> {
  await db.deleteFrom('design_publish_job').where('publish_id', '=', publishId).where('db_id', '=', dbId).execute();
  if (jobs.length > 0) await db.insertInto('design_publish_job').values(jobs.map((j) => ({ ...j, publish_id: publishId, db_id: dbId }))).execute();
}

export function listPublishJobs(db: Db, publishId: number) {
  return db.selectFrom('design_publish_job').selectAll().where('publish_id', '=', publishId).orderBy('id').execute();
}

export async function updatePublishJob(db: Db, id: number, set: Updateable<DesignPublishJobTable>): Promise<void> {
  await db.updateTable('design_publish_job').set(set).where('id', '=', id).execute();
}
