/**
 * Backup and restore exactly as docs/deployment.md "Backup and restore" says, with the real tools:
 * a PostgreSQL store in its own database (schema public, pg-boss in public_jobs) dumped with
 * pg_dump while the server runs, the files folder copied, the master key file kept; restored with
 * pg_restore into an EMPTY database, a fresh data folder and files folder; a new server on it must
 * show every ticket, its events and approvals as before, serve the export result byte for byte and
 * the attachment, and still accept the AccessKeys (their secrets decrypt with the kept key). The
 * SQLite store is backed up with the documented `sqlite3 .backup` while it runs, and restored the
 * same way.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uploadSql } from '../helpers/attachments.js';
import { fetchBytes } from '../helpers/export-flow.js';
import { createPgDatabase, describeWithServer } from '../helpers/servers.js';
import { awaitPrecheck, ok, pop, startTestServer, type Body, type TestServer } from '../helpers/server.js';
import { buildWorld, worldServer, type World } from '../helpers/tenant-world.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

const tempDir = (name: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `opendms-${name}-`));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
};

/** What the restore must bring back, read through the API, and the files behind the links. */
interface Snapshot {
  orders: Body[];
  perOrder: Record<number, { base: Body; events: Body; approval: Body | undefined }>;
  exportZip: Buffer;
  attachment: Buffer;
  changeBackups: Buffer[];
}

/** The world plus a ticket with an attachment (GetOrderAttachmentFile). */
interface Fixture {
  world: World;
  attachedOrder: number;
  attachmentBytes: Buffer;
}

async function fill(srv: TestServer): Promise<Fixture> {
  const world = await buildWorld(worldServer(srv), 'bk');
  const attachmentBytes = Buffer.from(`-- attached to a ticket\nselect * from items where id < 5;\n${'x'.repeat(5000)}\n`);
  const key = await uploadSql(srv.port, world.members.USER, 'attached.sql', attachmentBytes, 'order_info_attachment');
  const attachedOrder = Number(ok(await world.as(world.members.USER)('CreateOrder', {
    Comment: 'bk with attachment', PluginType: 'DATA_EXPORT', AttachmentKey: key,
    PluginParam: JSON.stringify({ dbId: world.dbId, exeSQL: 'select id from items', logic: false }),
  })).CreateOrderResult.OrderIds[0]);
  // Its precheck settles before the snapshot (a backup taken while it runs holds it unfinished: the restored server runs it).
  await awaitPrecheck(world.as(world.members.USER), attachedOrder);
  return { world, attachedOrder, attachmentBytes };
}

const strip = (b: Body): Body => {
  const { RequestId: _r, ...rest } = b;
  return rest;
};

/**
 * Downloads are audit events, so the source downloads first and lists after (the lists then show
 * what the backup holds), and the restored server lists first and downloads after.
 */
async function snapshot(srv: TestServer, f: Fixture, downloadFirst: boolean): Promise<Snapshot> {
  const user = pop(srv, f.world.members.USER);
  const download = async () => {
    const link = ok(await user('GetDataExportDownloadURL', { OrderId: f.world.orders.export })).DownloadURLResult;
    expect(link.HasResult).toBe(true);
    const zip = await fetchBytes(link.URL);
    expect(zip.status).toBe(200);
    const fileUrl: string = ok(await user('GetOrderAttachmentFile', { OrderId: f.attachedOrder })).FileUrl;
    const att = await fetchBytes(fileUrl);
    expect(att.status).toBe(200);
    // The data change's backup of the rows it changed (JSON Lines in the file store).
    const backups: string[] = ok(await user('GetDataCorrectBackupFiles', { OrderId: f.world.orders.change })).DataCorrectBackupFiles.FileUrl;
    expect(backups.length).toBeGreaterThan(0);
    const changeBackups: Buffer[] = [];
    for (const u of backups) {
      const r = await fetchBytes(u);
      expect(r.status).toBe(200);
      changeBackups.push(r.body);
    }
    return { exportZip: zip.body, attachment: att.body, changeBackups };
  };
  const files = downloadFirst ? await download() : undefined;
  const admin = pop(srv, f.world.members.ADMIN);
  const orders: Body[] = ok(await admin('ListOrders', { OrderResultType: 'AS_ADMIN', PageSize: 100 })).Orders.Order;
  const perOrder: Snapshot['perOrder'] = {};
  for (const o of orders) {
    const id = Number(o.OrderId);
    const base = strip(ok(await admin('GetOrderBaseInfo', { OrderId: id })));
    const events = strip(ok(await admin('ListOrderEvents', { OrderId: id, PageSize: 100 })));
    const wf = base.OrderBaseInfo.WorkflowInstanceId;
    const approval = wf ? strip(ok(await admin('GetApprovalDetail', { WorkflowInstanceId: wf }))) : undefined;
    perOrder[id] = { base, events, approval };
  }
  return { orders, perOrder, ...(files ?? (await download())) };
}

