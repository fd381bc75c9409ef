/**
 * The DC_COMMON precheck end to end on a 10,000-statement script, through the real path: the SQL
 * uploaded as an attachment (POST /api/attachments, signed V1) → CreateDataCorrectOrder
 * (SqlType ATTACHMENT) → the `dc-precheck` job of a server process (split and parse, type check,
 * permission, row estimates per statement on the real database, table facts, review rules, the
 * 10,000 result rows written) → GetDataCorrectOrderDetail polled until it settles. Per engine
 * (PostgreSQL, MariaDB, SQLite), on tables of 100,000+ rows with keys.
 *
 * Printed next to the raw parser's rate over the same statements, measured in the same run in this
 * process (node-sql-parser through src/lib/sql/parse.ts `parseStatement`, warm), and the offline
 * analysis + review rules (analyzeDml + reviewDml, no database) as a second reference; plus where the
 * precheck's time went, from the step transitions seen while polling.
 *
 *   npm run bench:dc-precheck -- [--statements 10000] [--engines postgresql,mariadb,sqlite]
 *
 * The tenant raises `too-many-statements` (ERROR above 1000 by default) with SetSqlReviewRule
 * {"maxStatements": 20000}; the precheck must pass with every statement PASS.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Engine } from '../src/connectors/connector.js';
import { parseStatement } from '../src/lib/sql/parse.js';
import { splitStatements } from '../src/lib/sql/split.js';
import { analyzeDml, reviewDml } from '../src/modules/review/index.js';
import { createRandom } from '../src/demo/shop-data.js';
import { call, fmt, freshPgDatabase, healthz, pgUrlOf, registerTarget, startServer, uploadAttachment, type BenchServer } from './lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const STATEMENTS = Number(args.get('statements') ?? 10_000);
const ENGINES = (args.get('engines') ?? 'postgresql,mariadb,sqlite').split(',') as Engine[];
const PG_URL = process.env.OPENDMS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_URL = process.env.OPENDMS_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const DB = 'opendms_bench_dc';
const ACCOUNTS = 100_000;
const ORDERS = 100_000;
/** Two lines per order. */
const ITEMS = ORDERS * 2;
const AUDIT = 20_000;

// ---------------------------------------------------------------------------------------------
// The script: key-based UPDATE/DELETE and INSERTs with column lists on four tables, in batches
// separated by comments, deterministic (seeded).

