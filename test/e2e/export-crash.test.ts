/**
 * A server killed (SIGKILL) in the middle of a large export, then started again on the same data:
 * no partial file is ever offered, the export is taken up again and ends with a complete, correct
 * result. Real child processes, a real PostgreSQL target, the real pop-core client.
 */
import fs from 'node:fs';
import path from 'node:path';
import { configure, BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';
import { expect, it } from 'vitest';
import { awaitPrecheck, ok } from '../helpers/server.js';
import { crashEnv } from '../helpers/process.js';
import { describeWithServer } from '../helpers/servers.js';

configure({ useWebWorkers: false });

const ROWS = 400_000;

await describeWithServer('postgres', 'export survives SIGKILL of the server', () => {
  const e = crashEnv('export-crash', `create table big as select g as id, md5(g::text) as t, g * 0.01 as amount from generate_series(1, ${ROWS}) g; analyze big`);
  const { admin, call } = e;

  const detail = async (orderId: number) => ok(await admin('GetDataExportOrderDetail', { OrderId: orderId })).DataExportOrderDetail;

  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('is taken up again after the restart and yields the complete file; nothing partial is offered', async () => {
    const orderId: number = ok(await admin('CreateOrder', { Comment: 'crash test', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: e.dbId, exeSQL: 'select id, t, amount from big order by id' }) })).CreateOrderResult.OrderIds[0];
    expect(await awaitPrecheck(admin, orderId)).toBe('PRE_CHECK_SUCCESS');
    const wf = ok(await admin('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
    ok(await call(e.dba)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE' }));
    // Uncompressed and in JSON, so the export takes long enough to be caught in the middle.
    ok(await admin('ExecuteDataExport', { OrderId: orderId, ActionDetail: JSON.stringify({ fileType: 'JSON' }) }));
    await until('the export to be under way', async () => {
      const d = await detail(orderId);
      return d.KeyInfo.JobStatus === 'DOING_EXPORT' && d.OrderDetail.ActualAffectRows > 0 ? true : undefined;
    }, 30_000);

    await e.server.kill();
    const files = fs.existsSync(path.join(e.dataDir, 'files', 'exports')) ? fs.readdirSync(path.join(e.dataDir, 'files', 'exports'), { recursive: true }).map(String) : [];
    expect(files.filter((f) => f.endsWith('.zip')), 'no complete zip exists after the crash').toEqual([]);

    await e.restart();
    const mid = await detail(orderId);
    expect(['DOING_EXPORT', 'EXPORT_SUCCESS']).toContain(mid.KeyInfo.JobStatus);
    if (mid.KeyInfo.JobStatus === 'DOING_EXPORT') {
      const link = ok(await admin('GetDataExportDownloadURL', { OrderId: orderId })).DownloadURLResult;
      expect(link).toMatchObject({ HasResult: false, URL: '' });
    }

    const final = await until('the export to finish after the restart', async () => {
      const d = await detail(orderId);
      return d.KeyInfo.JobStatus === 'DOING_EXPORT' ? undefined : d;
    }, 90_000);
    expect(final.KeyInfo.JobStatus).toBe('EXPORT_SUCCESS');
    expect(final.OrderDetail.ActualAffectRows).toBe(ROWS);
    expect(ok(await admin('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode).toBe('success');
    const events = ok(await admin('ListOrderEvents', { OrderId: orderId }));
    expect(JSON.stringify(events)).toContain('EXPORT_RESUMED');

    const link = ok(await admin('GetDataExportDownloadURL', { OrderId: orderId })).DownloadURLResult;
    expect(link.HasResult).toBe(true);
    const zip = await (await fetch(link.URL)).blob();
    const entries = await new ZipReader(new BlobReader(zip)).getEntries();
    const json = entries.find((e) => e.filename === 'export_1.json') as unknown as { getData(w: TextWriter): Promise<string> };
    const rows = JSON.parse(await json.getData(new TextWriter())) as { id: number; t: string; amount: string }[];
    expect(rows).toHaveLength(ROWS);
    expect(rows.every((r, i) => r.id === i + 1)).toBe(true);
    expect(rows[41]).toEqual({ id: 42, t: 'a1d0c6e83f027327d8461063f4ac58a6', amount: '0.42' });
  }, 240_000);
});
