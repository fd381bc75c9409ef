/**
 * Per-tenant SQL review rule settings through the real clients: ListSqlReviewRules (defaults,
 * effective settings per environment), SetSqlReviewRule / ResetSqlReviewRule (ADMIN or
 * SECURITY_ADMIN only, validated parameters), and their effect on the DC_COMMON precheck of
 * SQLite databases in `dev` and `test`: a raised level blocks a statement that only warned, OFF
 * silences a rule, an environment's setting beats `*` which beats the default (level and each
 * param), and one tenant's settings never reach another tenant.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser, gatewayError, ok, type Body, type Key } from '../helpers/server.js';
import { sleep, startExportEnv, type Call, type ExportEnv, type User } from '../helpers/export-flow.js';

const ROWS = 20;
const SETUP = `create table items (id integer primary key, name varchar(40) not null, qty integer not null);
insert into items (id, name, qty) values ${Array.from({ length: ROWS }, (_, k) => `(${k + 1}, 'item ${k + 1}', ${k})`).join(', ')};`;
/** Warns by default (insert-no-column-list, WARNING) and nothing else. */
const WARN_ONLY = "insert into items values (100, 'new', 1)";
/** 12 DML rules (data-change prechecks), then 13 DDL rules (schema-design tickets). */
const RULE_COUNT = 25;

let env: ExportEnv;
let sam: User;
let devDb: number;
let testDb: number;
/** A database of tenant B (olaf's), env dev. */
let bDb: number;

