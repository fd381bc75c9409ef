/**
 * DATA_EXPORT, the whole flow on each engine (SQLite always; PostgreSQL and MariaDB when their test
 * servers answer, always under CI), through the real clients: CreateOrder (pop-core, lower camel
 * PluginParam) or CreateDataExportOrder (openapi-client V3) by a USER → precheck → submit → the
 * DBA agrees → ExecuteDataExport in each of the five file types (one ticket each: an approval runs
 * once) → EXPORT_SUCCESS → GetDataExportDownloadURL → the zip: manifest.json true to its entries,
 * and each file's content equal to the source rows, value by value (SQL by running the INSERTs
 * into an empty copy of the table and comparing the tables).
 *
 * Awkward values: data-export.values.test.ts; refusals, permissions and job control:
 * data-export.rules.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../helpers/server.js';
import { describeWithServer } from '../helpers/servers.js';
import {
  approveExport,
  checkFile,
  collectExport,
  executeExport,
  exportDetail,
  fileExport,
  mariaRoundTrip,
  pgRoundTrip,
  registerMaria,
  registerPg,
  registerSqlite,
  sqliteRoundTrip,
  startExportEnv,
  waitPhase,
  type Cell,
  type Col,
  type ExportEnv,
  type MariaTarget,
  type PgTarget,
  type SqliteTarget,
} from '../helpers/export-flow.js';

const FILE_TYPES = ['SQL', 'XLSX', 'CSV', 'JSON', 'TXT'] as const;
const EXTENSIONS: Record<string, string> = { SQL: 'sql', XLSX: 'xlsx', CSV: 'csv', JSON: 'json', TXT: 'txt' };

/** 25 rows: text with CJK and emoji, commas and quotes; exact decimals; dates; NULLs and ''. */
const ITEMS = Array.from({ length: 25 }, (_, k) => {
  const id = k + 1;
  return {
    id,
    name: id === 3 ? 'Zoë 中文 😀' : `item ${id}`,
    price: `${id * 3}.${String((id * 7) % 100).padStart(2, '0')}`,
    added: `2024-01-${String(id).padStart(2, '0')}`,
    note: id % 5 === 0 ? null : id % 7 === 0 ? '' : `note, "${id}"`,
  };
});
const SQL = 'select id, name, price, added, note from items order by id';
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const VALUES = ITEMS.map((r) => `(${r.id}, ${q(r.name)}, ${r.price}, ${q(r.added)}, ${r.note === null ? 'NULL' : q(r.note)})`).join(',\n');

const COLS: Col[] = [
  { name: 'id', kind: 'integer' },
  { name: 'name', kind: 'text' },
  { name: 'price', kind: 'decimal' },
  { name: 'added', kind: 'date' },
  { name: 'note', kind: 'text' },
];
/** The cells a connector reads (result-set.ts): safe integers as numbers, decimals as the engine prints them. */
const CELLS: Cell[][] = ITEMS.map((r) => [r.id, r.name, r.price, r.added, r.note]);

const DDL = {
  postgresql: 'create table items (id integer primary key, name varchar(40) not null, price numeric(10,2) not null, added date not null, note text)',
  mariadb: 'create table items (id int primary key, name varchar(40) not null, price decimal(10,2) not null, added date not null, note text) character set utf8mb4',
  sqlite: 'create table items (id integer primary key, name varchar(40) not null, price decimal(10,2) not null, added date not null, note text)',
};

let env: ExportEnv;
beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => {
  await env?.close();
});

interface EngineCase {
  engine: 'postgresql' | 'mariadb' | 'sqlite';
  dbId: () => number;
  /** The cells as this engine stores them. */
  cells: () => Cell[][];
  cols: () => Col[];
  roundTrip: (sqlFile: string) => Promise<{ original: unknown[]; copy: unknown[] }>;
}

