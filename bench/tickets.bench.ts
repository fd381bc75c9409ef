/**
 * Ticket throughput and list latency, through the real signed protocol (V1, as pop-core sends it).
 *
 *   npm run build && npx tsx bench/tickets.bench.ts [--seconds 10] [--store sqlite|postgres|both] [--tickets 1000000]
 *
 * 1. CreateOrder with 64 concurrent clients for a fixed time: tickets/s, p50/p99 — next to the same
 *    server's bare /healthz rate with 64 clients (the reference, measured in the same run).
 * 2. ListOrders with N tickets in the store (default one million, bulk-inserted): p50/p99 of
 *    typical list queries, next to a trivial signed call (GetUserActiveTenant) as the reference.
 * PostgreSQL: OPENDMS_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), one
 * schema per run, dropped afterwards.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { openStore } from '../src/storage/db.js';
import { call, fmt, healthz, load, percentiles, startServer, type BenchServer } from './lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const SECONDS = Number(args.get('seconds') ?? 10);
const TICKETS = Number(args.get('tickets') ?? 1_000_000);
const STORES = (args.get('store') ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [args.get('store')!];
const PG_URL = process.env.OPENDMS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CONCURRENCY = 64;

async function withStore<T>(store: string, fn: (srv: BenchServer, env: Record<string, string>) => Promise<T>): Promise<T> {
  const env: Record<string, string> = {};
  let schema: string | undefined;
  if (store === 'postgres') {
    schema = `opendms_bench_${crypto.randomBytes(3).toString('hex')}`;
    const c = new pg.Client(PG_URL);
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    Object.assign(env, { OPENDMS_DATABASE_URL: PG_URL, OPENDMS_DATABASE_SCHEMA: schema });
  }
  const srv = await startServer(env);
  try {
    return await fn(srv, env);
  } finally {
    await srv.stop();
    if (schema) {
      const c = new pg.Client(PG_URL);
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.query(`drop schema if exists ${schema}_jobs cascade`);
      await c.end();
    }
  }
}

async function demoDbId(url: string): Promise<string> {
  return (await call(url, 'ListDatabases', { InstanceId: '1' })).DatabaseList.Database[0].DatabaseId as string;
}

async function createBench(store: string): Promise<void> {
  await withStore(store, async (srv) => {
    const dbId = await demoDbId(srv.url);
    const pluginParam = JSON.stringify({ dbId: Number(dbId), exeSQL: 'select * from customers where id < 100', affectRows: 100 });
    await load(8, 1, () => call(srv.url, 'CreateOrder', { Comment: 'warm-up', PluginType: 'DATA_EXPORT', PluginParam: pluginParam }));
    const health = await load(CONCURRENCY, SECONDS, () => healthz(srv.url));
    const create = await load(CONCURRENCY, SECONDS, () => call(srv.url, 'CreateOrder', { Comment: 'bench ticket', PluginType: 'DATA_EXPORT', PluginParam: pluginParam }));
    console.log(
      `[${store}] CreateOrder ${CONCURRENCY} clients ${fmt(create.seconds)}s: ${fmt(create.perSecond)} tickets/s, p50 ${fmt(create.p50)} ms, p99 ${fmt(create.p99)} ms, errors ${create.errors}` +
        ` | /healthz ${fmt(health.perSecond)} req/s p50 ${fmt(health.p50)} ms p99 ${fmt(health.p99)} ms | ratio tickets/healthz ${fmt(create.perSecond / health.perSecond, 3)}`,
    );
  });
}

/** Bulk-inserts `n` tickets for the admin (one third) and two other committers. */
async function seedTickets(srv: BenchServer, env: Record<string, string>, n: number, dbId: number): Promise<void> {
  const store = openStore(env.OPENDMS_DATABASE_URL ? { databaseUrl: env.OPENDMS_DATABASE_URL, pgSchema: env.OPENDMS_DATABASE_SCHEMA! } : { sqlitePath: `${srv.dataDir}/opendms.db` });
  try {
    const now = Date.now();
    const users = [1];
    for (const uid of ['bench-a', 'bench-b']) {
      const id = (await store.db.insertInto('app_user').values({ uid, nick_name: uid, is_sysadmin: 0, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
      await store.db.insertInto('membership').values({ tenant_id: 1, user_id: id, roles: 'USER', state: 'NORMAL', created_at: now }).execute();
      users.push(id);
    }
    const statuses = ['new', 'toaudit', 'approved', 'success', 'closed', 'reject'];
    const types = ['DATA_EXPORT', 'DC_COMMON', 'NDDL'];
    const params = JSON.stringify({ dbId, exeSQL: 'select 1', logic: false, ignoreAffectRows: false });
    const batch = 2000;
    const started = performance.now();
    for (let i = 0; i < n; i += batch) {
      const rows = Array.from({ length: Math.min(batch, n - i) }, (_, j) => {
        const k = i + j;
        const t = now - (n - k) * 1000;
        return {
          tenant_id: 1, plugin_type: types[k % 3]!, comment: `seeded ticket ${k}`, committer_id: users[k % 3]!, delegated_by_id: null,
          status: statuses[k % statuses.length]!, params, attachment_key: null, workflow_instance_id: null, exec_mode: 'COMMITOR', version: 1, created_at: t, modified_at: t,
        };
      });
      await store.db.insertInto('ticket').values(rows).execute();
    }
    console.log(`seeded ${n} tickets in ${fmt((performance.now() - started) / 1000)} s`);
  } finally {
    await store.close();
  }
}

async function listBench(store: string): Promise<void> {
  await withStore(store, async (srv, env) => {
    const dbId = Number(await demoDbId(srv.url));
    await seedTickets(srv, env, TICKETS, dbId);
    const queries: [string, Record<string, string>][] = [
      ['mine, first page', {}],
      ['mine, page 500', { PageNumber: '500', PageSize: '20' }],
      ['all (AS_ADMIN), first page', { OrderResultType: 'AS_ADMIN' }],
      ['all, DATA_CORRECT, RUNNING', { OrderResultType: 'AS_ADMIN', PluginType: 'DATA_CORRECT', OrderStatus: 'RUNNING' }],
      ['all, last day by create time', { OrderResultType: 'AS_ADMIN', StartTime: new Date(Date.now() - 86_400_000).toISOString().slice(0, 19).replace('T', ' ') }],
      ['all, search comment', { OrderResultType: 'AS_ADMIN', SearchContent: 'ticket 4242' }],
    ];
    const ref: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await call(srv.url, 'GetUserActiveTenant', {});
      ref.push(performance.now() - t);
    }
    const r = percentiles(ref);
    console.log(`[${store}] reference GetUserActiveTenant: p50 ${fmt(r.p50, 2)} ms p99 ${fmt(r.p99, 2)} ms`);
    for (const [name, params] of queries) {
      const lat: number[] = [];
      let total = 0;
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        total = (await call(srv.url, 'ListOrders', params)).TotalCount;
        lat.push(performance.now() - t);
      }
      const q = percentiles(lat);
      console.log(`[${store}] ListOrders ${name} (TotalCount ${total}) over ${TICKETS} tickets: p50 ${fmt(q.p50, 2)} ms p99 ${fmt(q.p99, 2)} ms, ${fmt(q.p50 / r.p50, 1)}x reference`);
    }
  });
}

for (const store of STORES) {
  await createBench(store);
  if (TICKETS > 0) await listBench(store);
}
