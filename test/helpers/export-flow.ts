/**
 * The DATA_EXPORT ticket flow through the real clients, for test/e2e/data-export*.test.ts:
 * one OpenDMS server with its users, target databases on real engines (SQLite files, PostgreSQL
 * databases, MariaDB databases behind a login of their own), and the steps of an export:
 * file → precheck → submit → approve → execute → download → unzip, plus readers for what comes
 * out (an RFC 4180 CSV parser, the TXT escapes, the XLSX sheet XML, SQL round trips) and the
 * expected form of each value per format, derived from the cells the connector should produce
 * (src/connectors/result-set.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { expect } from 'vitest';
import { createUser, ok, openapi, pop, startTestServer, type Body, type Key, type TestServer } from './server.js';
import { createMysqlDatabase, createPgDatabase, MYSQL_URL, parsedMysqlUrl, parsedPgUrl } from './servers.js';

configure({ useWebWorkers: false });

export type User = Key & { userId: number; uid: string };
export type Call = (action: string, params?: Record<string, unknown>, method?: 'GET' | 'POST') => Promise<Body>;

export interface ExportEnv {
  srv: TestServer;
  admin: Call;
  /** USER: files the tickets and runs them (ExecMode COMMITOR). */
  ulla: User;
  /** DBA of every target instance: approves. */
  dora: User;
  /** Another USER of the same tenant. */
  mike: User;
  /** ADMIN of another tenant. */
  olaf: User;
  as(user: Key): Call;
  /** openapi-client V3: `query` and `body` placed as the DMS SDK places them. */
  v3(user: Key): (action: string, query?: Record<string, unknown>, body?: Record<string, unknown>) => Promise<Body>;
  /** Run in afterAll (reverse order), after the server is closed. */
  cleanups: (() => Promise<void>)[];
  close(): Promise<void>;
}

