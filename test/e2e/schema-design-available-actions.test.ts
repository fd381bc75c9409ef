/**
 * GetOrderAvailableActions on a schema design (NDDL) through @alicloud/pop-core: PUBLISH (with the
 * base as DbId on the design stage, without one later), EDIT_DESIGN and RESTART appear exactly when
 * CreatePublishGroupTask, the design Actions and RestartPublishGroupTask accept them, and calling
 * the named Action with the given parameters works. SQLite: a dev base and a product database
 * owned by mike, whose duplicate names make the unique index fail until they are fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, type Body, type Key } from '../helpers/server.js';
import { registerSqlite, startExportEnv, ticketStatus, until, withSqlite, type ExportEnv } from '../helpers/export-flow.js';

let env: ExportEnv;

beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => env?.close());

const actions = async (by: Key, orderId: number): Promise<Body[]> => ok(await env.as(by)('GetOrderAvailableActions', { OrderId: orderId })).Actions.Action;
const names = async (by: Key, orderId: number): Promise<string[]> => (await actions(by, orderId)).map((a) => a.Name);
const named = async (by: Key, orderId: number, name: string): Promise<Body> => (await actions(by, orderId)).find((a) => a.Name === name)!;

describe('GetOrderAvailableActions for schema designs', () => {
  it('offers publish, edit and restart exactly when the server accepts them', async () => {
    const setup = "create table items (id integer primary key, name text not null); insert into items values (1, 'a'), (2, 'b')";
    const base = await registerSqlite(env, 'avail_nddl_dev', (db) => db.exec(setup));
    const prodFile = `${env.srv.server.deps.config.sqliteInstanceDir}/avail_nddl_prod.db`;
    withSqlite(prodFile, (db) => db.exec(`${setup}, (3, 'a')`));
    ok(await env.admin('RegisterInstance', { InstanceType: 'sqlite', Host: prodFile, InstanceAlias: 'avail-prod', EnvType: 'product', DbaUid: 'dora', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC' }));
    const prodId = Number(ok(await env.admin('GetDatabase', { Host: prodFile, Port: 0, SchemaName: 'main' })).Database.DatabaseId);
    ok(await env.admin('SetOwners', { ResourceId: String(prodId), OwnerType: 'DATABASE', OwnerIds: String(env.mike.userId) }));

    const ulla = env.as(env.ulla);
    const orderId: number = ok(await ulla('CreateOrder', { Comment: 'unique names', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'Unique item names', dbId: base.dbId }) })).CreateOrderResult.OrderIds[0];
    // No plain SUBMIT on a design: the committer publishes (to the base first) and edits; the DBA may only close.
    expect(await names(env.ulla, orderId)).toEqual(['PUBLISH', 'EDIT_DESIGN', 'CLOSE']);
    expect(await names(env.dora, orderId)).toEqual(['CLOSE']);
    const edit = await named(env.ulla, orderId, 'EDIT_DESIGN');
    ok(await ulla(edit.ApiAction, { ...edit.Params, SQL: 'create unique index uq_items_name on items (name)' }));
    const publish1 = await named(env.ulla, orderId, 'PUBLISH');
    expect(publish1).toMatchObject({ ApiAction: 'CreatePublishGroupTask', Transition: 'SUBMIT', Enabled: true, Params: { OrderId: orderId, DbId: base.dbId, Logic: 'false', PublishStrategy: 'IMMEDIATELY' } });
    ok(await ulla(publish1.ApiAction, publish1.Params));

    // Under approval: nothing to publish or edit (the server refuses both), the DBA approves.
    expect(await names(env.ulla, orderId)).toEqual(['CANCEL', 'CLOSE']);
    expect(await ulla('AddTableDesignChange', { OrderId: orderId, SQL: 'create index idx_items_id on items (id)' })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    const approve = await named(env.dora, orderId, 'APPROVE');
    ok(await env.as(env.dora)(approve.ApiAction, approve.Params));
    await until('the design stage', async () => ((await ticketStatus(env, orderId)) === 'new' ? true : undefined));

    // The next stage: PUBLISH without a DbId (the caller picks a product database); dev is refused by the same Action.
    const publish2 = await named(env.ulla, orderId, 'PUBLISH');
    expect(publish2.Params.DbId).toBeUndefined();
    expect(await names(env.ulla, orderId)).toEqual(['PUBLISH', 'EDIT_DESIGN', 'CLOSE']);
    expect(await ulla(publish2.ApiAction, { ...publish2.Params, DbId: base.dbId })).toMatchObject({ Success: false, ErrorCode: 'InvalidDbId' });
    ok(await ulla(publish2.ApiAction, { ...publish2.Params, DbId: prodId }));
    for (const who of [env.mike, env.dora]) {
      const a = await named(who, orderId, 'APPROVE');
      ok(await env.as(who)(a.ApiAction, a.Params));
    }
    await until('the failed publish', async () => ((await ticketStatus(env, orderId)) === 'fail' ? true : undefined));

    // The duplicate 'a' made it fail: RESTART for the committer (with the publish's TaskId), not for mike.
    const restart = await named(env.ulla, orderId, 'RESTART');
    const last = ok(await env.v3(env.ulla)('ListDDLPublishRecords', { OrderId: orderId })).DDLPublishRecordList.at(-1);
    expect(restart).toMatchObject({ ApiAction: 'RestartPublishGroupTask', Params: { OrderId: orderId, TaskId: last.TaskId } });
    expect(await names(env.ulla, orderId)).not.toContain('PUBLISH');
    expect(await names(env.mike, orderId)).not.toContain('RESTART');
    withSqlite(prodFile, (db) => db.exec("update items set name = 'c' where id = 3"));
    ok(await ulla(restart.ApiAction, restart.Params));
    await until('the product stage', async () => ((await ticketStatus(env, orderId)) === 'success' ? true : undefined));
    const after = await names(env.ulla, orderId);
    for (const n of ['PUBLISH', 'EDIT_DESIGN', 'RESTART']) expect(after).not.toContain(n);
    withSqlite(prodFile, (db) => expect(db.prepare("select name from sqlite_master where type = 'index' and name = 'uq_items_name'").all()).toHaveLength(1), { readonly: true });
  }, 90_000);
});
