/**
 * Import throughput through the real path: upload → CreateDataImportOrder (CSV, FAST_MODE) →
 * precheck → (no-approval route) → ExecuteDataCorrect → run-dc-job streaming the file in batches
 * of 1,000 rows, each exactly once, on a 1,000,000-row CSV of mixed types per engine. Printed next
 * to the engine's own loader of the same file into the same empty table, measured in the same run
 * (`psql \copy … FROM … CSV`, `mariadb --local-infile=1 -e "LOAD DATA LOCAL INFILE …"`,
 * `sqlite3 db ".import --csv --skip 1 …"`), with the server's peak RSS (VmHWM of a fresh server
 * process), and the time of a SAFE_MODE precheck of the same file (every row read and checked).
 * Then the same rows as a SQL file (INSERTs of 100 rows, as the export's SQL writer writes them),
 * next to the engine's client running it in one transaction (`psql -1 -f`, `mariadb` with
 * `SOURCE`, `sqlite3` with `.read` between BEGIN and COMMIT).
 *
 *   npm run bench:imports -- [--rows 1000000] [--engines postgresql,mariadb,sqlite] [--files CSV,SQL]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call, fmt, freshPgDatabase, pgUrlOf, registerTarget, startServer, uploadAttachment, type BenchServer } from './lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROWS = Number(args.get('rows') ?? 1_000_000);
const ENGINES = (args.get('engines') ?? 'postgresql,mariadb,sqlite').split(',');
const FILES = (args.get('files') ?? 'CSV,SQL').split(',') as ('CSV' | 'SQL')[];
const PG_URL = process.env.OPENDMS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_URL = process.env.OPENDMS_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const DB = 'opendms_bench_import';
const TABLE = 'bench_import';
const COLUMNS = 'id, customer_id, amount, price, created_at, active, note';

const ddl = (engine: string): string => {
  const money = engine === 'sqlite' ? 'numeric' : 'decimal(12,2)';
  const ts = engine === 'postgresql' ? 'timestamp' : 'datetime';
  const bool = engine === 'postgresql' ? 'boolean' : 'tinyint(1)';
  const dbl = engine === 'postgresql' ? 'double precision' : 'double';
  return `create table ${TABLE} (id bigint primary key, customer_id bigint not null, amount ${money} not null, price ${dbl}, created_at ${ts} not null, active ${bool} not null, note text)`;
};

/** Row `n` of the bench table, as text (the same rows in the CSV and the SQL file). */
function row(n: number): { customer: number; amount: string; price: number; at: string; active: number; note: string | null } {
  const secs = n % 86_400;
  const two = (v: number) => String(v).padStart(2, '0');
  const at = `2020-01-${two(1 + (Math.floor(n / 86_400) % 28))} ${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}`;
  return { customer: (n * 7919) % 100_000, amount: ((n % 100_000) / 100).toFixed(2), price: n / 4, at, active: n % 2, note: n % 10 === 0 ? null : `note, "quoted" '${n.toString(36)}'` };
}

