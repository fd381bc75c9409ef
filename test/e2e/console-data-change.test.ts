/**
 * Data changes in the web console, in real headless Chromium against a real server (as
 * test/e2e/console.test.ts): ulla files an UPDATE without WHERE on a database whose review rule
 * `dml-no-where` is set to ERROR (through the API); the ticket page shows the finding with its
 * level and SUBMIT stays disabled; she edits the SQL (ModifyDataCorrectExecSQL, a new precheck),
 * submits; dora approves; ulla executes and the rows change; the SQL, rollback and backup files
 * download; "Create rollback ticket" files the rollback, which is approved and executed, and the
 * rows are back. Also: a .sql file uploaded for two databases, with the committer's rollback SQL.
 * Screenshots: test-artifacts/console-data-change/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, PHONE, statusOf } from '../helpers/browser.js';
import { startConsoleEnv, type ConsoleEnv } from '../helpers/console-env.js';
import { registerSqlite, withSqlite, type SqliteTarget } from '../helpers/export-flow.js';
import { ok } from '../helpers/server.js';

const PASSWORD = { ulla: 'Ulla-dc-console-pass-1', dora: 'Dora-dc-console-pass-1' };
const ACCOUNTS = 'create table accounts (id integer primary key, owner text not null, balance integer not null);' + "insert into accounts values (1, 'ann', 100), (2, 'bob', 200), (3, 'cyd', 300), (4, 'dan', 400), (5, 'eve', 500);";
const BAD_SQL = 'update accounts set balance = 0;';
const FIXED_SQL = 'update accounts set balance = balance + 1000 where id <= 3;';

describeInBrowser('data changes in the web console', () => {
  let env: ConsoleEnv<keyof typeof PASSWORD>;
  let a: SqliteTarget;
  let b: SqliteTarget;

  beforeAll(async () => {
    env = await startConsoleEnv('console-data-change', PASSWORD);
    a = await registerSqlite(env, 'ledger_a', (db) => db.exec(ACCOUNTS), 'ledger-a');
    b = await registerSqlite(env, 'ledger_b', (db) => db.exec(ACCOUNTS), 'ledger-b');
    // The tenant's review rule: an UPDATE or DELETE without WHERE blocks the precheck on dev databases.
    const rule = ok(await env.admin('SetSqlReviewRule', { RuleId: 'dml-no-where', Level: 'ERROR', EnvType: 'dev' })).Rule;
    expect(rule).toMatchObject({ RuleId: 'dml-no-where', Level: 'ERROR', LevelSource: 'dev' });
  }, 90_000);
  afterAll(() => env?.close());
  afterEach(() => env.browser.expectNoPageErrors());

  const shot = (page: Page, name: string) => env.browser.shot(page, name);
  const balances = (t: SqliteTarget) => withSqlite(t.file, (db) => db.prepare('select balance from accounts order by id').pluck().all() as number[]);
  const orderIdOf = (page: Page) => Number(/#\/tickets\/(\d+)/.exec(page.url())?.[1]);
  const fieldError = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('.field-error');

  /** The downloaded file behind a button or link, as text. */
  async function downloaded(page: Page, click: () => Promise<void>, name: string): Promise<string> {
    const [file] = await Promise.all([page.waitForEvent('download'), click()]);
    const to = path.join(env.browser.artifacts, name);
    await file.saveAs(to);
    return fs.readFileSync(to, 'utf8');
  }

  /** dora approves the ticket from its page (a phone-sized screen, as from a notification link). */
  async function approveAsDora(orderId: number, shotName?: string): Promise<void> {
    const d = await env.browser.open(PHONE);
    await d.page.goto(`${env.srv.url}/console/#/tickets/${orderId}`);
    await env.logIn(d.page, 'dora');
    await d.page.getByRole('button', { name: 'Approve' }).click();
    await d.page.getByLabel('Comment (optional)').fill('checked the rows');
    await d.page.getByRole('button', { name: 'Confirm: Approve' }).click();
    await expect.poll(() => statusOf(d.page), { timeout: 10_000 }).toBe('Approved');
    if (shotName) await shot(d.page, shotName);
    await d.ctx.close();
  }

  /** The committer on the ticket page: precheck passed → submit → (dora approves) → execute → succeeded. */
  async function submitApproveExecute(page: Page, orderId: number, shotPrefix?: string): Promise<void> {
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    await expect.poll(() => submit.isEnabled(), { timeout: 15_000 }).toBe(true);
    await submit.click();
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('Under approval');
    await approveAsDora(orderId, shotPrefix && `${shotPrefix}-approved-phone`);
    await page.reload();
    // A mark in the page's globals: it survives only if the page is never reloaded from here on.
    await page.evaluate(() => ((globalThis as Record<string, unknown>).dcNoReload = true));
    await page.getByRole('button', { name: 'Execute' }).click();
    // The page follows the execution by itself until the ticket has succeeded.
    await expect.poll(() => statusOf(page), { timeout: 20_000 }).toBe('Succeeded');
    await expect.poll(() => page.getByTestId('dc-job-status').textContent(), { timeout: 10_000 }).toBe('SUCCESS');
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).dcNoReload)).toBe(true);
  }

  it('files a change the review blocks, fixes it, runs it and rolls it back from the ticket page', async () => {
    const before = balances(a);
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/');
    await env.logIn(page, 'ulla');
    await page.getByRole('link', { name: 'New data change' }).click();
    await page.getByRole('heading', { name: 'New data change' }).waitFor();

    // The server's messages next to the fields they name: the reason, then the databases, then the SQL.
    await page.getByRole('button', { name: 'File the ticket' }).click();
    await fieldError(page, 'Reason').waitFor();
    expect(await fieldError(page, 'Reason').textContent()).toMatch(/Comment is mandatory/);
    await page.getByLabel('Reason', { exact: true }).fill('reset the balances of the test accounts');
    await page.getByRole('button', { name: 'File the ticket' }).click();
    await page.locator('.db-picker .field-error').waitFor();
    expect(await page.locator('.db-picker .field-error').textContent()).toBe('at least one database');
    await page.getByLabel('Search databases').fill('ledger-a');
    await page.getByRole('checkbox', { name: /ledger-a/ }).check();
    await page.getByRole('button', { name: 'File the ticket' }).click();
    const sqlError = page.locator('.field', { has: page.locator('.sql-editor') }).locator('.field-error');
    await sqlError.waitFor();
    expect(await sqlError.textContent()).toMatch(/execSQL is required when sqlType is TEXT/);
    expect(await fieldError(page, 'Reason').count()).toBe(0);
    await shot(page, '01-validation-errors');

    expect(await page.locator('.sql-editor').getAttribute('data-engine')).toBe('sqlite');
    await page.locator('.sql-editor .cm-content').fill(BAD_SQL);
    await page.getByLabel('Who starts the execution').selectOption('COMMITOR');
    await page.getByLabel('Estimated affected rows').fill('5');
    await page.getByLabel('Find users to follow the ticket').fill('mike');
    await page.getByRole('button', { name: /\+ mike/ }).click();
    await shot(page, '02-new-data-change');
    await page.getByRole('button', { name: 'File the ticket' }).click();
    await page.getByRole('heading', { name: /^Ticket \d+: reset the balances/ }).waitFor();
    const orderId = orderIdOf(page);
    expect(orderId).toBeGreaterThan(0);

    // The precheck runs in the background; the page follows it. The review's finding, with its level.
    await expect.poll(() => page.getByTestId('dc-status').textContent(), { timeout: 15_000 }).toBe('precheckFailed');
    const finding = page.locator('.findings li[data-rule="dml-no-where"]');
    await finding.waitFor();
    expect(await finding.getAttribute('data-level')).toBe('ERROR');
    expect(await finding.locator('.level').textContent()).toBe('Error');
    expect(await finding.textContent()).toMatch(/UPDATE has no WHERE clause/);
    expect(await page.locator('tr[data-statement="1"] .badge').textContent()).toBe('Blocked');
    expect(await page.locator('tr[data-step="SQL_REVIEW"] td').nth(1).textContent()).toBe('FAIL');
    expect(await page.getByRole('button', { name: 'Submit for approval' }).isDisabled()).toBe(true);
    expect(await page.getByText('mike', { exact: false }).count()).toBeGreaterThan(0);
    await shot(page, '03-review-blocks');

    // The fix: edit the SQL on the ticket (ModifyDataCorrectExecSQL); a new precheck runs.
    await page.getByRole('button', { name: 'Edit the SQL' }).click();
    const newSql = page.getByLabel('New SQL');
    expect(await newSql.inputValue()).toBe(BAD_SQL);
    await newSql.fill(FIXED_SQL);
    await page.getByRole('button', { name: 'Confirm: Edit the SQL' }).click();
    await expect.poll(() => page.getByTestId('dc-status').textContent(), { timeout: 15_000 }).toBe('precheck_success');
    await page.locator('pre.sql', { hasText: 'balance + 1000' }).waitFor();
    expect(await page.locator('tr[data-statement="1"] .badge').textContent()).toBe('Passed');
    expect(await page.locator('tr[data-statement="1"] [data-testid="dc-rows"]').textContent()).toBe('3 (counted)');
    expect(await page.locator('.findings li[data-rule="dml-no-where"]').count()).toBe(0);
    await shot(page, '04-review-passes');

    await submitApproveExecute(page, orderId, '05');
    expect(await page.getByTestId('dc-rows-done').textContent()).toBe('3 of 3 rows');
    expect(await page.locator('#dc-progress').getAttribute('value')).toBe(await page.locator('#dc-progress').getAttribute('max'));
    expect(balances(a)).toEqual([1100, 1200, 1300, 400, 500]);
    expect(balances(b)).toEqual(before);
    await shot(page, '06-executed');

    // The files behind signed links.
    expect(await downloaded(page, () => page.getByRole('button', { name: 'Download the SQL' }).click(), 'change.sql')).toBe(FIXED_SQL);
    const rollbackSql = await downloaded(page, () => page.getByRole('button', { name: 'Download the rollback SQL' }).click(), 'rollback.sql');
    expect(rollbackSql).toMatch(/UPDATE \W?accounts\W? SET \W?balance\W? = 100 WHERE \W?id\W? = 1;/);
    await page.getByRole('button', { name: 'Get the backup files' }).click();
    const backup = await downloaded(page, () => page.getByRole('link', { name: 'Backup file 1' }).click(), 'backup.jsonl');
    const [header, ...rows] = backup.trim().split('\n').map((l) => JSON.parse(l));
    expect(header).toMatchObject({ kind: 'UPDATE', table: { name: 'accounts' } });
    expect(rows.map((r: unknown[]) => r[2])).toEqual([100, 200, 300]);

    // Roll it back from the ticket page: a new ticket with the generated rollback, through its own approval.
    await page.getByRole('button', { name: 'Create rollback ticket' }).click();
    await page.getByRole('heading', { name: new RegExp(`^Ticket \\d+: Rollback of ticket ${orderId}`) }).waitFor();
    const rollbackId = orderIdOf(page);
    expect(rollbackId).toBeGreaterThan(orderId);
    await page.locator('pre.sql', { hasText: /UPDATE \W?accounts\W? SET \W?balance\W? = 100/ }).waitFor();
    await shot(page, '07-rollback-ticket');
    await submitApproveExecute(page, rollbackId);
    expect(balances(a)).toEqual(before);
    await shot(page, '08-rolled-back');
    await page.goto(`${env.srv.url}/console/#/tickets/${orderId}`);
    await page.locator('.timeline', { hasText: `rollback ticket ${rollbackId}` }).waitFor();
    await ctx.close();
  }, 180_000);

  it('files a .sql file for two databases with the committer\'s own rollback SQL', async () => {
    const sqlFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dc-console-')), 'raise.sql');
    fs.writeFileSync(sqlFile, 'update accounts set balance = balance + 1 where id = 5;\ndelete from accounts where id = 4;\n');
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/#/new/data-change');
    await env.logIn(page, 'ulla');
    await page.getByRole('heading', { name: 'New data change' }).waitFor();
    await page.getByLabel('Search databases').fill('ledger');
    await page.getByRole('checkbox', { name: /ledger-a/ }).check();
    await page.getByRole('checkbox', { name: /ledger-b/ }).check();
    await page.getByText('2 chosen').waitFor();
    await page.getByRole('radio', { name: 'Upload a .sql file' }).check();
    await page.getByLabel('SQL file', { exact: true }).setInputFiles(sqlFile);
    await expect.poll(() => page.getByTestId('dc-upload').textContent(), { timeout: 10_000 }).toMatch(/^Uploaded raise\.sql \(\d+ bytes\)\.$/);
    await page.getByLabel('Rollback SQL (optional)').fill("update accounts set balance = balance - 1 where id = 5;\ninsert into accounts values (4, 'dan', 400);");
    await page.getByLabel('Estimated affected rows').fill('1');
    await page.getByLabel('Reason', { exact: true }).fill('from a file on two databases');
    await shot(page, '09-upload-two-databases');
    await page.getByRole('button', { name: 'File the ticket' }).click();
    await page.getByRole('heading', { name: /^Ticket \d+: from a file on two databases/ }).waitFor();
    const orderId = orderIdOf(page);

    // Two statements on each database; the row check counts 2 per database, more than the estimate of 1.
    await expect.poll(() => page.getByTestId('dc-status').textContent(), { timeout: 15_000 }).toBe('precheckFailed');
    expect(await page.locator('table.dc-review tbody tr').count()).toBe(4);
    expect(await page.locator(`table.dc-review tr[data-db-id="${a.dbId}"]`).count()).toBe(2);
    expect(await page.locator(`table.dc-review tr[data-db-id="${b.dbId}"]`).count()).toBe(2);
    expect(await page.locator('tr[data-step="ROW_CHECK"] td').nth(1).textContent()).toBe('FAIL');
    await page.locator('pre.sql', { hasText: "insert into accounts values (4, 'dan', 400)" }).waitFor();
    const detail = ok(await env.as(env.ulla)('GetDataCorrectOrderDetail', { OrderId: orderId })).DataCorrectOrderDetail;
    expect(detail.OrderDetail).toMatchObject({ SqlType: 'ATTACHMENT', RbSQLType: 'TEXT', EstimateAffectRows: 1 });
    expect(detail.DatabaseList.Database.map((d: { DbId: number }) => d.DbId).sort()).toEqual([a.dbId, b.dbId].sort());
    // The committer's rollback is downloadable before execution; the SQL is the uploaded file.
    expect(await downloaded(page, () => page.getByRole('button', { name: 'Download the rollback SQL' }).click(), 'own-rollback.sql')).toMatch(/^update accounts set balance = balance - 1/);
    expect(await downloaded(page, () => page.getByRole('button', { name: 'Download the SQL' }).click(), 'uploaded.sql')).toBe(fs.readFileSync(sqlFile, 'utf8'));
    await shot(page, '10-two-databases-detail');
    // In Chinese: the review's headings and the rollback action's texts come from messages/data-change.ts.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('columnheader', { name: '审核发现' }).waitFor();
    await page.getByRole('button', { name: '下载回滚 SQL' }).waitFor();
    await shot(page, '11-two-databases-zh');
    await page.getByLabel('语言').selectOption('en');
    await ctx.close();
  }, 90_000);
});