/** A SQLite file registered as its own instance in `envType` (by `as`, in `tid`), with `items`. */
async function sqliteDb(name: string, envType: string, as: Call, dbaUid: string, tid?: number): Promise<number> {
  const dir = env.srv.server.deps.config.sqliteInstanceDir;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.db`);
  const db = new Database(file);
  db.exec(SETUP);
  db.close();
  const t = tid ? { Tid: tid } : {};
  ok(await as('RegisterInstance', { ...t, ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC', EnvType: envType, DbaUid: dbaUid, InstanceType: 'sqlite', Host: file, InstanceAlias: name }));
  return Number(ok(await as('GetDatabase', { ...t, Host: file, Port: 0, SchemaName: 'main' })).Database.DatabaseId);
}

beforeAll(async () => {
  env = await startExportEnv();
  sam = { ...(await createUser(env.srv, 'sam', 'SECURITY_ADMIN')), uid: 'sam' };
  devDb = await sqliteDb('rr_dev', 'dev', env.admin, 'dora');
  testDb = await sqliteDb('rr_test', 'test', env.admin, 'dora');
  const tenantB = Number(ok(await env.as(env.olaf)('GetUserActiveTenant')).Tenant.Tid);
  bDb = await sqliteDb('rr_b', 'dev', env.as(env.olaf), 'olaf', tenantB);
});
afterAll(async () => {
  await env?.close();
});

const admin = (action: string, params: Record<string, unknown> = {}) => env.admin(action, params);
const list = async (as: Key, envType?: string): Promise<Body[]> => ok(await env.as(as)('ListSqlReviewRules', envType ? { EnvType: envType } : {})).Rules.Rule;
const ruleOf = async (ruleId: string, envType?: string, as: Key = env.ulla): Promise<Body> => (await list(as, envType)).find((r) => r.RuleId === ruleId)!;

/** Every setting of tenant A and B is removed after each test, through the Action itself. */
afterEach(async () => {
  for (const [as, who] of [[env.srv.admin, env.admin], [env.olaf, env.as(env.olaf)]] as const) {
    for (const r of await list(as)) for (const s of r.Settings.Setting) ok(await who('ResetSqlReviewRule', { RuleId: r.RuleId, EnvType: s.EnvType }));
  }
});

/** Files a DC_COMMON ticket and waits for its precheck; returns the order id, the detail and the statements. */
async function precheck(dbId: number, sql: string, by: User = env.ulla): Promise<{ id: number; detail: Body; statements: Body[] }> {
  const body = ok(await env.v3(by)('CreateDataCorrectOrder', { Comment: 'review settings test', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: sql, EstimateAffectRows: 1000 }) }));
  const id = Number(body.CreateOrderResult[0]);
  const until = Date.now() + 30_000;
  let detail: Body;
  for (;;) {
    detail = ok(await env.v3(by)('GetDataCorrectOrderDetail', { OrderId: id })).DataCorrectOrderDetail;
    if (detail.Status !== 'precheck') break;
    if (Date.now() > until) throw new Error(`precheck of ${id} did not settle`);
    await sleep(50);
  }
  const statements = ok(await env.v3(by)('ListDataCorrectPreCheckSQL', { OrderId: id })).PreCheckSQLList;
  return { id, detail, statements };
}

const step = (d: Body, name: string): Body => d.PreCheckDetail.TaskCheckDO.find((s: Body) => s.CheckStep === name);
const findings = (statements: Body[]) => statements.flatMap((s) => s.Findings.map((f: Body) => `${f.RuleId}:${f.Level}`));

describe('ListSqlReviewRules', () => {
  it('lists every rule with its defaults, for any member of the tenant', async () => {
    for (const who of [env.ulla, env.dora, env.srv.admin]) {
      const rules = await list(who);
      expect(rules).toHaveLength(RULE_COUNT);
      for (const r of rules) {
        expect(r).toMatchObject({ RuleId: expect.any(String), Description: expect.any(String), DefaultLevel: expect.stringMatching(/^(ERROR|WARNING|NOTICE)$/), LevelSource: 'DEFAULT', Settings: { Setting: [] } });
        expect(r.Level).toBe(r.DefaultLevel);
        expect(r.Params).toEqual(r.DefaultParams);
      }
    }
    const rules = await list(env.ulla, 'dev');
    expect(rules.find((r) => r.RuleId === 'dml-too-many-rows')).toMatchObject({ DefaultLevel: 'WARNING', DefaultParams: { maxRows: 10000 }, Params: { maxRows: 10000 } });
    expect(rules.find((r) => r.RuleId === 'too-many-statements')).toMatchObject({ DefaultLevel: 'ERROR', DefaultParams: { maxStatements: 1000 } });
    expect(rules.find((r) => r.RuleId === 'dml-no-where')).toMatchObject({ DefaultLevel: 'ERROR', DefaultParams: {} });
    expect(rules.find((r) => r.RuleId === 'insert-no-column-list')).toMatchObject({ DefaultLevel: 'WARNING', Level: 'WARNING' });
    // The DDL rules are listed too; some have a stricter default in product.
    expect(rules.find((r) => r.RuleId === 'ddl-alter-lock')).toMatchObject({ DefaultLevel: 'WARNING', DefaultParams: { minTableRows: 1000000 } });
    expect(rules.find((r) => r.RuleId === 'ddl-drop-table')).toMatchObject({ Scope: 'DDL', DefaultLevel: 'WARNING', DefaultLevelIn: { product: 'ERROR' }, Level: 'WARNING', LevelSource: 'DEFAULT' });
    expect(rules.find((r) => r.RuleId === 'dml-no-where')).toMatchObject({ Scope: 'DML', DefaultLevelIn: {} });
    expect((await list(env.ulla, 'product')).find((r) => r.RuleId === 'ddl-drop-table')).toMatchObject({ DefaultLevel: 'ERROR', Level: 'ERROR', LevelSource: 'DEFAULT' });
  });

  it('a DDL rule is set like a DML rule, and does not change a data-change precheck', async () => {
    const set = ok(await admin('SetSqlReviewRule', { RuleId: 'ddl-naming', Level: 'ERROR', EnvType: 'dev', Params: JSON.stringify({ namingStyle: 1 }) }));
    expect(set.Rule).toMatchObject({ RuleId: 'ddl-naming', Level: 'ERROR', LevelSource: 'dev', Params: { namingStyle: 1, maxLength: 64, reservedWords: 1 } });
    expect(await admin('SetSqlReviewRule', { RuleId: 'ddl-naming', Level: 'ERROR', Params: JSON.stringify({ namingStyle: 'camel' }) })).toMatchObject({ Success: false, ErrorCode: 'InvalidParams' });
    const r = await precheck(devDb, WARN_ONLY);
    expect(r.detail.Status).toBe('precheck_success');
    expect(findings(r.statements)).toEqual(['insert-no-column-list:WARNING']);
  });
});

describe('SetSqlReviewRule and the precheck', () => {
  it('ERROR for dev blocks a statement that only warned before, and the ticket cannot be submitted', async () => {
    const before = await precheck(devDb, WARN_ONLY);
    expect(before.detail.Status, JSON.stringify(before.detail.PreCheckDetail)).toBe('precheck_success');
    expect(step(before.detail, 'SQL_REVIEW')).toMatchObject({ CheckStatus: 'SUCCESS', UserTip: expect.stringMatching(/^1 warning\(s\): .*insert-no-column-list/) });
    expect(findings(before.statements)).toEqual(['insert-no-column-list:WARNING']);

    const set = ok(await admin('SetSqlReviewRule', { RuleId: 'insert-no-column-list', Level: 'ERROR', EnvType: 'dev' }));
    expect(set.Rule).toMatchObject({ RuleId: 'insert-no-column-list', Level: 'ERROR', LevelSource: 'dev', DefaultLevel: 'WARNING' });
    expect(set.Rule.Settings.Setting).toEqual([{ EnvType: 'dev', Level: 'ERROR', Params: {}, UpdaterId: env.srv.admin.userId, UpdateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) }]);
    // Effective for dev only; the tenant-wide view and other environments keep the default.
    expect(await ruleOf('insert-no-column-list', 'dev')).toMatchObject({ Level: 'ERROR', LevelSource: 'dev' });
    expect(await ruleOf('insert-no-column-list')).toMatchObject({ Level: 'WARNING', LevelSource: 'DEFAULT', Settings: { Setting: [expect.objectContaining({ EnvType: 'dev' })] } });
    expect(await ruleOf('insert-no-column-list', 'TEST')).toMatchObject({ Level: 'WARNING', LevelSource: 'DEFAULT' });

    const after = await precheck(devDb, WARN_ONLY);
    expect(after.detail.Status).toBe('precheckFailed');
    expect(step(after.detail, 'SQL_REVIEW')).toMatchObject({ CheckStatus: 'FAIL', UserTip: expect.stringMatching(/^Statement 1 \(line 1\): .*insert-no-column-list/) });
    expect(after.statements).toEqual([expect.objectContaining({ SqlReviewStatus: 'BLOCK', Findings: [expect.objectContaining({ RuleId: 'insert-no-column-list', Level: 'ERROR' })] })]);
    expect(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: after.id })).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus', ErrorMessage: expect.stringMatching(/precheck failed: Statement 1/) });

    // The test database is not dev: still only a warning.
    const other = await precheck(testDb, WARN_ONLY);
    expect(other.detail.Status).toBe('precheck_success');
    expect(findings(other.statements)).toEqual(['insert-no-column-list:WARNING']);

    // Reset: back to the default; RetryDataCorrectPreCheck then passes.
    const reset = ok(await admin('ResetSqlReviewRule', { RuleId: 'insert-no-column-list', EnvType: 'dev' }));
    expect(reset).toMatchObject({ Removed: true, Rule: { Level: 'WARNING', LevelSource: 'DEFAULT', Settings: { Setting: [] } } });
    expect(ok(await admin('ResetSqlReviewRule', { RuleId: 'insert-no-column-list', EnvType: 'dev' })).Removed).toBe(false);
    ok(await env.v3(env.ulla)('RetryDataCorrectPreCheck', { OrderId: after.id }));
    for (const until = Date.now() + 30_000; ; await sleep(50)) {
      const d = ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: after.id })).DataCorrectOrderDetail;
      if (d.Status === 'precheck') {
        if (Date.now() > until) throw new Error('retry did not settle');
        continue;
      }
      expect(d.Status).toBe('precheck_success');
      break;
    }
    ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: after.id }));
  });

  it('OFF silences a rule: a DELETE without WHERE passes the review', async () => {
    const blocked = await precheck(devDb, 'delete from items');
    expect(blocked.detail.Status).toBe('precheckFailed');
    expect(findings(blocked.statements)).toContain('dml-no-where:ERROR');

    ok(await admin('SetSqlReviewRule', { RuleId: 'dml-no-where', Level: 'off' })); // any case; EnvType absent: '*'
    expect(await ruleOf('dml-no-where', 'dev')).toMatchObject({ Level: 'OFF', LevelSource: '*' });
    const silenced = await precheck(devDb, 'delete from items');
    expect(silenced.detail.Status, JSON.stringify(silenced.detail.PreCheckDetail)).toBe('precheck_success');
    expect(findings(silenced.statements)).not.toContain('dml-no-where:ERROR');
    expect(silenced.statements[0]).toMatchObject({ SqlReviewStatus: 'PASS', AffectRows: ROWS });

    // A rule can be turned down to NOTICE: shown, not counted as a warning.
    ok(await admin('SetSqlReviewRule', { RuleId: 'insert-no-column-list', Level: 'NOTICE' }));
    const notice = await precheck(devDb, WARN_ONLY);
    expect(notice.detail.Status).toBe('precheck_success');
    expect(step(notice.detail, 'SQL_REVIEW').UserTip).toBe('No review rule is violated.');
    expect(findings(notice.statements)).toEqual(['insert-no-column-list:NOTICE']);
  });

  it("an environment's setting beats '*', which beats the default: the level and each param", async () => {
    // '*': maxRows 5 (a 20-row UPDATE warns everywhere) ...
    ok(await admin('SetSqlReviewRule', { RuleId: 'dml-too-many-rows', Level: 'WARNING', Params: JSON.stringify({ maxRows: 5 }) }));
    // ... dev: ERROR, threshold not given (it comes from '*').
    ok(await admin('SetSqlReviewRule', { RuleId: 'dml-too-many-rows', Level: 'ERROR', EnvType: 'dev' }));
    expect(await ruleOf('dml-too-many-rows', 'dev')).toMatchObject({ Level: 'ERROR', LevelSource: 'dev', Params: { maxRows: 5 } });
    expect(await ruleOf('dml-too-many-rows', 'test')).toMatchObject({ Level: 'WARNING', LevelSource: '*', Params: { maxRows: 5 } });
    expect((await ruleOf('dml-too-many-rows')).Settings.Setting.map((s: Body) => [s.EnvType, s.Level, s.Params])).toEqual([
      ['*', 'WARNING', { maxRows: 5 }],
      ['dev', 'ERROR', {}],
    ]);

    const sql = 'update items set qty = qty + 1 where id > 0';
    const dev = await precheck(devDb, sql);
    expect(dev.detail.Status).toBe('precheckFailed');
    expect(dev.statements[0]).toMatchObject({ SqlReviewStatus: 'BLOCK', Findings: [expect.objectContaining({ RuleId: 'dml-too-many-rows', Level: 'ERROR', Message: expect.stringMatching(/about 20 rows, more than 5/) })] });
    const test = await precheck(testDb, sql);
    expect(test.detail.Status).toBe('precheck_success');
    expect(findings(test.statements)).toEqual(['dml-too-many-rows:WARNING']);

    // dev's own threshold beats '*' (flattened Params.maxRows, as legacy clients send it).
    ok(await admin('SetSqlReviewRule', { RuleId: 'dml-too-many-rows', Level: 'ERROR', EnvType: 'dev', 'Params.maxRows': '50' }));
    expect(await ruleOf('dml-too-many-rows', 'dev')).toMatchObject({ Level: 'ERROR', Params: { maxRows: 50 } });
    expect((await precheck(devDb, sql)).detail.Status).toBe('precheck_success');

    // Without the dev setting, '*' applies to dev; without both, the default.
    expect(ok(await admin('ResetSqlReviewRule', { RuleId: 'dml-too-many-rows', EnvType: 'dev' })).Rule).toMatchObject({ Level: 'WARNING', LevelSource: '*', Params: { maxRows: 5 } });
    expect(findings((await precheck(devDb, sql)).statements)).toEqual(['dml-too-many-rows:WARNING']);
    expect(ok(await admin('ResetSqlReviewRule', { RuleId: 'dml-too-many-rows' })).Rule).toMatchObject({ Level: 'WARNING', LevelSource: 'DEFAULT', Params: { maxRows: 10000 } });
    expect(findings((await precheck(devDb, sql)).statements)).toEqual([]);
  });
});

describe('who may change settings', () => {
  it('USER and DBA are refused with NoPermission; ADMIN and SECURITY_ADMIN may', async () => {
    for (const who of [env.ulla, env.dora]) {
      for (const [action, params] of [
        ['SetSqlReviewRule', { RuleId: 'dml-no-where', Level: 'OFF' }],
        ['ResetSqlReviewRule', { RuleId: 'dml-no-where' }],
      ] as const) {
        expect(await env.as(who)(action, params)).toMatchObject({ Success: false, ErrorCode: 'NoPermission', ErrorMessage: expect.stringMatching(/ADMIN or SECURITY_ADMIN/) });
      }
    }
    expect((await ruleOf('dml-no-where')).Settings.Setting).toEqual([]);

    const bySam = ok(await env.as(sam)('SetSqlReviewRule', { RuleId: 'table-without-key', Level: 'ERROR', EnvType: 'Product' }));
    expect(bySam.Rule).toMatchObject({ Level: 'ERROR', LevelSource: 'product', Settings: { Setting: [expect.objectContaining({ EnvType: 'product', UpdaterId: sam.userId })] } });
    // The admin replaces it; the record says who changed it last.
    ok(await admin('SetSqlReviewRule', { RuleId: 'table-without-key', Level: 'NOTICE', EnvType: 'product' }));
    expect((await ruleOf('table-without-key', 'product', sam)).Settings.Setting).toEqual([expect.objectContaining({ Level: 'NOTICE', UpdaterId: env.srv.admin.userId })]);
    expect(ok(await env.as(sam)('ResetSqlReviewRule', { RuleId: 'table-without-key', EnvType: 'product' })).Removed).toBe(true);
  });
});

describe('parameter errors name the parameter', () => {
  const set = (params: Record<string, unknown>) => admin('SetSqlReviewRule', { RuleId: 'dml-too-many-rows', Level: 'ERROR', ...params });

  it('RuleId, Level and EnvType are checked by the schema', async () => {
    const badRule = await gatewayError(admin('SetSqlReviewRule', { RuleId: 'no-such-rule', Level: 'ERROR' }));
    expect(badRule).toMatchObject({ code: 'InvalidRuleId', message: expect.stringMatching(/Specified parameter RuleId is not valid: "no-such-rule" is not one of .*dml-no-where/) });
    expect((await gatewayError(admin('ResetSqlReviewRule', { RuleId: 'no-such-rule' }))).code).toBe('InvalidRuleId');
    const badLevel = await gatewayError(set({ Level: 'FATAL' }));
    expect(badLevel).toMatchObject({ code: 'InvalidLevel', message: expect.stringMatching(/"FATAL" is not one of OFF, ERROR, WARNING, NOTICE/) });
    expect((await gatewayError(admin('SetSqlReviewRule', { RuleId: 'dml-no-where' }))).code).toBe('MissingLevel');
    expect((await gatewayError(admin('SetSqlReviewRule', { Level: 'OFF' }))).code).toBe('MissingRuleId');
    expect((await gatewayError(set({ EnvType: 'prod' }))).code).toBe('InvalidEnvType');
    expect((await gatewayError(env.as(env.ulla)('ListSqlReviewRules', { EnvType: 'nowhere' }))).code).toBe('InvalidEnvType');
    expect((await gatewayError(set({ Params: '{maxRows: 1' }))).code).toBe('InvalidParams');
  });

  it('Params: an object of the rule\'s own params, each a non-negative integer', async () => {
    const cases: [unknown, RegExp][] = [
      [{ maxRowz: 5 }, /Specified parameter Params is not valid: "maxRowz" is not a parameter of rule dml-too-many-rows; its parameters: maxRows\./],
      [{ maxRows: 'many' }, /maxRows of rule dml-too-many-rows must be a non-negative integer, got "many"/],
      [{ maxRows: -1 }, /maxRows .* must be a non-negative integer, got -1/],
      [{ maxRows: 2.5 }, /must be a non-negative integer, got 2\.5/],
      [{ maxRows: null }, /must be a non-negative integer, got null/],
      [[5], /expected a JSON object/],
      [7, /expected a JSON object/],
    ];
    for (const [value, message] of cases) {
      expect(await set({ Params: JSON.stringify(value) }), JSON.stringify(value)).toMatchObject({ Success: false, ErrorCode: 'InvalidParams', ErrorMessage: expect.stringMatching(message) });
    }
    expect(await admin('SetSqlReviewRule', { RuleId: 'dml-no-where', Level: 'ERROR', Params: JSON.stringify({ maxRows: 1 }) })).toMatchObject({
      Success: false,
      ErrorCode: 'InvalidParams',
      ErrorMessage: expect.stringMatching(/rule dml-no-where has no parameters \(got "maxRows"\)/),
    });
    // Nothing was stored by the refused calls; `{}` is fine.
    expect((await ruleOf('dml-too-many-rows')).Settings.Setting).toEqual([]);
    expect(ok(await set({ Params: '{}' })).Rule).toMatchObject({ Level: 'ERROR', Params: { maxRows: 10000 } });
  });
});

describe('tenant isolation', () => {
  it("a tenant's settings apply to its own prechecks only", async () => {
    const asOlaf = env.as(env.olaf);
    ok(await asOlaf('SetSqlReviewRule', { RuleId: 'insert-no-column-list', Level: 'ERROR' }));
    expect((await ruleOf('insert-no-column-list', 'dev', env.olaf))).toMatchObject({ Level: 'ERROR', LevelSource: '*' });
    // Tenant A sees and applies none of it.
    expect(await ruleOf('insert-no-column-list', 'dev')).toMatchObject({ Level: 'WARNING', LevelSource: 'DEFAULT', Settings: { Setting: [] } });
    const a = await precheck(devDb, WARN_ONLY);
    expect(a.detail.Status).toBe('precheck_success');
    expect(findings(a.statements)).toEqual(['insert-no-column-list:WARNING']);
    // Tenant B's own precheck is blocked by it.
    const b = await precheck(bDb, WARN_ONLY, env.olaf);
    expect(b.detail.Status).toBe('precheckFailed');
    expect(findings(b.statements)).toEqual(['insert-no-column-list:ERROR']);

    // And the other way round: A's setting does not show in, or change, B.
    ok(await admin('SetSqlReviewRule', { RuleId: 'dml-no-where', Level: 'OFF' }));
    expect(await ruleOf('dml-no-where', undefined, env.olaf)).toMatchObject({ Level: 'ERROR', LevelSource: 'DEFAULT', Settings: { Setting: [] } });
    expect(findings((await precheck(bDb, 'delete from items', env.olaf)).statements)).toContain('dml-no-where:ERROR');
    // Naming the other tenant is refused before the Action runs.
    expect(await asOlaf('ResetSqlReviewRule', { Tid: env.srv.admin.tid, RuleId: 'dml-no-where' })).toMatchObject({ Success: false, ErrorCode: 'InvalidTid' });
    expect((await ruleOf('dml-no-where')).Settings.Setting).toHaveLength(1);
  });
});
