/**
 * Console end-to-end tests in real headless Chromium (playwright-core, Debian's /usr/bin/chromium).
 * `describeInBrowser` runs the suite when Chromium is there, skips it locally when it is not, and
 * fails under CI=true (.ci/run installs chromium). `ConsoleBrowser` opens pages whose uncaught
 * errors and CSP refusals are collected (a page never shows a raw stack: `expectNoPageErrors`
 * after each test), saves screenshots under test-artifacts/<folder>/ and logs users in.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);

export function describeInBrowser(name: string, body: () => void): void {
  if (!hasChromium && process.env.CI === 'true') {
    describe(name, () => {
      it('needs /usr/bin/chromium (apt-get install chromium)', () => {
        throw new Error(`${CHROMIUM} is missing: under CI=true the console tests must run (.ci/run installs chromium).`);
      });
    });
    return;
  }
  describe.skipIf(!hasChromium)(hasChromium ? name : `${name} (skipped: ${CHROMIUM} missing; apt-get install chromium)`, body);
}

export interface Viewport {
  width: number;
  height: number;
}

export const DESKTOP: Viewport = { width: 1280, height: 900 };
export const PHONE: Viewport = { width: 390, height: 844 };

export class ConsoleBrowser {
  private readonly errors: string[] = [];
  private constructor(
    private readonly browser: Browser,
    readonly artifacts: string,
  ) {}

  /** Launches Chromium with the flags this machine's closed network needs; screenshots go to test-artifacts/<folder>/. */
  static async launch(folder: string): Promise<ConsoleBrowser> {
    const artifacts = path.resolve('test-artifacts', folder);
    fs.mkdirSync(artifacts, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return new ConsoleBrowser(browser, artifacts);
  }

  async open(viewport: Viewport = DESKTOP): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await this.browser.newContext({ viewport, acceptDownloads: true, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => this.errors.push(`${page.url()}: ${e.message}`));
    // Content-Security-Policy refusals are console errors: none may happen.
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) this.errors.push(`${page.url()}: ${m.text()}`);
    });
    return { ctx, page };
  }

  shot(page: Page, name: string): Promise<Buffer> {
    return page.screenshot({ path: path.join(this.artifacts, `${name}.png`), fullPage: true });
  }

  /** For afterEach: no page had an uncaught error or a CSP refusal. */
  expectNoPageErrors(): void {
    const seen = this.errors.splice(0);
    expect(seen).toEqual([]);
  }

  /** The page errors so far, which no longer count for expectNoPageErrors (a test that provokes one on purpose). */
  takePageErrors(): string[] {
    return this.errors.splice(0);
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/** Fills the login page and waits for the top bar's "Log out". */
export async function logIn(page: Page, uid: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(uid);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Log out' }).isVisible(), { timeout: 10_000 }).toBe(true);
}

/** The status badge in a ticket's heading. */
export const statusOf = (page: Page): Promise<string | null> => page.locator('.ticket-head .badge').textContent();

// ---------------------------------------------------------------------------------------------
// Accessibility (axe-core, docs/dependencies.md)

const requireHere = createRequire(import.meta.url);
let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page as it is now and fails on any violation of impact "serious" or
 * "critical", naming the rule, its help text and the offending elements' selectors. The console's
 * Content-Security-Policy (script-src 'self') refuses inline scripts and eval, so axe's source is
 * not injected as a <script>: it goes through page.evaluate (the DevTools protocol's evaluation,
 * which the page's CSP does not govern), leaving the CSP of the page and its refusal check intact.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  axeSource ??= fs.readFileSync(requireHere.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${axeSource}\n;void 0`);
  const violations = (await page.evaluate(
    `window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`,
  )) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`).join('\n')}`).join('\n  ');
  expect(bad.length, `${name}: accessibility violations\n  ${report}`).toBe(0);
}
