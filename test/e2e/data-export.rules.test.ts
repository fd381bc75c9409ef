/**
 * DATA_EXPORT rules through the real clients: output encodings (GBK, and a character GBK lacks),
 * several statements and logical databases (one file each), password-protected zips, the
 * precheck's refusals of anything that writes (and that nothing was written), permissions, tenant
 * isolation, the download URL (tampering, Range, audit events), and job control: a second run,
 * pause and restart of a big export, a scheduled start, removal of the result.
 */
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, type Body } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import {
  approveExport,
  approvedExport,
  collectExport,
  downloadUrl,
  executeExport,
  exportDetail,
  exportThrough,
  fetchBytes,
  fileExport,
  parseCsv,
  registerMaria,
  registerPg,
  registerSqlite,
  sha256,
  sleep,
  startExportEnv,
  ticketStatus,
  unzip,
  waitPhase,
  type ExportEnv,
  type MariaTarget,
  type PgTarget,
  type SqliteTarget,
} from '../helpers/export-flow.js';

let env: ExportEnv;
let main: SqliteTarget;
let shardA: SqliteTarget;
let shardB: SqliteTarget;

const ZH = [
  [1, '中文测试'],
  [2, '数据库导出，“引号”与逗号'],
  [3, '繁體字與简体字'],
];
const T_ROWS = [
  [1, 'one'],
  [2, 'two'],
  [3, 'three'],
  [4, 'four'],
  [5, 'five'],
];

beforeAll(async () => {
  env = await startExportEnv();
  main = await registerSqlite(env, 'rules', (db) => {
    db.exec('create table t (id integer primary key, v text not null)');
    for (const [id, v] of T_ROWS) db.prepare('insert into t values (?, ?)').run(id, v);
    db.exec('create table zh (id integer primary key, name text not null)');
    for (const [id, name] of ZH) db.prepare('insert into zh values (?, ?)').run(id, name);
    db.exec('create table emoji (id integer primary key, name text not null)');
    db.prepare('insert into emoji values (?, ?)').run(1, '中文');
    db.prepare('insert into emoji values (?, ?)').run(2, '笑脸 😀 在这里');
  });
  const shard = (rows: [number, string, string][]) => (db: import('better-sqlite3').Database) => {
    db.exec('create table orders (id integer primary key, customer text not null, total decimal(10,2) not null)');
    for (const r of rows) db.prepare('insert into orders values (?, ?, ?)').run(...r);
  };
  shardA = await registerSqlite(env, 'shard_a', shard([[1, 'ann', '10.5'], [2, 'bob', '20']]), 'shard-a');
  shardB = await registerSqlite(env, 'shard_b', shard([[10, 'cid', '30.25'], [11, 'dan', '40'], [12, 'eve', '1']]), 'shard-b');
});
afterAll(async () => {
  await env?.close();
});

const failed = (body: Body, code: string): Body => {
  expect(body, JSON.stringify(body)).toMatchObject({ Success: false, ErrorCode: code });
  return body;
};

