/**
 * Shared pieces of the benchmarks: a server child process, signed V1 requests built with the real
 * clients' signing code (@alicloud/openapi-util), and latency statistics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import http from 'node:http';
import pg from 'pg';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default as { getRPCSignature(p: Record<string, string>, m: string, s: string): string };

export const KEY = { id: 'LTAIbenchadmin0000000001', secret: 'bench-secret-0123456789abcdef' };

export interface BenchServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node dist/cli/main.js serve` on a free port with its own data dir (and PG schema). */
export async function startServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-bench-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve', '--port', String(port), '--data-dir', dataDir, '--demo'], {
    env: { ...process.env, OPENDMS_BOOTSTRAP_ACCESS_KEY_ID: KEY.id, OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET: KEY.secret, OPENDMS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('OpenDMS listening')) resolve();
    });
  });
  return {
    url,
    dataDir,
    child,
    stop: async () => {
      child.removeAllListeners('exit');
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent, headers: body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One signed V1 POST, as pop-core sends it (every parameter in the form body). */
export async function call(url: string, action: string, params: Record<string, string>): Promise<any> {
  const all: Record<string, string> = {
    Action: action,
    Version: '2018-11-01',
    Format: 'JSON',
    AccessKeyId: KEY.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: crypto.randomBytes(16).toString('hex'),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  all.Signature = OpenApiUtil.getRPCSignature(all, 'POST', KEY.secret);
  const res = await send(`${url}/`, 'POST', new URLSearchParams(all).toString());
  const body = JSON.parse(res.text) as any;
  if (res.status !== 200 || body.Success !== true) throw new Error(`${action} failed: ${res.status} ${res.text}`);
  return body;
}

/** POST /api/attachments (multipart, signed V1 as pop-core signs it, every parameter in the query); returns the AttachmentKey. */
export async function uploadAttachment(url: string, fileSource: 'datacorrect' | 'big-file', name: string, data: Uint8Array): Promise<string> {
  const params: Record<string, string> = {
    AccessKeyId: KEY.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: crypto.randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Format: 'JSON',
  };
  const Signature = OpenApiUtil.getRPCSignature(params, 'POST', KEY.secret);
  const fd = new FormData();
  fd.append('FileSource', fileSource);
  fd.append('file', new Blob([data]), name);
  const res = await fetch(`${url}/api/attachments?${new URLSearchParams({ ...params, Signature })}`, { method: 'POST', body: fd });
  const body = (await res.json()) as { Success: boolean; AttachmentKey: string };
  if (!body.Success) throw new Error(`upload failed: ${JSON.stringify(body)}`);
  return body.AttachmentKey;
}

export async function healthz(url: string): Promise<void> {
  const res = await send(`${url}/healthz`, 'GET');
  if (res.status !== 200) throw new Error(`healthz ${res.status}`);
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** `concurrency` loops calling `fn` until `seconds` have passed. Latencies in ms. */
export async function load(concurrency: number, seconds: number, fn: () => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await fn();
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { requests: latencies.length, errors, seconds: elapsed, perSecond: latencies.length / elapsed, ...percentiles(latencies) };
}

export function percentiles(latencies: number[]): { p50: number; p99: number } {
  const s = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** Every value as text, as the RPC parameters travel. */
export const stringify = (o: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

/**
 * Registers the bench's target database and returns its DbId: a copy of `sqliteFile` in the
 * server's SQLite folder (as `sqliteName`), or the PostgreSQL / MariaDB server at `url` (MariaDB
 * with the bench login opendms_bench), whose database `database` the bench created.
 */
export async function registerTarget(srv: BenchServer, engine: string, t: { sqliteFile: string; sqliteName: string; url: string; database: string }): Promise<number> {
  const base = { InstanceAlias: `bench-${engine}`, EnvType: 'dev', DbaUid: 'admin', ExportTimeout: 3600, QueryTimeout: 600, InstanceSource: 'PUBLIC_OWN', NetworkType: 'VPC', SafeRule: 'default' };
  if (engine === 'sqlite') {
    const dest = path.join(srv.dataDir, 'sqlite', t.sqliteName);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(t.sqliteFile, dest);
    await call(srv.url, 'RegisterInstance', { ...stringify(base), InstanceType: 'sqlite', Host: dest });
  } else {
    const u = new URL(t.url);
    if (engine === 'mariadb') Object.assign(u, { username: 'opendms_bench', password: 'opendms_bench' });
    await call(srv.url, 'RegisterInstance', {
      ...stringify(base),
      InstanceType: engine,
      Host: u.hostname,
      Port: u.port || (engine === 'postgresql' ? '5432' : '3306'),
      DatabaseUser: decodeURIComponent(u.username),
      DatabasePassword: decodeURIComponent(u.password) || 'unused',
    });
  }
  // The demo shop is a SQLite database too: the bench's is the one whose address ends with its name.
  const found = await call(srv.url, 'SearchDatabase', { SearchKey: engine === 'sqlite' ? t.sqliteName : t.database });
  const db = found.SearchDatabaseList.SearchDatabase.find((d: any) => d.DbType === engine && (engine === 'sqlite' ? String(d.Host).endsWith(t.sqliteName) : d.SchemaName === t.database));
  return Number(db.DatabaseId);
}

/** `url` (a postgres:// URL) pointing at database `db` instead. */
export function pgUrlOf(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Drops (closing its sessions) and creates database `db` on the server at `url`; returns its URL. */
export async function freshPgDatabase(url: string, db: string): Promise<string> {
  const admin = new pg.Client(url);
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${db} with (force)`);
    await admin.query(`create database ${db}`);
  } finally {
    await admin.end();
  }
  return pgUrlOf(url, db);
}
