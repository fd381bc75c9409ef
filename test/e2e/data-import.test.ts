/**
 * DC_BIG_FILE imports through the real clients, on SQLite, PostgreSQL and MariaDB: CSV in SAFE_MODE
 * and FAST_MODE with bad rows (IgnoreError skips and lists them by line; without it the precheck or
 * the job fails naming the line), GBK and UTF-8 files detected by AUTO, a SQL file, INSERT_IGNORE
 * and REPLACE_INTO, the SAFE_MODE Actions, export → import round trips giving identical rows, and
 * a restart after a failure that imports no batch twice.
 */
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, type Body, type Key } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import { uploadSql } from '../helpers/attachments.js';
import { exportThrough, registerMaria, registerPg, registerSqlite, until, withSqlite, type MariaTarget, type PgTarget } from '../helpers/export-flow.js';
import { dcApprove, dcJobs, dcPrecheckOver, dcSettled, exportEnvHooks, type Engine } from '../helpers/data-change-flow.js';

const env = exportEnvHooks();

interface Target {
  engine: Engine;
  dbId: number;
  /** Rows of a query as JSON text, for equality. */
  rows(sql: string): Promise<unknown[]>;
  exec(sql: string): Promise<void>;
}

/** Rows for the big CSV tests: 4 batches of 5,000. */
const ROWS = 20_000;

function schema(engine: Engine): string {
  const money = engine === 'sqlite' ? 'numeric' : 'decimal(12,2)';
  return [
    `create table items (id integer primary key, name varchar(100) null, price ${money} null, qty integer null, note text null)`,
    `create table items_u (id integer primary key, code varchar(20) not null unique, qty integer not null)`,
    `create table kv (k varchar(20) primary key, v varchar(40) not null, n integer null)`,
    `insert into kv (k, v, n) values ('a', 'old a', 1), ('b', 'old b', 2)`,
  ].join(';\n') + ';';
}

/** The round-trip table: every kind of value the export writes, with NULLs, '', quotes, separators, newlines, backslashes. */
function rtTable(engine: Engine): string {
  if (engine === 'sqlite') return 'create table rt (id integer primary key, name text, price numeric, ratio real, flag integer, born text, data blob, note text);';
  if (engine === 'postgresql') return 'create table rt (id integer primary key, name text, price numeric(14,3), ratio double precision, flag boolean, born date, at timestamptz, data bytea, doc jsonb, note varchar(50), tags text[]);';
  return 'create table rt (id integer primary key, name varchar(100), price decimal(14,3), ratio double, flag tinyint(1), born date, at datetime(3), data varbinary(50), doc json, note text);';
}

