/**
 * Schema design tickets (NDDL) through the real clients, on PostgreSQL and MariaDB, each with three
 * databases registered as dev, test and product: create the ticket, record a design (a new table,
 * a new column, a new index, a renamed column, a unique index), see review findings and refusals,
 * publish dev → test → product (product approved by its owner, then the DBA), with drift refused
 * on test and the hand-applied part skipped, a failing unique index on product restarted after
 * the fix, and the three schemas identical at the end.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ok, type Body } from '../helpers/server.js';
import { createMysqlDatabase, createPgDatabase, describeWithServer, parsedMysqlUrl, parsedPgUrl } from '../helpers/servers.js';
import { registerSqlite, startExportEnv, ticketStatus, until, withMysql, withPg, withSqlite, type ExportEnv } from '../helpers/export-flow.js';
import type Database from 'better-sqlite3';
import { describe } from 'vitest';
import crypto from 'node:crypto';

let env: ExportEnv;

beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => {
  await env?.close();
});

const ENVS = ['dev', 'test', 'product'] as const;
type Env = (typeof ENVS)[number];

interface Stage {
  dbId: number;
  exec(sql: string): Promise<void>;
  /** Columns and indexes of a table, engine-independent enough to compare the three databases. */
  schema(table: string): Promise<unknown>;
}