export async function startExportEnv(env: Record<string, string> = {}): Promise<ExportEnv> {
  const srv = await startTestServer({ env });
  const admin = pop(srv, srv.admin);
  const user = async (uid: string, role: string, tid?: number): Promise<User> => ({ ...(await createUser(srv, uid, role, tid)), uid });
  const ulla = await user('ulla', 'USER');
  const dora = await user('dora', 'DBA');
  const mike = await user('mike', 'USER');
  const tenantB = ok(await admin('CreateTenant', { TenantName: 'tenant-b' })).Tid;
  const olaf = await user('olaf', 'ADMIN', tenantB);
  const cleanups: (() => Promise<void>)[] = [];
  return {
    srv,
    admin,
    ulla,
    dora,
    mike,
    olaf,
    as: (key) => pop(srv, key),
    v3: (key) => {
      const call = openapi(srv, key);
      return async (action, query = {}, body) => (await call(action, query, body)).body;
    },
    cleanups,
    close: async () => {
      await srv.close();
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
}

const INSTANCE = { ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC', EnvType: 'dev', DbaUid: 'dora' };

// ---------------------------------------------------------------------------------------------
// Target databases

export interface SqliteTarget {
  file: string;
  dbId: number;
  instanceId: string;
}

/** A SQLite file in the server's SQLite folder, filled by `setup`, registered with DBA dora. */
export async function registerSqlite(env: ExportEnv, name: string, setup: (db: Database.Database) => void, alias = name): Promise<SqliteTarget> {
  const dir = env.srv.server.deps.config.sqliteInstanceDir;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.db`);
  const db = new Database(file);
  setup(db);
  db.close();
  ok(await env.admin('RegisterInstance', { ...INSTANCE, InstanceType: 'sqlite', Host: file, InstanceAlias: alias }));
  const d = ok(await env.admin('GetDatabase', { Host: file, Port: 0, SchemaName: 'main' })).Database;
  return { file, dbId: Number(d.DatabaseId), instanceId: String(d.InstanceId) };
}

export interface PgTarget {
  name: string;
  url: string;
  dbId: number;
  /** Runs SQL on the target database as the test's superuser. */
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Creates the PostgreSQL databases, runs their setup, then registers the server once (DBA dora). */
export async function registerPg<K extends string>(env: ExportEnv, setups: Record<K, string>): Promise<Record<K, PgTarget>> {
  const out = {} as Record<K, PgTarget>;
  for (const key of Object.keys(setups) as K[]) {
    const db = await createPgDatabase(`odms_exp_${key}`);
    env.cleanups.push(db.drop);
    await withPg(db.url, (c) => c.query(setups[key]));
    out[key] = { name: db.name, url: db.url, dbId: 0, query: (sql, params) => withPg(db.url, (c) => c.query(sql, params)) };
  }
  const { host, port, user, password } = parsedPgUrl();
  ok(await env.admin('RegisterInstance', { ...INSTANCE, InstanceType: 'postgresql', Host: host, Port: port, DatabaseUser: user, DatabasePassword: password || 'trust-any', InstanceAlias: 'pg' }));
  for (const key of Object.keys(setups) as K[]) {
    out[key].dbId = Number(ok(await env.admin('GetDatabase', { Host: host, Port: port, SchemaName: out[key].name })).Database.DatabaseId);
  }
  return out;
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Opens the SQLite file for `fn` only (the server keeps its own connections). */
export function withSqlite<T>(file: string, fn: (db: Database.Database) => T, options: Database.Options = {}): T {
  const db = new Database(file, options);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export interface MariaTarget {
  name: string;
  dbId: number;
  /** Runs SQL in this database as root (multiple statements allowed). */
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** Options that make mysql2 return every value exactly (decimals, big integers and dates as text). */
export const EXACT_MYSQL = { supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, multipleStatements: true } as const;

export async function withMysql<T>(database: string | undefined, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ uri: MYSQL_URL, ...EXACT_MYSQL, ...(database ? { database } : {}), charset: 'utf8mb4' });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Creates the MariaDB databases and runs their setup, then a login of its own granted SELECT on
 * exactly them (and all privileges, so that a write the precheck let through would succeed), and
 * registers the server with it (DBA dora).
 */
export async function registerMaria<K extends string>(env: ExportEnv, setups: Record<K, string>): Promise<Record<K, MariaTarget>> {
  const out = {} as Record<K, MariaTarget>;
  for (const key of Object.keys(setups) as K[]) {
    const db = await createMysqlDatabase(`odms_exp_${key}`);
    env.cleanups.push(db.drop);
    if (setups[key].trim() !== '') await withMysql(db.name, (c) => c.query(setups[key]));
    out[key] = { name: db.name, dbId: 0, query: (sql, params) => withMysql(db.name, async (c) => (await c.query(sql, params))[0]) };
  }
  const login = `odms_exp_${crypto.randomBytes(4).toString('hex')}`;
  const password = `Pw-${crypto.randomBytes(8).toString('hex')}`;
  await withMysql(undefined, async (c) => {
    for (const h of ['%', 'localhost']) {
      await c.query(`create user '${login}'@'${h}' identified by '${password}'`);
      for (const key of Object.keys(setups) as K[]) await c.query(`grant all on \`${out[key].name}\`.* to '${login}'@'${h}'`);
    }
  });
  env.cleanups.push(() => withMysql(undefined, async (c) => {
    for (const h of ['%', 'localhost']) await c.query(`drop user if exists '${login}'@'${h}'`);
  }));
  const { host, port } = parsedMysqlUrl();
  ok(await env.admin('RegisterInstance', { ...INSTANCE, InstanceType: 'MariaDB', Host: host, Port: port, DatabaseUser: login, DatabasePassword: password, InstanceAlias: 'maria' }));
  for (const key of Object.keys(setups) as K[]) {
    out[key].dbId = Number(ok(await env.admin('GetDatabase', { Host: host, Port: port, SchemaName: out[key].name })).Database.DatabaseId);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The ticket flow

export interface FileOptions {
  logic?: boolean;
  by?: User;
  /** File with CreateDataExportOrder through openapi-client V3 (PascalCase PluginParam) instead of CreateOrder through pop-core. */
  viaV3?: boolean;
  /** More PluginParam keys (lower camel). */
  extra?: Record<string, unknown>;
}

/** Files a DATA_EXPORT ticket (CreateOrder, lower camel PluginParam; or CreateDataExportOrder V3) and returns its id. */
export async function fileExport(env: ExportEnv, dbId: number, sql: string, opts: FileOptions = {}): Promise<number> {
  const by = opts.by ?? env.ulla;
  if (opts.viaV3) {
    const param: Record<string, unknown> = { DbId: dbId, ExeSQL: sql, Logic: opts.logic ?? false, Classify: 'test', IgnoreAffectRows: false };
    for (const [k, v] of Object.entries(opts.extra ?? {})) param[k.charAt(0).toUpperCase() + k.slice(1)] = v;
    const body = ok(await env.v3(by)('CreateDataExportOrder', { Comment: 'export for a test', PluginParam: JSON.stringify(param) }));
    const ids = body.CreateOrderResult.CreateOrderResult;
    expect(ids).toHaveLength(1);
    return Number(ids[0]);
  }
  const param = { dbId, exeSQL: sql, logic: opts.logic ?? false, classify: 'test', ignoreAffectRows: false, ...opts.extra };
  const body = ok(await env.as(by)('CreateOrder', { Comment: 'export for a test', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify(param) }));
  return Number(body.CreateOrderResult.OrderIds[0]);
}

/** GetDataExportOrderDetail through openapi-client V3, OrderId in the form body as the SDK sends it. */
export async function exportDetail(env: ExportEnv, orderId: number, by: Key = env.ulla): Promise<Body> {
  return ok(await env.v3(by)('GetDataExportOrderDetail', {}, { OrderId: orderId })).DataExportOrderDetail;
}

const SETTLED = ['PRE_CHECK_SUCCESS', 'PRE_CHECK_FAIL', 'EXPORT_SUCCESS', 'EXPORT_FAIL'];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 60 ms until it returns something other than undefined; fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(60);
  }
}

