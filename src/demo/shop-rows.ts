/** Inserts the demo shop's rows (inside the caller's transaction) with prepared statements. */
import type Database from 'better-sqlite3';
import {
  ADJECTIVES,
  CATEGORIES,
  CITIES,
  CJK_NAMES,
  createRandom,
  EMAIL_DOMAINS,
  epochSeconds,
  FIRST_NAMES,
  formatTimestamp,
  LAST_NAMES,
  ORDER_NOTES,
  type Random,
} from './shop-data.js';

export const SHOP_SIZE = { customers: 5_000, products: 500, orders: 20_000 } as const;
/** Fixed seed: every build produces the same shop. */
const SEED = 20_240_601;

const DAY = 86_400;
const CUSTOMERS_FROM = epochSeconds('2022-01-01 00:00:00');
const ORDERS_FROM = epochSeconds('2023-01-01 00:00:00');
/** The shop's "now": the last possible order time. */
const ORDERS_UNTIL = epochSeconds('2025-12-31 23:59:59');

export function insertShopRows(db: Database.Database): void {
  const random = createRandom(SEED);
  const customerSince = insertCustomers(db, random);
  const prices = insertProducts(db, random);
  insertOrders(db, random, customerSince, prices);
}

/** Returns each customer's sign-up time (index = id - 1): orders never predate it. */
function insertCustomers(db: Database.Database, random: Random): number[] {
  const insert = db.prepare('insert into customers (id, name, email, phone, city, country, created_at) values (?, ?, ?, ?, ?, ?, ?)');
  const since: number[] = [];
  for (let id = 1; id <= SHOP_SIZE.customers; id++) {
    let name: string;
    let ascii: string;
    if (random.chance(0.15)) {
      [name, ascii] = random.pick(CJK_NAMES);
    } else {
      const [first, firstAscii] = random.pick(FIRST_NAMES);
      const [last, lastAscii] = random.pick(LAST_NAMES);
      [name, ascii] = [`${first} ${last}`, `${firstAscii}.${lastAscii}`];
    }
    const [city, country, prefix] = random.pick(CITIES);
    const phone = random.chance(0.3) ? null : `${prefix} ${random.int(1_000_000, 9_999_999)}`;
    const createdAt = random.int(CUSTOMERS_FROM, ORDERS_UNTIL - 30 * DAY);
    since.push(createdAt);
    insert.run(id, name, `${ascii}${id}@${random.pick(EMAIL_DOMAINS)}`, phone, city, country, formatTimestamp(createdAt));
  }
  return since;
}

/** Returns each product's price in cents (index = id - 1). */
function insertProducts(db: Database.Database, random: Random): number[] {
  const insert = db.prepare('insert into products (id, sku, name, category, price, stock, active) values (?, ?, ?, ?, ?, ?, ?)');
  const prices: number[] = [];
  for (let id = 1; id <= SHOP_SIZE.products; id++) {
    const [category, skuPrefix, low, high, nouns] = random.pick(CATEGORIES);
    // Shop prices end in .99, .49 or .00.
    const cents = Math.floor(random.int(low, high) / 100) * 100 + random.pick([99, 49, 0]);
    prices.push(cents);
    const name = `${random.pick(ADJECTIVES)} ${random.pick(nouns)}`;
    insert.run(id, `${skuPrefix}-${String(id).padStart(5, '0')}`, name, category, cents / 100, random.int(0, 500), random.chance(0.95) ? 1 : 0);
  }
  return prices;
}

/** Items per order: 1 to 4, 2.5 on average (about 50,000 items for 20,000 orders). */
const ITEM_COUNTS = [1, 1, 2, 2, 2, 3, 3, 3, 4, 4] as const;
const QUANTITIES = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 6] as const;

function insertOrders(db: Database.Database, random: Random, customerSince: number[], prices: number[]): void {
  const insertOrder = db.prepare('insert into orders (id, customer_id, status, ordered_at, shipped_at, total, notes) values (?, ?, ?, ?, ?, ?, ?)');
  const insertItem = db.prepare('insert into order_items (id, order_id, product_id, quantity, unit_price) values (?, ?, ?, ?, ?)');
  let itemId = 0;
  for (let orderId = 1; orderId <= SHOP_SIZE.orders; orderId++) {
    const customerId = random.int(1, SHOP_SIZE.customers);
    const orderedAt = random.int(Math.max(ORDERS_FROM, customerSince[customerId - 1]!), ORDERS_UNTIL);
    const status = statusFor(random, ORDERS_UNTIL - orderedAt);
    const shipped = status === 'shipped' || status === 'delivered' || status === 'refunded';
    const shippedAt = shipped ? formatTimestamp(Math.min(orderedAt + random.int(2 * 3600, 4 * DAY), ORDERS_UNTIL)) : null;
    const notes = random.chance(0.08) ? random.pick(ORDER_NOTES) : null;

    const products = new Set<number>();
    const count = random.pick(ITEM_COUNTS);
    while (products.size < count) {
      // Skewed towards low ids: a few best sellers, a long tail.
      products.add(1 + Math.floor(random.next() ** 2 * SHOP_SIZE.products));
    }
    let totalCents = 0;
    const items: Array<[number, number, number]> = [];
    for (const productId of products) {
      const listCents = prices[productId - 1]!;
      const unitCents = random.chance(0.15) ? Math.round(listCents * (1 - random.int(10, 30) / 100)) : listCents;
      const quantity = random.pick(QUANTITIES);
      totalCents += unitCents * quantity;
      items.push([productId, quantity, unitCents]);
    }
    insertOrder.run(orderId, customerId, status, formatTimestamp(orderedAt), shippedAt, totalCents / 100, notes);
    for (const [productId, quantity, unitCents] of items) insertItem.run(++itemId, orderId, productId, quantity, unitCents / 100);
  }
}

/** Recent orders are still open; older ones are mostly delivered, some cancelled or refunded. */
function statusFor(random: Random, ageSeconds: number): string {
  if (ageSeconds < 2 * DAY) return random.pick(['pending', 'pending', 'paid']);
  if (ageSeconds < 7 * DAY) return random.pick(['paid', 'shipped', 'shipped', 'cancelled']);
  const r = random.next();
  return r < 0.8 ? 'delivered' : r < 0.92 ? 'cancelled' : r < 0.97 ? 'refunded' : 'shipped';
}