describe('encodings', () => {
  it('GBK: Chinese text comes out as GBK bytes that decode to the same text', async () => {
    const r = await exportThrough(env, main.dbId, 'select id, name from zh order by id', { fileType: 'CSV', encoding: 'GBK' }, { expectRows: ZH.length });
    const data = r.entries[0]!.data;
    const expectedText = `id,name\r\n${ZH.map(([id, name]) => `${id},${String(name).includes(',') ? `"${name}"` : name}`).join('\r\n')}\r\n`;
    expect(data.equals(Buffer.from(expectedText, 'utf8'))).toBe(false); // not UTF-8
    expect(data.equals(iconv.encode(expectedText, 'gbk'))).toBe(true);
    expect(parseCsv(iconv.decode(data, 'gbk'))).toEqual([['id', 'name'], ...ZH.map(([id, name]) => [String(id), name])]);
  });

  it('GBK and an emoji: the export fails naming the character; no result; a restart fails the same way until the data can be written', async () => {
    const orderId = await approvedExport(env, main.dbId, 'select id, name from emoji order by id');
    ok(await executeExport(env, orderId, { fileType: 'TXT', encoding: 'GBK' }));
    const d = await waitPhase(env, orderId, 'EXPORT_FAIL');
    expect(d.KeyInfo.Message).toContain('U+1F600');
    expect(d.KeyInfo.Message).toContain('GBK');
    expect(d.KeyInfo.Message).toMatch(/Row 2/);
    expect(await ticketStatus(env, orderId)).toBe('fail');
    const link = await downloadUrl(env, orderId);
    expect(link).toMatchObject({ HasResult: false, URL: '' });
    expect(link.TipMessage).toContain('EXPORT_FAIL');
    expect(link.TipMessage).toContain('U+1F600');
    // A failed ticket is not executed again: it is restarted.
    const again = failed(await executeExport(env, orderId, { fileType: 'TXT', encoding: 'UTF8' }), 'InvalidStatus');
    expect(again.ErrorMessage).toContain('RestartDataExportJob');

    const jobId = Number(d.KeyInfo.JobId);
    ok(await env.as(env.ulla)('RestartDataExportJob', { OrderId: orderId, JobId: jobId }));
    const d2 = await waitPhase(env, orderId, 'EXPORT_FAIL');
    expect(d2.KeyInfo.Message).toContain('U+1F600');
    expect(await ticketStatus(env, orderId)).toBe('fail');

    // Once the row is fixed, a restart (same options: GBK, TXT) succeeds.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(main.file);
    db.prepare("update emoji set name = '笑脸' where id = 2").run();
    db.close();
    ok(await env.as(env.ulla)('RestartDataExportJob', { OrderId: orderId, JobId: jobId }));
    const r = await collectExport(env, orderId, { expectRows: 2 });
    expect(iconv.decode(r.entries[0]!.data, 'gbk')).toBe('id\tname\n1\t中文\n2\t笑脸\n');
  });
});

