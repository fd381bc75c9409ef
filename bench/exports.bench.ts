/**
 * Export throughput and memory through the real path: CreateOrder → precheck → (no-approval route)
 * → ExecuteDataExport → run-export job → zip in the file store, on a 1,000,000-row table of mixed
 * types per engine, as CSV and as XLSX. Printed next to the engine's own command-line export of the
 * same query, measured in the same run (`psql \copy … CSV`, `mariadb --batch --quick`,
 * `sqlite3 -csv`), and the server's peak RSS (VmHWM of a fresh server process) at 100,000 vs
 * 1,000,000 rows.
 *
 *   npm run build && npx tsx bench/exports.bench.ts [--rows 1000000] [--small 100000] [--engines postgresql,mariadb,sqlite] [--formats CSV,XLSX] [--poll 50] [--repeat 3]
 *
 * Targets (issue 4): PostgreSQL CSV ≥ 0.9× psql \copy; MariaDB and SQLite CSV ≥ 0.5× of their tools;
 * XLSX ≥ 0.25× of our CSV; peak RSS < 200 MB and flat in row count.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call, fmt, freshPgDatabase, pgUrlOf, registerTarget, startServer } from './lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROWS = Number(args.get('rows') ?? 1_000_000);
const SMALL = Number(args.get('small') ?? 100_000);
const ENGINES = (args.get('engines') ?? 'postgresql,mariadb,sqlite').split(',');
const FORMATS = (args.get('formats') ?? 'CSV,XLSX').split(',');
const PG_URL = process.env.OPENDMS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_URL = process.env.OPENDMS_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/** `--poll 50`: poll the running export at a fixed interval (ms) instead of following its progress. */
const POLL_MS = Number(args.get('poll') ?? 0);
/** `--repeat 3`: rounds of (tool, each format at ROWS and at SMALL), alternating; medians are printed. */
const REPEAT = Math.max(1, Number(args.get('repeat') ?? 1));
const DB = 'opendms_bench_export';
const QUERY = (n: number) => `select id, customer_id, amount, price, created_at, active, note, payload from bench_rows where id <= ${n} order by id`;

/** The mixed-type table: integers, a big integer, a decimal, a float, a timestamp, a boolean, text with NULLs, JSON. */
async function preparePostgres(): Promise<void> {
  await freshPgDatabase(PG_URL, DB);
  const c = new pg.Client(pgUrlOf(PG_URL, DB));
  await c.connect();
  await c.query(`create table bench_rows (id bigint primary key, customer_id bigint not null, amount numeric(12,2) not null, price double precision, created_at timestamp not null, active boolean not null, note text, payload jsonb)`);
  await c.query(`insert into bench_rows select g, g::bigint * 7919 % 100000, (g % 100000) / 100.0, g / 3.0, timestamp '2020-01-01' + g * interval '1 second', g % 2 = 0,
    case when g % 10 = 0 then null else 'note, "quoted" ' || md5(g::text) end, json_build_object('k', g, 'tag', 't' || (g % 50)) from generate_series(1, ${ROWS}) g`);
  await c.query('analyze bench_rows');
  await c.end();
}

async function prepareMariadb(): Promise<void> {
  const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  await c.query(`drop database if exists ${DB}; create database ${DB} character set utf8mb4; use ${DB};
    create table bench_rows (id bigint primary key, customer_id bigint not null, amount decimal(12,2) not null, price double, created_at datetime not null, active tinyint(1) not null, note text, payload json);
    set session cte_max_recursion_depth = ${ROWS + 1}`).catch(async () => {
    await c.query(`drop database if exists ${DB}; create database ${DB} character set utf8mb4; use ${DB};
    create table bench_rows (id bigint primary key, customer_id bigint not null, amount decimal(12,2) not null, price double, created_at datetime not null, active tinyint(1) not null, note text, payload longtext)`);
  });
  await c.query(`use ${DB}`);
  // OpenDMS logs in with a password (RegisterInstance needs one): a bench login limited to this database.
  await c.query(`create user if not exists 'opendms_bench'@'%' identified by 'opendms_bench'; grant all on ${DB}.* to 'opendms_bench'@'%'`);
  // seq_1_to_N: MariaDB's sequence engine.
  await c.query(`insert into bench_rows select seq, seq * 7919 % 100000, (seq % 100000) / 100.0, seq / 3.0, '2020-01-01' + interval seq second, seq % 2 = 0,
    if(seq % 10 = 0, null, concat('note, "quoted" ', md5(seq))), json_object('k', seq, 'tag', concat('t', seq % 50)) from seq_1_to_${ROWS}`);
  await c.end();
}