/**
 * Polls GetDataExportOrderDetail until KeyInfo.JobStatus is one of `phases`; fails at once when it
 * settles on another outcome (a precheck or export that ended otherwise), or after `timeoutMs`.
 */
export async function waitPhase(env: ExportEnv, orderId: number, phases: string | string[], timeoutMs = 20_000): Promise<Body> {
  const wanted = Array.isArray(phases) ? phases : [phases];
  const until = Date.now() + timeoutMs;
  let last: Body | undefined;
  for (;;) {
    last = await exportDetail(env, orderId);
    const phase = last.KeyInfo.JobStatus;
    if (wanted.includes(phase)) return last;
    if (SETTLED.includes(phase)) throw new Error(`ticket ${orderId}: JobStatus ${phase} while waiting for ${wanted.join('|')}: ${JSON.stringify(last)}`);
    if (Date.now() > until) throw new Error(`ticket ${orderId}: still ${phase} after ${timeoutMs} ms waiting for ${wanted.join('|')}: ${JSON.stringify(last)}`);
    await sleep(75);
  }
}

export async function ticketStatus(env: ExportEnv, orderId: number): Promise<string> {
  return ok(await env.admin('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode;
}

/** Submits (committer) and approves (DBA dora, AGREE) a ticket whose precheck passed; returns at ENABLE_EXPORT. */
export async function approveExport(env: ExportEnv, orderId: number, by: User = env.ulla): Promise<void> {
  const wf = ok(await env.as(by)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  expect((await exportDetail(env, orderId, by)).KeyInfo.JobStatus).toBe('WAITING_APPLY_AUDIT');
  ok(await env.as(env.dora)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: 'AGREE', Comment: 'ok' }));
  expect((await exportDetail(env, orderId, by)).KeyInfo.JobStatus).toBe('ENABLE_EXPORT');
}

/** ExecuteDataExport (the raw body: Success or not). */
export function executeExport(env: ExportEnv, orderId: number, actionDetail: Record<string, unknown>, by: Key = env.ulla): Promise<Body> {
  return env.as(by)('ExecuteDataExport', { OrderId: orderId, ActionDetail: JSON.stringify(actionDetail) });
}

/** Files, prechecks, approves: the ticket is ENABLE_EXPORT. */
export async function approvedExport(env: ExportEnv, dbId: number, sql: string, opts: FileOptions = {}): Promise<number> {
  const orderId = await fileExport(env, dbId, sql, opts);
  await waitPhase(env, orderId, 'PRE_CHECK_SUCCESS');
  await approveExport(env, orderId, opts.by);
  return orderId;
}

export async function downloadUrl(env: ExportEnv, orderId: number, by: Key = env.ulla): Promise<Body> {
  return ok(await env.as(by)('GetDataExportDownloadURL', { OrderId: orderId })).DownloadURLResult;
}

export async function fetchBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export interface Unzipped {
  /** Entry names in zip order. */
  names: string[];
  files: Map<string, Buffer>;
  manifest: { files: { name: string; statement: string; rows: number; bytes: number; sha256: string }[]; createdAt: string };
  encrypted: boolean[];
}

export const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** A zip's entries (no directories) in order, and whether each is encrypted. */
async function readZip(bytes: Uint8Array, password?: string): Promise<Omit<Unzipped, 'manifest'>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), password === undefined ? {} : { password });
  const entries = await reader.getEntries();
  const files = new Map<string, Buffer>();
  const encrypted: boolean[] = [];
  for (const e of entries) {
    if (e.directory) continue;
    files.set(e.filename, Buffer.from(await e.getData(new Uint8ArrayWriter())));
    encrypted.push(e.encrypted);
  }
  await reader.close();
  return { names: entries.map((e) => e.filename), files, encrypted };
}