/** Writes `head` then `text(n)` for every row to `file`, in chunks of about 1 MB; returns the file's size. */
function writeRows(file: string, head: string, text: (n: number, r: ReturnType<typeof row>) => string): number {
  const fd = fs.openSync(file, 'w');
  let chunk = head;
  for (let n = 1; n <= ROWS; n++) {
    chunk += text(n, row(n));
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

/** The file: header, CRLF, quoted notes with commas and quotes, NULL as an unquoted empty field. */
const writeCsv = (file: string): number =>
  writeRows(file, `${COLUMNS.replaceAll(' ', '')}\r\n`, (n, r) => `${n},${r.customer},${r.amount},${r.price},${r.at},${r.active},${r.note === null ? '' : `"${r.note.replaceAll('"', '""')}"`}\r\n`);

/** The same rows as INSERT statements of 100 rows each. */
const writeSql = (file: string): number =>
  writeRows(file, '-- bench rows\n', (n, r) =>
    (n % 100 === 1 ? `INSERT INTO ${TABLE} (${COLUMNS}) VALUES\n` : ',\n') +
    `(${n}, ${r.customer}, ${r.amount}, ${r.price}, '${r.at}', '${r.active}', ${r.note === null ? 'NULL' : `'${r.note.replaceAll("'", "''")}'`})` +
    (n % 100 === 0 || n === ROWS ? ';\n' : ''));

/** A fresh empty table (and, for the servers, database). */
async function prepare(engine: string, sqliteFile: string): Promise<void> {
  if (engine === 'postgresql') {
    await freshPgDatabase(PG_URL, DB);
    const c = new pg.Client(pgUrlOf(PG_URL, DB));
    await c.connect();
    await c.query(ddl(engine));
    await c.end();
  } else if (engine === 'mariadb') {
    const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
    await c.query(`drop database if exists ${DB}; create database ${DB} character set utf8mb4; use ${DB}; ${ddl(engine)};
      create user if not exists 'opendms_bench'@'%' identified by 'opendms_bench'; grant all on ${DB}.* to 'opendms_bench'@'%'`);
    await c.end();
  } else {
    fs.rmSync(sqliteFile, { force: true });
    const db = new Database(sqliteFile);
    db.exec(ddl(engine));
    db.close();
  }
}

async function countRows(engine: string, sqliteFile: string): Promise<number> {
  if (engine === 'postgresql') {
    const c = new pg.Client(pgUrlOf(PG_URL, DB));
    await c.connect();
    const n = Number((await c.query(`select count(*) as n from ${TABLE}`)).rows[0].n);
    await c.end();
    return n;
  }
  if (engine === 'mariadb') {
    const c = await mysql.createConnection({ uri: MYSQL_URL, database: DB });
    const [rows] = await c.query(`select count(*) as n from ${TABLE}`);
    await c.end();
    return Number((rows as { n: number }[])[0]!.n);
  }
  const db = new Database(sqliteFile, { readonly: true });
  const n = Number((db.prepare(`select count(*) as n from ${TABLE}`).get() as { n: number }).n);
  db.close();
  return n;
}

/** The engine's own loader: seconds. */
function nativeLoad(engine: string, csv: string, sqliteFile: string): number {
  const t = performance.now();
  if (engine === 'postgresql') {
    execFileSync('psql', [pgUrlOf(PG_URL, DB), '-qc', `\\copy ${TABLE} (${COLUMNS}) from '${csv}' csv header`]);
  } else if (engine === 'mariadb') {
    const u = new URL(MYSQL_URL);
    const load = `LOAD DATA LOCAL INFILE '${csv}' INTO TABLE ${TABLE} CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES (${COLUMNS})`;
    const r = spawnSync('mariadb', ['--local-infile=1', '-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []), DB, '-e', load], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('LOAD DATA LOCAL INFILE failed');
  } else {
    const r = spawnSync('sqlite3', [sqliteFile, `.import --csv --skip 1 ${csv} ${TABLE}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('sqlite3 .import failed');
  }
  return (performance.now() - t) / 1000;
}

/** The engine's client running the SQL file in one transaction: seconds. */
function nativeSql(engine: string, sql: string, sqliteFile: string): number {
  const t = performance.now();
  if (engine === 'postgresql') {
    execFileSync('psql', [pgUrlOf(PG_URL, DB), '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', sql]);
  } else if (engine === 'mariadb') {
    const u = new URL(MYSQL_URL);
    const r = spawnSync('mariadb', ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), ...(u.password ? [`-p${decodeURIComponent(u.password)}`] : []), DB], { input: `SET autocommit = 0;\nSOURCE ${sql};\nCOMMIT;\n`, stdio: ['pipe', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('mariadb SOURCE failed');
  } else {
    const r = spawnSync('sqlite3', [sqliteFile], { input: `BEGIN;\n.read ${sql}\nCOMMIT;\n`, stdio: ['pipe', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('sqlite3 .read failed');
  }
  return (performance.now() - t) / 1000;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function prechecked(url: string, orderId: number): Promise<number> {
  const t = performance.now();
  for (;;) {
    const d = (await call(url, 'GetDataCorrectOrderDetail', { OrderId: String(orderId) })).DataCorrectOrderDetail;
    if (d.Status === 'precheck_success') return (performance.now() - t) / 1000;
    if (d.Status !== 'precheck') throw new Error(`precheck: ${JSON.stringify(d.PreCheckDetail)}`);
    await sleep(100);
  }
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** One import on a fresh server: seconds from ExecuteDataCorrect to SUCCESS, and of a SAFE_MODE precheck. */
async function oneImport(engine: string, fileType: 'CSV' | 'SQL', file: string, sqliteFile: string): Promise<{ seconds: number; safePrecheck: number; rssMb: number }> {
  const srv = await startServer();
  try {
    await call(srv.url, 'SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'bench: no approval', PluginTypes: ['DC_BIG_FILE'], Decision: 'NO_APPROVAL' }]) });
    const dbId = await registerTarget(srv, engine, { sqliteFile, sqliteName: 'bench-import.db', url: engine === 'postgresql' ? PG_URL : MYSQL_URL, database: DB });
    const key = await uploadAttachment(srv.url, 'big-file', path.basename(file), fs.readFileSync(file));
    const csv = fileType === 'CSV' ? { TableName: TABLE, CsvFirstRowIsColumnDef: true, InsertType: 'INSERT' } : {};
    const fileTicket = (mode: string) =>
      call(srv.url, 'CreateDataImportOrder', {
        Comment: 'bench',
        Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], AttachmentName: key, FileType: fileType, FileEncoding: 'AUTO', ImportMode: mode, ...csv }),
      });
    const safe = (await fileTicket('SAFE_MODE')).CreateOrderResult[0];
    const safePrecheck = await prechecked(srv.url, safe);
    const orderId = (await fileTicket('FAST_MODE')).CreateOrderResult[0];
    await prechecked(srv.url, orderId);
    await call(srv.url, 'SubmitOrderApproval', { OrderId: String(orderId) });
    const t = performance.now();
    await call(srv.url, 'ExecuteDataCorrect', { OrderId: String(orderId) });
    for (;;) {
      const task = (await call(srv.url, 'GetDataCorrectTaskDetail', { OrderId: String(orderId) })).DataCorrectTaskDetail;
      if (task.jobStatus === 'SUCCESS') {
        if (task.ActualAffectRows !== ROWS) throw new Error(`imported ${task.ActualAffectRows} rows, expected ${ROWS}`);
        break;
      }
      if (task.jobStatus === 'FAIL' || task.jobStatus === 'PAUSE') throw new Error(`import ${task.jobStatus}`);
      await sleep(250);
    }
    const seconds = (performance.now() - t) / 1000;
    // SQLite: the server imported into its own copy of the file (registerTarget).
    const n = await countRows(engine, path.join(srv.dataDir, 'sqlite', 'bench-import.db'));
    if (n !== ROWS) throw new Error(`${engine}: the table holds ${n} rows after the import, expected ${ROWS}`);
    return { seconds, safePrecheck, rssMb: peakRssMb(srv.child.pid!) };
  } finally {
    await srv.stop();
  }
}

const dir = fs.mkdtempSync('/tmp/opendms-bench-import-');
const csv = path.join(dir, 'bench.csv');
const sql = path.join(dir, 'bench.sql');
const sqliteFile = path.join(dir, 'bench-import.db');
const bytes = writeCsv(csv);
const sqlBytes = writeSql(sql);
console.log(`import benchmark: ${ROWS} rows, ${fmt(bytes / 1e6)} MB CSV, ${fmt(sqlBytes / 1e6)} MB SQL, engines ${ENGINES.join(', ')}`);
for (const engine of ENGINES) {
  for (const fileType of FILES) {
    await prepare(engine, sqliteFile);
    const native = fileType === 'CSV' ? nativeLoad(engine, csv, sqliteFile) : nativeSql(engine, sql, sqliteFile);
    if ((await countRows(engine, sqliteFile)) !== ROWS) throw new Error(`${engine}: the native ${fileType} load did not load ${ROWS} rows`);
    const tool =
      fileType === 'CSV'
        ? engine === 'postgresql' ? 'psql \\copy FROM' : engine === 'mariadb' ? 'LOAD DATA LOCAL INFILE' : 'sqlite3 .import'
        : engine === 'postgresql' ? 'psql -1 -f' : engine === 'mariadb' ? 'mariadb SOURCE' : 'sqlite3 .read';
    console.log(`\n${engine} ${fileType}: reference ${tool}: ${fmt(native, 2)} s, ${fmt(ROWS / native / 1000, 0)}k rows/s`);
    await prepare(engine, sqliteFile);
    const ours = await oneImport(engine, fileType, fileType === 'CSV' ? csv : sql, sqliteFile);
    console.log(`  OpenDMS import (FAST_MODE): ${fmt(ours.seconds, 2)} s, ${fmt(ROWS / ours.seconds / 1000, 0)}k rows/s, ${fmt(native / ours.seconds, 2)}× the reference; server peak RSS ${fmt(ours.rssMb, 0)} MB`);
    console.log(`  SAFE_MODE precheck of the file (all of it read and checked): ${fmt(ours.safePrecheck, 2)} s`);
  }
}
fs.rmSync(dir, { recursive: true, force: true });