describe('files in the zip', () => {
  it('several statements: one file each, in order, each listed by the precheck', async () => {
    const sql = 'select id, v from t order by id;\nselect count(*) as n from t;\n\nselect v from t where id <= 2 order by id';
    const orderId = await fileExport(env, main.dbId, sql);
    await waitPhase(env, orderId, 'PRE_CHECK_SUCCESS');
    const pre = ok(await env.as(env.ulla)('GetDataExportPreCheckDetail', { OrderId: orderId })).PreCheckResult.PreCheckDetailList.PreCheckDetailList;
    expect(pre.map((p: Body) => [p.SQL, p.AffectRows, p.CheckStatus])).toEqual([
      ['select id, v from t order by id', 5, 'PASS'],
      ['select count(*) as n from t', 1, 'PASS'],
      ['select v from t where id <= 2 order by id', 2, 'PASS'],
    ]);
    const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    ok(await executeExport(env, orderId, { fileType: 'CSV' }));
    const r = await collectExport(env, orderId, { expectRows: 8 });
    expect(r.entries.map((e) => e.name)).toEqual(['export_1.csv', 'export_2.csv', 'export_3.csv']);
    expect(r.unzipped.manifest.files.map((f) => [f.statement, f.rows])).toEqual([
      ['select id, v from t order by id', 5],
      ['select count(*) as n from t', 1],
      ['select v from t where id <= 2 order by id', 2],
    ]);
    expect(parseCsv(r.entries[0]!.data.toString())).toEqual([['id', 'v'], ...T_ROWS.map(([id, v]) => [String(id), v])]);
    expect(parseCsv(r.entries[1]!.data.toString())).toEqual([['n'], ['5']]);
    expect(parseCsv(r.entries[2]!.data.toString())).toEqual([['v'], ['one'], ['two']]);
  });

  it('a logical database over two SQLite files: one file per member database', async () => {
    const logicId = ok(await env.admin('CreateLogicDatabase', { Alias: 'shop', DatabaseIds: JSON.stringify([shardA.dbId, shardB.dbId]) })).LogicDbId;
    const sql = 'select id, customer, total from orders order by id';
    const orderId = await fileExport(env, logicId, sql, { logic: true });
    const d = await waitPhase(env, orderId, 'PRE_CHECK_SUCCESS');
    expect(d.OrderDetail).toMatchObject({ Logic: true, DbId: logicId });
    const pre = ok(await env.as(env.ulla)('GetDataExportPreCheckDetail', { OrderId: orderId })).PreCheckResult.PreCheckDetailList.PreCheckDetailList;
    expect(pre.map((p: Body) => [p.DbId, p.AffectRows])).toEqual([
      [shardA.dbId, 2],
      [shardB.dbId, 3],
    ]);
    const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    ok(await executeExport(env, orderId, { fileType: 'JSON' }));
    const r = await collectExport(env, orderId, { expectRows: 5 });
    expect(r.entries.map((e) => e.name)).toEqual([`export_1_main_${shardA.dbId}.json`, `export_1_main_${shardB.dbId}.json`]);
    expect(JSON.parse(r.entries[0]!.data.toString())).toEqual([
      { id: 1, customer: 'ann', total: '10.5' }, // a decimal column: text (SQLite keeps 10.50 as the REAL 10.5)
      { id: 2, customer: 'bob', total: '20' },
    ]);
    expect(JSON.parse(r.entries[1]!.data.toString())).toEqual([
      { id: 10, customer: 'cid', total: '30.25' },
      { id: 11, customer: 'dan', total: '40' },
      { id: 12, customer: 'eve', total: '1' },
    ]);
  });

  it('a password: an AES-encrypted zip that opens only with it', async () => {
    const password = 'Export-Secret-42';
    const orderId = await approvedExport(env, main.dbId, 'select id, v from t order by id');
    failed(await executeExport(env, orderId, { fileType: 'CSV', password: 'short' }), 'InvalidActionDetail');
    ok(await executeExport(env, orderId, { fileType: 'CSV', password }));
    const d = await waitPhase(env, orderId, 'EXPORT_SUCCESS');
    expect(JSON.stringify(d)).not.toContain(password);
    const link = await downloadUrl(env, orderId);
    expect(JSON.stringify(link)).not.toContain(password);
    const zip = (await fetchBytes(link.URL)).body;
    expect(zip.includes(Buffer.from('three'))).toBe(false);
    await expect(unzip(zip)).rejects.toThrow();
    await expect(unzip(zip, 'wrong-password')).rejects.toThrow();
    const z = await unzip(zip, password);
    expect(z.encrypted.every(Boolean)).toBe(true);
    expect(z.names).toEqual(['export_1.csv', 'manifest.json']);
    expect(parseCsv(z.files.get('export_1.csv')!.toString())).toEqual([['id', 'v'], ...T_ROWS.map(([id, v]) => [String(id), v])]);
    expect(z.manifest.files[0]).toMatchObject({ rows: 5, sha256: sha256(z.files.get('export_1.csv')!) });
  });
});

/** Files each statement, waits for every precheck to fail, and checks the message and that submission is refused. */
async function expectRefused(dbId: number, cases: [sql: string, ...mentions: (string | RegExp)[]][]): Promise<void> {
  const orders = await Promise.all(cases.map(([sql]) => fileExport(env, dbId, sql)));
  for (const [i, [sql, ...mentions]] of cases.entries()) {
    const orderId = orders[i]!;
    const d = await waitPhase(env, orderId, 'PRE_CHECK_FAIL').catch((e: Error) => {
      throw new Error(`${sql}: ${e.message}`);
    });
    const message: string = d.KeyInfo.Message;
    expect(message, sql).toMatch(/^Statement \d+ \(line \d+\) on /);
    expect(message.match(/Statement \d+ \(line/g), `${sql}: the statement is named once`).toHaveLength(1);
    for (const m of mentions) expect(message, sql).toMatch(typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : m);
    const pre = ok(await env.as(env.ulla)('GetDataExportPreCheckDetail', { OrderId: orderId })).PreCheckResult;
    expect(pre.Status).toBe('PRE_CHECK_FAIL');
    expect(pre.Message).toBe(message);
    expect(pre.PreCheckDetailList.PreCheckDetailList.some((p: Body) => p.CheckStatus === 'FAIL' && typeof p.Message === 'string'), sql).toBe(true);
    const submit = failed(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId }), 'InvalidStatus');
    expect(submit.ErrorMessage).toContain('precheck failed');
    expect(await ticketStatus(env, orderId)).toBe('new');
  }
}