/** The tests of one engine: every file type, one ticket each. */
function fullFlow(c: EngineCase): void {
  it('files through CreateOrder (pop-core, lower camel) and CreateDataExportOrder (V3); the precheck counts the rows', async () => {
    const viaPop = await fileExport(env, c.dbId(), SQL);
    const viaV3 = await fileExport(env, c.dbId(), SQL, { viaV3: true });
    for (const orderId of [viaPop, viaV3]) {
      const d = await waitPhase(env, orderId, 'PRE_CHECK_SUCCESS');
      expect(d.KeyInfo).toMatchObject({ JobStatus: 'PRE_CHECK_SUCCESS', PreCheckId: expect.any(Number) });
      expect(d.KeyInfo.JobId).toBeUndefined();
      expect(d.OrderDetail).toMatchObject({ DbId: c.dbId(), ExeSQL: SQL, Logic: false, IgnoreAffectRows: false, EnvType: 'dev', Classify: 'test', Database: expect.any(String) });
      const pre = ok(await env.as(env.ulla)('GetDataExportPreCheckDetail', { OrderId: orderId })).PreCheckResult;
      expect(pre).toMatchObject({ IgnoreAffectRows: false, Status: 'PRE_CHECK_SUCCESS' });
      const list = pre.PreCheckDetailList.PreCheckDetailList;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ SQL, CheckStatus: 'PASS', DbId: c.dbId(), AffectRows: expect.any(Number) });
      if (c.engine === 'sqlite') expect(list[0]).toMatchObject({ AffectRows: ITEMS.length, Exact: true }); // counted: SQLite has no estimate
      else expect(list[0].AffectRows).toBeGreaterThan(0);
      if (c.engine === 'postgresql') expect(list[0].AffectRows).toBe(ITEMS.length); // analyzed: the planner knows
    }
    ok(await env.as(env.ulla)('CloseOrder', { OrderId: viaV3, CloseReason: 'one is enough' }));
  });

  for (const fileType of FILE_TYPES) {
    it(`${fileType}: approve, execute, download; the file holds the rows value by value`, async () => {
      const orderId = await fileExport(env, c.dbId(), SQL, { viaV3: fileType === 'CSV' || fileType === 'SQL' });
      await waitPhase(env, orderId, 'PRE_CHECK_SUCCESS');
      await approveExport(env, orderId);
      const started = ok(await executeExport(env, orderId, { fileType, encoding: '', mode: 'FAST' }));
      expect(started.JobId).toEqual(expect.any(Number));
      const early = await exportDetail(env, orderId);
      expect(['WAITING_EXPORT', 'DOING_EXPORT', 'EXPORT_SUCCESS']).toContain(early.KeyInfo.JobStatus);
      expect(early.KeyInfo.JobId).toBe(started.JobId);

      const r = await collectExport(env, orderId, { expectRows: ITEMS.length });
      expect(r.jobId).toBe(started.JobId);
      expect(r.entries.map((e) => e.name)).toEqual([`export_1.${EXTENSIONS[fileType]}`]);
      expect(r.unzipped.manifest.files[0]).toMatchObject({ statement: SQL, rows: ITEMS.length });
      const data = r.entries[0]!.data;
      if (fileType === 'SQL') {
        const { original, copy } = await c.roundTrip(data.toString('utf8'));
        expect(original).toHaveLength(ITEMS.length);
        expect(copy).toEqual(original);
      } else {
        await checkFile(fileType, data, c.cols(), c.cells());
      }
    });
  }
}

describe('SQLite', () => {
  let t: SqliteTarget;
  beforeAll(async () => {
    t = await registerSqlite(env, 'shop', (db) => db.exec(`${DDL.sqlite}; insert into items values ${VALUES};`));
  });
  fullFlow({
    engine: 'sqlite',
    dbId: () => t.dbId,
    cols: () => COLS,
    // NUMERIC affinity: SQLite keeps 3.07 as a REAL and 6.10 as 6.1 (the decimal's own text is gone);
    // a decimal column's cell is the stored number's exact text.
    cells: () => CELLS.map(([id, name, price, added, note]) => [id, name, String(Number(price)), added, note] as Cell[]),
    roundTrip: async (sqlFile) => sqliteRoundTrip(t.file, DDL.sqlite, sqlFile, 'items', env.srv.server.deps.config.sqliteInstanceDir),
  });
});

await describeWithServer('postgres', 'PostgreSQL', () => {
  let t: { shop: PgTarget };
  beforeAll(async () => {
    t = await registerPg(env, { shop: `${DDL.postgresql}; insert into items values ${VALUES}; analyze items;` });
  });
  fullFlow({
    engine: 'postgresql',
    dbId: () => t.shop.dbId,
    cols: () => COLS,
    cells: () => CELLS,
    roundTrip: async (sqlFile) => pgRoundTrip(t.shop, DDL.postgresql, sqlFile, 'items'),
  });
});

await describeWithServer('mysql', 'MariaDB', () => {
  let t: { shop: MariaTarget };
  beforeAll(async () => {
    t = await registerMaria(env, { shop: `${DDL.mariadb}; insert into items values ${VALUES}; analyze table items;` });
  });
  fullFlow({
    engine: 'mariadb',
    dbId: () => t.shop.dbId,
    cols: () => COLS,
    cells: () => CELLS,
    roundTrip: async (sqlFile) => mariaRoundTrip(t.shop.name, DDL.mariadb, sqlFile, 'items'),
  });
});
