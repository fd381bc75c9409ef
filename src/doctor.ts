/**
 * `opendms doctor`: checks what a running OpenDMS depends on and says in words what is wrong.
 * Each check is independent (one failing does not hide the others): the metadata store and its
 * schema, the master key, the job engine and its queues, the file store, every registered target
 * instance, and the clock against the store's. Read-only, apart from a probe file it writes to the
 * file store and deletes.
 */
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Config } from './config.js';
import { createConnector } from './connectors/index.js';
import type { Deps } from './modules/context.js';
import { connectionSpecOf } from './modules/instances/connections.js';
import { openRuntime } from './runtime.js';
import { appliedMigrations } from './storage/migrate.js';
import { MIGRATIONS } from './storage/migrations/index.js';

export interface Finding {
  check: string;
  ok: boolean;
  /** What was found, or what is wrong and what to do. */
  detail: string;
}

const ms = (t0: number): string => `${Math.round(performance.now() - t0)} ms`;

/** Runs every check; a store that cannot be opened is the one finding. */
export async function runDoctor(config: Config): Promise<Finding[]> {
  let runtime: Awaited<ReturnType<typeof openRuntime>>;
  try {
    runtime = await openRuntime(config, { migrate: false });
  } catch (e) {
    const where = config.databaseUrl ? `PostgreSQL at ${redactUrl(config.databaseUrl)}` : `SQLite in ${config.dataDir}`;
    return [{ check: 'store', ok: false, detail: `cannot open or migrate the metadata store (${where}): ${(e as Error).message}` }];
  }
  const { deps, store } = runtime;
  try {
    const findings: Finding[] = [];
    const run = async (check: string, fn: () => Promise<string>) => {
      try {
        findings.push({ check, ok: true, detail: await fn() });
      } catch (e) {
        findings.push({ check, ok: false, detail: (e as Error).message });
      }
    };
    await run('store', () => storeCheck(deps));
    const schemaOk = findings[0]!.ok;
    // What reads the store's tables needs its schema.
    if (schemaOk) await run('master key', () => masterKeyCheck(deps));
    if (schemaOk) await run('job engine', () => jobCheck(deps));
    await run('file store', () => fileCheck(deps));
    await run('clock', () => clockCheck(deps));
    if (schemaOk) findings.push(...(await instanceChecks(deps)));
    return findings;
  } finally {
    await deps.jobs.stop().catch(() => undefined);
    await store.close();
  }
}

/** The store answers and its schema is this build's: none pending, none unknown (a newer OpenDMS migrated it). */
async function storeCheck(deps: Deps): Promise<string> {
  const t0 = performance.now();
  if (!(await deps.store.ping())) throw new Error('the store does not answer');
  const applied = await appliedMigrations(deps.db);
  const known = MIGRATIONS.map(([name]) => name);
  const unknown = applied.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`the store was migrated by a newer OpenDMS (${unknown.join(', ')}): upgrade this installation before starting it`);
  const pending = known.filter((n) => !applied.includes(n));
  if (pending.length > 0) throw new Error(`${pending.length} of ${known.length} migrations are not applied yet (${pending[0]} …): run \`opendms migrate\` or start \`opendms serve\`, which migrates`);
  const version = deps.store.dialect === 'postgres' ? String((await sql<{ v: string }>`select version() as v`.execute(deps.db)).rows[0]?.v ?? '').split(',')[0] : 'SQLite';
  return `${version}, schema at ${known[known.length - 1]} (${known.length} migrations), answered in ${ms(t0)}`;
}

/** The key decrypts what it encrypted: a stored AccessKey secret or instance password, when there is one. */
async function masterKeyCheck(deps: Deps): Promise<string> {
  const key = await deps.db.selectFrom('access_key').select('secret_enc').limit(1).executeTakeFirst();
  if (!key) return 'present (nothing encrypted with it yet)';
  try {
    deps.secrets.decrypt(key.secret_enc);
  } catch {
    throw new Error('the master key does not decrypt the stored secrets: this is not the key they were encrypted with (OPENDMS_MASTER_KEY or the key file in the data folder)');
  }
  return 'decrypts the stored secrets';
}

