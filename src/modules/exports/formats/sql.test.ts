import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatabase, createPgSchema, describeWithServer, MYSQL_URL, PG_URL } from '../../../../test/helpers/servers.js';
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { defaultFormatOptions, ExportValueError, type FormatOptions, type SqlDialect, writeRows } from './index.js';

/**
 * The SQL files are checked the only way that proves them: run against real servers (PostgreSQL,
 * MariaDB/MySQL, SQLite) into an empty table, then read back and compared with the input.
 */

const TABLE = 'exp "t`';

const columns: ResultColumn[] = [
  { name: 'seq', kind: 'integer', dbType: 'int' },
  { name: 'id', kind: 'integer', dbType: 'bigint' },
  { name: 'big', kind: 'integer', dbType: 'numeric(20)' },
  { name: 'dec', kind: 'decimal', dbType: 'numeric' },
  { name: 'f', kind: 'float', dbType: 'float8' },
  { name: 'ok', kind: 'boolean', dbType: 'boolean' },
  { name: 'bin', kind: 'binary', dbType: 'bytea' },
  { name: 'd', kind: 'date', dbType: 'date' },
  { name: 'dt', kind: 'datetime', dbType: 'timestamp' },
  { name: 'j', kind: 'json', dbType: 'json' },
  { name: 'txt', kind: 'text', dbType: 'text' },
  { name: 'odd "name`', kind: 'text', dbType: 'text' },
];

const TEXTS = [
  '',
  'plain',
  "it's \"quoted\" ''twice''",
  'back\\slash \\N \\\' \\0 \\Z \\\\ end\\',
  "\\'; DROP TABLE x; --",
  'CJK 中文 日本語 emoji 😀👍🏽 combining e\u0301',
  'CR\rLF\nCRLF\r\n tab\t',
  'control \u0001\u0007\u001a\u001f\u007f end',
  '_x0041_ NULL \\N',
  'x'.repeat(3000),
];

function values(dialect: SqlDialect): Cell[][] {
  const floats: Cell[] = [0.1, 1e-7, 1.7976931348623157e308, 0.30000000000000004, 123456789.125, -2.5, null];
  if (dialect !== 'mysql') floats.push(5e-324);
  if (dialect === 'postgresql') floats.push(-0); // SQLite's REAL stores -0.0 as 0 (an untyped column keeps it)
  if (dialect === 'postgresql') floats.push('NaN', 'Infinity', '-Infinity');
  const texts: Cell[] = [...TEXTS, null];
  if (dialect !== 'postgresql') texts.push('nul \u0000 inside');
  return [
    [], // seq, filled in below
    [0, -1, 9007199254740991, '9223372036854775807', '-9223372036854775808', null],
    ['18446744073709551615', '-18446744073709551615', '0', null],
    ['12345678901234567890.1234567890', '-0.000000000000000000000000000001', '12.30', '0', null],
    floats,
    [true, false, null],
    [Buffer.from([0, 255, 16, 0, 39, 92]), Buffer.alloc(0), Buffer.from("hello'\\"), null],
    ['2024-02-29', '1000-01-01', '9999-12-31', null],
    ['2024-01-02 03:04:05.123456', '1970-01-01 00:00:00', '2024-12-31 23:59:59.999999', null],
    ['{"a":"x\\"y\\\\z \'q\'","n":12345678901234567890}', '[]', 'null', '"s"', null],
    texts,
    [null, ...TEXTS.slice().reverse()],
  ];
}

function sampleRows(dialect: SqlDialect): Cell[][] {
  const v = values(dialect);
  const n = Math.max(...v.map((x) => x.length)) + 2;
  return Array.from({ length: n }, (_, r) => v.map((list, c) => (c === 0 ? r + 1 : list[r % list.length]!)));
}

async function* batchesOf(rows: Cell[][], size: number): AsyncIterable<Cell[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

async function sqlText(rows: Cell[][], options: Partial<FormatOptions>, cols = columns): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  await writeRows('SQL', cols, batchesOf(rows, 4), out, { ...defaultFormatOptions(TABLE), sqlRowsPerInsert: 3, ...options });
  return Buffer.concat(chunks).toString('utf8');
}

// ---- comparing what came back ------------------------------------------------------------------

const normDecimal = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
const normTime = (s: string): string => s.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');

/** A value in a form both the input and each driver's output map to. */
function comparable(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'integer':
      return String(v);
    case 'decimal':
      return normDecimal(String(v));
    case 'float': {
      const n = typeof v === 'string' ? Number(v) : (v as number);
      return Object.is(n, -0) ? '-0' : String(n);
    }
    case 'boolean':
      return v === true || v === 1 || v === 1n || v === '1' || v === 't';
    case 'binary':
      return Buffer.from(v as Uint8Array).toString('hex');
    case 'date':
    case 'datetime':
      return normTime(String(v));
    default:
      return String(v);
  }
}

