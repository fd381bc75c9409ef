/**
 * The demo target database: a small online shop in SQLite, registered as an instance by
 * `serve --demo` so tickets have something real to query, export and change.
 *
 * Money is DECIMAL(10,2): SQLite gives such columns NUMERIC affinity, so amounts are stored as
 * numbers (REAL, or INTEGER when whole) that sort and add up correctly, and print exactly with at
 * most two decimals. Every stored amount is computed in integer cents first, so it is the closest
 * double to a 2-decimal value. Sums in SQL should be wrapped in round(…, 2); printf('%.2f', x)
 * always shows two decimals. Timestamps are UTC text `YYYY-MM-DD HH:MM:SS`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { insertShopRows } from './shop-rows.js';

export interface ShopCounts {
  customers: number;
  products: number;
  orders: number;
  orderItems: number;
}

/** Bumped if the schema changes; stored in PRAGMA user_version. */
export const SHOP_SCHEMA_VERSION = 1;

const SCHEMA = `
create table customers (
  id          integer primary key,
  name        varchar(100) not null,
  email       varchar(255) not null unique,
  phone       varchar(32),
  city        varchar(64) not null,
  country     char(2) not null,
  created_at  timestamp not null
);
create table products (
  id          integer primary key,
  sku         varchar(16) not null unique,
  name        varchar(120) not null,
  category    varchar(32) not null,
  price       decimal(10,2) not null check (price >= 0),
  stock       integer not null default 0 check (stock >= 0),
  active      boolean not null default 1 check (active in (0, 1))
);
create table orders (
  id          integer primary key,
  customer_id integer not null references customers (id),
  status      varchar(16) not null
              check (status in ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
  ordered_at  timestamp not null,
  shipped_at  timestamp,
  total       decimal(10,2) not null,
  notes       text
);
create table order_items (
  id          integer primary key,
  order_id    integer not null references orders (id) on delete cascade,
  product_id  integer not null references products (id),
  quantity    integer not null check (quantity > 0),
  unit_price  decimal(10,2) not null,
  unique (order_id, product_id)
);
create index products_category_idx on products (category);
create index orders_customer_id_idx on orders (customer_id);
create index orders_ordered_at_idx on orders (ordered_at);
create index orders_status_idx on orders (status);
create index order_items_product_id_idx on order_items (product_id);
create view customer_order_stats as
  select c.id as customer_id, c.name, count(o.id) as orders,
         round(coalesce(sum(o.total), 0), 2) as total_spent, max(o.ordered_at) as last_order_at
    from customers c left join orders o on o.customer_id = c.id and o.status not in ('cancelled', 'refunded')
   group by c.id, c.name;
`;

/**
 * Builds the shop database at `file` unless it already exists, and returns its row counts.
 * The build writes `file.tmp` and renames it into place, so a crash never leaves a half-built file
 * under the real name (a stale `.tmp` is simply rebuilt). Takes well under a second.
 */
export function createShopDatabase(file: string): ShopCounts {
  if (!fs.existsSync(file)) build(file);
  return countRows(file);
}

function build(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  try {
    // No journal and no syncing while building: a crash only loses the .tmp file, which is discarded.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      db.exec(SCHEMA);
      insertShopRows(db);
    })();
    db.exec('analyze');
    db.pragma(`user_version = ${SHOP_SCHEMA_VERSION}`);
    db.close();
    fsyncFile(tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    if (db.open) db.close();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** The data must be on disk before the rename makes it visible under the real name. */
function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function countRows(file: string): ShopCounts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string): number => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { customers: count('customers'), products: count('products'), orders: count('orders'), orderItems: count('order_items') };
  } finally {
    db.close();
  }
}
