/**
 * The console's database browser and sortable ticket list in real headless Chromium against a
 * real server (the model is test/e2e/console.test.ts): ulla browses instances → the demo shop
 * database → its tables → the columns and indexes of `customers` (and the indexes of `orders`),
 * compared with what the SQLite file itself says; searches tables and filters columns; follows "New data export" to a preselected picker;
 * filters instances by environment and finds a database of another instance by keyword.
 * The browser fits a phone-sized screen. The ticket list sorts by its column headers (mouse and
 * keyboard), the order of the rows always being the store's. Screenshots:
 * test-artifacts/console-databases/.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInBrowser, PHONE } from '../helpers/browser.js';
import { registerShop, startConsoleEnv, type ConsoleEnv } from '../helpers/console-env.js';
import { awaitPrecheck, ok } from '../helpers/server.js';

const PASSWORD = { ulla: 'Ulla-databases-pass-1' };

describeInBrowser('console database browser and ticket sorting in Chromium', () => {
  let env: ConsoleEnv<keyof typeof PASSWORD>;
  let dbId: number;
  let shopFile: string;

  beforeAll(async () => {
    env = await startConsoleEnv('console-databases', PASSWORD);
    ({ file: shopFile, dbId } = await registerShop(env));
    ok(await env.admin('SetOwners', { ResourceId: String(dbId), OwnerType: 'DATABASE', OwnerIds: String(env.mike.userId) }));
  }, 90_000);
  afterAll(() => env?.close());
  afterEach(() => env.browser.expectNoPageErrors());

  const shot = (page: Page, name: string) => env.browser.shot(page, name);
  const cells = (page: Page, rows: string) => page.locator(rows).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')));

  /** What the SQLite file itself holds. */
  function shopTruth() {
    const db = new Database(shopFile, { readonly: true });
    try {
      const tables = (db.prepare(`select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' order by name`).all() as { name: string }[]).map((r) => r.name);
      const columns = (db.prepare(`select name, type from pragma_table_info('customers') order by cid`).all() as { name: string; type: string }[]).map((c) => [c.name, c.type.toLowerCase()]);
      // Indexes as ListIndexes shows them: an `integer primary key` is the rowid (PRIMARY, no index
      // of its own in SQLite), then the file's indexes by name, key columns in index order.
      const indexes = (table: string) => {
        const list = db.prepare(`select name, "unique" as u from pragma_index_list(?) order by name`).all(table) as { name: string; u: number }[];
        const rows = list.map((ix) => {
          const cols = (db.prepare('select name from pragma_index_info(?) order by seqno').all(ix.name) as { name: string }[]).map((c) => c.name);
          return [ix.name, ix.u ? 'Unique' : 'Normal', ix.u ? 'yes' : 'no', cols.join(', ')];
        });
        return [['PRIMARY', 'Primary key', 'yes', 'id'], ...rows];
      };
      return { tables, columns, customerIndexes: indexes('customers'), orderIndexes: indexes('orders') };
    } finally {
      db.close();
    }
  }

  it('browses instances → database → tables → columns, searches, and files an export from the database', async () => {
    const truth = shopTruth();
    expect(truth.tables).toContain('customers');
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/');
    await env.logIn(page, 'ulla');

    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Databases' }).click();
    await page.getByRole('heading', { name: 'Databases' }).waitFor();
    const instanceRow = page.locator('tr', { has: page.getByRole('link', { name: 'demo-shop' }) });
    await instanceRow.waitFor();
    // Instance, type, host, environment, DBA, state.
    expect((await cells(page, 'table.db-table tbody tr'))).toEqual([['demo-shop', 'sqlite', shopFile, 'dev', 'dora', 'NORMAL']]);
    // A search the server answers with nothing.
    await page.getByLabel('Search instances (alias or host)').fill('no-such-instance');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No instance matches.').waitFor();
    expect(page.url()).toContain('q=no-such-instance');
    await page.getByLabel('Search instances (alias or host)').fill('demo');
    await page.getByRole('button', { name: 'Search' }).click();
    await instanceRow.waitFor();
    await shot(page, '01-instances');

    await page.getByRole('link', { name: 'demo-shop' }).click();
    await page.getByRole('heading', { name: 'Instance demo-shop' }).waitFor();
    const dbRow = page.locator(`tr[data-db-id="${dbId}"]`);
    await dbRow.waitFor();
    // Database, environment, owners (the DBA etc. are wide-only columns, shown at 1280 px).
    expect((await cells(page, `tr[data-db-id="${dbId}"]`))[0]!.slice(0, 4)).toEqual(['main', 'dev', 'mike', 'dora']);
    await shot(page, '02-instance-databases');

    await dbRow.getByRole('link', { name: 'main' }).click();
    await page.getByRole('heading', { name: 'Database main' }).waitFor();
    await page.locator('tr[data-table-id]').first().waitFor();
    const tableNames = () => page.locator('tr[data-table-id] td:first-child').allTextContents();
    expect((await tableNames()).map((s) => s.trim())).toEqual(truth.tables);

    // Table search (SearchName, on the server): only the names containing "order".
    await page.getByLabel('Search tables').fill('order');
    await page.getByLabel('Search tables').press('Enter');
    const ordered = truth.tables.filter((n) => n.includes('order'));
    expect(ordered.length).toBeGreaterThan(0);
    expect(ordered.length).toBeLessThan(truth.tables.length);
    await expect.poll(async () => (await tableNames()).map((s) => s.trim())).toEqual(ordered);
    await page.getByLabel('Search tables').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(async () => (await tableNames()).map((s) => s.trim())).toEqual(truth.tables);

    // The columns of customers: names and types as SQLite declares them.
    await page.getByRole('link', { name: 'customers', exact: true }).click();
    await page.getByRole('heading', { name: 'Columns of customers' }).waitFor();
    await page.locator('tr[data-column]').first().waitFor();
    const columns = () => page.locator('tr[data-column]').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('.db-name')!.textContent, tr.querySelector('.db-type')!.textContent]));
    expect(await columns()).toEqual(truth.columns);
    expect(await page.getByRole('link', { name: 'customers', exact: true }).getAttribute('aria-current')).toBe('true');
    expect(page.url()).toMatch(/table=\d+/);
    // Its indexes beside the columns: the rowid primary key and the unique index SQLite made for `email`.
    await page.getByRole('heading', { name: 'Indexes of customers' }).waitFor();
    await page.locator('tr[data-index]').first().waitFor();
    expect(truth.customerIndexes.map((r) => r[0])).toEqual(['PRIMARY', 'sqlite_autoindex_customers_1']);
    expect(await cells(page, 'tr[data-index]')).toEqual(truth.customerIndexes);
    await shot(page, '03-database-tables-columns');
    await page.getByLabel('Filter columns').fill('mail');
    await expect.poll(columns).toEqual(truth.columns.filter(([n]) => n!.includes('mail')));
    await shot(page, '04-columns-filtered');

    // Another table: the indexes follow the chosen table (orders: three non-unique ones).
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    await page.getByRole('heading', { name: 'Indexes of orders' }).waitFor();
    expect(truth.orderIndexes.filter((r) => r[1] === 'Normal').length).toBe(3);
    await expect.poll(() => cells(page, 'tr[data-index]')).toEqual(truth.orderIndexes);
    await shot(page, '04b-orders-indexes');

    // "New data export" on this database: the picker has it chosen.
    await page.getByRole('link', { name: /^New data export on / }).click();
    await page.getByRole('heading', { name: 'New data export' }).waitFor();
    const radio = page.locator(`input[type=radio][name=database][value="${dbId}"]`);
    await expect.poll(() => radio.isChecked(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('.sql-editor').getAttribute('data-engine')).toBe('sqlite');
    await shot(page, '05-new-export-preselected');
    await ctx.close();
  });

  it('fits a phone-sized screen without horizontal overflow of the main content', async () => {
    const { ctx, page } = await env.browser.open(PHONE);
    await page.goto(env.srv.url + '/console/');
    await env.logIn(page, 'ulla');
    // Runs in the page (a string: the test's own tsconfig has no DOM types).
    const overflow = () =>
      page.evaluate(`(() => {
        const main = document.querySelector('main');
        return { page: document.documentElement.scrollWidth - window.innerWidth, main: main.scrollWidth - main.clientWidth };
      })()`) as Promise<{ page: number; main: number }>;
    await page.goto(env.srv.url + '/console/#/databases');
    await page.getByRole('link', { name: 'demo-shop' }).waitFor();
    expect(await overflow()).toEqual({ page: 0, main: 0 });
    await shot(page, '06-instances-phone');
    await page.goto(`${env.srv.url}/console/#/databases/db/${dbId}`);
    await page.getByRole('link', { name: 'customers', exact: true }).click();
    await page.locator('tr[data-column]').first().waitFor();
    expect(await overflow()).toEqual({ page: 0, main: 0 });
    await shot(page, '07-columns-phone');
    await ctx.close();
  });

  it('filters instances by environment and finds a database across instances', async () => {
    // A second instance, in another environment, with a table of its own.
    const archiveFile = path.join(env.srv.server.deps.config.sqliteInstanceDir, 'archive.db');
    const file = new Database(archiveFile);
    file.exec('create table logs (id integer primary key, message text not null)');
    file.close();
    ok(await env.admin('RegisterInstance', { InstanceType: 'sqlite', Host: archiveFile, InstanceAlias: 'archive', EnvType: 'test', DbaUid: 'dora', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default' }));
    const archiveDbId = Number(ok(await env.admin('GetDatabase', { Host: archiveFile, Port: 0, SchemaName: 'main' })).Database.DatabaseId);

    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/');
    await env.logIn(page, 'ulla');
    await page.goto(env.srv.url + '/console/#/databases');
    const instances = async () => (await cells(page, 'table.db-table tbody tr')).map((r) => r[0]).sort();
    await expect.poll(instances).toEqual(['archive', 'demo-shop']);
    await page.getByLabel('Environment').selectOption('test');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(instances).toEqual(['archive']);
    expect(page.url()).toContain('env=test');
    // Back: the list and the form follow the URL.
    await page.goBack();
    await expect.poll(instances).toEqual(['archive', 'demo-shop']);
    expect(await page.getByLabel('Environment').inputValue()).toBe('');

    // SearchDatabase over every instance: the keyword matches the instance alias.
    await page.getByRole('tab', { name: 'Find a database' }).click();
    await page.getByLabel('Search databases (name, alias or host)').fill('archive');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('tr[data-db-id]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-db-id')))).toEqual([String(archiveDbId)]);
    const [name, engine, environment, owners] = (await cells(page, 'tr[data-db-id]'))[0]!;
    expect(name).toContain('archive');
    expect([engine, environment, owners]).toEqual(['sqlite', 'test', 'none']);
    await shot(page, '08-find-database');
    await page.locator(`tr[data-db-id="${archiveDbId}"] a`).click();
    await page.getByRole('heading', { name: 'Database main' }).waitFor();
    await expect.poll(async () => (await page.locator('tr[data-table-id] td:first-child').allTextContents()).map((x) => x.trim())).toEqual(['logs']);
    await ctx.close();
  });

  it('sorts the ticket list by a column header, on the server, kept in the URL', async () => {
    // Five tickets, then times chosen so the three sortable columns give three different orders.
    const call = env.as(env.ulla);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id: number = ok(await call('CreateOrder', { Comment: `sorted ${i}`, PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId, exeSQL: 'select id from customers', affectRows: 10 }) })).CreateOrderResult.OrderIds[0];
      await awaitPrecheck(call, id);
      ids.push(id);
    }
    const hour = 3_600_000;
    const base = Date.UTC(2026, 5, 1);
    const times = [[3, 40], [1, 20], [4, 10], [2, 50], [5, 30]];
    const store = env.srv.server.deps.db;
    for (const [i, id] of ids.entries()) {
      await store.updateTable('ticket').set({ created_at: base + times[i]![0]! * hour, modified_at: base + times[i]![1]! * hour }).where('id', '=', id).execute();
    }
    const storeOrder = async (column: 'id' | 'created_at' | 'modified_at', dir: 'asc' | 'desc') => {
      const rows = await store.selectFrom('ticket').select(['id', 'created_at', 'modified_at']).where('committer_id', '=', env.ulla.userId).execute();
      return rows.sort((a, b) => (dir === 'asc' ? 1 : -1) * (Number(a[column]) - Number(b[column]) || a.id - b.id)).map((r) => r.id);
    };

    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/');
    await env.logIn(page, 'ulla');
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    const shown = () => page.locator('table.tickets tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-order-id'))));
    const sortOf = (name: string) => page.locator('table.tickets th', { has: page.getByRole('button', { name, exact: true }) }).getAttribute('aria-sort');

    // Default: newest first by creation time.
    await expect.poll(shown).toEqual(await storeOrder('created_at', 'desc'));
    expect(await sortOf('Created')).toBe('descending');
    expect(await sortOf('Modified')).toBe('none');

    await page.getByRole('button', { name: 'Modified', exact: true }).click();
    await expect.poll(shown).toEqual(await storeOrder('modified_at', 'desc'));
    expect(await sortOf('Modified')).toBe('descending');
    expect(await sortOf('Created')).toBe('none');
    expect(page.url()).toMatch(/sort=MODIFY_TIME&dir=desc|dir=desc.*sort=MODIFY_TIME/);
    await page.getByRole('button', { name: 'Modified', exact: true }).click();
    await expect.poll(shown).toEqual(await storeOrder('modified_at', 'asc'));
    expect(await sortOf('Modified')).toBe('ascending');
    await shot(page, '09-tickets-by-modified-asc');

    // Keyboard only: focus the Id header's button and press Enter, then Space for the other direction.
    await page.getByRole('button', { name: 'Id', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(shown).toEqual(await storeOrder('id', 'desc'));
    await page.keyboard.press('Space');
    await expect.poll(shown).toEqual(await storeOrder('id', 'asc'));
    expect(await sortOf('Id')).toBe('ascending');

    // The order is in the URL: a reload (or a shared link) keeps it, and it survives a filter.
    await page.reload();
    await expect.poll(shown).toEqual(await storeOrder('id', 'asc'));
    await page.getByLabel('Search', { exact: true }).fill('sorted');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.url()).toContain('search=sorted');
    await expect.poll(shown).toEqual(await storeOrder('id', 'asc'));
    expect(page.url()).toContain('sort=ORDER_ID');
    await shot(page, '10-tickets-by-id-asc');
    await ctx.close();
  });
});