function expectSame(after: Snapshot, before: Snapshot, f: Fixture): void {
  expect(after.orders).toEqual(before.orders);
  expect(Object.keys(after.perOrder)).toEqual(Object.keys(before.perOrder));
  for (const id of Object.keys(before.perOrder)) expect(after.perOrder[Number(id)], `ticket ${id}`).toEqual(before.perOrder[Number(id)]);
  expect(after.exportZip.equals(before.exportZip)).toBe(true);
  expect(after.attachment.equals(f.attachmentBytes)).toBe(true);
  expect(after.changeBackups).toEqual(before.changeBackups);
}

/** What the fixture must hold for the comparison to mean something. */
function expectRich(s: Snapshot, f: Fixture): void {
  expect(s.orders.length).toBeGreaterThanOrEqual(7);
  const types = new Set(s.orders.map((o) => o.PluginType));
  for (const t of ['DATA_EXPORT', 'DC_COMMON', 'NDDL']) expect(types).toContain(t);
  const exported = s.perOrder[f.world.orders.export]!;
  expect(exported.base.OrderBaseInfo.StatusCode).toBe('success');
  expect(exported.approval).toBeDefined();
  expect(JSON.stringify(exported.events)).toContain('EXECUTION_SUCCEEDED');
  expect(s.exportZip.subarray(0, 4).equals(Buffer.from('PK\x03\x04'))).toBe(true);
  expect(Buffer.concat(s.changeBackups).toString('utf8')).toContain('bk-row-1'); // the row as it was before the change
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** `opendms doctor` on the restored data (docs/deployment.md, restore step 5): exit 0, the key decrypts. */
function doctor(dataDir: string, env: Record<string, string>): void {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'doctor', '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }).toString();
  } catch (e) {
    throw new Error(`opendms doctor failed: ${String((e as { stdout?: Buffer }).stdout ?? e)}`);
  }
  expect(out).toMatch(/^ok {3}master key: decrypts the stored secrets$/m);
  expect(out).toMatch(/Everything OpenDMS needs answers\.$/m);
}

/** After the restore: the old AccessKeys still sign (secrets decrypt), and new work runs. */
async function expectWorking(srv: TestServer, f: Fixture): Promise<void> {
  const user = pop(srv, f.world.members.USER);
  const id = Number(ok(await user('CreateOrder', { Comment: 'after restore', PluginType: 'NDDL', PluginParam: JSON.stringify({ title: 'after', dbId: f.world.dbId }) })).CreateOrderResult.OrderIds[0]);
  expect(id).toBeGreaterThan(Math.max(...Object.values(f.world.orders), f.attachedOrder));
}

