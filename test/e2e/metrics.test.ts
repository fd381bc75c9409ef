/**
 * GET /metrics in the Prometheus text format, on the SQLite and the PostgreSQL store: RPC
 * requests by Action and outcome (an unknown Action name counted as `unknown`), latencies, job
 * attempts by name and outcome, queue depth, export rows and bytes after a real export, the
 * store pool on PostgreSQL; no secret in the output; the optional bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, ok, pop, startTestServer, type TestServer } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';

/** The value of one sample, e.g. `opendms_rpc_requests_total{action="ListOrders",outcome="success",channel="api"}`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

function scenarios(store: 'sqlite' | 'postgres') {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ store, demo: true });
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  const scrape = async (headers: Record<string, string> = {}) => {
    const r = await fetch(`${srv.url}/metrics`, { headers });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };

  it('counts RPC requests, job attempts and export rows, and shows the queue', async () => {
    const admin = pop(srv, srv.admin);
    const before = await scrape();
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const listed = sample(before.text, 'opendms_rpc_requests_total', { action: 'ListOrders', outcome: 'success', channel: 'api' });

    ok(await admin('ListOrders', { OrderResultType: 'AS_ADMIN' }));
    ok(await admin('ListOrders', { OrderResultType: 'AS_ADMIN' }));
    expect((await admin('GetOrderBaseInfo', { OrderId: 999999 })).Success).toBe(false);
    await admin('NoSuchAction-' + Math.random(), {}).catch(() => undefined);

    // An export ticket: its precheck is a job.
    const db = ok(await admin('SearchDatabase', { SearchKey: 'shop' })).SearchDatabaseList.SearchDatabase[0];
    const id = ok(await admin('CreateOrder', { Comment: 'metrics', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: Number(db.DatabaseId), exeSQL: 'select id from customers', ignoreAffectRows: true, ignoreAffectRowsReason: 'test' }) })).CreateOrderResult.OrderIds[0];
    const detail = async () => ok(await admin('GetDataExportOrderDetail', { OrderId: id })).DataExportOrderDetail;
    for (let k = 0; k < 200 && (await detail()).KeyInfo.JobStatus === 'PRE_CHECKING'; k++) await new Promise((r) => setTimeout(r, 50));

    const after = await scrape();
    expect(sample(after.text, 'opendms_rpc_requests_total', { action: 'ListOrders', outcome: 'success', channel: 'api' })).toBe(listed + 2);
    expect(sample(after.text, 'opendms_rpc_requests_total', { action: 'GetOrderBaseInfo', outcome: 'business_error' })).toBeGreaterThanOrEqual(1);
    expect(sample(after.text, 'opendms_rpc_requests_total', { action: 'unknown', outcome: 'gateway_error' })).toBeGreaterThanOrEqual(1);
    expect(after.text).not.toMatch(/NoSuchAction/);
    expect(sample(after.text, 'opendms_rpc_request_duration_seconds_count', { action: 'ListOrders' })).toBeGreaterThanOrEqual(2);
    expect(sample(after.text, 'opendms_jobs_total', { job: 'export-precheck', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(after.text).toMatch(/^# TYPE opendms_job_queue_depth gauge$/m);
    expect(after.text).toMatch(/^# TYPE opendms_process_resident_memory_bytes gauge$/m);
    if (store === 'postgres') expect(after.text).toMatch(/^opendms_store_pool_connections\{state="idle"\} \d+$/m);
    // No secret ever: the admin's AccessKey secret, the master key file's content.
    expect(after.text).not.toContain(ADMIN_KEY.accessKeySecret);
  });

  it('counts the rows and bytes of a successful export', async () => {
    const admin = pop(srv, srv.admin);
    ok(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'test: no approval', PluginTypes: ['DATA_EXPORT'], Decision: 'NO_APPROVAL' }]) }));
    const db = ok(await admin('SearchDatabase', { SearchKey: 'shop' })).SearchDatabaseList.SearchDatabase[0];
    const id = ok(await admin('CreateOrder', { Comment: 'metrics', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: Number(db.DatabaseId), exeSQL: 'select id, name from customers', ignoreAffectRows: true, ignoreAffectRowsReason: 'test' }) })).CreateOrderResult.OrderIds[0];
    const detail = async () => ok(await admin('GetDataExportOrderDetail', { OrderId: id })).DataExportOrderDetail;
    for (let k = 0; k < 200 && (await detail()).KeyInfo.JobStatus === 'PRE_CHECKING'; k++) await new Promise((r) => setTimeout(r, 50));
    ok(await admin('SubmitOrderApproval', { OrderId: id }));
    const before = await scrape();
    ok(await admin('ExecuteDataExport', { OrderId: id, ActionDetail: JSON.stringify({ fileType: 'CSV' }) }));
    let d = await detail();
    for (let k = 0; k < 400 && d.KeyInfo.JobStatus !== 'EXPORT_SUCCESS' && d.KeyInfo.JobStatus !== 'EXPORT_FAIL'; k++) {
      await new Promise((r) => setTimeout(r, 50));
      d = await detail();
    }
    expect(d.KeyInfo.JobStatus).toBe('EXPORT_SUCCESS');
    const after = await scrape();
    expect(sample(after.text, 'opendms_export_rows_total') - sample(before.text, 'opendms_export_rows_total')).toBe(Number(d.OrderDetail.ActualAffectRows));
    expect(sample(after.text, 'opendms_export_bytes_total') - sample(before.text, 'opendms_export_bytes_total')).toBe(Number(d.KeyInfo.FileSize));
    expect(sample(after.text, 'opendms_jobs_total', { job: 'run-export', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
  });
}

describe('metrics on the SQLite store', () => scenarios('sqlite'));
await describeWithServer('postgres', 'metrics on the PostgreSQL store', () => scenarios('postgres'));

describe('metrics behind a token', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ env: { OPENDMS_METRICS_TOKEN: 'scrape-me-0123' } });
  });
  afterAll(async () => {
    await srv?.close();
  });
  it('answers 401 without the bearer token and the metrics with it', async () => {
    expect((await fetch(`${srv.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-00' } })).status).toBe(401);
    const r = await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-0123' } });
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/opendms_rpc_requests_total/);
  });
});