function buildScript(n: number): string {
  const rnd = createRandom(20240501).next;
  const int = (max: number) => 1 + Math.floor(rnd() * max);
  const lines: string[] = ['-- generated data fix for the DC_COMMON precheck benchmark'];
  for (let k = 0; k < n; k++) {
    if (k % 100 === 0) lines.push(`-- batch ${k / 100 + 1}`);
    const r = rnd();
    if (r < 0.35) lines.push(`UPDATE accounts SET balance = balance + ${(int(10_000) / 100).toFixed(2)}, updated_at = '2024-05-01 10:${String(k % 60).padStart(2, '0')}:00' WHERE id = ${int(ACCOUNTS)};`);
    else if (r < 0.5) lines.push(`UPDATE orders SET state = 'shipped' WHERE id = ${int(ORDERS)} AND state = 'paid';`);
    else if (r < 0.6) lines.push(`UPDATE order_items SET qty = ${int(9)} WHERE order_id = ${int(ORDERS)} AND line = ${int(2)};`);
    else if (r < 0.7) lines.push(`DELETE FROM order_items WHERE order_id = ${int(ORDERS)} AND line = ${int(2)};`);
    else if (r < 0.75) lines.push(`DELETE FROM orders WHERE id = ${int(ORDERS)};`);
    else if (r < 0.8) lines.push(`DELETE FROM audit_log WHERE account_id = ${int(ACCOUNTS)} AND id < ${int(AUDIT)};`);
    else if (r < 0.95) lines.push(`INSERT INTO audit_log (account_id, note) VALUES (${int(ACCOUNTS)}, 'balance corrected, ticket ${k}');`);
    else {
      const o = int(ORDERS);
      lines.push(`INSERT INTO order_items (order_id, line, sku, qty) VALUES (${o}, 3, 'SKU-${int(5000)}', ${int(5)}), (${o}, 4, 'SKU-${int(5000)}', ${int(5)});`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Target databases

const DDL = (autoId: string, ts: string) => [
  `create table accounts (id bigint primary key, owner varchar(64) not null, balance decimal(14,2) not null, status varchar(16) not null, updated_at ${ts} not null)`,
  `create table orders (id bigint primary key, account_id bigint not null, amount decimal(12,2) not null, state varchar(16) not null)`,
  `create table order_items (order_id bigint not null, line integer not null, sku varchar(32) not null, qty integer not null, primary key (order_id, line))`,
  `create table audit_log (id ${autoId}, account_id bigint not null, note varchar(200) not null)`,
  `create index audit_log_account on audit_log (account_id)`,
  `create index orders_account on orders (account_id)`,
];


async function preparePostgres(): Promise<void> {
  await freshPgDatabase(PG_URL, DB);
  const c = new pg.Client(pgUrlOf(PG_URL, DB));
  await c.connect();
  for (const s of DDL('bigint generated by default as identity primary key', 'timestamp')) await c.query(s);
  await c.query(`insert into accounts select g, 'owner ' || g, (g % 1000) * 1.5, case when g % 10 = 0 then 'closed' else 'open' end, timestamp '2024-01-01' + g * interval '1 minute' from generate_series(1, ${ACCOUNTS}) g`);
  await c.query(`insert into orders select g, 1 + g % ${ACCOUNTS}, (g % 500) * 2.25, case g % 3 when 0 then 'paid' when 1 then 'shipped' else 'new' end from generate_series(1, ${ORDERS}) g`);
  await c.query(`insert into order_items select o, l, 'SKU-' || (o * l % 5000), 1 + (o + l) % 5 from generate_series(1, ${ORDERS}) o, generate_series(1, 2) l`);
  await c.query(`insert into audit_log (account_id, note) select 1 + g * 7 % ${ACCOUNTS}, 'seed ' || g from generate_series(1, ${AUDIT}) g`);
  await c.query('analyze');
  await c.end();
}

async function prepareMariadb(): Promise<void> {
  const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  await c.query(`drop database if exists ${DB}; create database ${DB} character set utf8mb4; use ${DB}`);
  for (const s of DDL('bigint auto_increment primary key', 'datetime')) await c.query(s);
  // seq_1_to_N: MariaDB's sequence engine.
  await c.query(`insert into accounts select seq, concat('owner ', seq), (seq % 1000) * 1.5, if(seq % 10 = 0, 'closed', 'open'), '2024-01-01' + interval seq minute from seq_1_to_${ACCOUNTS}`);
  await c.query(`insert into orders select seq, 1 + seq % ${ACCOUNTS}, (seq % 500) * 2.25, elt(1 + seq % 3, 'paid', 'shipped', 'new') from seq_1_to_${ORDERS}`);
  await c.query(`insert into order_items select o.seq, l.seq, concat('SKU-', o.seq * l.seq % 5000), 1 + (o.seq + l.seq) % 5 from seq_1_to_${ORDERS} o, seq_1_to_2 l`);
  await c.query(`insert into audit_log (account_id, note) select 1 + seq * 7 % ${ACCOUNTS}, concat('seed ', seq) from seq_1_to_${AUDIT}`);
  await c.query('analyze table accounts, orders, order_items, audit_log');
  // OpenDMS logs in with a password (RegisterInstance needs one): a bench login limited to this database.
  await c.query(`create user if not exists 'opendms_bench'@'%' identified by 'opendms_bench'; grant all on ${DB}.* to 'opendms_bench'@'%'`);
  await c.end();
}

function prepareSqlite(file: string): void {
  fs.rmSync(file, { force: true });
  const db = new Database(file);
  for (const s of DDL('integer primary key autoincrement', 'datetime')) db.exec(s);
  const seq = (n: number) => `with recursive g(n) as (select 1 union all select n + 1 from g where n < ${n})`;
  db.exec(`${seq(ACCOUNTS)} insert into accounts select n, 'owner ' || n, (n % 1000) * 1.5, case when n % 10 = 0 then 'closed' else 'open' end, datetime('2024-01-01', '+' || n || ' minutes') from g`);
  db.exec(`${seq(ORDERS)} insert into orders select n, 1 + n % ${ACCOUNTS}, (n % 500) * 2.25, case n % 3 when 0 then 'paid' when 1 then 'shipped' else 'new' end from g`);
  db.exec(`${seq(ORDERS)} insert into order_items select n, l, 'SKU-' || (n * l % 5000), 1 + (n + l) % 5 from g, (select 1 as l union all select 2)`);
  db.exec(`${seq(AUDIT)} insert into audit_log (account_id, note) select 1 + n * 7 % ${ACCOUNTS}, 'seed ' || n from g`);
  db.exec('analyze');
  db.close();
}



// ---------------------------------------------------------------------------------------------
// The real path

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Timeline {
  total: number;
  /** Seconds from filing to the moment each step was first seen in each status. */
  seen: Map<string, number>;
  /** The longest /healthz answer while the precheck ran (ms): how long the server's event loop was blocked at most. */
  stallMs: number;
  /** CPU seconds the server process used from filing to settled (less sensitive to other load than wall time). */
  serverCpu: number;
}

/** Files the ticket and polls its detail until the precheck settles; returns the times each step transition was first seen. */
async function fileAndWait(srv: BenchServer, dbId: number, attachmentKey: string): Promise<{ timeline: Timeline; detail: any; orderId: number }> {
  const t0 = performance.now();
  const cpu0 = cpuSeconds(srv.child.pid!);
  const created = await call(srv.url, 'CreateDataCorrectOrder', {
    Comment: 'bench: 10k statement data fix',
    Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'ATTACHMENT', AttachmentName: attachmentKey, EstimateAffectRows: 1_000_000_000 }),
  });
  const orderId = Number(created.CreateOrderResult[0]);
  const seen = new Map<string, number>();
  let done = false;
  let stallMs = 0;
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      await healthz(srv.url);
      stallMs = Math.max(stallMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    for (;;) {
      const d = (await call(srv.url, 'GetDataCorrectOrderDetail', { OrderId: String(orderId) })).DataCorrectOrderDetail;
      const now = (performance.now() - t0) / 1000;
      for (const s of d.PreCheckDetail.TaskCheckDO) if (!seen.has(`${s.CheckStep}:${s.CheckStatus}`)) seen.set(`${s.CheckStep}:${s.CheckStatus}`, now);
      if (d.Status !== 'precheck') return { timeline: { total: now, seen, stallMs, serverCpu: cpuSeconds(srv.child.pid!) - cpu0 }, detail: d, orderId };
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    done = true;
    await probe;
  }
}

// ---------------------------------------------------------------------------------------------
// References in this process

function time<T>(fn: () => T): { seconds: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { seconds: (performance.now() - t) / 1000, value };
}

/**
 * statements/s of parseStatement over every statement: the first pass of this dialect in this
 * process (cold, as the server's one pass is) and the best of three more (warm: JIT-compiled).
 */
function rawParserRate(statements: readonly string[], engine: Engine): { cold: number; warm: number } {
  const pass = () => {
    const { seconds, value: failed } = time(() => statements.filter((s) => !parseStatement(s, engine).ok).length);
    if (failed > 0) throw new Error(`${failed} statements do not parse as ${engine}`);
    return statements.length / seconds;
  };
  const cold = pass();
  return { cold, warm: Math.max(pass(), pass(), pass()) };
}

function offlineReviewRate(script: string, engine: Engine, n: number): number {
  const { seconds } = time(() => {
    const analyzed = analyzeDml(script, engine);
    reviewDml(analyzed, { engine, settings: [{ ruleId: 'too-many-statements', level: 'ERROR', params: { maxStatements: 20_000 } }], table: () => undefined, estimatedRows: () => null });
  });
  return n / seconds;
}

// ---------------------------------------------------------------------------------------------

const script = buildScript(STATEMENTS);
const workDir = fs.mkdtempSync('/tmp/opendms-bench-dc-');
const sqliteFile = path.join(workDir, 'bench_dc.db');
console.log(`DC_COMMON precheck benchmark: ${STATEMENTS} statements (${fmt(script.length / 1024, 0)} KB), engines ${ENGINES.join(', ')}`);

interface Row {
  engine: Engine;
  e2e: number;
  parser: { cold: number; warm: number };
  offline: number;
  timeline: Timeline;
}
const rows: Row[] = [];
for (const engine of ENGINES) {
  const t = performance.now();
  if (engine === 'postgresql') await preparePostgres();
  else if (engine === 'mariadb') await prepareMariadb();
  else prepareSqlite(sqliteFile);
  console.log(`\n${engine}: tables built in ${fmt((performance.now() - t) / 1000)} s (${ACCOUNTS} accounts, ${ORDERS} orders, ${ITEMS} order items, ${AUDIT} audit rows)`);

  // The references first, while no server process competes for the CPU.
  const statements = splitStatements(script, engine).map((s) => s.text);
  if (statements.length !== STATEMENTS) throw new Error(`split into ${statements.length} statements, expected ${STATEMENTS}`);
  const parser = rawParserRate(statements, engine);
  const offline = offlineReviewRate(script, engine, STATEMENTS);

  const srv = await startServer();
  try {
    await call(srv.url, 'SetSqlReviewRule', { RuleId: 'too-many-statements', Level: 'ERROR', Params: JSON.stringify({ maxStatements: 20_000 }) });
    const dbId = await registerTarget(srv, engine, { sqliteFile, sqliteName: 'bench_dc.db', url: engine === 'postgresql' ? PG_URL : MYSQL_URL, database: DB });
    const key = await uploadAttachment(srv.url, 'datacorrect', 'bench-fix.sql', Buffer.from(script));
    const { timeline, detail, orderId } = await fileAndWait(srv, dbId, key);
    if (detail.Status !== 'precheck_success') throw new Error(`precheck did not pass: ${JSON.stringify(detail.PreCheckDetail)}`);
    const listed = await call(srv.url, 'ListDataCorrectPreCheckSQL', { OrderId: String(orderId), PageSize: '1000' });
    if (listed.TotalCount !== STATEMENTS) throw new Error(`precheck listed ${listed.TotalCount} statements`);
    const notPass = listed.PreCheckSQLList.filter((s: any) => s.SqlReviewStatus !== 'PASS').length;
    if (notPass > 0) throw new Error(`${notPass} of the first 1000 statements are not PASS`);
    const e2e = STATEMENTS / timeline.total;
    rows.push({ engine, e2e, parser, offline, timeline });
    const at = (k: string) => timeline.seen.get(k) ?? NaN;
    console.log(
      `  precheck ${fmt(timeline.total, 2)} s = ${fmt(e2e, 0)} statements/s (about ${detail.OrderDetail.ActualAffectRows} rows); raw parser ${fmt(parser.cold, 0)} statements/s cold, ${fmt(parser.warm, 0)} warm; ratio ${fmt(e2e / parser.warm, 3)} of warm; offline analyze+review ${fmt(offline, 0)} statements/s`,
    );
    console.log(
      `  where the time went (s, as seen by polling every 20 ms): job start ${fmt(at('SQL_PARSE:RUNNING'), 2)}, split+parse ${fmt(at('SQL_PARSE:SUCCESS') - at('SQL_PARSE:RUNNING'), 2)}, type+permission ${fmt(at('ROW_CHECK:RUNNING') - at('SQL_PARSE:SUCCESS'), 2)}, ` +
        `row estimates+facts+review ${fmt(at('ROW_CHECK:SUCCESS') - at('ROW_CHECK:RUNNING'), 2)} (${fmt(((at('ROW_CHECK:SUCCESS') - at('ROW_CHECK:RUNNING')) * 1000) / STATEMENTS, 2)} ms/statement), ` +
        `writing results ${fmt(timeline.total - at('SQL_REVIEW:SUCCESS'), 2)}; longest /healthz answer meanwhile ${fmt(timeline.stallMs, 0)} ms; server CPU ${fmt(timeline.serverCpu, 2)} s (${fmt((timeline.serverCpu * 1000) / STATEMENTS, 2)} ms/statement)`,
    );
  } finally {
    await srv.stop();
  }
}

console.log('\n| engine | statements | precheck s | precheck statements/s | raw parser statements/s (cold / warm) | precheck / warm parser | offline analyze+review statements/s | longest /healthz during precheck | server CPU ms/statement |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.engine} | ${STATEMENTS} | ${fmt(r.timeline.total, 2)} | ${fmt(r.e2e, 0)} | ${fmt(r.parser.cold, 0)} / ${fmt(r.parser.warm, 0)} | ${fmt(r.e2e / r.parser.warm, 3)} | ${fmt(r.offline, 0)} | ${fmt(r.timeline.stallMs, 0)} ms | ${fmt((r.timeline.serverCpu * 1000) / STATEMENTS, 2)} |`);
}
// The bench databases are rebuilt by every run: drop them now.
if (ENGINES.includes('postgresql')) {
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`drop database if exists ${DB} with (force)`);
  await c.end();
}
if (ENGINES.includes('mariadb')) {
  const c = await mysql.createConnection({ uri: MYSQL_URL });
  await c.query(`drop database if exists ${DB}`);
  await c.end();
}
fs.rmSync(workDir, { recursive: true, force: true });
process.exit(0);
