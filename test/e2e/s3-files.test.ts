/**
 * A server whose file store is an S3 bucket (a real S3-protocol server on loopback): an attachment
 * upload, an export's zip and a data change's backup all land in the bucket under the configured
 * prefix, nothing in the local files folder, and downloads (with ranges) come back from it intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../helpers/server.js';
import { uploadSql } from '../helpers/attachments.js';
import { exportThrough, fetchBytes, parseCsv, registerSqlite, startExportEnv, until, type ExportEnv } from '../helpers/export-flow.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

let s3: TestS3;
let env: ExportEnv;
let dbId: number;

beforeAll(async () => {
  s3 = await startS3();
  env = await startExportEnv(s3.env('prod/opendms'));
  ({ dbId } = await registerSqlite(env, 's3files', (db) => db.exec(`create table t (id integer primary key, v text); insert into t values (1, 'one'), (2, 'two'), (3, null);`)));
}, 60_000);
afterAll(async () => {
  await env?.close();
  await s3?.close();
});

const localFiles = (): string[] => {
  const root = env.srv.server.deps.config.filesDir;
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(path.join(d, e.name)) : out.push(e.name));
  };
  walk(root);
  return out;
};

describe('the file store in an S3 bucket', () => {
  it('keeps attachments, export results and backups in the bucket and serves them back', async () => {
    const key = await uploadSql(env.srv.port, env.ulla, 'change.sql', 'update t set v = v where id = 1;');
    expect(key).toEqual(expect.any(String));

    const r = await exportThrough(env, dbId, 'select id, v from t order by id', { fileType: 'CSV' }, { expectRows: 3 });
    expect(parseCsv(r.entries[0]!.data.toString('utf8'))).toEqual([['id', 'v'], ['1', 'one'], ['2', 'two'], ['3', null]]);
    // A range of the zip, straight from the bucket.
    const link = ok(await env.as(env.ulla)('GetDataExportDownloadURL', { OrderId: r.orderId })).DownloadURLResult.URL as string;
    const part = await fetchBytes(link, { range: 'bytes=0-3' });
    expect(part.status).toBe(206);
    expect(part.body.equals(r.zip.subarray(0, 4))).toBe(true);

    // A data change with a backup.
    const dc = Number(ok(await env.v3(env.ulla)('CreateDataCorrectOrder', { Comment: 's3', Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: "update t set v = 'uno' where id = 1;", EstimateAffectRows: 1 }) })).CreateOrderResult[0]);
    await until('the precheck', async () => ((ok(await env.v3(env.ulla)('GetDataCorrectOrderDetail', { OrderId: dc })).DataCorrectOrderDetail.Status as string) === 'precheck' ? undefined : true));
    const wf = ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: dc })).WorkflowInstanceId;
    ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    ok(await env.as(env.ulla)('ExecuteDataCorrect', { OrderId: dc }));
    await until('the change', async () => ((ok(await env.v3(env.ulla)('GetDataCorrectTaskDetail', { OrderId: dc })).DataCorrectTaskDetail.jobStatus as string) === 'SUCCESS' ? true : undefined));
    const urls: string[] = ok(await env.v3(env.ulla)('GetDataCorrectBackupFiles', { OrderId: dc })).DataCorrectBackupFiles.FileUrl;
    const backup = (await fetchBytes(urls[0]!)).body.toString('utf8').trim().split('\n');
    expect(JSON.parse(backup[1]!)).toEqual([1, 'one']);

    const keys = await s3.keys();
    expect(keys.every((k) => k.startsWith('prod/opendms/'))).toBe(true);
    expect(keys.some((k) => k.startsWith('prod/opendms/exports/'))).toBe(true);
    expect(keys.some((k) => k.startsWith('prod/opendms/dc-backup/'))).toBe(true);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(localFiles()).toEqual([]);
  });
});
