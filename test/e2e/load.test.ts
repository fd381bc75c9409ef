/**
 * Bounded load on production mode (issue 8 §4): two `opendms serve` processes on one PostgreSQL
 * store and one shared files folder, 64 concurrent signed clients (pop-core) for a fixed time,
 * each filing a data export, waiting for its precheck, submitting it, having the DBA approve it and
 * executing it, every call to either process at random. Some approvals and executions are sent
 * twice at once, to both processes: exactly one of each pair may succeed. At the end, checked
 * against the store: every ticket a client was told about exists once, exported once (one job,
 * one run, one START_EXECUTION), approved once; no error answers but the intended duplicates;
 * throughput and p99 latency printed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY, pop, type Body, type Key } from '../helpers/server.js';
import { registerPgTarget, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { sleep } from '../helpers/export-flow.js';
import { createPgDatabase, createPgSchema, describeWithServer } from '../helpers/servers.js';

const CLIENTS = Number(process.env.OPENDMS_LOAD_CLIENTS ?? 64);
const SECONDS = Number(process.env.OPENDMS_LOAD_SECONDS ?? 20);
const PG_URL = process.env.OPENDMS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

await describeWithServer('postgres', `load: ${CLIENTS} clients for ${SECONDS} s on two processes and one PostgreSQL store`, () => {
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let target: Awaited<ReturnType<typeof createPgDatabase>>;
  let dataDir: string;
  const servers: ServerProcess[] = [];
  let dba: Key;
  let dbId: number;

  beforeAll(async () => {
    schema = await createPgSchema('opendms_load');
    target = await createPgDatabase('opendms_load_t');
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    await c.query('create table items (id integer primary key, name text not null); insert into items select g, md5(g::text) from generate_series(1, 50) g');
    await c.end();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-load-'));
    const env = { OPENDMS_DATABASE_URL: PG_URL, OPENDMS_DATABASE_SCHEMA: schema.schema, OPENDMS_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') };
    servers.push(await startServerProcess({ dataDir, env }));
    servers.push(await startServerProcess({ dataDir, env }));
    ({ dba, dbId } = await registerPgTarget(servers[0]!, target.name));
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) await s.kill();
    await target?.drop();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and duplicates nothing, and answers only with the intended errors', async () => {
    const latencies: number[] = [];
    const unexpected: string[] = [];
    const created: number[] = [];
    const executed = new Set<number>();
    let duplicatesRefused = 0;
    const any = () => servers[Math.floor(Math.random() * servers.length)]!;
    const call = async (key: Key, action: string, params: Record<string, unknown>, server = any()): Promise<Body> => {
      const t = performance.now();
      try {
        return await pop(server, key)(action, params);
      } finally {
        latencies.push(performance.now() - t);
      }
    };
    const expectOk = (what: string, b: Body): Body => {
      if (b.Success !== true) unexpected.push(`${what}: ${b.ErrorCode}: ${b.ErrorMessage}`);
      return b;
    };
    /** Both processes at once: one success and one refusal. */
    const twice = async (key: Key, action: string, params: Record<string, unknown>, what: string): Promise<boolean> => {
      const [a, b] = await Promise.all(servers.map((s) => call(key, action, params, s)));
      const wins = [a, b].filter((x) => x!.Success === true).length;
      if (wins !== 1) unexpected.push(`${what}: ${wins} of two concurrent ${action} succeeded (${JSON.stringify([a?.ErrorCode, b?.ErrorCode])})`);
      else duplicatesRefused++;
      return wins >= 1;
    };

    const end = Date.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (Date.now() < end) {
          const b = expectOk('CreateOrder', await call(ADMIN_KEY, 'CreateOrder', { Comment: `load ${client}`, PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId, exeSQL: `select id, name from items where id <= ${1 + (client % 50)}`, ignoreAffectRows: true, ignoreAffectRowsReason: 'load' }) }));
          const id = Number(b.CreateOrderResult?.OrderIds?.[0]);
          if (!id) continue;
          created.push(id);
          let status = '';
          for (let k = 0; k < 300 && (status === '' || status === 'PRE_CHECKING'); k++) {
            if (k > 0) await sleep(100);
            status = (await call(ADMIN_KEY, 'GetDataExportOrderDetail', { OrderId: id })).DataExportOrderDetail?.KeyInfo?.JobStatus ?? '';
          }
          if (status !== 'PRE_CHECK_SUCCESS') {
            unexpected.push(`ticket ${id}: precheck ended ${status}`);
            continue;
          }
          const wf = expectOk('SubmitOrderApproval', await call(ADMIN_KEY, 'SubmitOrderApproval', { OrderId: id })).WorkflowInstanceId;
          const approve = { WorkflowInstanceId: wf, ApprovalType: 'AGREE', Comment: 'ok' };
          const agreed = client % 4 === 0 ? await twice(dba, 'ApproveOrder', approve, `ticket ${id}`) : expectOk('ApproveOrder', await call(dba, 'ApproveOrder', approve)).Success === true;
          if (!agreed) continue;
          const exec = { OrderId: id, ActionDetail: JSON.stringify({ fileType: 'CSV' }) };
          const ran = client % 4 === 1 ? await twice(ADMIN_KEY, 'ExecuteDataExport', exec, `ticket ${id}`) : expectOk('ExecuteDataExport', await call(ADMIN_KEY, 'ExecuteDataExport', exec)).Success === true;
          if (ran) executed.add(id);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    // Every export finishes (the two processes share the jobs).
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    try {
      const q = async (text: string, values: unknown[] = []) => (await db.query(text, values)).rows;
      for (let k = 0; k < 240; k++) {
        const [row] = await q(`select count(*)::int as n from ${schema.schema}.export_job where status not in ('EXPORT_SUCCESS', 'EXPORT_FAIL')`);
        if (row.n === 0) break;
        await sleep(500);
      }
      const tickets = await q(`select id, status from ${schema.schema}.ticket order by id`);
      const jobs = await q(`select ticket_id, count(*)::int as n, max(run)::int as runs, min(status) as status from ${schema.schema}.export_job group by ticket_id`);
      const starts = await q(`select ticket_id, count(*)::int as n from ${schema.schema}.ticket_event where action = 'START_EXECUTION' group by ticket_id`);
      const approvals = await q(`select e.ticket_id, count(*)::int as n from ${schema.schema}.ticket_event e where e.action = 'APPROVE_FINAL' group by e.ticket_id`);

      const sorted = [...latencies].sort((a, b) => a - b);
      const p = (x: number) => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]!;
      console.log(`load: ${CLIENTS} clients, ${seconds.toFixed(1)} s: ${created.length} tickets, ${executed.size} executed, ${latencies.length} requests = ${(latencies.length / seconds).toFixed(0)}/s, p50 ${p(0.5).toFixed(0)} ms, p99 ${p(0.99).toFixed(0)} ms; ${duplicatesRefused} duplicate pairs resolved to one`);

      expect(unexpected.slice(0, 20)).toEqual([]);
      expect(created.length).toBeGreaterThan(CLIENTS);
      // Nothing lost, nothing duplicated.
      expect(new Set(created).size).toBe(created.length);
      expect(tickets.map((t) => Number(t.id)).sort((a, b) => a - b)).toEqual([...created].sort((a, b) => a - b));
      expect(jobs.map((j) => Number(j.ticket_id)).sort((a, b) => a - b)).toEqual([...executed].sort((a, b) => a - b));
      expect(jobs.every((j) => j.n === 1 && j.runs === 1 && j.status === 'EXPORT_SUCCESS')).toBe(true);
      expect(starts.every((s) => s.n === 1)).toBe(true);
      expect(starts.length).toBe(executed.size);
      expect(approvals.every((a) => a.n === 1)).toBe(true);
      expect(tickets.filter((t) => executed.has(Number(t.id))).every((t) => t.status === 'success')).toBe(true);
      expect(duplicatesRefused).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  }, 600_000);
});