const expected = (rows: Cell[][]): unknown[][] => rows.map((row) => row.map((v, i) => comparable(columns[i]!.kind, v)));
const actual = (rows: unknown[][]): unknown[][] => rows.map((row) => row.map((v, i) => comparable(columns[i]!.kind, v)));

// ---- SQLite (always) ---------------------------------------------------------------------------

describe('SQL for SQLite', () => {
  const DDL = `create table "exp ""t\`" (seq INTEGER, id INTEGER, big TEXT, dec TEXT, f REAL, ok INTEGER, bin BLOB, d TEXT, dt TEXT, j TEXT, txt TEXT, "odd ""name\`" TEXT)`;

  it('recreates the rows exactly when run against an empty copy of the table', async () => {
    const rows = sampleRows('sqlite');
    const sql = await sqlText(rows, { sqlDialect: 'sqlite' });
    const db = new Database(':memory:');
    db.exec(DDL);
    db.exec(sql);
    db.defaultSafeIntegers(true);
    const back = db.prepare(`select * from "exp ""t\`" order by seq`).raw().all() as unknown[][];
    expect(actual(back)).toEqual(expected(rows));
    // The text that holds U+0000 really is text with a NUL (not a blob).
    expect(db.prepare(`select typeof(txt), length(cast(txt as blob)) from "exp ""t\`" where instr(txt, char(0)) > 0`).raw().get()).toEqual(['text', 12n]);
  });

  it('writes ±Infinity SQLite’s way and refuses NaN', async () => {
    const cols: ResultColumn[] = [{ name: 'f', kind: 'float', dbType: 'REAL' }];
    const sql = await sqlText([['Infinity'], [-Infinity]], { sqlDialect: 'sqlite', sqlTable: { name: 'f' } }, cols);
    expect(sql).toContain('(9e999),\n(-9e999);');
    expect(await sqlText([[-0]], { sqlDialect: 'sqlite' }, cols)).toContain('(-0e0);');
    const db = new Database(':memory:');
    db.exec('create table f (f REAL)');
    db.exec(sql);
    expect(db.prepare('select f from f').pluck().all()).toEqual([Infinity, -Infinity]);
    await expect(sqlText([[1], ['NaN']], { sqlDialect: 'sqlite' }, cols)).rejects.toThrow(new ExportValueError(2, 'f', 'NaN cannot be written in SQLite'));
  });
});

// ---- the text itself ---------------------------------------------------------------------------

describe('SQL text', () => {
  const cols: ResultColumn[] = [
    { name: 'a', kind: 'text', dbType: 'varchar' },
    { name: 'b', kind: 'binary', dbType: 'blob' },
    { name: 'c', kind: 'boolean', dbType: 'bool' },
    { name: 'n', kind: 'decimal', dbType: 'numeric' },
  ];
  const rows: Cell[][] = [
    ["it's", Buffer.from([0, 0xab]), true, '12.30'],
    ['a\\b', Buffer.alloc(0), false, null],
    [null, null, null, '-1e5'],
    ['', null, null, 'NaN'],
    ['x', null, null, null],
  ];

  it('PostgreSQL: comment, settings, grouped INSERTs, its literals', async () => {
    const sql = await sqlText(rows.slice(0, 4), { sqlDialect: 'postgresql', sqlTable: { schema: 's"x', name: 'T' }, sqlRowsPerInsert: 2, sqlSource: 'db1: select *\nfrom T' }, cols);
    expect(sql).toBe(
      '-- OpenDMS export of db1: select * from T; columns: a varchar, b blob, c bool, n numeric\n' +
        "SET client_encoding = 'UTF8';\n" +
        'INSERT INTO "s""x"."T" ("a", "b", "c", "n") VALUES\n' +
        "('it''s', E'\\\\x00ab'::bytea, TRUE, 12.30),\n" +
        "(E'a\\\\b', E'\\\\x'::bytea, FALSE, NULL);\n" +
        'INSERT INTO "s""x"."T" ("a", "b", "c", "n") VALUES\n' +
        "(NULL, NULL, NULL, -1e5),\n" +
        "('', NULL, NULL, 'NaN'::numeric);\n",
    );
  });

  it('MySQL: backticks, SET NAMES, 1/0, X\'\', and text with a backslash as a utf8mb4 hex literal', async () => {
    const sql = await sqlText(rows.slice(0, 2), { sqlDialect: 'mysql', sqlTable: { name: 'my`t' }, sqlRowsPerInsert: 100, encoding: 'GBK' }, cols);
    expect(sql).toBe(
      '-- OpenDMS export of my`t; columns: a varchar, b blob, c bool, n numeric\nSET NAMES gbk;\n' +
        'INSERT INTO `my``t` (`a`, `b`, `c`, `n`) VALUES\n' +
        "('it''s', X'00ab', 1, 12.30),\n" +
        "(_utf8mb4 X'615c62', X'', 0, NULL);\n",
    );
  });

  it('closes the last INSERT at the end, whatever the batch sizes', async () => {
    const sql = await sqlText(rows, { sqlDialect: 'sqlite', sqlRowsPerInsert: 2 }, cols.slice(0, 1));
    expect(sql.match(/INSERT INTO/g)).toHaveLength(3);
    expect(sql.endsWith("('x');\n")).toBe(true);
  });

  it('refuses what the dialect cannot hold, naming row and column', async () => {
    const cols1: ResultColumn[] = [{ name: 'v', kind: 'text', dbType: 'text' }];
    await expect(sqlText([['ok'], ['a\u0000b']], { sqlDialect: 'postgresql' }, cols1)).rejects.toThrow(new ExportValueError(2, 'v', 'PostgreSQL text cannot hold the character U+0000'));
    const cols2: ResultColumn[] = [{ name: 'f', kind: 'float', dbType: 'double' }];
    await expect(sqlText([[Infinity]], { sqlDialect: 'mysql' }, cols2)).rejects.toThrow('Row 1, column "f": Infinity cannot be written in MySQL');
  });
});