function prepareSqlite(file: string): void {
  fs.rmSync(file, { force: true });
  const db = new Database(file);
  db.exec(`create table bench_rows (id integer primary key, customer_id bigint not null, amount decimal(12,2) not null, price double, created_at datetime not null, active boolean not null, note text, payload json)`);
  db.exec(`with recursive g(n) as (select 1 union all select n + 1 from g where n < ${ROWS})
    insert into bench_rows select n, n * 7919 % 100000, printf('%.2f', (n % 100000) / 100.0), n / 3.0, datetime('2020-01-01', '+' || n || ' seconds'), n % 2 = 0,
    case when n % 10 = 0 then null else 'note, "quoted" ' || hex(randomblob(8)) end, json_object('k', n, 'tag', 't' || (n % 50)) from g`);
  db.close();
}


/** The engine's own CLI export of the same query, to /dev/null-like temp file: seconds and bytes. */
function cliExport(engine: string, n: number, sqliteFile: string): { seconds: number; bytes: number } {
  const out = path.join(fs.mkdtempSync('/tmp/opendms-cli-'), 'out.csv');
  const t = performance.now();
  if (engine === 'postgresql') {
    execFileSync('psql', [pgUrlOf(PG_URL, DB), '-qc', `\\copy (${QUERY(n)}) to '${out}' csv header`]);
  } else if (engine === 'mariadb') {
    const u = new URL(MYSQL_URL);
    const fd = fs.openSync(out, 'w');
    const r = spawnSync('mariadb', ['--batch', '--quick', '-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []), DB, '-e', QUERY(n)], { stdio: ['ignore', fd, 'inherit'] });
    fs.closeSync(fd);
    if (r.status !== 0) throw new Error('mariadb export failed');
  } else {
    const fd = fs.openSync(out, 'w');
    const r = spawnSync('sqlite3', ['-csv', '-header', sqliteFile, QUERY(n)], { stdio: ['ignore', fd, 'inherit'] });
    fs.closeSync(fd);
    if (r.status !== 0) throw new Error('sqlite3 export failed');
  }
  const seconds = (performance.now() - t) / 1000;
  const bytes = fs.statSync(out).size;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { seconds, bytes };
}

/** CPU seconds (user + system, all threads) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}



/**
 * Polls the ticket until `done`, every 50 ms. With `expectedRows`, less often while the export is
 * far from done: each GetDataExportOrderDetail costs the server ~5 ms of CPU on the thread that
 * runs the export (measured), so polling every 50 ms throughout took ~10% of a 3-second export
 * away from it. Every 250 ms while the rows done so far (recorded twice a second, so rather too
 * few) say more than 0.75 s are left, then every 50 ms as before: the end is seen as precisely.
 * `--poll MS` polls at that fixed interval instead.
 */
async function waitFor(url: string, orderId: number, done: (status: string) => boolean, expectedRows?: number): Promise<any> {
  const start = performance.now();
  for (;;) {
    const d = (await call(url, 'GetDataExportOrderDetail', { OrderId: String(orderId) })).DataExportOrderDetail;
    if (done(d.KeyInfo.JobStatus)) return d;
    let wait = POLL_MS > 0 ? POLL_MS : 50;
    if (POLL_MS === 0 && expectedRows && d.KeyInfo.JobStatus === 'DOING_EXPORT') {
      const rows = Number(d.OrderDetail?.ActualAffectRows ?? 0);
      const left = rows > 0 ? (performance.now() - start) * (expectedRows / rows - 1) : Infinity;
      if (left > 750 && rows > 0) wait = 250;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** One export through the real path on a fresh server process; seconds of the export job itself. */
async function oneExport(engine: string, format: string, n: number, sqliteFile: string): Promise<{ seconds: number; bytes: number; rssMb: number; cpu: number }> {
  const srv = await startServer();
  try {
    await call(srv.url, 'SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'bench: no approval', PluginTypes: ['DATA_EXPORT'], Decision: 'NO_APPROVAL' }]) });
    const dbId = await registerTarget(srv, engine, { sqliteFile, sqliteName: 'bench.db', url: engine === 'postgresql' ? PG_URL : MYSQL_URL, database: DB });
    const created = await call(srv.url, 'CreateOrder', {
      Comment: 'bench',
      PluginType: 'DATA_EXPORT',
      PluginParam: JSON.stringify({ dbId, exeSQL: QUERY(n), ignoreAffectRows: true, ignoreAffectRowsReason: 'benchmark' }),
    });
    const orderId = created.CreateOrderResult.OrderIds[0];
    const pre = await waitFor(srv.url, orderId, (s) => s !== 'PRE_CHECKING');
    if (pre.KeyInfo.JobStatus !== 'PRE_CHECK_SUCCESS') throw new Error(`precheck: ${JSON.stringify(pre)}`);
    await call(srv.url, 'SubmitOrderApproval', { OrderId: String(orderId) });
    const cpu0 = cpuSeconds(srv.child.pid!);
    const t = performance.now();
    await call(srv.url, 'ExecuteDataExport', { OrderId: String(orderId), ActionDetail: JSON.stringify({ fileType: format }) });
    const d = await waitFor(srv.url, orderId, (s) => s === 'EXPORT_SUCCESS' || s === 'EXPORT_FAIL', n);
    const seconds = (performance.now() - t) / 1000;
    if (d.KeyInfo.JobStatus !== 'EXPORT_SUCCESS') throw new Error(`export failed: ${d.KeyInfo.Message}`);
    if (d.OrderDetail.ActualAffectRows !== n) throw new Error(`exported ${d.OrderDetail.ActualAffectRows} rows, expected ${n}`);
    return { seconds, bytes: d.KeyInfo.FileSize, rssMb: peakRssMb(srv.child.pid!), cpu: cpuSeconds(srv.child.pid!) - cpu0 };
  } finally {
    await srv.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: number[], digits: number): string => (xs.length > 1 ? ` [${xs.map((x) => fmt(x, digits)).join(', ')}]` : '');

const sqliteFile = path.join(fs.mkdtempSync('/tmp/opendms-bench-sqlite-'), 'bench.db');
console.log(`export benchmark: ${ROWS} rows (memory also at ${SMALL}), engines ${ENGINES.join(', ')}, formats ${FORMATS.join(', ')}, ${REPEAT} round(s), medians`);
for (const engine of ENGINES) {
  const t = performance.now();
  if (engine === 'postgresql') await preparePostgres();
  else if (engine === 'mariadb') await prepareMariadb();
  else prepareSqlite(sqliteFile);
  console.log(`\n${engine}: table of ${ROWS} rows built in ${fmt((performance.now() - t) / 1000)} s`);
  const tool = engine === 'postgresql' ? 'psql \\copy' : engine === 'mariadb' ? 'mariadb --batch --quick' : 'sqlite3 -csv';
  // Rounds alternate the tool and our exports, so that the machine's load (shared, 2 cores) falls on both alike.
  const cli: { seconds: number; bytes: number }[] = [];
  const ours = new Map<string, { big: { seconds: number; bytes: number; rssMb: number; cpu: number }[]; small: number[] }>(FORMATS.map((f) => [f, { big: [], small: [] }]));
  for (let round = 0; round < REPEAT; round++) {
    cli.push(cliExport(engine, ROWS, sqliteFile));
    for (const format of FORMATS) {
      const o = ours.get(format)!;
      o.big.push(await oneExport(engine, format, ROWS, sqliteFile));
      o.small.push((await oneExport(engine, format, SMALL, sqliteFile)).rssMb);
    }
  }
  const cliSeconds = median(cli.map((c) => c.seconds));
  const cliBytes = cli[0]!.bytes;
  console.log(`  reference ${tool}: ${fmt(cliSeconds, 2)} s${range(cli.map((c) => c.seconds), 2)}, ${fmt(ROWS / cliSeconds / 1000, 0)}k rows/s, ${fmt(cliBytes / 1e6)} MB, ${fmt(cliBytes / 1e6 / cliSeconds)} MB/s`);
  let csvSeconds: number | undefined;
  for (const format of FORMATS) {
    const o = ours.get(format)!;
    const seconds = median(o.big.map((b) => b.seconds));
    const bigRss = o.big.map((b) => b.rssMb);
    if (format === 'CSV') csvSeconds = seconds;
    const ratio = format === 'CSV' ? `${fmt(cliSeconds / seconds, 2)}× of ${tool}` : csvSeconds ? `${fmt(csvSeconds / seconds, 2)}× of our CSV` : '';
    console.log(
      `  OpenDMS ${format.padEnd(4)}: ${fmt(seconds, 2)} s${range(o.big.map((b) => b.seconds), 2)}, ${fmt(ROWS / seconds / 1000, 0)}k rows/s, ${fmt(o.big[0]!.bytes / 1e6)} MB zip (${fmt(cliBytes / 1e6 / seconds)} MB/s of CSV-equivalent data), ${ratio}; server CPU ${fmt(median(o.big.map((b) => b.cpu)), 2)} s; ` +
        `peak RSS ${fmt(median(o.small), 0)} MB${range(o.small, 0)} at ${SMALL} rows, ${fmt(median(bigRss), 0)} MB${range(bigRss, 0)} at ${ROWS}`,
    );
  }
}
fs.rmSync(path.dirname(sqliteFile), { recursive: true, force: true });
process.exit(0);