const INSTANCE = { ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC', DbaUid: 'dora' };


function scenario(engine: 'postgresql' | 'mariadb', stages: () => Record<Env, Stage>) {
  it(`${engine}: a design is recorded, reviewed and published dev → test → product; the schemas end identical`, async () => {
    const s = stages();
    const ulla = env.as(env.ulla);
    const orderId: number = ok(await ulla('CreateOrder', { Comment: 'orders table', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'Orders', description: 'a table for orders', dbId: s.dev.dbId, logic: false, relatedIds: [] }) })).CreateOrderResult.OrderIds[0];
    const info = ok(await env.v3(env.ulla)('GetTableDesignProjectInfo', { OrderId: orderId })).ProjectInfo;
    expect(info).toMatchObject({ Status: 'DESIGN', Title: 'Orders', OrderId: orderId, BaseDatabase: { DbId: s.dev.dbId, EnvType: 'dev', Logic: false } });
    const flow = async () => ok(await env.v3(env.ulla)('GetTableDesignProjectFlow', { OrderId: orderId })).ProjectFlow;
    const f0 = await flow();
    expect(f0.FlowNodeArray.map((n: Body) => n.NodeRole)).toEqual(['START', 'DESIGN', 'PUBLISH', 'PUBLISH', 'END']);
    expect(f0.CurrentPosition).toBe(2);

    // The design.
    const add = (sql: string) => env.v3(env.ulla)('AddTableDesignChange', { OrderId: orderId, SQL: sql });
    const money = engine === 'postgresql' ? 'numeric(10,2)' : 'decimal(10,2)';
    ok(await add(`create table orders (id bigint not null primary key, customer_id integer not null, amount ${money} not null default 0, note varchar(200) null)`));
    ok(await add('alter table customers add column phone varchar(20) null'));
    ok(await add('create index idx_orders_customer on orders (customer_id)'));
    ok(await add('alter table customers rename column email to email_address'));
    ok(await add('create unique index uq_customers_name on customers (name)'));
    // Refused: not applicable, not DDL, two statements.
    expect(await add('alter table nowhere add column x integer')).toMatchObject({ Success: false, ErrorCode: 'InvalidSQL', ErrorMessage: expect.stringMatching(/nowhere does not exist/) });
    expect(await add('alter table customers add column phone varchar(20)')).toMatchObject({ Success: false, ErrorMessage: expect.stringMatching(/phone already exists/) });
    expect(await add('update customers set name = 1')).toMatchObject({ Success: false, ErrorCode: 'InvalidSQL' });
    expect(await add('create table a (id int primary key); create table b (id int primary key)')).toMatchObject({ Success: false, ErrorMessage: expect.stringMatching(/exactly one statement/) });
    // A change the review finds fault with: recorded with its findings, then removed.
    const bad = ok(await add('create table NoKey (x integer)')).Change;
    expect(bad.Findings.map((f: Body) => f.Level)).toContain('ERROR');
    ok(await env.v3(env.ulla)('RemoveTableDesignChange', { OrderId: orderId, ChangeId: bad.ChangeId }));
    const changes = ok(await env.v3(env.ulla)('ListTableDesignChanges', { OrderId: orderId }));
    expect(changes.Changes.Change.map((c: Body) => [c.Position, c.Kind])).toEqual([
      [1, 'CREATE_TABLE'],
      [2, 'ALTER_TABLE'],
      [3, 'CREATE_INDEX'],
      [4, 'ALTER_TABLE'],
      [5, 'CREATE_INDEX'],
    ]);
    const preview = ok(await env.v3(env.ulla)('PreviewPublishScript', { OrderId: orderId, DbId: s.dev.dbId }));
    expect(preview.Pending).toEqual([1, 2, 3, 4, 5]);
    expect(preview.Script).toMatch(/^create table orders[\s\S]*create unique index uq_customers_name on customers \(name\);\n$/);

    // Stage 1: the base (dev), approved by the DBA.
    const publish = async (dbId: number) => env.as(env.ulla)('CreatePublishGroupTask', { OrderId: orderId, DbId: dbId, Logic: false, PublishStrategy: 'IMMEDIATELY' });
    const records = async () => ok(await env.v3(env.ulla)('ListDDLPublishRecords', { OrderId: orderId })).DDLPublishRecordList as Body[];
    const approveAll = async (users: (typeof env.dora)[]) => {
      for (const u of users) {
        const wf = (await records()).at(-1)!.WorkflowInstanceId;
        ok(await env.as(u)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE', Comment: 'ok' }));
      }
    };
    const published = async () => until('the publish', async () => {
      const last = (await records()).at(-1)!;
      return last.PublishStatus === 'SUCCESS' || last.PublishStatus === 'FAIL' ? last : undefined;
    });
    expect(await publish(s.test.dbId)).toMatchObject({ Success: false, ErrorCode: 'InvalidDbId', ErrorMessage: expect.stringMatching(/base database/) });
    ok(await publish(s.dev.dbId));
    expect(await ticketStatus(env, orderId)).toBe('toaudit');
    expect(await env.v3(env.ulla)('AddTableDesignChange', { OrderId: orderId, SQL: 'create table later (id int primary key)' })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    await approveAll([env.dora]);
    const r1 = await published();
    expect(r1).toMatchObject({ PublishStatus: 'SUCCESS', AuditStatus: 'SUCCESS', Finality: true });
    expect(r1.PublishTaskInfoList[0].PublishJobList.map((j: Body) => [j.TableName, j.TaskJobStatus])).toEqual([
      ['orders', 'SUCCESS'],
      ['customers', 'SUCCESS'],
    ]);
    expect(await ticketStatus(env, orderId)).toBe('new');
    expect((await flow()).CurrentPosition).toBe(3);

    // Stage 2 (test): the wrong environment, then drift (a column added by hand, the new table created by hand).
    expect(await publish(s.dev.dbId)).toMatchObject({ Success: false, ErrorMessage: expect.stringMatching(/dev database, but the design goes next to test or product/) });
    await s.test.exec(`create table orders (id bigint not null primary key, customer_id integer not null, amount ${money} not null default 0, note varchar(200) null)`);
    await s.test.exec('alter table customers add column hand integer null');
    expect(await publish(s.test.dbId)).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus', ErrorMessage: expect.stringMatching(/customers\.hand is not expected/) });
    await s.test.exec('alter table customers drop column hand');
    const p2 = ok(await env.v3(env.ulla)('PreviewPublishScript', { OrderId: orderId, DbId: s.test.dbId }));
    expect(p2).toMatchObject({ Applied: [1], Pending: [2, 3, 4, 5] });
    ok(await publish(s.test.dbId));
    await approveAll([env.dora]);
    const r2 = await published();
    expect(r2.PublishStatus, JSON.stringify(r2)).toBe('SUCCESS');
    expect(r2.PublishTaskInfoList[0].PublishJobList.find((j: Body) => j.TaskJobStatus === 'SKIPPED')).toMatchObject({ TableName: 'orders' });

    // Stage 3 (product): owner then DBA; the unique index fails on a duplicate, is fixed and restarted.
    ok(await publish(s.product.dbId));
    await approveAll([env.mike, env.dora]);
    const r3 = await published();
    expect(r3.PublishStatus).toBe('FAIL');
    expect(r3.StatusDesc).toMatch(/customers/);
    expect(await ticketStatus(env, orderId)).toBe('fail');
    await s.product.exec("update customers set name = 'Bob 2' where id = 3");
    ok(await env.v3(env.ulla)('RestartPublishGroupTask', { OrderId: orderId, TaskId: r3.TaskId }));
    const r3b = await published();
    expect(r3b.PublishStatus, JSON.stringify(r3b)).toBe('SUCCESS');
    expect(await ticketStatus(env, orderId)).toBe('success');
    expect(ok(await env.v3(env.ulla)('GetTableDesignProjectInfo', { OrderId: orderId })).ProjectInfo.Status).toBe('PUBLISHED');
    expect((await flow()).CurrentPosition).toBe(5);

    for (const table of ['customers', 'orders']) {
      const dev = await s.dev.schema(table);
      expect(await s.test.schema(table), `${table} on test`).toEqual(dev);
      expect(await s.product.schema(table), `${table} on product`).toEqual(dev);
    }
    expect(JSON.stringify(await s.dev.schema('customers'))).toContain('email_address');
  });
}

const CUSTOMERS = (dup: boolean) => [
  'create table customers (id integer not null primary key, name varchar(40) not null, email varchar(100) null)',
  `insert into customers (id, name, email) values (1, 'Ann', 'ann@example.com'), (2, 'Bob', null), (3, '${dup ? 'Bob' : 'Cid'}', 'c@example.com')`,
];

await describeWithServer('postgres', 'PostgreSQL', () => {
  const out = {} as Record<Env, Stage>;
  beforeAll(async () => {
    const { host, port, user, password } = parsedPgUrl();
    for (const e of ENVS) {
      const db = await createPgDatabase(`odms_nddl_${e}`);
      env.cleanups.push(db.drop);
      for (const sql of CUSTOMERS(e === 'product')) await withPg(db.url, (c) => c.query(sql));
      ok(await env.admin('RegisterInstance', { ...INSTANCE, InstanceType: 'postgresql', Host: host, Port: port, Sid: `nddl-${e}`, DatabaseUser: user, DatabasePassword: password || 'trust-any', InstanceAlias: `pg-${e}`, EnvType: e }));
      const dbId = Number(ok(await env.admin('GetDatabase', { Host: host, Port: port, Sid: `nddl-${e}`, SchemaName: db.name })).Database.DatabaseId);
      out[e] = {
        dbId,
        exec: async (sql) => void (await withPg(db.url, (c) => c.query(sql))),
        schema: async (table) =>
          withPg(db.url, async (c) => ({
            columns: (await c.query('select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable, column_default from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position', ['public', table])).rows,
            indexes: (await c.query('select indexname, indexdef from pg_indexes where schemaname = $1 and tablename = $2 order by indexname', ['public', table])).rows,
          })),
      };
    }
    const mike = await env.admin('GetUser', { Uid: 'mike' });
    ok(await env.admin('SetOwners', { ResourceId: out.product.dbId, OwnerType: 'DATABASE', OwnerIds: String(ok(mike).User.UserId) }));
  });
  scenario('postgresql', () => out);
});

await describeWithServer('mysql', 'MariaDB', () => {
  const out = {} as Record<Env, Stage>;
  beforeAll(async () => {
    const { host, port } = parsedMysqlUrl();
    const names: Record<string, string> = {};
    for (const e of ENVS) {
      const db = await createMysqlDatabase(`odms_nddl_${e}`);
      env.cleanups.push(db.drop);
      names[e] = db.name;
      for (const sql of CUSTOMERS(e === 'product')) await withMysql(db.name, (c) => c.query(sql));
    }
    const login = `odms_nddl_${crypto.randomBytes(4).toString('hex')}`;
    const password = `Pw-${crypto.randomBytes(8).toString('hex')}`;
    await withMysql(undefined, async (c) => {
      for (const h of ['%', 'localhost']) {
        await c.query(`create user '${login}'@'${h}' identified by '${password}'`);
        for (const e of ENVS) await c.query(`grant all on \`${names[e]}\`.* to '${login}'@'${h}'`);
      }
    });
    env.cleanups.push(() => withMysql(undefined, async (c) => {
      for (const h of ['%', 'localhost']) await c.query(`drop user if exists '${login}'@'${h}'`);
    }));
    for (const e of ENVS) {
      ok(await env.admin('RegisterInstance', { ...INSTANCE, InstanceType: 'MariaDB', Host: host, Port: port, Sid: `nddl-${e}`, DatabaseUser: login, DatabasePassword: password, InstanceAlias: `maria-${e}`, EnvType: e }));
      const dbId = Number(ok(await env.admin('GetDatabase', { Host: host, Port: port, Sid: `nddl-${e}`, SchemaName: names[e] })).Database.DatabaseId);
      const name = names[e]!;
      out[e] = {
        dbId,
        exec: async (sql) => void (await withMysql(name, (c) => c.query(sql))),
        schema: async (table) =>
          withMysql(name, async (c) => ({
            columns: (await c.query('select column_name, column_type, is_nullable, column_default, column_comment from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position', [name, table]))[0],
            indexes: (await c.query('select index_name, seq_in_index, column_name, non_unique from information_schema.statistics where table_schema = ? and table_name = ? order by index_name, seq_in_index', [name, table]))[0],
          })),
      };
    }
    const mike = await env.admin('GetUser', { Uid: 'mike' });
    ok(await env.admin('SetOwners', { ResourceId: out.product.dbId, OwnerType: 'DATABASE', OwnerIds: String(ok(mike).User.UserId) }));
  });
  scenario('mariadb', () => out);
});

describe('SQLite', () => {
  it('sqlite: the tenant flow, who may design, a scheduled publish', async () => {
    const base = await registerSqlite(env, 'nddl_base', (db) => db.exec('create table items (id integer primary key, name text not null)'));
    const admin = env.admin;
    // A flow without the test stage: dev → product.
    expect(await env.as(env.ulla)('SetTableDesignFlowConfig', { Stages: '[]' })).toMatchObject({ Success: false, ErrorCode: 'NoPermission' });
    expect(await admin('SetTableDesignFlowConfig', { Stages: JSON.stringify([{ EnvType: 'moon' }]) })).toMatchObject({ Success: false, ErrorCode: 'InvalidStages', ErrorMessage: expect.stringMatching(/moon/) });
    const set = ok(await admin('SetTableDesignFlowConfig', { Name: 'short', Stages: JSON.stringify([{ EnvType: 'dev', Title: 'Design' }, { EnvType: 'product', Title: 'Go live', BackToDesign: false }]) })).Flow;
    expect(set.Nodes.map((n: Body) => [n.NodeRole, n.EnvType ?? null])).toEqual([['START', null], ['DESIGN', 'dev'], ['PUBLISH', 'product'], ['END', null]]);
    expect(ok(await env.as(env.ulla)('GetTableDesignFlowConfig')).Flow.Name).toBe('short');

    const orderId: number = ok(await env.as(env.ulla)('CreateOrder', { Comment: 'sqlite design', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'Items v2', dbId: base.dbId }) })).CreateOrderResult.OrderIds[0];
    ok(await admin('SetTableDesignFlowConfig', { Stages: JSON.stringify([{ EnvType: 'dev' }]) })); // later changes do not touch the project
    const flow = ok(await env.v3(env.ulla)('GetTableDesignProjectFlow', { OrderId: orderId })).ProjectFlow;
    expect(flow).toMatchObject({ RuleName: 'short', CurrentPosition: 2 });
    expect(flow.FlowNodeArray).toHaveLength(4);

    // Only the committer designs; the change must apply.
    expect(await env.as(env.mike)('AddTableDesignChange', { OrderId: orderId, SQL: 'alter table items add column price integer' })).toMatchObject({ Success: false });
    expect(await env.as(env.olaf)('ListTableDesignChanges', { OrderId: orderId })).toMatchObject({ Success: false });
    const change = ok(await env.as(env.ulla)('AddTableDesignChange', { OrderId: orderId, SQL: 'alter table items add column price integer' })).Change;
    expect(change).toMatchObject({ Position: 1, Kind: 'ALTER_TABLE', TableName: 'items', AppliedToBase: false });
    ok(await env.as(env.ulla)('UpdateTableDesignChange', { OrderId: orderId, ChangeId: change.ChangeId, SQL: 'alter table items add column price integer not null default 0' }));
    expect(ok(await env.as(env.ulla)('ListTableDesignChanges', { OrderId: orderId })).Changes.Change[0].SQL).toMatch(/default 0/);
    expect(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).toMatchObject({ Success: false, ErrorMessage: expect.stringMatching(/CreatePublishGroupTask/) });

    // REGULARLY: approved now, runs at PlanTime (an hour from now): nothing changes yet.
    const plan = new Date(Date.now() + 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(await env.as(env.ulla)('CreatePublishGroupTask', { OrderId: orderId, DbId: base.dbId, Logic: false, PublishStrategy: 'REGULARLY' })).toMatchObject({ Success: false, ErrorCode: 'InvalidPlanTime' });
    ok(await env.as(env.ulla)('CreatePublishGroupTask', { OrderId: orderId, DbId: base.dbId, Logic: false, PublishStrategy: 'REGULARLY', PlanTime: plan }));
    const wf = ok(await env.as(env.ulla)('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.WorkflowInstanceId;
    ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    const [rec] = ok(await env.v3(env.ulla)('ListDDLPublishRecords', { OrderId: orderId })).DDLPublishRecordList;
    expect(rec).toMatchObject({ AuditStatus: 'SUCCESS', PublishStatus: 'DISPATCH', PublishTaskInfoList: [expect.objectContaining({ PublishStrategy: 'REGULARLY', PlanTime: expect.any(String) })] });
    expect(await ticketStatus(env, orderId)).toBe('processing');
    expect(ok(await env.as(env.ulla)('ListTableDesignChanges', { OrderId: orderId })).Changes.Change[0].AppliedToBase).toBe(false);
    expect(await env.as(env.ulla)('AddTableDesignChange', { OrderId: orderId, SQL: 'create index idx_items_name on items (name)' })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    ok(await admin('SetTableDesignFlowConfig', { Name: 'default', Stages: JSON.stringify([{ EnvType: 'dev' }, { EnvType: 'test', CanSkip: true }, { EnvType: 'product', BackToDesign: false }]) }));
  });

  it('sqlite: a design on a logical database goes to every member, at each stage', async () => {
    const setup = (db: Database.Database) => db.exec("create table items (id integer primary key, name text not null); insert into items values (1, 'a'), (2, 'b')");
    const devA = await registerSqlite(env, 'nddl_logic_dev_a', setup);
    const devB = await registerSqlite(env, 'nddl_logic_dev_b', setup);
    const prod: { file: string; dbId: number }[] = [];
    for (const name of ['nddl_logic_prod_a', 'nddl_logic_prod_b']) {
      const file = `${env.srv.server.deps.config.sqliteInstanceDir}/${name}.db`;
      withSqlite(file, setup);
      ok(await env.admin('RegisterInstance', { ...INSTANCE, InstanceType: 'sqlite', Host: file, InstanceAlias: name, EnvType: 'product' }));
      prod.push({ file, dbId: Number(ok(await env.admin('GetDatabase', { Host: file, Port: 0, SchemaName: 'main' })).Database.DatabaseId) });
    }
    const logicDev = ok(await env.admin('CreateLogicDatabase', { Alias: 'design-dev', DatabaseIds: JSON.stringify([devA.dbId, devB.dbId]) })).LogicDbId;
    const logicProd = ok(await env.admin('CreateLogicDatabase', { Alias: 'design-prod', DatabaseIds: JSON.stringify(prod.map((x) => x.dbId)) })).LogicDbId;
    const mike = ok(await env.admin('GetUser', { Uid: 'mike' })).User.UserId;
    ok(await env.admin('SetOwners', { ResourceId: logicProd, OwnerType: 'LOGIC_DATABASE', OwnerIds: String(mike) }));

    const orderId: number = ok(await env.as(env.ulla)('CreateOrder', { Comment: 'sharded design', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'Items on every shard', dbId: logicDev, logic: true }) })).CreateOrderResult.OrderIds[0];
    expect(ok(await env.v3(env.ulla)('GetTableDesignProjectInfo', { OrderId: orderId })).ProjectInfo.BaseDatabase).toMatchObject({ DbId: logicDev, Logic: true, EnvType: 'dev' });
    ok(await env.as(env.ulla)('AddTableDesignChange', { OrderId: orderId, SQL: 'alter table items add column price integer not null default 0' }));
    ok(await env.as(env.ulla)('AddTableDesignChange', { OrderId: orderId, SQL: 'create index idx_items_name on items (name)' }));
    const records = async () => ok(await env.v3(env.ulla)('ListDDLPublishRecords', { OrderId: orderId })).DDLPublishRecordList as Body[];
    const publishAndApprove = async (dbId: number, approvers: (typeof env.dora)[]) => {
      ok(await env.as(env.ulla)('CreatePublishGroupTask', { OrderId: orderId, DbId: dbId, Logic: true, PublishStrategy: 'IMMEDIATELY' }));
      for (const u of approvers) ok(await env.as(u)('ApproveOrder', { WorkflowInstanceId: (await records()).at(-1)!.WorkflowInstanceId, ApprovalType: 'AGREE' }));
      return until('the publish', async () => {
        const last = (await records()).at(-1)!;
        return last.PublishStatus === 'SUCCESS' || last.PublishStatus === 'FAIL' ? last : undefined;
      });
    };
    expect(await env.as(env.ulla)('CreatePublishGroupTask', { OrderId: orderId, DbId: devA.dbId, Logic: false, PublishStrategy: 'IMMEDIATELY' })).toMatchObject({ Success: false, ErrorCode: 'InvalidDbId' });
    const r1 = await publishAndApprove(logicDev, [env.dora]);
    expect(r1.PublishStatus, JSON.stringify(r1)).toBe('SUCCESS');
    expect(r1.PublishTaskInfoList.map((t: Body) => [t.DbId, t.LogicDbId, t.TaskJobStatus])).toEqual([
      [devA.dbId, logicDev, 'SUCCESS'],
      [devB.dbId, logicDev, 'SUCCESS'],
    ]);
    // Straight to product (test may be skipped); its route: the owner of the logical database, then the DBA.
    const r2 = await publishAndApprove(logicProd, [env.mike, env.dora]);
    expect(r2.PublishStatus, JSON.stringify(r2)).toBe('SUCCESS');
    expect(r2.PublishTaskInfoList).toHaveLength(2);
    expect(await ticketStatus(env, orderId)).toBe('success');
    for (const file of [devA.file, devB.file, ...prod.map((x) => x.file)]) {
      withSqlite(
        file,
        (db) => {
          expect(db.prepare('select name from pragma_table_info(?) order by cid').all('items').map((r) => (r as { name: string }).name), file).toEqual(['id', 'name', 'price']);
          expect(db.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'items'").all().map((r) => (r as { name: string }).name), file).toEqual(['idx_items_name']);
        },
        { readonly: true },
      );
    }
  });
});
