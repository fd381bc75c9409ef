/**
 * The setting of a console end-to-end test (the model is test/e2e/console.test.ts), as one object:
 * the export environment of export-flow.ts (a real server; a tenant with ulla, dora and mike), plus
 * a launched ConsoleBrowser (screenshots under test-artifacts/<folder>/) and `logIn` bound to the
 * console passwords it set; its `close` ends all of it. `registerShop` adds a copy of the demo shop
 * database (what `serve --demo` registers), with dora as its DBA. Whatever else a test needs (more
 * databases, rules, owners) it sets up itself.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createShopDatabase } from '../../src/demo/shop-db.js';
import { setPassword } from '../../src/modules/identity/sessions.js';
import { ConsoleBrowser, logIn } from './browser.js';
import { startExportEnv, type ExportEnv } from './export-flow.js';
import { ok } from './server.js';

export interface ConsoleEnv<U extends string> extends ExportEnv {
  browser: ConsoleBrowser;
  /** Logs `uid` in on the login page with the password startConsoleEnv gave them. */
  logIn(page: Page, uid: U): Promise<void>;
  /** Closes the browser, then the server (and runs the export environment's cleanups). */
  close(): Promise<void>;
}

/** Starts the export environment (with `serverEnv`), sets the users' console passwords and launches Chromium. */
export async function startConsoleEnv<U extends string>(folder: string, passwords: Record<U, string>, serverEnv: Record<string, string> = {}): Promise<ConsoleEnv<U>> {
  const env = await startExportEnv(serverEnv);
  let browser: ConsoleBrowser;
  try {
    for (const [uid, password] of Object.entries<string>(passwords)) await setPassword(env.srv.server.deps, uid, password);
    browser = await ConsoleBrowser.launch(folder);
  } catch (e) {
    await env.close();
    throw e;
  }
  return {
    ...env,
    browser,
    logIn: (page, uid) => logIn(page, uid, passwords[uid]),
    close: async () => {
      await browser.close();
      await env.close();
    },
  };
}

export interface ShopDatabase {
  /** The SQLite file (the instance's Host). */
  file: string;
  dbId: number;
  instanceId: string;
}

/** A new copy of the demo shop database as a SQLite instance of its own, with dora as its DBA. */
export async function registerShop(env: ExportEnv, opts: { file?: string; alias?: string; envType?: string } = {}): Promise<ShopDatabase> {
  const file = path.join(env.srv.server.deps.config.sqliteInstanceDir, opts.file ?? 'shop.db');
  createShopDatabase(file);
  ok(
    await env.admin('RegisterInstance', {
      InstanceType: 'sqlite',
      Host: file,
      InstanceAlias: opts.alias ?? 'demo-shop',
      EnvType: opts.envType ?? 'dev',
      DbaUid: 'dora',
      ExportTimeout: 600,
      QueryTimeout: 60,
      InstanceSource: 'PUBLIC_OWN',
      SafeRule: 'default',
      NetworkType: 'VPC',
    }),
  );
  const db = ok(await env.admin('GetDatabase', { Host: file, Port: 0, SchemaName: 'main' })).Database;
  return { file, dbId: Number(db.DatabaseId), instanceId: String(db.InstanceId) };
}