/** An export result: its entries and its manifest.json. */
export async function unzip(bytes: Uint8Array, password?: string): Promise<Unzipped> {
  const z = await readZip(bytes, password);
  const manifestBytes = z.files.get('manifest.json');
  if (!manifestBytes) throw new Error(`the zip has no manifest.json: ${z.names.join(', ')}`);
  return { ...z, manifest: JSON.parse(manifestBytes.toString('utf8')) };
}

/** Any zip (an XLSX workbook): each entry's text (UTF-8) by name. */
export async function zipTexts(bytes: Uint8Array): Promise<Map<string, string>> {
  const z = await readZip(bytes);
  return new Map([...z.files].map(([name, b]) => [name, b.toString('utf8')]));
}

/** The manifest lists every other entry, in order, with its true rows, size and SHA-256. */
export function checkManifest(z: Unzipped, rowsPerFile?: number[]): void {
  expect(z.names.at(-1)).toBe('manifest.json');
  expect(z.manifest.files.map((f) => f.name)).toEqual(z.names.slice(0, -1));
  for (const f of z.manifest.files) {
    const data = z.files.get(f.name)!;
    expect(f.bytes, f.name).toBe(data.length);
    expect(f.sha256, f.name).toBe(sha256(data));
    expect(typeof f.statement).toBe('string');
  }
  if (rowsPerFile) expect(z.manifest.files.map((f) => f.rows)).toEqual(rowsPerFile);
  expect(Number.isNaN(Date.parse(z.manifest.createdAt))).toBe(false);
}

export interface ExportResult {
  orderId: number;
  jobId: number;
  detail: Body;
  zip: Buffer;
  unzipped: Unzipped;
  /** The data files (without the manifest), in zip order. */
  entries: { name: string; data: Buffer }[];
}