// ---- real servers ------------------------------------------------------------------------------

await describeWithServer('postgres', 'SQL for PostgreSQL', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  let client: pg.Client;
  beforeAll(async () => {
    schema = await createPgSchema('opendms_sqlexp');
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await schema?.drop();
  });

  it.each(['on', 'off'])('recreates the rows exactly (NaN/Infinity, -0, bytea, booleans, exact numerics, JSON text), standard_conforming_strings %s', async (scs) => {
    const rows = sampleRows('postgresql');
    const table = `${schema.schema}."exp ""t\`"`;
    await client.query(`drop table if exists ${table}`);
    await client.query(
      `create table ${table} (seq int, id bigint, big numeric, dec numeric, f float8, ok boolean, bin bytea, d date, dt timestamp(6), j json, txt text, "odd ""name\`" text)`,
    );
    // Off: plain literals would read backslashes as escapes; the file is sent as one query.
    await client.query(`set standard_conforming_strings = ${scs}`);
    await client.query(await sqlText(rows, { sqlDialect: 'postgresql', sqlTable: { schema: schema.schema, name: TABLE } }));
    const back = await client.query({
      text: `select seq, id::text, big::text, dec::text, f, ok, bin, d::text, dt::text, j::text, txt, "odd ""name\`" from ${table} order by seq`,
      rowMode: 'array',
    });
    expect(actual(back.rows as unknown[][])).toEqual(expected(rows));
  });
});

await describeWithServer('mysql', 'SQL for MySQL/MariaDB', () => {
  let database: { name: string; drop: () => Promise<void> };
  let conn: mysql.Connection;
  beforeAll(async () => {
    database = await createMysqlDatabase('opendms_sqlexp');
    const url = new URL(MYSQL_URL);
    url.pathname = `/${database.name}`;
    conn = await mysql.createConnection({ uri: url.toString(), multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, charset: 'utf8mb4' });
  });
  afterAll(async () => {
    await conn?.end();
    await database?.drop();
  });

  it.each([
    ['the default sql_mode', ''],
    ['NO_BACKSLASH_ESCAPES', ',NO_BACKSLASH_ESCAPES'],
  ])('recreates the rows exactly under %s', async (_, mode) => {
    const rows = sampleRows('mysql');
    await conn.query('drop table if exists `exp "t```');
    await conn.query(
      'create table `exp "t``` (seq int, id bigint, big decimal(20,0), `dec` decimal(51,30), f double, ok boolean, bin longblob, d date, dt datetime(6), j json, txt longtext, `odd "name``` longtext) default charset=utf8mb4',
    );
    await conn.query(`set session sql_mode = concat(@@global.sql_mode, '${mode}')`);
    await conn.query(await sqlText(rows, { sqlDialect: 'mysql' }));
    const [back] = await conn.query({ sql: 'select seq, id, big, `dec`, f, ok, bin, d, dt, cast(j as char), txt, `odd "name``` from `exp "t``` order by seq', rowsAsArray: true });
    expect(actual(back as unknown[][])).toEqual(expected(rows));
  });
});
