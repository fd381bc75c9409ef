import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopDatabase, SHOP_SCHEMA_VERSION, type ShopCounts } from './shop-db.js';

let dir: string;
let file: string;
let counts: ShopCounts;
let buildMs: number;
let db: Database.Database;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-shop-'));
  file = path.join(dir, 'nested', 'shop.db');
  const started = performance.now();
  counts = createShopDatabase(file);
  buildMs = performance.now() - started;
  db = new Database(file, { readonly: true });
});

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const scalar = (sql: string): unknown => db.prepare(sql).pluck().get();

/** A digest of every row, to compare two builds. */
function contentDigest(target: Database.Database): string {
  const hash = crypto.createHash('sha256');
  for (const table of ['customers', 'products', 'orders', 'order_items']) {
    for (const row of target.prepare(`select * from ${table} order by id`).raw().iterate()) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}

describe('demo shop database', () => {
  it('has the promised size, built quickly', () => {
    expect(counts).toMatchObject({ customers: 5_000, products: 500, orders: 20_000 });
    expect(counts.orderItems).toBeGreaterThan(45_000);
    expect(counts.orderItems).toBeLessThan(55_000);
    expect(scalar('select count(*) from order_items')).toBe(counts.orderItems);
    expect(buildMs).toBeLessThan(5_000);
  });

  it('has NULLs in the optional columns', () => {
    for (const [table, column] of [['customers', 'phone'], ['orders', 'shipped_at'], ['orders', 'notes']] as const) {
      const nulls = scalar(`select count(*) from ${table} where ${column} is null`) as number;
      const values = scalar(`select count(*) from ${table} where ${column} is not null`) as number;
      expect({ column, nulls: nulls > 0, values: values > 0 }).toEqual({ column, nulls: true, values: true });
    }
  });

  it('has non-ASCII text', () => {
    for (const text of ['Zoë', 'José', '王芳', 'Łukasz', 'Ærø', "O'Brien"]) {
      expect(scalar(`select count(*) from customers where instr(name, '${text.replace("'", "''")}') > 0`)).toBeGreaterThan(0);
    }
    expect(scalar(`select count(*) from customers where city in ('北京', 'Kraków', 'Ærøskøbing')`)).toBeGreaterThan(0);
  });

  it('keeps referential integrity and consistent totals and dates', () => {
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const badTotals = scalar(`
      select count(*) from orders o
       where abs(o.total - (select sum(quantity * unit_price) from order_items i where i.order_id = o.id)) > 0.005`);
    expect(badTotals).toBe(0);
    expect(scalar('select count(*) from orders where shipped_at < ordered_at')).toBe(0);
    expect(scalar('select count(*) from orders o join customers c on c.id = o.customer_id where o.ordered_at < c.created_at')).toBe(0);
    expect(scalar(`select count(*) from orders where ordered_at not glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'`)).toBe(0);
  });

  it('stores prices with at most two decimals', () => {
    expect(scalar(`select count(*) from products where cast(price as text) glob '*.[0-9][0-9][0-9]*'`)).toBe(0);
    expect(scalar(`select printf('%.2f', price) from products where id = 1`)).toMatch(/^\d+\.\d{2}$/);
  });

  it('has indexes, the view, statistics and the schema version', () => {
    const indexes = db.prepare(`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`).pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['orders_customer_id_idx', 'order_items_product_id_idx']));
    expect(scalar('select count(*) from customer_order_stats')).toBe(5_000);
    expect(scalar(`select count(*) from sqlite_stat1 where tbl = 'orders'`)).toBeGreaterThan(0);
    expect(db.pragma('user_version', { simple: true })).toBe(SHOP_SCHEMA_VERSION);
  });

  it('is idempotent: a second call keeps the file and returns the same counts', () => {
    const before = fs.statSync(file);
    expect(createShopDatabase(file)).toEqual(counts);
    const after = fs.statSync(file);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['shop.db']);
  });

  it('is deterministic and replaces a stale .tmp left by a crash', () => {
    const other = path.join(dir, 'other.db');
    fs.writeFileSync(`${other}.tmp`, 'half-written garbage');
    createShopDatabase(other);
    expect(fs.existsSync(`${other}.tmp`)).toBe(false);
    const second = new Database(other, { readonly: true });
    try {
      expect(contentDigest(second)).toBe(contentDigest(db));
    } finally {
      second.close();
    }
  });
});