function rtRows(engine: Engine): string {
  const texts = ["plain", "", "a,b", 'say "hi"', "line1\nline2", "back\\slash", "ünï ✓ 名称", "it's", "  spaced  ", "=1+2"];
  const rows: string[] = [];
  for (let k = 1; k <= 1_500; k++) {
    const t = texts[k % texts.length]!;
    const str = (v: string) => (engine === 'postgresql' && v.includes('\\') ? `E'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${v.replace(/'/g, "''")}'`);
    const text = k % 13 === 0 ? 'null' : engine === 'mariadb' ? `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : str(t);
    const price = k % 11 === 0 ? 'null' : `${k % 2 ? '-' : ''}${k}.${String(k % 1000).padStart(3, '0')}`;
    const ratio = k % 17 === 0 ? 'null' : [0.1, -2.5, 1e-7, 12345.678, 0][k % 5];
    const flag = engine === 'postgresql' ? (k % 3 === 0 ? 'null' : k % 2 ? 'true' : 'false') : k % 3 === 0 ? 'null' : String(k % 2);
    const born = k % 7 === 0 ? 'null' : `'20${String(k % 30).padStart(2, '0')}-0${(k % 9) + 1}-1${k % 9}'`;
    const hex = Buffer.from([k % 256, 0, 255, (k * 7) % 256]).toString('hex');
    const data = k % 5 === 0 ? 'null' : engine === 'postgresql' ? `'\\x${hex}'` : `X'${hex}'`;
    const common = `${k}, ${text}, ${price}, ${ratio}, ${flag}, ${born}`;
    if (engine === 'sqlite') rows.push(`(${common}, ${data}, ${str(`note ${k}`)})`);
    else if (engine === 'postgresql') rows.push(`(${common}, ${k % 4 === 0 ? 'null' : `'2024-05-0${(k % 9) + 1} 10:1${k % 10}:00.25+02'`}, ${data}, ${k % 6 === 0 ? 'null' : `'{"k": ${k}, "s": "x,\\"y\\""}'`}, ${k % 8 === 0 ? "''" : `'n${k}'`}, ${k % 9 === 0 ? 'null' : `'{a,"b c",${k}}'`})`);
    else rows.push(`(${common}, ${k % 4 === 0 ? 'null' : `'2024-05-0${(k % 9) + 1} 10:1${k % 10}:00.250'`}, ${data}, ${k % 6 === 0 ? 'null' : `'{"k": ${k}}'`}, ${k % 8 === 0 ? "''" : `'n${k}'`})`);
  }
  return `${rtTable(engine)}\ninsert into rt values ${rows.join(',\n')};`;
}

/** A header and `n` rows; `bad` maps a data row number (1-based) to the price text it gets. */
function itemsCsv(n: number, bad: Record<number, string> = {}): string {
  let s = 'id,name,price,qty,note\r\n';
  for (let k = 1; k <= n; k++) {
    const price = bad[k] ?? ((k * 7) % 10000 / 100).toFixed(2);
    s += `${k},item ${k},${price},${k % 50},${k % 10 === 0 ? '' : k % 10 === 1 ? '""' : `"note, ${k}"`}\r\n`;
  }
  return s;
}

const upload = (name: string, data: string | Buffer): Promise<string> => uploadSql(env.srv.port, env.ulla, name, data, 'big-file');

async function fileImport(t: Target, param: Record<string, unknown>, by: Key = env.ulla): Promise<number> {
  const body = ok(await env.v3(by)('CreateDataImportOrder', { Comment: 'import for a test', Param: JSON.stringify({ DbItemList: [{ DbId: t.dbId, Logic: false }], ...param }) }));
  return Number(body.CreateOrderResult[0]);
}

async function prechecked(orderId: number, expected = 'precheck_success'): Promise<Body> {
  const d = await dcPrecheckOver(env, orderId);
  expect(d.Status, JSON.stringify(d.PreCheckDetail)).toBe(expected);
  return d;
}

const stepTip = (d: Body, step: string): string => d.PreCheckDetail.TaskCheckDO.find((s: Body) => s.CheckStep === step)?.UserTip ?? '';

const approve = (orderId: number): Promise<void> => dcApprove(env, orderId);
const settled = (orderId: number): Promise<Body> => dcSettled(env, orderId);

async function job(orderId: number): Promise<{ job: Body; statement: Body; log: string }> {
  const [j] = await dcJobs(env, orderId);
  if (!j) throw new Error(`ticket ${orderId} has no job`);
  const statement = ok(await env.v3(env.ulla)('ListDBTaskSQLJobDetail', { JobId: j.JobId })).DBTaskSQLJobDetailList[0];
  const log: string = ok(await env.as(env.ulla)('GetDBTaskSQLJobLog', { JobId: j.JobId })).Log;
  return { job: j, statement, log };
}

/** Files, prechecks, approves and executes; returns the settled task. */
async function importThrough(t: Target, param: Record<string, unknown>): Promise<{ orderId: number; task: Body }> {
  const orderId = await fileImport(t, param);
  await prechecked(orderId);
  await approve(orderId);
  ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId }));
  return { orderId, task: await settled(orderId) };
}

const count = async (t: Target, table: string): Promise<number> => Number(((await t.rows(`select count(*) as n from ${table}`))[0] as { n: unknown }).n);

function suite(engine: Engine, target: () => Target, round: () => { src: Target; copy: Target }): void {
  const t = (): Target => target();

  it(`${engine}: a CSV and a SQL file exported from a table import back into an empty copy of it with identical rows`, async () => {
    const { src, copy } = round();
    const expected = await src.rows('select * from rt order by id');
    expect(expected).toHaveLength(1_500);
    for (const fileType of ['CSV', 'SQL'] as const) {
      await copy.exec('delete from rt');
      const exported = await exportThrough(env, src.dbId, 'select * from rt', { fileType, formulaEscape: false });
      const key = await upload(`rt.${fileType.toLowerCase()}`, exported.entries[0]!.data);
      const param = fileType === 'CSV' ? { AttachmentName: key, FileType: 'CSV', TableName: 'rt', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT' } : { AttachmentName: key, FileType: 'SQL' };
      const { task } = await importThrough(copy, { ...param, ImportMode: 'SAFE_MODE', FileEncoding: 'AUTO' });
      expect(task, fileType).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 1_500 });
      expect(await copy.rows('select * from rt order by id'), fileType).toEqual(expected);
    }
  }, 180_000);

  it(`${engine}: CSV SAFE_MODE with IgnoreError skips the bad rows and lists their lines; the SAFE_MODE Actions work`, async () => {
    await t().exec('delete from items');
    const key = await upload('items.csv', itemsCsv(ROWS, { 17: 'abc', 4_321: '1.2.3', 19_999: 'x' }));
    const orderId = await fileImport(t(), { AttachmentName: key, FileType: 'CSV', FileEncoding: 'AUTO', TableName: 'items', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ImportMode: 'SAFE_MODE', IgnoreError: true });
    const d = await prechecked(orderId);
    expect(d.ConfigDetail).toMatchObject({ DetailType: 'BIG_FILE', FileType: 'CSV', FileEncoding: 'AUTO', CsvTableName: 'items', ImportExtConfig: { CsvFirstRowIsColumnDef: true, IgnoreError: true, ImportMode: 'SAFE_MODE', InsertType: 'INSERT' } });
    expect(stepTip(d, 'SQL_PARSE')).toMatch(/UTF-8 \(detected\): 20000 row\(s\) in 4 batch/);
    expect(stepTip(d, 'ROW_CHECK')).toMatch(/19997 row\(s\) to import; 3 bad row\(s\) will be skipped/);
    expect(stepTip(d, 'ROW_CHECK')).toContain('line 18, column price: "abc" is not a number');

    const page = ok(await env.v3(env.ulla)('ListDataImportSQLPreCheckDetail', { OrderId: orderId, PageNumer: 2, PageSize: 2 }));
    expect(page.TotalCount).toBe(4);
    expect(page.PreCheckSQLDetailList.map((u: Body) => u.SqlId)).toEqual([3, 4]);
    expect(page.PreCheckSQLDetailList[0]).toMatchObject({ SqlType: 'INSERT', StatusCode: 'SUCCESS', Skip: false, Line: 10_002, LastLine: 15_001, Rows: 5_000 });
    expect(page.PreCheckSQLDetailList[1]).toMatchObject({ StatusCode: 'FAIL', Line: 15_002, Message: expect.stringContaining('line 20000, column price') });
    const failed = ok(await env.v3(env.ulla)('ListDataImportSQLPreCheckDetail', { OrderId: orderId, StatusCode: 'FAIL' }));
    expect(failed.PreCheckSQLDetailList.map((u: Body) => u.SqlId)).toEqual([1, 4]);
    expect(ok(await env.v3(env.ulla)('ListDataImportSQLType', { OrderId: orderId })).SqlTypeResult).toEqual(['INSERT']);
    const sql: string = ok(await env.v3(env.ulla)('GetDataImportSQL', { OrderId: orderId, SqlId: 1 })).SQLDetail.ExecSql;
    expect(sql).toMatch(/^-- batch 1: lines 2–5001\n-- not imported: line 18, column price: "abc" is not a number\n-- not imported: line 4322, column price/);
    expect(sql).toContain('INSERT INTO');
    expect(sql.split('\n').filter((l) => l.startsWith('(')).length).toBe(4_998 - 1); // 4,998 tuples, the first on the INSERT line
    const none = await env.v3(env.ulla)('GetDataImportSQL', { OrderId: orderId, SqlId: 5 });
    expect(none).toMatchObject({ Success: false, ErrorCode: 'InvalidSqlId' });

    await approve(orderId);
    ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId }));
    const task = await settled(orderId);
    expect(task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS - 3 });
    expect(await count(t(), 'items')).toBe(ROWS - 3);
    const { statement, log } = await job(orderId);
    expect(statement).toMatchObject({ Status: 'SUCCESS', AffectRows: ROWS - 3 });
    expect(log).toContain('skipped (IgnoreError): line 18, column price: "abc" is not a number');
    expect(log).toContain('line 4322, column price: "1.2.3" is not a number');
    expect(log).toContain('line 20000, column price: "x" is not a number');
    // NULL is an unquoted empty field, '' a quoted one.
    const notes = await t().rows('select id, note from items where id in (10, 11, 12) order by id');
    expect(notes).toEqual([{ id: 10, note: null }, { id: 11, note: '' }, { id: 12, note: 'note, 12' }]);
  }, 180_000);

  it(`${engine}: CSV SAFE_MODE without IgnoreError fails the precheck naming the line`, async () => {
    const key = await upload('bad.csv', itemsCsv(50, { 7: 'seven' }));
    const orderId = await fileImport(t(), { AttachmentName: key, FileType: 'CSV', TableName: 'items', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ImportMode: 'SAFE_MODE' });
    const d = await prechecked(orderId, 'precheckFailed');
    expect(stepTip(d, 'ROW_CHECK')).toMatch(/^line 8, column price: "seven" is not a number; fix the file/);
    expect(d.PreCheckDetail.Message).toBe(stepTip(d, 'ROW_CHECK'));
    // RetryDataCorrectPreCheck runs the import's own precheck again.
    ok(await env.as(env.ulla)('RetryDataCorrectPreCheck', { OrderId: orderId }));
    const again = await prechecked(orderId, 'precheckFailed');
    expect(stepTip(again, 'ROW_CHECK')).toBe(stepTip(d, 'ROW_CHECK'));
    const refused = await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId });
    expect(refused.Success).toBe(false);
  });

  it(`${engine}: a GBK CSV in FAST_MODE (AUTO detects GBK) fails at the bad line, batches before it imported; with IgnoreError it skips it`, async () => {
    await t().exec('delete from items');
    let csv = 'id,name,price,qty,note\n';
    for (let k = 1; k <= 12_000; k++) csv += `${k},名称${k},${k === 11_000 ? '价格' : '1.50'},${k},备注\n`;
    const key = await upload('gbk.csv', iconv.encode(csv, 'gbk'));
    const param = { AttachmentName: key, FileType: 'CSV', FileEncoding: 'AUTO', TableName: 'items', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ImportMode: 'FAST_MODE' };
    const { orderId, task } = await importThrough(t(), param);
    expect(task.jobStatus).toBe('FAIL');
    const { job: j } = await job(orderId);
    expect(j.Message).toMatch(/^line 11001, column price: "价格" is not a number; nothing of batch 3 was imported/);
    expect(await count(t(), 'items')).toBe(10_000);
    expect(await t().rows('select name, note from items where id = 9999')).toEqual([{ name: '名称9999', note: '备注' }]);

    await t().exec('delete from items');
    const second = await importThrough(t(), { ...param, IgnoreError: true });
    expect(second.task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 11_999 });
    expect((await job(second.orderId)).statement.Log ?? '').toMatch(/11999 rows imported; 1 row\(s\) skipped \(IgnoreError\): line 11001/);
    expect(await count(t(), 'items')).toBe(11_999);
  }, 120_000);

  it(`${engine}: a SQL file in SAFE_MODE; the SAFE_MODE Actions list its statements`, async () => {
    await t().exec('delete from kv');
    const set = engine === 'postgresql' ? "SET client_encoding = 'UTF8';" : 'SET NAMES utf8mb4;';
    const sql = `-- a file\n${engine === 'sqlite' ? '' : `${set}\n`}insert into kv (k, v) values ('x', 'ünï ✓');\ninsert into kv (k, v, n) values ('y', 'it''s; here', 2), ('z', 'z', 3);\nupdate kv set n = 9 where k = 'x';\n`;
    const key = await upload('kv.sql', sql);
    const orderId = await fileImport(t(), { AttachmentName: key, FileType: 'SQL', ImportMode: 'SAFE_MODE' });
    await prechecked(orderId);
    const types = ok(await env.v3(env.ulla)('ListDataImportSQLType', { OrderId: orderId })).SqlTypeResult;
    expect(types).toEqual(engine === 'sqlite' ? ['INSERT', 'UPDATE'] : ['INSERT', 'SET', 'UPDATE']);
    const list = ok(await env.v3(env.ulla)('ListDataImportSQLPreCheckDetail', { OrderId: orderId, SqlType: 'insert' })).PreCheckSQLDetailList;
    expect(list.map((u: Body) => u.Line)).toEqual(engine === 'sqlite' ? [2, 3] : [3, 4]);
    const second = list[1].SqlId;
    expect(ok(await env.v3(env.ulla)('GetDataImportSQL', { OrderId: orderId, SqlId: second })).SQLDetail.ExecSql).toBe("insert into kv (k, v, n) values ('y', 'it''s; here', 2), ('z', 'z', 3)");
    await approve(orderId);
    ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId }));
    expect(await settled(orderId)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 4 });
    expect(await t().rows('select k, v, n from kv order by k')).toEqual([
      { k: 'x', v: 'ünï ✓', n: 9 },
      { k: 'y', v: "it's; here", n: 2 },
      { k: 'z', v: 'z', n: 3 },
    ]);
  }, 60_000);

  it(`${engine}: a SQL file in FAST_MODE runs at execution; a statement an import does not run fails the job naming its line`, async () => {
    await t().exec('delete from kv');
    const good = await upload('fast.sql', "insert into kv (k, v) values ('f1', 'one');\nupdate kv set n = 5 where k = 'f1';\n");
    const first = await importThrough(t(), { AttachmentName: good, FileType: 'SQL', ImportMode: 'FAST_MODE' });
    expect(first.task).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: 2 });
    expect(await t().rows('select k, v, n from kv')).toEqual([{ k: 'f1', v: 'one', n: 5 }]);
    const bad = await upload('fast-bad.sql', "insert into kv (k, v) values ('f2', 'two');\n\ndrop table kv;\n");
    const second = await importThrough(t(), { AttachmentName: bad, FileType: 'SQL', ImportMode: 'FAST_MODE' });
    expect(second.task.jobStatus).toBe('FAIL');
    expect((await job(second.orderId)).job.Message).toMatch(/^batch 1: line 3: DROP is not allowed in an import/);
    expect(await count(t(), 'kv')).toBe(1);
  }, 60_000);

  it(`${engine}: INSERT_IGNORE keeps existing rows, REPLACE_INTO replaces them`, async () => {
    const reset = async () => {
      await t().exec('delete from kv');
      await t().exec("insert into kv (k, v, n) values ('a', 'old a', 1), ('b', 'old b', 2)");
    };
    const csv = 'b,new b,20\r\nc,new c,\r\n';
    const key = await upload('kv.csv', csv);
    await reset();
    const ignore = await importThrough(t(), { AttachmentName: key, FileType: 'CSV', TableName: 'kv', CsvFirstRowIsColumnDef: false, InsertType: 'INSERT_IGNORE', ImportMode: 'FAST_MODE' });
    expect(ignore.task.jobStatus).toBe('SUCCESS');
    expect(await t().rows('select k, v, n from kv order by k')).toEqual([
      { k: 'a', v: 'old a', n: 1 },
      { k: 'b', v: 'old b', n: 2 },
      { k: 'c', v: 'new c', n: null },
    ]);
    await reset();
    const replace = await importThrough(t(), { AttachmentName: key, FileType: 'CSV', TableName: 'kv', CsvFirstRowIsColumnDef: false, InsertType: 'REPLACE_INTO', ImportMode: 'SAFE_MODE' });
    expect(replace.task.jobStatus).toBe('SUCCESS');
    expect(await t().rows('select k, v, n from kv order by k')).toEqual([
      { k: 'a', v: 'old a', n: 1 },
      { k: 'b', v: 'new b', n: 20 },
      { k: 'c', v: 'new c', n: null },
    ]);
  }, 60_000);

  it(`${engine}: a failed import restarted after the cause is fixed imports every row exactly once`, async () => {
    await t().exec('delete from items_u');
    await t().exec("insert into items_u (id, code, qty) values (100000, 'c14500', 0)");
    let csv = '';
    for (let k = 1; k <= ROWS; k++) csv += `${k},c${k},${k}\n`;
    const key = await upload('u.csv', csv);
    const { orderId, task } = await importThrough(t(), { AttachmentName: key, FileType: 'CSV', TableName: 'items_u', CsvFirstRowIsColumnDef: false, InsertType: 'INSERT', ImportMode: 'FAST_MODE' });
    expect(task.jobStatus).toBe('FAIL');
    const failed = await job(orderId);
    expect(failed.job.Message).toMatch(/^line 14500: the database refused it: .*; nothing of batch 3 was imported/);
    expect(await count(t(), 'items_u')).toBe(10_000 + 1);
    await t().exec('delete from items_u where id = 100000');
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: orderId, Type: 'SINGLE', JobId: failed.job.JobId }));
    expect(await settled(orderId)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS });
    expect(await count(t(), 'items_u')).toBe(ROWS);
    const [agg] = (await t().rows('select count(distinct code) as n, min(id) as lo, max(id) as hi, sum(qty) as s from items_u')) as Record<string, unknown>[];
    expect(Object.values(agg!).map(Number)).toEqual([ROWS, 1, ROWS, (ROWS * (ROWS + 1)) / 2]);
    const after = await job(orderId);
    expect(after.log).toContain('batches 1–2 had committed (10000 rows); they are not sent again, the import goes on with batch 3');
  }, 120_000);
}

// ---------------------------------------------------------------------------------------------

const sqliteTarget = (s: { dbId: number; file: string }): Target => ({
  engine: 'sqlite',
  dbId: s.dbId,
  rows: async (sql) => withSqlite(s.file, (db) => db.prepare(sql).all()),
  exec: async (sql) => withSqlite(s.file, (db) => void db.exec(sql)),
});

describe('SQLite', () => {
  let target: Target;
  let round: { src: Target; copy: Target };
  beforeAll(async () => {
    target = sqliteTarget(await registerSqlite(env, 'imports', (db) => db.exec(schema('sqlite'))));
    round = {
      src: sqliteTarget(await registerSqlite(env, 'rt_src', (db) => db.exec(rtRows('sqlite')))),
      copy: sqliteTarget(await registerSqlite(env, 'rt_copy', (db) => db.exec(rtTable('sqlite')))),
    };
  });
  suite('sqlite', () => target, () => round);

  it('validates the parameters, naming the key; CreateOrder takes them in lower camel case', async () => {
    const key = await upload('v.csv', 'k,v,n\r\nq,w,1\r\n');
    const file = (param: Record<string, unknown>) => env.v3(env.ulla)('CreateDataImportOrder', { Comment: 'c', Param: JSON.stringify({ DbItemList: [{ DbId: target.dbId, Logic: false }], AttachmentName: key, FileType: 'CSV', TableName: 'kv', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT', ...param }) });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ TableName: undefined }, /tableName: tableName is required when fileType is CSV/],
      [{ InsertType: 'UPSERT' }, /insertType: /],
      [{ FileEncoding: 'UTF-16' }, /fileEncoding: /],
      [{ FileType: 'XLSX' }, /fileType: /],
      [{ DbItemList: [{ DbId: target.dbId }, { DbId: target.dbId }] }, /dbItemList: exactly one database/],
      [{ AttachmentName: 'nope' }, /nope/],
    ];
    for (const [param, message] of cases) {
      const r = await file(param);
      expect(r.Success, JSON.stringify(param)).toBe(false);
      expect(r.ErrorCode, JSON.stringify(r)).toMatch(/^Invalid/);
      expect(r.ErrorMessage).toMatch(message);
    }
    const created = ok(await env.as(env.ulla)('CreateOrder', { Comment: 'lower camel', PluginType: 'DC_BIG_FILE', PluginParam: JSON.stringify({ dbItemList: [{ dbId: target.dbId, logic: false }], attachmentName: key, fileType: 'csv', tableName: 'kv', csvFirstRowIsColumnDef: true, insertType: 'insert_ignore', importMode: 'fast_mode' }) }));
    const d = await prechecked(Number(created.CreateOrderResult.OrderIds[0]));
    expect(d.ConfigDetail).toMatchObject({ DetailType: 'BIG_FILE', FileType: 'CSV', ImportExtConfig: { InsertType: 'INSERT_IGNORE', ImportMode: 'FAST_MODE' } });
    const fast = await env.v3(env.ulla)('ListDataImportSQLType', { OrderId: Number(created.CreateOrderResult.OrderIds[0]) });
    expect(fast).toMatchObject({ Success: false, ErrorCode: 'InvalidStatus' });
    const missingTable = ok(await env.v3(env.ulla)('CreateDataImportOrder', { Comment: 'c', Param: JSON.stringify({ DbItemList: [{ DbId: target.dbId, Logic: false }], AttachmentName: key, FileType: 'CSV', TableName: 'nowhere', CsvFirstRowIsColumnDef: true, InsertType: 'INSERT' }) }));
    const failed = await prechecked(Number(missingTable.CreateOrderResult[0]), 'precheckFailed');
    expect(stepTip(failed, 'SQL_PARSE')).toMatch(/table nowhere does not exist/);
    const empty = await upload('empty.sql', '-- nothing here\n');
    const none = ok(await env.v3(env.ulla)('CreateDataImportOrder', { Comment: 'c', Param: JSON.stringify({ DbItemList: [{ DbId: target.dbId, Logic: false }], AttachmentName: empty, FileType: 'SQL' }) }));
    expect(stepTip(await prechecked(Number(none.CreateOrderResult[0]), 'precheckFailed'), 'SQL_PARSE')).toMatch(/holds no statement to import/);
    const ddl = await upload('ddl.sql', "insert into kv (k, v) values ('d', 'd');\ncreate table x (a int);\n");
    const refused = ok(await env.v3(env.ulla)('CreateDataImportOrder', { Comment: 'c', Param: JSON.stringify({ DbItemList: [{ DbId: target.dbId, Logic: false }], AttachmentName: ddl, FileType: 'SQL' }) }));
    expect(stepTip(await prechecked(Number(refused.CreateOrderResult[0]), 'precheckFailed'), 'SQL_TYPE_CHECK')).toMatch(/^line 2: CREATE is not allowed in an import/);
  });
});

const pgTarget = (t: PgTarget): Target => ({ engine: 'postgresql', dbId: t.dbId, rows: async (sql) => (await t.query(sql)).rows, exec: async (sql) => void (await t.query(sql)) });

await describeWithServer('postgres', 'PostgreSQL', () => {
  let dbs: Record<'imports' | 'rtsrc' | 'rtcopy', PgTarget>;
  beforeAll(async () => {
    dbs = await registerPg(env, { imports: schema('postgresql'), rtsrc: rtRows('postgresql'), rtcopy: rtTable('postgresql') });
  });
  suite('postgresql', () => pgTarget(dbs.imports), () => ({ src: pgTarget(dbs.rtsrc), copy: pgTarget(dbs.rtcopy) }));

  it('postgresql: PauseDataCorrectSQLJob stops the import before its next batch; RestartDataCorrectSQLJob goes on from it', async () => {
    const t = pgTarget(dbs.imports);
    // Each batch's INSERT sleeps 0.4 s, so the pause lands in the middle.
    await t.exec(`create table slow (id integer not null, v text not null);
      create function slow_batch() returns trigger language plpgsql as $$ begin perform pg_sleep(0.4); return null; end $$;
      create trigger slow after insert on slow for each statement execute function slow_batch();`);
    let csv = '';
    for (let k = 1; k <= ROWS; k++) csv += `${k},v${k}\n`;
    const key = await upload('slow.csv', csv);
    const orderId = await fileImport(t, { AttachmentName: key, FileType: 'CSV', TableName: 'slow', CsvFirstRowIsColumnDef: false, InsertType: 'INSERT', ImportMode: 'FAST_MODE' });
    await prechecked(orderId);
    await approve(orderId);
    ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: orderId }));
    await until('the first batch', async () => ((await count(t, 'slow')) >= 5_000 ? true : undefined));
    ok(await env.as(env.ulla)('PauseDataCorrectSQLJob', { OrderId: orderId, Type: 'ALL' }));
    expect(await settled(orderId)).toMatchObject({ jobStatus: 'PAUSE' });
    const paused = await job(orderId);
    const n = await count(t, 'slow');
    expect(n % 5_000).toBe(0);
    expect(n).toBeLessThan(ROWS);
    expect(paused.statement).toMatchObject({ Status: 'INIT', AffectRows: n });
    expect(paused.job.Message).toMatch(/^paused before batch \d+ \(line \d+\)/);
    ok(await env.as(env.ulla)('RestartDataCorrectSQLJob', { OrderId: orderId, Type: 'ALL' }));
    expect(await settled(orderId)).toMatchObject({ jobStatus: 'SUCCESS', ActualAffectRows: ROWS });
    expect(await t.rows('select count(*)::int as n, count(distinct id)::int as d from slow')).toEqual([{ n: ROWS, d: ROWS }]);
    expect((await job(orderId)).log).toContain(`batches 1–${n / 5_000} had committed (${n} rows)`);
  }, 120_000);
});

const mariaTarget = (t: MariaTarget): Target => ({ engine: 'mariadb', dbId: t.dbId, rows: async (sql) => (await t.query(sql)) as unknown[], exec: async (sql) => void (await t.query(sql)) });

await describeWithServer('mysql', 'MariaDB', () => {
  let dbs: Record<'imports' | 'rtsrc' | 'rtcopy', MariaTarget>;
  beforeAll(async () => {
    dbs = await registerMaria(env, { imports: schema('mariadb'), rtsrc: rtRows('mariadb'), rtcopy: rtTable('mariadb') });
  });
  suite('mariadb', () => mariaTarget(dbs.imports), () => ({ src: mariaTarget(dbs.rtsrc), copy: mariaTarget(dbs.rtcopy) }));
});
