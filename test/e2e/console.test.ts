/**
 * The web console in real headless Chromium (playwright-core, Debian's /usr/bin/chromium) against a
 * real server: ulla (USER) files an export on the demo shop database, dora (its DBA) finds it in
 * "waiting for me" and approves it on a phone-sized screen, ulla runs it as CSV and downloads the
 * zip, whose rows equal the source rows. Also: a validation error next to its field, and a session
 * that ends sends the user to login and back. Screenshots: test-artifacts/console/.
 * Without Chromium the test is skipped locally and fails under CI=true (test/helpers/browser.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { setPassword } from '../../src/modules/identity/sessions.js';
import { describeInBrowser, PHONE, statusOf } from '../helpers/browser.js';
import { registerShop, startConsoleEnv, type ConsoleEnv } from '../helpers/console-env.js';
import { parseCsv, unzip } from '../helpers/export-flow.js';
import { ok } from '../helpers/server.js';
import type { Page } from 'playwright-core';

const PASSWORD = { ulla: 'Ulla-console-pass-1', dora: 'Dora-console-pass-1' };
const SQL = 'select id, name, email, city, country from customers order by id';

describeInBrowser('web console in Chromium', () => {
  let env: ConsoleEnv<keyof typeof PASSWORD>;
  let dbId: number;
  let shopFile: string;

  beforeAll(async () => {
    env = await startConsoleEnv('console', PASSWORD);
    // The demo shop database (what `serve --demo` registers), with dora as its DBA.
    ({ file: shopFile, dbId } = await registerShop(env));
  }, 90_000);
  afterAll(() => env?.close());
  afterEach(() => env.browser.expectNoPageErrors());

  const ARTIFACTS = () => env.browser.artifacts;
  const shot = (page: Page, name: string) => env.browser.shot(page, name);
  const open = (viewport?: { width: number; height: number }) => env.browser.open(viewport);
  const logIn = (page: Page, uid: keyof typeof PASSWORD) => env.logIn(page, uid);

  it('files, approves, executes and downloads an export', async () => {
    // ulla: the browser opens / and lands on the console's login page.
    const { ctx, page } = await open();
    await page.goto(env.srv.url + '/');
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.getByRole('heading', { name: 'Log in to OpenDMS' }).waitFor();
    await shot(page, '01-login');
    await logIn(page, 'ulla');
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();

    await page.getByRole('link', { name: 'New data export' }).click();
    await page.getByRole('heading', { name: 'New data export' }).waitFor();
    // Nothing filled in: the server's message shows next to the field it names.
    await page.getByRole('button', { name: 'File the ticket' }).click();
    const reasonError = page.locator('.field', { has: page.getByLabel('Reason', { exact: true }) }).locator('.field-error');
    await reasonError.waitFor();
    expect(await reasonError.textContent()).toMatch(/Comment is mandatory/);
    expect(await page.getByLabel('Reason', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot(page, '02-validation-error');
    // With a reason: the PluginParam keys' errors go next to the database picker and the SQL editor.
    await page.getByLabel('Reason', { exact: true }).fill('customer list for the newsletter');
    await page.getByRole('button', { name: 'File the ticket' }).click();
    await page.locator('.db-picker .field-error').waitFor();
    // The server's own words for the missing dbId (zod's union message).
    expect(await page.locator('.db-picker .field-error').textContent()).toMatch(/^(Invalid input|is required)$/);
    expect(await reasonError.count()).toBe(0);
    const sqlError = page.locator('.field', { has: page.locator('.sql-editor') }).locator('.field-error');
    expect(await sqlError.textContent()).toBe('the SELECT to export is required');
    expect(await page.locator('.sql-editor .cm-content').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Search databases').fill('shop');
    await page.getByRole('radio', { name: /shop/ }).first().check();
    expect(await page.locator('.sql-editor').getAttribute('data-engine')).toBe('sqlite');
    await page.locator('.sql-editor .cm-content').fill(SQL);
    await shot(page, '03-new-export');
    await page.getByRole('button', { name: 'File the ticket' }).click();
    await page.getByRole('heading', { name: /^Ticket \d+:/ }).waitFor();
    const orderId = Number(/#\/tickets\/(\d+)/.exec(page.url())?.[1]);
    expect(orderId).toBeGreaterThan(0);

    // The precheck runs in the background; the page reloads itself until SUBMIT is enabled.
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    await expect.poll(() => submit.isEnabled(), { timeout: 15_000 }).toBe(true);
    await submit.click();
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('Under approval');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await shot(page, '04-submitted');

    // dora, on a phone-sized screen: "waiting for me" → the ticket → approve with a comment.
    const d = await open(PHONE);
    await d.page.goto(env.srv.url + '/console/');
    await logIn(d.page, 'dora');
    await d.page.getByRole('tab', { name: 'Waiting for me' }).click();
    const row = d.page.locator(`tr[data-order-id="${orderId}"]`);
    await row.waitFor();
    await shot(d.page, '05-waiting-for-me-phone');
    await row.getByRole('link', { name: String(orderId) }).click();
    await d.page.getByRole('button', { name: 'Approve' }).click();
    await d.page.getByLabel('Comment (optional)').fill('fine for the newsletter');
    await d.page.getByRole('button', { name: 'Confirm: Approve' }).click();
    await expect.poll(() => statusOf(d.page), { timeout: 10_000 }).toBe('Approved');
    await d.page.locator('.chain blockquote', { hasText: 'fine for the newsletter' }).waitFor();
    await shot(d.page, '06-approved-phone');
    // dora is not the executor (ExecMode COMMITOR): no Execute button for her.
    expect(await d.page.getByRole('button', { name: 'Execute' }).count()).toBe(0);
    await d.ctx.close();

    // ulla: execute as CSV, watch it finish, download.
    await page.reload();
    await page.getByRole('button', { name: 'Execute' }).click();
    await page.getByLabel('File format').selectOption('CSV');
    await page.getByLabel('Encoding').selectOption('UTF8');
    await page.getByRole('button', { name: 'Confirm: Execute' }).click();
    const download = page.getByRole('button', { name: 'Download result' });
    await download.waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('job-status').textContent()).toBe('EXPORT_SUCCESS');
    expect(await page.getByTestId('rows-done').textContent()).toMatch(/^\d+ of \d+ rows$/);
    await shot(page, '07-export-done');
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const zipPath = path.join(ARTIFACTS(), 'export.zip');
    await file.saveAs(zipPath);

    const z = await unzip(new Uint8Array(fs.readFileSync(zipPath)));
    expect(z.names).toContain('export_1.csv');
    const [header, ...rows] = parseCsv(z.files.get('export_1.csv')!.toString('utf8'));
    const db = new Database(shopFile, { readonly: true });
    const source = db.prepare(SQL).raw().all() as unknown[][];
    db.close();
    expect(header).toEqual(['id', 'name', 'email', 'city', 'country']);
    expect(rows).toEqual(source.map((r) => r.map((v) => String(v))));
    expect(rows.length).toBeGreaterThan(10);

    // Switch to Chinese: remembered after a reload.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.reload();
    await page.getByRole('button', { name: '退出登录' }).waitFor();
    await shot(page, '08-detail-zh');
    await page.getByLabel('语言').selectOption('en');
    await ctx.close();
  }, 120_000);

  it('sends a user whose session ended to login and back to where they were', async () => {
    const { ctx, page } = await open();
    await page.goto(env.srv.url + '/console/#/tickets?tab=AS_COMMITTER');
    await logIn(page, 'ulla');
    await page.getByRole('tab', { name: 'Mine', selected: true }).waitFor();
    // The operator resets the password: every session of ulla ends.
    await setPassword(env.srv.server.deps, 'ulla', PASSWORD.ulla);
    await page.getByRole('tab', { name: 'Handled by me' }).press('Enter');
    await page.getByText('Your session has ended. Log in again to continue.').waitFor();
    expect(decodeURIComponent(page.url())).toContain('#/login?next=/tickets?tab=AS_OWNER');
    await shot(page, '09-session-ended');
    // With the keyboard only: the user name field has the focus, Tab to the password, Enter.
    await page.keyboard.type('ulla');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD.ulla);
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Handled by me', selected: true }).waitFor();
    expect(page.url()).toContain('#/tickets?tab=AS_OWNER');
    await page.getByRole('tab', { name: 'Mine' }).click();
    await page.getByRole('tab', { name: 'Mine', selected: true }).waitFor();
    await page.locator('table.tickets').waitFor();
    await shot(page, '10-my-tickets');
    await ctx.close();
  }, 60_000);

  it('shows a data change with its precheck, and lets the DBA reject it with a comment', async () => {
    const created = ok(
      await env.as(env.ulla)('CreateDataCorrectOrder', {
        Comment: 'fix a price',
        Param: JSON.stringify({ DbItemList: [{ DbId: dbId, Logic: false }], SqlType: 'TEXT', ExecSQL: 'update products set price = price * 1.1 where id = 3;', EstimateAffectRows: 1 }),
      }),
    );
    const orderId = Number(created.CreateOrderResult[0]);
    const { ctx, page } = await open();
    await page.goto(`${env.srv.url}/console/#/tickets/${orderId}`);
    await logIn(page, 'ulla');
    await page.getByRole('heading', { name: `Ticket ${orderId}: fix a price` }).waitFor();
    await page.locator('pre.sql', { hasText: 'update products set price' }).waitFor();
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    await expect.poll(() => submit.isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('#dc-title ~ table tbody tr').count()).toBeGreaterThan(0);
    await submit.click();
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('Under approval');
    await shot(page, '12-data-change');
    await page.getByRole('button', { name: 'Log out' }).click();

    await logIn(page, 'dora');
    await page.goto(`${env.srv.url}/console/#/tickets/${orderId}`);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByLabel('Comment (optional)').fill('use a change window');
    await page.getByRole('button', { name: 'Confirm: Reject' }).click();
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('Rejected');
    await page.locator('.timeline', { hasText: 'use a change window' }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await ctx.close();
  }, 60_000);

  it('changes the password, with the server\'s errors next to their fields', async () => {
    const { ctx, page } = await open();
    await page.goto(env.srv.url + '/console/#/password');
    await logIn(page, 'dora');
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    const errorOf = (label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('.field-error');

    await page.getByLabel('Current password', { exact: true }).fill('not-her-password-1');
    await page.getByLabel('New password', { exact: true }).fill('Dora-new-pass-22');
    await page.getByLabel('Repeat the new password').fill('Dora-new-pass-22');
    await page.getByRole('button', { name: 'Save' }).click();
    await errorOf('Current password').waitFor();
    expect(await errorOf('Current password').textContent()).toMatch(/current password is wrong/);

    await page.getByLabel('Current password', { exact: true }).fill(PASSWORD.dora);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Save' }).click();
    await errorOf('New password').waitFor();
    expect(await errorOf('New password').textContent()).toMatch(/10 to 200 characters/);
    await shot(page, '11-password-error');

    await page.getByLabel('New password', { exact: true }).fill('Dora-new-pass-22');
    await page.getByLabel('Repeat the new password').fill('Dora-new-pass-22');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your password was changed.').waitFor();
    const login = await fetch(env.srv.url + '/console/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'dora', password: 'Dora-new-pass-22' }) });
    expect(login.status).toBe(200);
    await ctx.close();
  }, 60_000);
});