async function jobCheck(deps: Deps): Promise<string> {
  const stats = await deps.jobs.stats().catch((e: unknown) => {
    if ((e as { code?: string }).code === '42P01') throw new Error(`pg-boss's tables (schema ${deps.config.databaseSchema}_jobs) do not exist yet: no process with background jobs has started on this store (serve, or opendms worker)`);
    throw e;
  });
  const late = stats.filter((s) => s.oldestDueSeconds > 300);
  const summary = stats.length === 0 ? 'no job waiting or running' : stats.map((s) => `${s.name}: ${s.queued} queued, ${s.active} running`).join('; ');
  if (late.length > 0) {
    throw new Error(`jobs are waiting longer than 5 minutes (${late.map((s) => `${s.name} ${Math.round(s.oldestDueSeconds)} s`).join(', ')}): is a process with background jobs running (serve without --no-jobs, or opendms worker)? ${summary}`);
  }
  return `${deps.store.dialect === 'postgres' ? 'pg-boss' : 'built-in runner'}; ${summary}`;
}

async function fileCheck(deps: Deps): Promise<string> {
  const key = `doctor/probe-${crypto.randomUUID()}.txt`;
  const body = Buffer.from(`opendms doctor ${new Date().toISOString()}\n`);
  const t0 = performance.now();
  await deps.files.put(key, Readable.from([body]));
  try {
    const got = await deps.files.get(key);
    if (!got) throw new Error('a file just written cannot be read back');
    const chunks: Buffer[] = [];
    for await (const c of got.stream) chunks.push(Buffer.from(c as Uint8Array));
    if (!Buffer.concat(chunks).equals(body)) throw new Error('a file read back differs from what was written');
  } finally {
    await deps.files.delete(key);
  }
  const where = deps.config.filesS3 ? `s3://${deps.config.filesS3.bucket}/${deps.config.filesS3.prefix}${deps.config.filesS3.endpoint ? ` at ${deps.config.filesS3.endpoint}` : ''}` : deps.config.filesDir;
  return `${where}: write, read and delete work (${ms(t0)})`;
}

/** This machine's clock against the store's: signed requests are checked against ours. */
async function clockCheck(deps: Deps): Promise<string> {
  if (deps.store.dialect !== 'postgres') return 'the SQLite store is on this machine (nothing to compare)';
  const t0 = Date.now();
  const row = (await sql<{ t: string }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint::text as t`.execute(deps.db)).rows[0];
  const skew = Number(row?.t) - (t0 + Date.now()) / 2;
  const window = deps.config.signatureWindowSeconds;
  if (Math.abs(skew) > 60_000) throw new Error(`this machine's clock is ${Math.round(skew / 1000)} s off the store's: processes disagree on time (signature window ±${window} s, schedules, expiries); synchronise the clocks (NTP)`);
  return `within ${Math.round(Math.abs(skew))} ms of the store's`;
}

async function instanceChecks(deps: Deps): Promise<Finding[]> {
  const rows = await deps.db.selectFrom('instance').select(['id', 'tenant_id', 'db_type', 'host', 'port', 'db_user', 'db_password_enc', 'query_timeout_s', 'alias']).orderBy('id').execute();
  const out: Finding[] = [];
  for (const r of rows) {
    const name = `instance ${r.id} (${r.alias} ${r.db_type} ${r.db_type === 'sqlite' ? r.host : `${r.host}:${r.port}`}, tenant ${r.tenant_id})`;
    const t0 = performance.now();
    try {
      const spec = { ...connectionSpecOf(deps, r), connectTimeoutMs: 5000 };
      const c = createConnector(spec, { sqliteAllowedDir: deps.config.sqliteInstanceDir });
      try {
        const { version } = await c.test();
        out.push({ check: name, ok: true, detail: `${version}, answered in ${ms(t0)}` });
      } finally {
        await c.close().catch(() => undefined);
      }
    } catch (e) {
      out.push({ check: name, ok: false, detail: `${(e as Error).message} — check its address, port, user and password (ModifyInstance), and that this machine may reach it` });
    }
  }
  if (rows.length === 0) out.push({ check: 'instances', ok: true, detail: 'none registered' });
  return out;
}

const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/** The findings as lines for a terminal. */
export function renderFindings(findings: Finding[]): string {
  const bad = findings.filter((f) => !f.ok).length;
  const lines = findings.map((f) => `${f.ok ? 'ok  ' : 'FAIL'} ${f.check}: ${f.detail}`);
  lines.push(bad === 0 ? 'Everything OpenDMS needs answers.' : `${bad} problem(s) found.`);
  return lines.join('\n') + '\n';
}