/** Waits for EXPORT_SUCCESS, checks the ticket, downloads and unzips the result, checks the manifest. */
export async function collectExport(env: ExportEnv, orderId: number, opts: { password?: string; by?: User; expectRows?: number } = {}): Promise<ExportResult> {
  const detail = await waitPhase(env, orderId, 'EXPORT_SUCCESS');
  expect(await ticketStatus(env, orderId)).toBe('success');
  if (opts.expectRows !== undefined) expect(detail.OrderDetail.ActualAffectRows).toBe(opts.expectRows);
  const link = await downloadUrl(env, orderId, opts.by);
  expect(link).toMatchObject({ HasResult: true, URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api\/exports\//) });
  const res = await fetchBytes(link.URL);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/zip');
  expect(detail.KeyInfo.FileSize).toBe(res.body.length);
  const unzipped = await unzip(res.body, opts.password);
  checkManifest(unzipped);
  if (opts.expectRows !== undefined) expect(unzipped.manifest.files.reduce((n, f) => n + f.rows, 0)).toBe(opts.expectRows);
  return {
    orderId,
    jobId: Number(detail.KeyInfo.JobId),
    detail,
    zip: res.body,
    unzipped,
    entries: unzipped.manifest.files.map((f) => ({ name: f.name, data: unzipped.files.get(f.name)! })),
  };
}

/** The whole flow: file, precheck, approve, execute with `actionDetail`, wait, download, unzip. */
export async function exportThrough(
  env: ExportEnv,
  dbId: number,
  sql: string,
  actionDetail: Record<string, unknown>,
  opts: FileOptions & { password?: string; expectRows?: number } = {},
): Promise<ExportResult> {
  const orderId = await approvedExport(env, dbId, sql, opts);
  ok(await executeExport(env, orderId, actionDetail, opts.by));
  return collectExport(env, orderId, opts);
}

// ---------------------------------------------------------------------------------------------
// Reading the formats back

/**
 * RFC 4180, strictly: CRLF record ends (also after the last record), `"` doubled inside quoted
 * fields, nothing after a closing quote but a comma or the record end. An unquoted empty field
 * is `null` (NULL), a quoted empty one `''`.
 */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: (string | null)[] = [];
    for (;;) {
      let value: string | null;
      if (text[i] === '"') {
        let s = '';
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new Error(`CSV: unterminated quoted field at ${i}`);
          s += text.slice(i, q);
          if (text[q + 1] === '"') {
            s += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        value = s;
      } else {
        let j = i;
        while (j < text.length && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') {
          if (text[j] === '"') throw new Error(`CSV: quote inside an unquoted field at ${j}`);
          j++;
        }
        value = j === i ? null : text.slice(i, j);
        i = j;
      }
      row.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text.startsWith('\r\n', i)) {
        i += 2;
        break;
      }
      throw new Error(`CSV: expected a comma or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`);
    }
    rows.push(row);
  }
  return rows;
}

/** Tab-separated text: LF record ends, `\N` is NULL, `\\ \t \n \r` unescaped. */
export function parseTxt(text: string): (string | null)[][] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line.split('\t').map((f) => {
        if (f === '\\N') return null;
        return f.replace(/\\(.)/g, (_, c: string) => {
          const m: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };
          if (!(c in m)) throw new Error(`TXT: unknown escape \\${c} in ${JSON.stringify(f)}`);
          return m[c]!;
        });
      }),
    );
}