const WRITES: [string, ...string[]][] = [
  ['delete from t', 'Statement 1', 'DELETE'],
  ["update t set v = 'x'", 'UPDATE'],
  ["insert into t values (99, 'x')", 'INSERT'],
  ['select * from t;\ndelete from t where id = 1', 'Statement 2', 'line 2', 'DELETE'],
];

describe('refusals (SQLite)', () => {
  it('every write is refused at precheck, naming the statement; the data is unchanged', async () => {
    const Database = (await import('better-sqlite3')).default;
    const snapshot = () => {
      const db = new Database(main.file, { readonly: true });
      try {
        return db.prepare('select * from t order by id').all();
      } finally {
        db.close();
      }
    };
    const before = snapshot();
    await expectRefused(main.dbId, [
      ...WRITES,
      ['select * from t for update', 'FOR UPDATE'],
      ['begin exclusive', 'BEGIN'],
      ["attach database 'x.db' as x", 'ATTACH'],
      ['select * from no_such_table', 'no_such_table'],
    ]);
    expect(snapshot()).toEqual(before);
  });
});

describe('permissions, the download URL and job control (SQLite)', () => {
  let orderId: number;
  let url: string;
  let zip: Buffer;

  it('only the committer runs it: the DBA and another user get NoPermission; another tenant does not see the ticket', async () => {
    orderId = await fileExport(env, main.dbId, 'select id, v from t order by id');
    await waitPhase(env, orderId, 'PRE_CHECK_SUCCESS');
    failed(await executeExport(env, orderId, { fileType: 'CSV' }), 'InvalidStatus'); // not approved yet
    await approveExport(env, orderId);
    failed(await executeExport(env, orderId, { fileType: 'CSV' }, env.dora), 'NoPermission');
    failed(await executeExport(env, orderId, { fileType: 'CSV' }, env.mike), 'NoPermission');
    failed(await env.as(env.mike)('GetDataExportDownloadURL', { OrderId: orderId }), 'NoPermission');
    for (const action of ['GetDataExportOrderDetail', 'GetDataExportPreCheckDetail', 'GetDataExportDownloadURL', 'ExecuteDataExport', 'RestartDataExportJob', 'PauseDataExportJob']) {
      failed(await env.as(env.olaf)(action, { OrderId: orderId, JobId: 1, ActionDetail: '{}' }), 'ResourceNotFound');
    }
    failed(await env.v3(env.olaf)('GetDataExportOrderDetail', {}, { OrderId: orderId }), 'ResourceNotFound');
    expect((await exportDetail(env, orderId)).KeyInfo.JobStatus).toBe('ENABLE_EXPORT');
    expect(await downloadUrl(env, orderId)).toMatchObject({ HasResult: false, URL: '', TipMessage: expect.stringContaining('not been exported') });

    ok(await executeExport(env, orderId, { fileType: 'CSV' }));
    const r = await collectExport(env, orderId, { expectRows: 5 });
    zip = r.zip;
    const second = failed(await executeExport(env, orderId, { fileType: 'CSV' }), 'InvalidStatus');
    expect(second.ErrorMessage).toContain('already exported');
    failed(await env.as(env.ulla)('RestartDataExportJob', { OrderId: orderId, JobId: r.jobId }), 'InvalidStatus');
    // The DBA of the database sees the ticket and may download.
    const link = await downloadUrl(env, orderId, env.dora);
    expect(link.HasResult).toBe(true);
    url = link.URL;
    expect((await fetchBytes(url)).body.equals(zip)).toBe(true);
  });

  it('a tampered token is refused (403); a Range request gets 206 with exactly those bytes; downloads are audit events', async () => {
    const token = url.slice(url.lastIndexOf('/') + 1);
    const [payload, mac] = token.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const claim = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const otherPayload = Buffer.from(JSON.stringify({ ...claim, o: claim.o + 1 })).toString('base64url');
    const base = url.slice(0, url.lastIndexOf('/') + 1);
    for (const bad of [`${payload}.${flip(mac, 5)}`, `${flip(payload, 3)}.${mac}`, `${otherPayload}.${mac}`, 'garbage']) {
      const res = await fetchBytes(base + bad);
      expect(res.status, bad).toBe(403);
      expect(res.body.includes(Buffer.from('PK\x03\x04'))).toBe(false);
    }

    const part = await fetchBytes(url, { Range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${zip.length}`);
    expect(part.body.length).toBe(100);
    expect(part.body.equals(zip.subarray(0, 100))).toBe(true);
    const tail = await fetchBytes(url, { Range: `bytes=${zip.length - 10}-` });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(zip.subarray(zip.length - 10))).toBe(true);
    expect((await fetchBytes(url, { Range: `bytes=${zip.length}-` })).status).toBe(416);

    const events = ok(await env.as(env.ulla)('ListOrderEvents', { OrderId: orderId })).Events.Event as Body[];
    const downloads = events.filter((e) => e.Action === 'EXPORT_DOWNLOAD');
    expect(downloads.length).toBeGreaterThanOrEqual(4); // ulla's in collectExport, dora's, the two ranges (416 serves nothing)
    expect(downloads.some((e) => e.Comment === 'bytes 0-99 of ' + zip.length)).toBe(true);
    expect(downloads.some((e) => e.OperatorId === env.dora.userId)).toBe(true);
    expect(events.map((e) => e.Action)).toEqual(expect.arrayContaining(['PRECHECK_SUCCESS', 'SUBMIT', 'START_EXECUTION', 'EXECUTION_SUCCEEDED']));
  });

  it('RemoveDataExportJob deletes the result: no URL any more, the old one 404', async () => {
    const jobId = Number((await exportDetail(env, orderId)).KeyInfo.JobId);
    failed(await env.as(env.mike)('RemoveDataExportJob', { OrderId: orderId, JobId: jobId }), 'NoPermission');
    failed(await env.as(env.ulla)('RemoveDataExportJob', { OrderId: orderId, JobId: jobId + 1000 }), 'InvalidJobId');
    ok(await env.as(env.ulla)('RemoveDataExportJob', { OrderId: orderId, JobId: jobId }));
    const link = await downloadUrl(env, orderId);
    expect(link).toMatchObject({ HasResult: false, TipMessage: expect.stringContaining('removed') });
    expect((await fetchBytes(url)).status).toBe(404);
  });

  it('a scheduled export waits in WAITING_EXPORT until its startTime, then runs; it cannot be started twice meanwhile', async () => {
    const id = await approvedExport(env, main.dbId, 'select id, v from t order by id');
    const startAt = Math.ceil(Date.now() / 1000) * 1000 + 3000;
    const startTime = new Date(startAt).toISOString().slice(0, 19).replace('T', ' '); // the server's zone is UTC
    ok(await executeExport(env, id, { fileType: 'JSON', startTime }));
    expect((await exportDetail(env, id)).KeyInfo.JobStatus).toBe('WAITING_EXPORT');
    expect(await ticketStatus(env, id)).toBe('processing');
    failed(await executeExport(env, id, { fileType: 'JSON' }), 'InvalidStatus');
    await sleep(1500);
    expect((await exportDetail(env, id)).KeyInfo.JobStatus).toBe('WAITING_EXPORT');
    const r = await collectExport(env, id, { expectRows: 5 });
    expect(Date.now()).toBeGreaterThanOrEqual(startAt);
    expect(JSON.parse(r.entries[0]!.data.toString())).toEqual(T_ROWS.map(([id, v]) => ({ id, v })));
  });

  it('PauseDataExportJob on a scheduled export ends it at once; RestartDataExportJob runs it now', async () => {
    const id = await approvedExport(env, main.dbId, 'select id from t order by id');
    const startTime = new Date(Date.now() + 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const jobId = ok(await executeExport(env, id, { fileType: 'TXT', startTime })).JobId;
    failed(await env.as(env.mike)('PauseDataExportJob', { OrderId: id, JobId: jobId }), 'NoPermission');
    ok(await env.as(env.ulla)('PauseDataExportJob', { OrderId: id, JobId: jobId }));
    const d = await exportDetail(env, id);
    expect(d.KeyInfo).toMatchObject({ JobStatus: 'EXPORT_FAIL', Message: expect.stringContaining('terminated') });
    expect(await ticketStatus(env, id)).toBe('fail');
    ok(await env.as(env.ulla)('RestartDataExportJob', { OrderId: id, JobId: jobId }));
    const r = await collectExport(env, id, { expectRows: 5 });
    expect(r.entries[0]!.data.toString()).toBe('id\n1\n2\n3\n4\n5\n');
    failed(await env.as(env.ulla)('PauseDataExportJob', { OrderId: id, JobId: jobId }), 'InvalidStatus'); // finished
  });

  it('SuspendDataExportJob: the DBA may stop it too; the message says suspended', async () => {
    const id = await approvedExport(env, main.dbId, 'select id from t order by id');
    const startTime = new Date(Date.now() + 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const jobId = ok(await executeExport(env, id, { fileType: 'CSV', startTime })).JobId;
    failed(await env.as(env.dora)('SuspendDataExportJob', { OrderId: id, JobId: jobId + 1000 }), 'InvalidJobId');
    ok(await env.as(env.dora)('SuspendDataExportJob', { OrderId: id, JobId: jobId }));
    expect((await exportDetail(env, id)).KeyInfo).toMatchObject({ JobStatus: 'EXPORT_FAIL', Message: expect.stringContaining('suspended') });
    expect(await ticketStatus(env, id)).toBe('fail');
    failed(await env.as(env.dora)('RestartDataExportJob', { OrderId: id, JobId: jobId }), 'NoPermission'); // only the committer runs it
  });
});

await describeWithServer('postgres', 'PostgreSQL: refusals, pause and restart of a big export', () => {
  let t: { pg: PgTarget };
  const BIG = 300_000;
  const checksum = async () => (await t.pg.query("select count(*)::int as n, md5(string_agg(t::text, ',' order by id)) as h from t")).rows[0];

  beforeAll(async () => {
    t = await registerPg(env, {
      pg: `create table t (id integer primary key, v text not null);
           insert into t select g, 'v' || g from generate_series(1, 5) g;
           create table big as select g as id, md5(g::text) as h, g * 1.5 as amount, now() as at, repeat('x', 40) as pad from generate_series(1, ${BIG}) g;
           analyze;`,
    });
  });

  it('every write is refused at precheck, naming the statement; the data is unchanged', async () => {
    const before = await checksum();
    await expectRefused(t.pg.dbId, [
      ...WRITES,
      ['select * from t for update', 'FOR UPDATE'],
      ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'DELETE'],
      ['select * into newtab from t', 'INTO'],
      ['lock table t in access exclusive mode', 'LOCK'],
      ['select * from no_such_table', 'no_such_table'],
    ]);
    expect(await checksum()).toEqual(before);
    expect((await t.pg.query("select to_regclass('newtab') as r")).rows[0].r).toBeNull();
  });

  it('PauseDataExportJob stops a running export (EXPORT_FAIL, terminated); RestartDataExportJob completes it', async () => {
    const orderId = await approvedExport(env, t.pg.dbId, 'select * from big order by id');
    // JSON goes row by row (PostgreSQL CSV takes the much faster COPY path), so the export is
    // still running when the pause arrives.
    const jobId = ok(await executeExport(env, orderId, { fileType: 'JSON', mode: 'NORMAL' })).JobId;
    await waitPhase(env, orderId, 'DOING_EXPORT');
    failed(await executeExport(env, orderId, { fileType: 'CSV' }), 'InvalidStatus'); // running
    ok(await env.as(env.ulla)('PauseDataExportJob', { OrderId: orderId, JobId: jobId }));
    const d = await waitPhase(env, orderId, 'EXPORT_FAIL');
    expect(d.KeyInfo.Message).toMatch(/terminated/);
    expect(d.OrderDetail.ActualAffectRows).toBeLessThan(BIG);
    expect(await ticketStatus(env, orderId)).toBe('fail');
    const link = await downloadUrl(env, orderId);
    expect(link).toMatchObject({ HasResult: false, URL: '', TipMessage: expect.stringContaining('terminated') });

    ok(await env.as(env.ulla)('RestartDataExportJob', { OrderId: orderId, JobId: jobId }));
    const r = await collectExport(env, orderId, { expectRows: BIG });
    const rows = JSON.parse(r.entries[0]!.data.toString('utf8')) as { id: number; h: string; amount: string }[];
    expect(rows).toHaveLength(BIG);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'h', 'amount', 'at', 'pad']);
    expect(rows[0]).toMatchObject({ id: 1, h: 'c4ca4238a0b923820dcc509a6f75849b', amount: '1.5' });
    expect(rows.every((row, i) => row.id === i + 1)).toBe(true);
    const events = ok(await env.as(env.ulla)('ListOrderEvents', { OrderId: orderId })).Events.Event as Body[];
    expect(events.map((e) => e.Action)).toEqual(expect.arrayContaining(['EXPORT_PAUSE', 'EXECUTION_FAILED', 'EXECUTION_SUCCEEDED']));
  }, 60_000);
});

await describeWithServer('mysql', 'MariaDB: refusals and a logical database', () => {
  let t: { main: MariaTarget; other: MariaTarget; s1: MariaTarget; s2: MariaTarget };
  const outfile = `/tmp/odms_export_${process.pid}.csv`;
  const checksum = async () => (await t.main.query("select count(*) as n, md5(group_concat(id, ':', v order by id)) as h from t"))[0];

  beforeAll(async () => {
    const orders = (rows: string) => `create table orders (id int primary key, customer varchar(20) not null, total decimal(10,2) not null); insert into orders values ${rows};`;
    t = await registerMaria(env, {
      main: "create table t (id int primary key, v varchar(20) not null); insert into t values (1, 'one'), (2, 'two'), (3, 'three');",
      other: "create table t (id int primary key, v varchar(20) not null); insert into t values (1, 'secret');",
      s1: orders("(1, 'ann', 10.50), (2, 'bob', 20.00)"),
      s2: orders("(10, 'cid', 30.25)"),
    });
  });

  it('every write is refused at precheck, naming the statement; so is reading another database; the data is unchanged', async () => {
    const before = await checksum();
    await expectRefused(t.main.dbId, [
      ...WRITES,
      ['select * from t for update', 'FOR UPDATE'],
      [`select * from t into outfile '${outfile}'`, 'OUTFILE'],
      ['lock tables t write', 'LOCK'],
      [`select * from ${t.other.name}.t`, t.other.name],
      [`select * from t join \`${t.other.name}\`.t o on o.id = t.id`, t.other.name],
      ['select * from no_such_table', 'no_such_table'],
    ]);
    expect(await checksum()).toEqual(before);
    expect(fs.existsSync(outfile)).toBe(false);
  });

  it('a logical database over two MariaDB databases: one file per member', async () => {
    const logicId = ok(await env.admin('CreateLogicDatabase', { Alias: 'maria-shop', DatabaseIds: JSON.stringify([t.s1.dbId, t.s2.dbId]) })).LogicDbId;
    const r = await exportThrough(env, logicId, 'select id, customer, total from orders order by id', { fileType: 'CSV' }, { logic: true, expectRows: 3 });
    expect(r.entries.map((e) => e.name)).toEqual([`export_1_${t.s1.name}_${t.s1.dbId}.csv`, `export_1_${t.s2.name}_${t.s2.dbId}.csv`]);
    expect(parseCsv(r.entries[0]!.data.toString())).toEqual([
      ['id', 'customer', 'total'],
      ['1', 'ann', '10.50'],
      ['2', 'bob', '20.00'],
    ]);
    expect(parseCsv(r.entries[1]!.data.toString())).toEqual([
      ['id', 'customer', 'total'],
      ['10', 'cid', '30.25'],
    ]);
  });
});