await describeWithServer('postgres', 'PostgreSQL store: pg_dump + files folder + master key, restored into an empty database', () => {
  it('brings back every ticket, event and approval, the export result byte for byte and the attachment', async () => {
    const source = await createPgDatabase('opendms_bk_src');
    cleanups.push(source.drop);
    const dataDir = tempDir('bk-src');
    const env = { OPENDMS_DATABASE_URL: source.url, OPENDMS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
    const srv = await startTestServer({ dataDir, env });
    cleanups.push(() => srv.close());
    const f = await fill(srv);
    const before = await snapshot(srv, f, true);
    expectRich(before, f);

    // The backup, as documented, while the server runs: the store first, then the files.
    const backup = tempDir('bk-backup');
    const dump = path.join(backup, 'opendms.dump');
    fs.writeFileSync(dump, execFileSync('pg_dump', ['--format=custom', '--schema=public', '--schema=public_jobs', source.url], { maxBuffer: 1 << 30 }));
    fs.cpSync(path.join(dataDir, 'files'), path.join(backup, 'files'), { recursive: true });
    fs.copyFileSync(path.join(dataDir, 'master.key'), path.join(backup, 'master.key'));
    await srv.close();

    // The restore: an empty database, a fresh data folder holding only the files and the key.
    const target = await createPgDatabase('opendms_bk_dst');
    cleanups.push(target.drop);
    // A new database has an empty schema public; pg_restore creates it with the rest (docs/deployment.md).
    execFileSync('psql', ['-v', 'ON_ERROR_STOP=1', '-d', target.url, '-c', 'drop schema public']);
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '-d', target.url, dump]);
    const restoredDir = tempDir('bk-dst');
    fs.cpSync(path.join(backup, 'files'), path.join(restoredDir, 'files'), { recursive: true });
    fs.copyFileSync(path.join(backup, 'master.key'), path.join(restoredDir, 'master.key'));
    // The SQLite target database stays where it was (a restore on the same paths).
    const restoredEnv = { ...env, OPENDMS_DATABASE_URL: target.url, OPENDMS_SQLITE_DIR: path.join(dataDir, 'sqlite') };
    const restored = await startTestServer({ dataDir: restoredDir, env: restoredEnv });
    cleanups.push(() => restored.close());

    expectSame(await snapshot(restored, f, false), before, f);
    await expectWorking(restored, f);
    doctor(restoredDir, restoredEnv);
  });
});

describe('SQLite store: sqlite3 .backup while running + files folder + master key', () => {
  it('brings back every ticket, event and approval, the export result byte for byte and the attachment', async () => {
    const dataDir = tempDir('bk-sqlite-src');
    const srv = await startTestServer({ dataDir, env: { OPENDMS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
    cleanups.push(() => srv.close());
    const f = await fill(srv);
    const before = await snapshot(srv, f, true);
    expectRich(before, f);

    const backup = tempDir('bk-sqlite-backup');
    execFileSync('sqlite3', [path.join(dataDir, 'opendms.db'), `.backup '${path.join(backup, 'opendms.db')}'`]);
    fs.cpSync(path.join(dataDir, 'files'), path.join(backup, 'files'), { recursive: true });
    fs.copyFileSync(path.join(dataDir, 'master.key'), path.join(backup, 'master.key'));
    await srv.close();

    const restoredDir = tempDir('bk-sqlite-dst');
    fs.copyFileSync(path.join(backup, 'opendms.db'), path.join(restoredDir, 'opendms.db'));
    fs.cpSync(path.join(backup, 'files'), path.join(restoredDir, 'files'), { recursive: true });
    fs.copyFileSync(path.join(backup, 'master.key'), path.join(restoredDir, 'master.key'));
    const restoredEnv = { OPENDMS_SQLITE_DIR: path.join(dataDir, 'sqlite') };
    const restored = await startTestServer({ dataDir: restoredDir, env: restoredEnv });
    cleanups.push(() => restored.close());

    expectSame(await snapshot(restored, f, false), before, f);
    await expectWorking(restored, f);
    await restored.close(); // the SQLite store is for one process
    doctor(restoredDir, restoredEnv);
  });
});