export interface XlsxCell {
  /** n: number, s: inline string, b: boolean. */
  t: 'n' | 's' | 'b';
  v: string;
  style: number;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlDecode(s: string): string {
  return s
    .replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
      if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
      const v = XML_ENTITIES[e];
      if (v === undefined) throw new Error(`XML: unknown entity ${m}`);
      return v;
    })
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Sheet 1 of a workbook: rows by number (1 = header), cells by column letters; a NULL has no cell. */
export async function readXlsx(bytes: Uint8Array): Promise<{ parts: string[]; rows: Map<number, Map<string, XlsxCell>> }> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes));
  const entries = await reader.getEntries();
  const parts = entries.map((e) => e.filename);
  const sheetEntry = entries.find((e) => e.filename === 'xl/worksheets/sheet1.xml');
  if (!sheetEntry || sheetEntry.directory) throw new Error(`no sheet1 in ${parts.join(', ')}`);
  const xml = Buffer.from(await sheetEntry.getData(new Uint8ArrayWriter())).toString('utf8');
  await reader.close();
  const rows = new Map<number, Map<string, XlsxCell>>();
  const rowRe = /<row r="(\d+)"[^>]*>(.*?)<\/row>/gs;
  for (const r of xml.matchAll(rowRe)) {
    const cells = new Map<string, XlsxCell>();
    const n = Number(r[1]);
    // `r` is optional (ECMA-376 §18.3.1.4): a cell without it is the one after the previous cell.
    let next = 0;
    for (const c of r[2]!.matchAll(/<c((?: [a-z]+="[^"]*")*)>(.*?)<\/c>/gs)) {
      const attrs = Object.fromEntries([...c[1]!.matchAll(/ ([a-z]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
      let letters = columnLetter(next);
      if (attrs.r !== undefined) {
        const ref = /^([A-Z]+)(\d+)$/.exec(attrs.r);
        if (!ref) throw new Error(`XLSX: bad cell reference ${attrs.r}`);
        expect(Number(ref[2])).toBe(n);
        letters = ref[1]!;
        next = columnIndex(letters);
      }
      next++;
      if (cells.has(letters)) throw new Error(`XLSX: cell ${letters}${n} twice`);
      const style = Number(attrs.s ?? 0);
      if (attrs.t === 'inlineStr') {
        const t = /^<is><t(?: xml:space="preserve")?>(.*)<\/t><\/is>$/s.exec(c[2]!);
        if (!t) throw new Error(`XLSX: unexpected inline string ${c[2]}`);
        cells.set(letters, { t: 's', v: xmlDecode(t[1]!), style });
      } else {
        const v = /^<v>(.*)<\/v>$/s.exec(c[2]!);
        if (!v) throw new Error(`XLSX: unexpected cell ${c[0]}`);
        cells.set(letters, { t: attrs.t === 'b' ? 'b' : 'n', v: v[1]!, style });
      }
    }
    rows.set(n, cells);
  }
  return { parts, rows };
}

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Expected values: from the cells a connector produces (result-set.ts) to each format's form

export type Kind = 'integer' | 'decimal' | 'float' | 'boolean' | 'date' | 'datetime' | 'timestamptz' | 'time' | 'binary' | 'json' | 'text';
export type Cell = null | string | number | boolean | Buffer;
export interface Col {
  name: string;
  kind: Kind;
}

const hexOf = (b: Buffer) => b.toString('hex');

/** The text of a non-null cell in CSV and TXT (before quoting or escaping). */
function plainText(v: Exclude<Cell, null>): string {
  if (Buffer.isBuffer(v)) return `\\x${hexOf(v)}`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return v;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function formulaLike(kind: Kind, text: string): boolean {
  if (!/^[=+\-@\t\r]/.test(text)) return false;
  if (kind === 'integer' || kind === 'decimal' || kind === 'float') return !NUMERIC.test(text) && !/^(NaN|-?Infinity)$/.test(text);
  if (kind === 'date' || kind === 'datetime' || kind === 'timestamptz' || kind === 'time') return text !== '-infinity';
  return true;
}

/** CSV as parseCsv returns it: header, then rows; NULL null, '' ''. */
export function expectedCsv(cols: Col[], rows: Cell[][], formulaEscape = true): (string | null)[][] {
  const esc = (kind: Kind, s: string) => (formulaEscape && formulaLike(kind, s) ? `'${s}` : s);
  return [
    cols.map((c) => esc('text', c.name)),
    ...rows.map((r) => r.map((v, i) => (v === null ? null : typeof v === 'string' ? esc(cols[i]!.kind, v) : plainText(v)))),
  ];
}

/** TXT as parseTxt returns it. */
export function expectedTxt(cols: Col[], rows: Cell[][]): (string | null)[][] {
  return [cols.map((c) => c.name), ...rows.map((r) => r.map((v) => (v === null ? null : plainText(v))))];
}

/** JSON objects: numbers stay numbers, exact-as-text stays text, json embedded, binary base64. */
export function expectedJson(cols: Col[], rows: Cell[][]): Record<string, unknown>[] {
  return rows.map((r) =>
    Object.fromEntries(
      r.map((v, i) => {
        const c = cols[i]!;
        let out: unknown = v;
        if (Buffer.isBuffer(v)) out = v.toString('base64');
        else if (typeof v === 'string' && c.kind === 'json') out = JSON.parse(v);
        else if (typeof v === 'number' && !Number.isFinite(v)) out = String(v);
        return [c.name, out];
      }),
    ),
  );
}

const DAY_MS = 86_400_000;

/** Excel 1900 serial of a date (after 1900-03-01). */
export function excelDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / DAY_MS;
}

function significant(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').split(/[eE]/)[0]!.replace('.', '');
  const trimmed = mantissa.replace(/^0+/, '').replace(/0+$/, '');
  return trimmed.length;
}

/**
 * What the XLSX cell of a value should be: numbers Excel holds exactly (≤ 15 significant digits)
 * as numeric cells, dates and date-times as serials with a date style, booleans as `b`, NULL no
 * cell, everything else (text, too-long numbers, binary `\x`+hex, timestamptz, json) inline text.
 */
export function checkXlsxCell(cell: XlsxCell | undefined, v: Cell, kind: Kind, where: string): void {
  if (v === null) {
    expect(cell, where).toBeUndefined();
    return;
  }
  expect(cell, where).toBeDefined();
  const c = cell!;
  if (typeof v === 'boolean') {
    expect(c, where).toMatchObject({ t: 'b', v: v ? '1' : '0' });
    return;
  }
  if (typeof v === 'number') {
    const abs = Math.abs(v);
    if (Number.isFinite(v) && (abs === 0 || (abs >= 1e-307 && abs < 1e308)) && significant(String(v)) <= 15) {
      expect(c.t, where).toBe('n');
      expect(Number(c.v), where).toBe(v);
    } else expect(c, where).toMatchObject({ t: 's', v: plainText(v) });
    return;
  }
  if (typeof v === 'string' && (kind === 'integer' || kind === 'decimal' || kind === 'float') && NUMERIC.test(v) && significant(v) <= 15) {
    expect(c.t, where).toBe('n');
    expect(Number(c.v), where).toBe(Number(v));
    return;
  }
  if (typeof v === 'string' && kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v) && v >= '1900-03-01') {
    expect(c.t, where).toBe('n');
    expect(c.style, where).toBeGreaterThan(0);
    expect(Number(c.v), where).toBe(excelDay(v));
    return;
  }
  const dt = typeof v === 'string' && kind === 'datetime' ? /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(v) : null;
  if (dt && dt[1]! >= '1900-03-01') {
    expect(c.t, where).toBe('n');
    expect(c.style, where).toBeGreaterThan(0);
    const serial = Number(c.v);
    const day = Math.floor(serial);
    expect(day, where).toBe(excelDay(dt[1]!));
    const micros = Math.round((serial - day) * DAY_MS * 1000);
    expect(micros, where).toBe(((Number(dt[2]) * 60 + Number(dt[3])) * 60 + Number(dt[4])) * 1e6 + Number((dt[5] ?? '').padEnd(6, '0')));
    return;
  }
  expect(c, where).toMatchObject({ t: 's', v: plainText(v) });
}

/** Checks every cell of sheet 1 against the columns and rows (header row first). */
export async function checkXlsx(bytes: Buffer, cols: Col[], rows: Cell[][]): Promise<void> {
  const sheet = await readXlsx(bytes);
  expect(sheet.parts).toEqual(expect.arrayContaining(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']));
  expect([...sheet.rows.keys()]).toEqual(Array.from({ length: rows.length + 1 }, (_, i) => i + 1));
  const header = sheet.rows.get(1)!;
  expect(cols.map((_, i) => header.get(columnLetter(i)))).toEqual(cols.map((c) => expect.objectContaining({ t: 's', v: c.name })));
  rows.forEach((row, r) => {
    const cells = sheet.rows.get(r + 2)!;
    expect([...cells.keys()].every((k) => cols.some((_, i) => columnLetter(i) === k))).toBe(true);
    row.forEach((v, i) => checkXlsxCell(cells.get(columnLetter(i)), v, cols[i]!.kind, `row ${r + 1} column ${cols[i]!.name}`));
  });
}

/** Checks a CSV, TXT, JSON or XLSX export file against the expected cells. */
export async function checkFile(fileType: string, data: Buffer, cols: Col[], rows: Cell[][]): Promise<void> {
  switch (fileType) {
    case 'CSV':
      expect(parseCsv(data.toString('utf8'))).toEqual(expectedCsv(cols, rows));
      return;
    case 'TXT':
      expect(parseTxt(data.toString('utf8'))).toEqual(expectedTxt(cols, rows));
      return;
    case 'JSON':
      expect(JSON.parse(data.toString('utf8'))).toEqual(expectedJson(cols, rows));
      return;
    case 'XLSX':
      await checkXlsx(data, cols, rows);
      return;
    default:
      throw new Error(`checkFile: ${fileType} is checked by a round trip`);
  }
}

// ---------------------------------------------------------------------------------------------
// SQL round trips: the exported INSERTs run against an empty copy of the table

/** PostgreSQL: a fresh schema in the same database, the INSERTs run with search_path on it; returns each row as its record text. */
export async function pgRoundTrip(target: PgTarget, ddl: string, sqlFile: string, table: string): Promise<{ original: string[]; copy: string[] }> {
  const schema = `rt_${crypto.randomBytes(4).toString('hex')}`;
  return withPg(target.url, async (c) => {
    await c.query('set timezone = UTC');
    const original = (await c.query(`select t::text as r from public.${table} t order by 1`)).rows.map((r) => r.r as string);
    await c.query(`create schema ${schema}`);
    try {
      await c.query(`set search_path = ${schema}`);
      await c.query(ddl);
      await c.query(sqlFile);
      await c.query('set client_encoding = UTF8');
      const copy = (await c.query(`select t::text as r from ${schema}.${table} t order by 1`)).rows.map((r) => r.r as string);
      return { original, copy };
    } finally {
      await c.query('reset search_path');
      await c.query(`drop schema ${schema} cascade`);
    }
  });
}

/** MariaDB: a fresh database with the same table; returns both tables' rows (exact values, binary as Buffers). */
export async function mariaRoundTrip(sourceDb: string, ddl: string, sqlFile: string, table: string): Promise<{ original: unknown[]; copy: unknown[] }> {
  const fresh = await createMysqlDatabase('odms_exp_rt');
  try {
    await withMysql(fresh.name, async (c) => {
      await c.query(ddl);
      await c.query(sqlFile);
    });
    const read = (db: string) => withMysql(db, async (c) => (await c.query(`select * from \`${table}\` order by id`))[0] as unknown[]);
    return { original: await read(sourceDb), copy: await read(fresh.name) };
  } finally {
    await fresh.drop();
  }
}

/** SQLite: a fresh file; every value with its storage class (`typeof`), integers as BigInt. */
export function sqliteRoundTrip(sourceFile: string, ddl: string, sqlFile: string, table: string, dir: string): { original: unknown[]; copy: unknown[] } {
  const freshFile = path.join(dir, `rt_${crypto.randomBytes(4).toString('hex')}.db`);
  const read = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      const cols = (db.prepare(`select name from pragma_table_info('${table}') order by cid`).all() as { name: string }[]).map((c) => c.name);
      const stmt = db.prepare(`select ${cols.map((c) => `"${c}", typeof("${c}") as "${c}:type"`).join(', ')} from "${table}" order by id`);
      stmt.safeIntegers(true);
      return stmt.all();
    } finally {
      db.close();
    }
  };
  const fresh = new Database(freshFile);
  try {
    fresh.exec(ddl);
    fresh.exec(sqlFile);
  } finally {
    fresh.close();
  }
  try {
    return { original: read(sourceFile), copy: read(freshFile) };
  } finally {
    fs.rmSync(freshFile, { force: true });
  }
}
