/**
 * The console's administration pages in real headless Chromium against a real server: the admin
 * adds a user with a console password (after the server refused a weak one and an empty role
 * list, next to the fields), creates an approval node naming that user, a template with it and a
 * routing rule "data exports in test need this template" (after the server refused a rule without
 * a template, next to the field); a ticket filed afterwards through the API gets that chain, and
 * the chosen approver finds it in "Waiting for me" and sees themself in the chain. A non-admin
 * gets no Administration link and a refusal at the URL. An access key's secret is shown once
 * (and works), a reload does not show it again. Webhooks (the shown secret signs deliveries, the
 * log lists them), review rules per environment, the R&D flow; edits, moves and deletes with the
 * server's refusals. Screenshots: test-artifacts/console-admin/.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, logIn } from '../helpers/browser.js';
import { registerShop, startConsoleEnv, type ConsoleEnv } from '../helpers/console-env.js';
import { awaitPrecheck, gatewayError, ok, pop } from '../helpers/server.js';
import { fileExport } from '../helpers/export-flow.js';
import type { Page } from 'playwright-core';

const PASSWORD = { admin: 'Admin-console-pass-1', ulla: 'Ulla-console-pass-1', rita: 'Rita-console-pass-1' };

describeInBrowser('console administration in Chromium', () => {
  let env: ConsoleEnv<'admin' | 'ulla'>;
  let dbId: number;
  let receiver: http.Server;
  let receiverUrl = '';
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    // A webhook receiver on loopback (allowed by OPENDMS_WEBHOOK_ALLOWED_HOSTS).
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    // rita gets her console password in the test, from the admin's "Add user" form.
    env = await startConsoleEnv('console-admin', { admin: PASSWORD.admin, ulla: PASSWORD.ulla }, { OPENDMS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    // The demo shop database in the test environment, with dora as its DBA (the default route).
    dbId = (await registerShop(env, { envType: 'test' })).dbId;
  }, 90_000);
  afterAll(async () => {
    await env?.close();
    await new Promise((r) => receiver?.close(r));
  });
  afterEach(() => env.browser.expectNoPageErrors());

  const shot = (page: Page, name: string) => env.browser.shot(page, name);
  const fieldError = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('.field-error');
  const groupError = (page: Page, form: string, legend: string) => page.getByRole('form', { name: form }).locator('fieldset', { has: page.locator('legend', { hasText: legend }) }).locator('.field-error');

  it('adds a user with a password and an approval rule that then routes a new export to them', async () => {
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/');
    await logIn(page, 'admin', PASSWORD.admin);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
    expect(page.url()).toContain('#/admin/users');

    // Add a user: the server's messages next to the fields (no user name, then a weak password).
    const add = page.getByRole('form', { name: 'Add a user' });
    await add.getByRole('button', { name: 'Add user' }).click();
    await fieldError(page, 'User name (Uid)').waitFor();
    expect(await fieldError(page, 'User name (Uid)').textContent()).toMatch(/Uid is mandatory/);
    expect(await page.getByLabel('User name (Uid)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('User name (Uid)').fill('rita');
    await add.getByLabel('Nickname').fill('Rita Reviewer');
    await page.getByLabel('Console password (optional)').fill('short');
    await add.getByRole('button', { name: 'Add user' }).click();
    await fieldError(page, 'Console password (optional)').waitFor();
    expect(await fieldError(page, 'Console password (optional)').textContent()).toMatch(/10 to 200 characters/);
    await shot(page, '01-user-password-error');
    await page.getByLabel('Console password (optional)').fill(PASSWORD.rita);
    await add.getByRole('button', { name: 'Add user' }).click();
    await add.getByText('User rita was added and can log in with the password given.').waitFor();
    const ritaRow = page.locator('tr[data-uid="rita"]');
    await ritaRow.waitFor();
    expect(await ritaRow.locator('td').nth(2).textContent()).toBe('USER');
    const rita = ok(await env.admin('GetUser', { Uid: 'rita' })).User;
    expect(rita).toMatchObject({ NickName: 'Rita Reviewer', RoleNameList: { RoleNames: ['USER'] } });

    // Edit: no role at all is refused next to the roles; DBA added is saved.
    await page.getByRole('button', { name: 'Edit rita' }).click();
    const edit = page.getByRole('form', { name: 'Edit user rita' });
    await edit.getByLabel('USER', { exact: true }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await groupError(page, 'Edit user rita', 'Roles').waitFor();
    expect(await groupError(page, 'Edit user rita', 'Roles').textContent()).toMatch(/at least one role/);
    await edit.getByLabel('USER', { exact: true }).check();
    await edit.getByLabel('DBA', { exact: true }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => ritaRow.locator('td').nth(2).textContent(), { timeout: 10_000 }).toBe('USER, DBA');
    await shot(page, '02-users');

    // Approvals: a node naming rita, a template with it, a rule choosing it for exports in test.
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Approvals' }).click();
    const nodeForm = page.getByRole('form', { name: 'New approval node' });
    await nodeForm.waitFor();
    await nodeForm.getByLabel('Node name').fill('Rita approves');
    await nodeForm.getByLabel('Find a user').fill('rita');
    await nodeForm.getByRole('button', { name: 'Add Rita Reviewer (rita)' }).click();
    await nodeForm.getByRole('button', { name: 'Create node' }).click();
    await page.locator('table[aria-label="Approval nodes"] tr', { hasText: 'Rita approves' }).waitFor();

    const tplForm = page.getByRole('form', { name: 'New approval template' });
    await tplForm.getByLabel('Template name').fill('Test exports by Rita');
    // No step: the server's message next to the chain.
    await tplForm.getByRole('button', { name: 'Create template' }).click();
    await groupError(page, 'New approval template', 'Approval chain').waitFor();
    await tplForm.getByLabel('Node to add').selectOption({ label: 'Rita approves' });
    await tplForm.getByRole('button', { name: 'Add step' }).click();
    await tplForm.getByRole('button', { name: 'Create template' }).click();
    await page.locator('table[aria-label="Approval templates"] tr', { hasText: 'Test exports by Rita' }).waitFor();

    const ruleForm = page.getByRole('form', { name: 'New routing rule' });
    await ruleForm.getByLabel('Rule name').fill('exports in test');
    await ruleForm.getByLabel('DATA_EXPORT').check();
    await ruleForm.getByLabel('test', { exact: true }).check();
    await ruleForm.getByRole('button', { name: 'Add rule' }).click();
    await fieldError(page, 'Template').waitFor();
    expect(await fieldError(page, 'Template').textContent()).toMatch(/TemplateId is required with Decision APPROVAL/);
    await shot(page, '03-rule-error');
    await ruleForm.getByLabel('Template').selectOption({ label: 'Test exports by Rita' });
    await ruleForm.getByRole('button', { name: 'Add rule' }).click();
    const ruleRow = page.locator('tr[data-rule-name="exports in test"]');
    await ruleRow.waitFor();
    expect(await ruleRow.textContent()).toContain('Approval by a template: Test exports by Rita');
    await shot(page, '04-approvals');
    await ctx.close();

    // The rule applies: an export on the test database, filed afterwards, waits for rita, not dora.
    const orderId = await fileExport(env, dbId, 'select id, name from customers');
    expect(await awaitPrecheck(env.as(env.ulla), orderId)).toBe('PRE_CHECK_SUCCESS');
    ok(await env.as(env.ulla)('SubmitOrderApproval', { OrderId: orderId }));
    const base = ok(await env.as(env.ulla)('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo;
    const detail = ok(await env.as(env.ulla)('GetApprovalDetail', { WorkflowInstanceId: base.WorkflowInstanceId })).ApprovalDetail;
    expect(detail.CurrentHandlers.CurrentHandler.map((h: { Id: number }) => Number(h.Id))).toEqual([Number(rita.UserId)]);
    const doraTodo = ok(await env.as(env.dora)('ListOrders', { OrderResultType: 'AS_HANDLER', PageSize: 100 }));
    expect(JSON.stringify(doraTodo)).not.toContain(`"OrderId":${orderId}`);

    const r = await env.browser.open();
    await r.page.goto(env.srv.url + '/console/');
    await logIn(r.page, 'rita', PASSWORD.rita);
    // rita is no ADMIN: no Administration link for her.
    expect(await r.page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await r.page.getByRole('tab', { name: 'Waiting for me' }).click();
    const row = r.page.locator(`tr[data-order-id="${orderId}"]`);
    await row.waitFor();
    await shot(r.page, '05-rita-waiting-for-me');
    await row.getByRole('link', { name: String(orderId) }).click();
    const current = r.page.locator('.chain li.current');
    await current.waitFor();
    expect(await current.textContent()).toContain('Rita approves');
    expect(await r.page.getByRole('button', { name: 'Approve' }).count()).toBe(1);
    await shot(r.page, '06-rita-ticket');
    await r.ctx.close();
  }, 120_000);

  it('gives a non-admin no Administration link and a clear refusal at the URL', async () => {
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/');
    await logIn(page, 'ulla', PASSWORD.ulla);
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await page.goto(env.srv.url + '/console/#/admin/users');
    await page.getByRole('heading', { name: 'Administration is for administrators' }).waitFor();
    expect(await page.locator('.refusal').textContent()).toContain('Your roles: USER');
    // The server's own refusal, with its code.
    await page.locator('.refusal blockquote', { hasText: 'needs the role ADMIN' }).waitFor();
    expect(await page.locator('.refusal').textContent()).toContain('NoPermission');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add user' }).count()).toBe(0);
    await shot(page, '07-refused');
    // The same in Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '系统管理仅限管理员' }).waitFor();
    await page.getByLabel('语言').selectOption('en');
    await ctx.close();
  }, 60_000);

  it('shows a new access key secret once: it works, and a reload does not show it again', async () => {
    const { ctx, page } = await env.browser.open();
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.srv.url });
    await page.goto(env.srv.url + '/console/#/admin/access-keys');
    await logIn(page, 'admin', PASSWORD.admin);
    await page.getByRole('heading', { name: 'Access keys' }).waitFor();
    await page.getByLabel('Keys of').selectOption({ label: 'Rita Reviewer (rita)' });
    await page.getByText('This user has no access keys.').waitFor();
    await page.getByRole('button', { name: 'Create access key' }).click();
    const box = page.getByRole('region', { name: 'New access key' });
    await box.waitFor();
    expect(await box.textContent()).toContain('it is shown only this once');
    const id = (await page.getByTestId('new-key-id').textContent())!;
    const secret = await page.getByTestId('secret-value').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await box.getByRole('button', { name: 'Copy to clipboard' }).click();
    await box.getByText('Copied.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await page.locator(`tr[data-key-id="${id}"]`).waitFor();
    await shot(page, '08-access-key-secret');

    // The secret signs calls as rita.
    const asRita = pop(env.srv, { accessKeyId: id, accessKeySecret: secret });
    expect(ok(await asRita('GetUser')).User.Uid).toBe('rita');

    // A reload: the key is listed, its secret is gone for good.
    await page.reload();
    await page.getByRole('heading', { name: 'Access keys' }).waitFor();
    await page.getByLabel('Keys of').selectOption({ label: 'Rita Reviewer (rita)' });
    await page.locator(`tr[data-key-id="${id}"]`).waitFor();
    expect(await page.getByRole('region', { name: 'New access key' }).count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // Disabled: the key no longer signs.
    await page.getByRole('button', { name: `Disable ${id}` }).click();
    await page.locator(`tr[data-key-id="${id}"]`, { hasText: 'Inactive' }).waitFor();
    expect((await gatewayError(asRita('GetUser'))).code).toBe('InvalidAccessKeyId.Inactive');
    await shot(page, '09-access-key-disabled');
    await ctx.close();
  }, 60_000);

  it('creates a webhook whose secret, shown once, signs the deliveries listed in its log', async () => {
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/#/admin/webhooks');
    await logIn(page, 'admin', PASSWORD.admin);
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.waitFor();
    // A private address the deployment does not allow: the server's reason next to the URL.
    await form.getByLabel('URL').fill('http://10.1.2.3/hook');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await fieldError(page, 'URL').waitFor();
    expect(await fieldError(page, 'URL').textContent()).toMatch(/OPENDMS_WEBHOOK_ALLOWED_HOSTS/);
    await form.getByLabel('URL').fill(receiverUrl);
    await form.getByLabel('CREATE', { exact: true }).check();
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const box = page.getByRole('region', { name: 'Webhook secret' });
    await box.waitFor();
    const secret = await page.getByTestId('secret-value').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const row = page.locator('tr', { hasText: receiverUrl });
    await row.waitFor();
    expect(await row.textContent()).toContain('CREATE');

    // A ticket event: delivered, signed with the secret the page showed.
    const orderId = await fileExport(env, dbId, 'select id from customers');
    await expect.poll(() => received.some((r) => r.headers['x-opendms-event-type'] === 'CREATE' && JSON.parse(r.body).OrderId === orderId), { timeout: 15_000 }).toBe(true);
    const hit = received.find((r) => JSON.parse(r.body).OrderId === orderId)!;
    const mac = crypto.createHmac('sha256', secret).update(`${hit.headers['x-opendms-timestamp']}.${hit.body}`).digest('hex');
    expect(hit.headers['x-opendms-signature']).toBe(`sha256=${mac}`);

    await page.getByRole('button', { name: `Delivery log of ${receiverUrl}` }).click();
    const log = page.getByRole('table', { name: 'Delivery log' });
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return log.locator('tr', { hasText: String(orderId) }).filter({ hasText: 'SUCCESS' }).count();
    }, { timeout: 15_000 }).toBe(1);
    await shot(page, '10-webhook-log');
    await page.reload();
    await page.getByRole('form', { name: 'New webhook' }).waitFor();
    expect(await page.getByRole('region', { name: 'Webhook secret' }).count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await ctx.close();
  }, 60_000);

  it('sets a review rule for one environment and edits the R&D flow, with the server\'s refusal next to the stages', async () => {
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/#/admin/review-rules');
    await logIn(page, 'admin', PASSWORD.admin);
    await page.getByRole('heading', { name: 'Review rules' }).waitFor();
    await page.getByLabel('Environment').selectOption('test');
    const first = page.locator('tr[data-rule-id]').first();
    await first.waitFor();
    const ruleId = (await first.getAttribute('data-rule-id'))!;
    await first.getByRole('button', { name: `Edit ${ruleId}` }).click();
    const form = page.getByRole('form', { name: `Rule ${ruleId} in test` });
    await form.getByLabel('Level').selectOption('OFF');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator(`tr[data-rule-id="${ruleId}"]`).textContent(), { timeout: 10_000 }).toContain('OFF (setting for test)');
    const rules = ok(await env.admin('ListSqlReviewRules', { EnvType: 'test' })).Rules.Rule as { RuleId: string; Level: string; LevelSource: string }[];
    expect(rules.find((r) => r.RuleId === ruleId)).toMatchObject({ Level: 'OFF', LevelSource: 'test' });
    await shot(page, '11-review-rules');

    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'R&D flow' }).click();
    const flow = page.getByRole('form', { name: 'R&D flow' });
    await flow.waitFor();
    const before = ok(await env.admin('GetTableDesignFlowConfig')).Flow;
    // Two stages on one environment: refused, next to the stages.
    await flow.getByRole('button', { name: 'Add stage' }).click();
    const n = before.Nodes.filter((x: { NodeRole: string }) => x.NodeRole !== 'START' && x.NodeRole !== 'END').length + 1;
    await flow.getByLabel(`Environment of stage ${n}`).selectOption(before.Nodes[1].EnvType);
    await flow.getByLabel(`Title of stage ${n}`).fill('Again');
    await flow.getByRole('button', { name: 'Save' }).click();
    await flow.locator('fieldset .field-error', { hasText: 'each environment may appear once' }).waitFor();
    await shot(page, '12-flow-error');
    await flow.getByRole('button', { name: 'Remove Again' }).click();
    await flow.getByLabel('Title of stage 1').fill('Design in the lab');
    await flow.getByRole('button', { name: 'Save' }).click();
    await flow.getByText('The flow was saved; new projects use it.').waitFor();
    const after = ok(await env.admin('GetTableDesignFlowConfig')).Flow;
    expect(after.Nodes.find((x: { NodeRole: string }) => x.NodeRole === 'DESIGN').NodeTitle).toBe('Design in the lab');
    expect(after.Nodes.length).toBe(before.Nodes.length);
    await ctx.close();
  }, 60_000);

  it('edits, reorders and deletes approval definitions and users, showing what the server refuses', async () => {
    const { ctx, page } = await env.browser.open();
    await page.goto(env.srv.url + '/console/#/admin/approvals');
    await logIn(page, 'admin', PASSWORD.admin);
    const rules = page.getByRole('table', { name: 'Routing rules' });
    await rules.locator('tr[data-rule-name="exports in test"]').waitFor();

    // A second rule, moved to the top with the keyboard, then edited.
    const ruleForm = page.getByRole('form', { name: 'New routing rule' });
    await ruleForm.getByLabel('Rule name').fill('big changes refused');
    await ruleForm.getByLabel('DATA_CORRECT').check();
    await ruleForm.getByLabel('From estimated rows').fill('1000000');
    await ruleForm.getByLabel('Decision').selectOption('FORBID');
    await ruleForm.getByRole('button', { name: 'Add rule' }).click();
    await rules.locator('tr[data-rule-name="big changes refused"]').waitFor();
    await page.getByRole('button', { name: 'Move big changes refused up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await rules.locator('tbody tr').first().getAttribute('data-rule-name')), { timeout: 10_000 }).toBe('big changes refused');
    await page.getByRole('button', { name: 'Edit big changes refused' }).click();
    const edit = page.getByRole('form', { name: 'Edit rule big changes refused' });
    await edit.getByLabel('Rule name').fill('huge changes refused');
    await edit.getByRole('button', { name: 'Save' }).click();
    await rules.locator('tr[data-rule-name="huge changes refused"]').waitFor();
    const listed = ok(await env.admin('ListApprovalRoutingRules')).Rules.Rule as { Name: string; Decision: string; MinEstimatedRows?: number }[];
    expect(listed.map((r) => r.Name)).toEqual(['huge changes refused', 'exports in test']);
    expect(listed[0]).toMatchObject({ Decision: 'FORBID', MinEstimatedRows: 1000000 });

    // The template is in use: the server's refusal is shown; after its rule goes, it can go too.
    await page.getByRole('button', { name: 'Delete Test exports by Rita' }).click();
    await page.getByRole('button', { name: 'Confirm: delete Test exports by Rita' }).click();
    await page.locator('section[aria-labelledby="adm-templates"] .error', { hasText: 'used by 1 routing rule' }).waitFor();
    await shot(page, '13-template-in-use');
    await page.getByRole('button', { name: 'Delete exports in test' }).click();
    await page.getByRole('button', { name: 'Confirm: delete exports in test' }).click();
    await expect.poll(() => rules.locator('tr[data-rule-name="exports in test"]').count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: 'Delete Test exports by Rita' }).click();
    await page.getByRole('button', { name: 'Confirm: delete Test exports by Rita' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Approval templates' }).locator('tr', { hasText: 'Test exports by Rita' }).count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: 'Delete Rita approves' }).click();
    await page.getByRole('button', { name: 'Confirm: delete Rita approves' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Approval nodes' }).locator('tr', { hasText: 'Rita approves' }).count(), { timeout: 10_000 }).toBe(0);
    expect((ok(await env.admin('ListWorkFlowNodes')).WorkflowNodes.WorkflowNode as { NodeName: string }[]).map((n) => n.NodeName)).not.toContain('Rita approves');

    // Users: disable and enable mike; the admin cannot disable themself (the server says so).
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users and roles' }).click();
    const mike = page.locator('tr[data-uid="mike"]');
    await mike.getByRole('button', { name: 'Disable mike' }).click();
    await mike.getByText('Disabled').waitFor();
    await expect.poll(async () => ok(await env.admin('GetUser', { Uid: 'mike' })).User.State, { timeout: 5_000 }).toBe('DISABLE');
    await mike.getByRole('button', { name: 'Enable mike' }).click();
    await mike.getByText('Enabled').waitFor();
    // A console password for an existing user, from the edit panel: mike can log in with it.
    await mike.getByRole('button', { name: 'Edit mike' }).click();
    const pw = page.getByRole('form', { name: 'Set the console password of mike' });
    await pw.getByLabel('New password').fill('Mike-console-pass-1');
    await pw.getByRole('button', { name: 'Set password' }).click();
    await pw.getByText('The password of mike was set; their sessions have ended.').waitFor();
    const login = await fetch(`${env.srv.url}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'mike', password: 'Mike-console-pass-1' }) });
    expect(login.status).toBe(200);
    await page.getByRole('button', { name: 'Disable admin' }).click();
    await page.locator('.error', { hasText: 'cannot disable or delete yourself' }).waitFor();
    await ctx.close();
  }, 60_000);
});
