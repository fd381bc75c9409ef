/**
 * Accessibility of the web console (issue 7), in real headless Chromium against a real server with
 * demo-like data: axe-core (expectAccessible: no "serious" or "critical" violation) on every page
 * as an ADMIN at 1280×900 (and the login page logged out); the ticket list and a ticket with
 * Approve buttons on a phone (390×844) without horizontal scrolling; the Approve button reached
 * with Tab from the top of the page, its form opened with Enter (focus on the comment, Cancel gives
 * it back) and the ticket approved with the keyboard only; an error (from the server, or a page that
 * throws while rendering) shown as a labelled alert with its code, never a stack.
 * Screenshots: test-artifacts/console-a11y/.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createShopDatabase } from '../../src/demo/shop-db.js';
import { setPassword } from '../../src/modules/identity/sessions.js';
import { ConsoleBrowser, describeInBrowser, expectAccessible, logIn as logInAs, PHONE } from '../helpers/browser.js';
import { fileExport, startExportEnv, waitPhase, type ExportEnv } from '../helpers/export-flow.js';
import { ok } from '../helpers/server.js';

const PASSWORD = { admin: 'Admin-a11y-pass-1', dora: 'Dora-a11y-pass-1' };
const TAB_LIMIT = 60;

describeInBrowser('web console accessibility', () => {
  let env: ExportEnv;
  let browser: ConsoleBrowser;
  let dbId = 0;
  let instanceId = '';
  const orders = { export: 0, dataChange: 0, design: 0 };

  beforeAll(async () => {
    env = await startExportEnv();
    // The demo shop database (what `serve --demo` registers), with dora as its DBA.
    const shopFile = path.join(env.srv.server.deps.config.sqliteInstanceDir, 'shop.db');
    createShopDatabase(shopFile);
    ok(await env.admin('RegisterInstance', { InstanceType: 'sqlite', Host: shopFile, InstanceAlias: 'demo-shop', EnvType: 'dev', DbaUid: 'dora', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC' }));
    const db = ok(await env.admin('GetDatabase', { Host: shopFile, Port: 0, SchemaName: 'main' })).Database;
    dbId = Number(db.DatabaseId);
    instanceId = String(db.InstanceId);
    // An export waiting for dora's approval.
    orders.export = await fileExport(env, dbId, 'select id, name, city from customers order by id');
    await waitPhase(env, orders.export, 'PRE_CHECK_SUCCESS');
    ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orders.export }));
    // A data change and a schema design with one change, so their detail pages have content.
    const dc = ok(
      await env.as(env.ulla)('CreateDataCorrectOrder', {
        Comment: 'fix a price',
        Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: 'update products set price = price * 1.1 where id = 3;', EstimateAffectRows: 1 }),
      }),
    );
    orders.dataChange = Number(dc.CreateOrderResult[0]);
    orders.design = Number(ok(await env.as(env.ulla)('CreateOrder', { Comment: 'reviews table', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'Reviews', description: 'product reviews', dbId, logic: false }) })).CreateOrderResult.OrderIds[0]);
    ok(await env.v3(env.ulla)('AddTableDesignChange', { OrderId: orders.design, SQL: 'create table reviews (id integer primary key, product_id integer not null, rating integer not null)' }));
    await setPassword(env.srv.server.deps, 'admin', PASSWORD.admin);
    await setPassword(env.srv.server.deps, 'dora', PASSWORD.dora);
    browser = await ConsoleBrowser.launch('console-a11y');
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });
  afterEach(() => browser.expectNoPageErrors());

  const url = (hash: string) => `${env.srv.url}/console/#${hash}`;
  /** Waits for the page's main heading and until nothing is loading any more. */
  const settle = async (page: Page, heading: string | RegExp) => {
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await expect.poll(() => page.getByText('Loading…').count(), { timeout: 10_000 }).toBe(0);
  };
  const check = async (page: Page, name: string) => {
    await browser.shot(page, name);
    await expectAccessible(page, name);
  };
  const noHorizontalOverflow = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  it('has no serious or critical axe violation on any page at 1280px', async () => {
    const { ctx, page } = await browser.open();
    await page.goto(url('/tickets'));
    await settle(page, 'Log in to OpenDMS');
    await check(page, '01-login');
    // The check itself fails on a violation: an unlabelled text field, named with its selector.
    await page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\\'unlabelled-probe\\'>')");
    await expect(expectAccessible(page, 'probe')).rejects.toThrow(/label \(critical\)[\s\S]*#unlabelled-probe/);
    await page.evaluate("document.getElementById('unlabelled-probe').remove()");
    await logInAs(page, 'admin', PASSWORD.admin);

    await settle(page, 'Tickets');
    await page.getByRole('tab', { name: 'All tickets' }).click();
    await page.locator(`tr[data-order-id="${orders.export}"]`).waitFor();
    await check(page, '02-tickets-all');

    const pages: [string, string | RegExp, string, ((p: Page) => Promise<unknown>)?][] = [
      [`/tickets/${orders.export}`, `Ticket ${orders.export}: export for a test`, '03-export-detail', (p) => p.locator('#approval-title').waitFor()],
      [`/tickets/${orders.dataChange}`, `Ticket ${orders.dataChange}: fix a price`, '04-data-change-detail', (p) => p.locator('pre.sql', { hasText: 'update products' }).waitFor()],
      [`/tickets/${orders.design}`, `Ticket ${orders.design}: reviews table`, '05-schema-design-detail', (p) => p.locator('#sd-title').waitFor()],
      ['/new/export', 'New data export', '06-new-export', (p) => p.locator('.sql-editor .cm-content').waitFor()],
      ['/new/data-change', /./, '07-new-data-change', (p) => p.locator('.sql-editor .cm-content').waitFor()],
      ['/new/schema-design', /./, '08-new-schema-design'],
      [`/new/schema-design?order=${orders.design}`, /Reviews/, '09-schema-design-editor', (p) => p.locator('.sd-editor li.sd-change').first().waitFor()],
      ['/password', 'Change password', '10-password'],
      ['/databases', /./, '11-databases'],
      [`/databases/instances/${instanceId}`, /./, '12-databases-instance'],
      [`/databases/db/${dbId}`, /./, '13-databases-db', (p) => p.locator('#db-tables-h').waitFor()],
      ['/admin/users', 'Administration', '15-admin-users', (p) => p.getByRole('heading', { name: 'Users and roles' }).waitFor()],
      ['/admin/approvals', 'Administration', '16-admin-approvals', (p) => p.locator('#adm-templates').waitFor()],
      ['/admin/access-keys', 'Administration', '17-admin-access-keys'],
      ['/admin/webhooks', 'Administration', '18-admin-webhooks'],
      ['/admin/review-rules', 'Administration', '19-admin-review-rules'],
      ['/admin/rd-flow', 'Administration', '20-admin-flow'],
    ];
    for (const [hash, heading, name, ready] of pages) {
      await page.goto(url(hash));
      await settle(page, heading);
      await ready?.(page);
      await check(page, name);
      expect(await noHorizontalOverflow(page), `${name} scrolls sideways at 1280px`).toBe(true);
      if (hash === `/databases/db/${dbId}`) {
        // A table's columns and indexes.
        await page.getByRole('link', { name: 'customers', exact: true }).click();
        await page.getByRole('heading', { name: /customers/, level: 2 }).first().waitFor();
        await expect.poll(() => page.getByText('Loading…').count(), { timeout: 10_000 }).toBe(0);
        await check(page, '14-databases-table');
        expect(await noHorizontalOverflow(page), '14-databases-table scrolls sideways at 1280px').toBe(true);
      }
      if (hash === '/new/export') {
        // The server's refusals next to their fields.
        await page.getByRole('button', { name: 'File the ticket' }).click();
        await page.locator('.field-error').first().waitFor();
        await check(page, '06-new-export-errors');
      }
    }
    await ctx.close();
  }, 180_000);

  it('shows an error as a labelled alert with the DMS code, never a stack', async () => {
    const { ctx, page } = await browser.open();
    await page.goto(url('/tickets/987654'));
    await logInAs(page, 'admin', PASSWORD.admin);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await page.getByRole('heading', { name: 'Ticket 987654', level: 1 }).waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/Error code: \S+/);
    expect(text).not.toMatch(/\bat .+:\d+:\d+|Error:\s/);
    await check(page, '21-error');

    // A page that throws while rendering (here: formatting a time) shows the same labelled alert in
    // the shell, not a blank screen, and the error is still reported as uncaught.
    await page.goto(url('/tickets?tab=AS_ADMIN'));
    await page.locator(`tr[data-order-id="${orders.export}"]`).waitFor();
    await page.evaluate("window.__toLocaleString = Date.prototype.toLocaleString; Date.prototype.toLocaleString = function () { throw new Error('render probe') }");
    await page.getByRole('link', { name: String(orders.export), exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'render probe' }).waitFor();
    const crash = (await page.getByRole('alert').textContent()) ?? '';
    expect(crash).toContain('Something went wrong');
    expect(crash).toContain('Error code: ConsoleError');
    expect(crash).not.toMatch(/\bat .+:\d+:\d+/);
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    await check(page, '21-render-error');
    await expect.poll(() => browser.takePageErrors().join('\n')).toContain('render probe');
    // Back to the list with time formatting restored: the page renders again.
    await page.evaluate('Date.prototype.toLocaleString = window.__toLocaleString');
    await page.goto(url('/tickets?tab=AS_ADMIN'));
    await page.locator(`tr[data-order-id="${orders.export}"]`).waitFor();
    await ctx.close();
  }, 60_000);

  it('lets the DBA approve on a phone, without horizontal scrolling', async () => {
    const { ctx, page } = await browser.open(PHONE);
    await page.goto(url('/tickets?tab=AS_HANDLER'));
    await logInAs(page, 'dora', PASSWORD.dora);
    await page.getByRole('tab', { name: 'Waiting for me', selected: true }).waitFor();
    await page.locator(`tr[data-order-id="${orders.export}"]`).waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await check(page, '22-phone-waiting-for-me');

    await page.goto(url(`/tickets/${orders.export}`));
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    await expect.poll(() => page.getByText('Loading…').count(), { timeout: 10_000 }).toBe(0);
    expect(await noHorizontalOverflow(page)).toBe(true);
    await check(page, '23-phone-ticket');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel('Comment (optional)').waitFor();
    expect(await noHorizontalOverflow(page)).toBe(true);
    await check(page, '24-phone-approve-form');
    await ctx.close();
  }, 60_000);

  it('reaches Approve with Tab from the top, opens its form with Enter and approves with the keyboard only', async () => {
    const { ctx, page } = await browser.open();
    await page.goto(url(`/tickets/${orders.export}`));
    await logInAs(page, 'dora', PASSWORD.dora);
    // A fresh load: the focus starts at the top of the document.
    await page.reload();
    const approve = page.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    const isFocused = (l: typeof approve) => l.evaluate((el) => el === el.ownerDocument.activeElement);
    let presses = 0;
    while (presses < TAB_LIMIT && !(await isFocused(approve))) {
      await page.keyboard.press('Tab');
      presses++;
    }
    expect(await isFocused(approve), `Approve not focused after ${TAB_LIMIT} presses of Tab`).toBe(true);
    await page.keyboard.press('Enter');
    // The form opens with the focus on its comment field; Cancel gives the focus back to Approve.
    const comment = page.getByLabel('Comment (optional)');
    await comment.waitFor();
    expect(await isFocused(comment)).toBe(true);
    await check(page, '25-keyboard-approve-form');
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('button', { name: 'Confirm: Approve' }))).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => comment.count()).toBe(0);
    expect(await isFocused(approve)).toBe(true);
    // Approve with the keyboard only.
    await page.keyboard.press('Enter');
    await comment.waitFor();
    await page.keyboard.type('approved from the keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.ticket-head .badge').textContent(), { timeout: 10_000 }).toBe('Approved');
    await page.locator('.chain blockquote', { hasText: 'approved from the keyboard' }).waitFor();
    await ctx.close();
  }, 60_000);
});
