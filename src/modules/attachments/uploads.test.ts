/**
 * Upload jobs and attachment housekeeping on both stores (SQLite, PostgreSQL), a real file store and a
 * loopback http server: a retried job that already produced its attachment does nothing, a partial
 * or timed-out download never becomes an attachment (nor a file), retries end in FAIL, and the
 * purge keeps exactly the attachments tickets reference.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithServer } from '../../../test/helpers/servers.js';
import { postgresTestStore, sqliteTestStore } from '../../../test/helpers/store.js';
import { loadConfig } from '../../config.js';
import { createJobQueue } from '../../jobs/queue.js';
import { SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../storage/db.js';
import { Metrics } from '../../lib/metrics.js';
import { LocalFileStore } from '../../storage/files/local-file-store.js';
import { insertTicket } from '../tickets/ticket.repository.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveActor } from '../identity/authentication.js';
import { bootstrap } from '../identity/bootstrap.js';
import { ATTACHMENT_TTL_MS, createAttachment, purgeExpiredAttachments } from './attachments.js';
import { createUploadJob, FETCH_UPLOAD_MAX_ATTEMPTS, getUploadJob, purgeUploadJobs, runUploadJob } from './uploads.js';

function suite(open: () => Promise<Store>): void {
  let store: Store;
  let dir: string;
  let deps: Deps;
  let admin: Actor;
  let clock = Date.now();
  let server: http.Server;
  let base: string;
  const BODY = Buffer.from('update t set v = 1 where id = 7;\n'.repeat(3));

  beforeAll(async () => {
    store = await open();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-uploads-'));
    const config = loadConfig({ dataDir: dir }, { OPENDMS_UPLOAD_ALLOWED_HOSTS: '127.0.0.1', OPENDMS_UPLOAD_TIMEOUT_SECONDS: '1' });
    deps = {
      store,
      db: store.db,
      secrets: new SecretBox(crypto.randomBytes(32)),
      config,
      now: () => clock,
      jobs: createJobQueue(store), // never started: the tests run the handler themselves
      files: new LocalFileStore(config.filesDir),
      metrics: new Metrics({ queue: async () => [], storePool: () => null }),
    };
    const boot = await bootstrap(deps, {});
    admin = await resolveActor(deps, boot.userId, boot.tenantId);
    server = http.createServer((req, res) => {
      if (req.url === '/ok.sql') res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
      else if (req.url === '/drop.sql') {
        // announces 500 bytes, sends 40, then the connection dies
        res.writeHead(200, { 'content-length': 500 });
        res.write(BODY.subarray(0, 40), () => setTimeout(() => res.socket?.destroy(), 20));
      } else if (req.url === '/stall.sql') res.writeHead(200).write('select'); // never ends
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const attempt = (number: number) => ({ number, signal: new AbortController().signal });
  const attachmentCount = async () => Number((await deps.db.selectFrom('attachment').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const storedFiles = (): string[] => {
    const root = path.join(deps.config.filesDir, 'attachments');
    return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
  };
  const tmpFiles = (): string[] => (fs.existsSync(path.join(deps.config.filesDir, '.tmp')) ? fs.readdirSync(path.join(deps.config.filesDir, '.tmp')) : []);

  describe('fetch-upload handler', () => {
    it('succeeds once; a retry of the finished job does nothing', async () => {
      const before = await attachmentCount();
      const jobKey = await createUploadJob(deps, admin, { fileName: 'fix.sql', fileSource: 'datacorrect', url: `${base}/ok.sql` });
      expect((await getUploadJob(deps, admin, jobKey)).status).toBe('PENDING');
      await runUploadJob(deps, jobKey, attempt(1));
      const done = await getUploadJob(deps, admin, jobKey);
      expect(done).toMatchObject({ status: 'SUCCESS', statusDesc: 'success', fileSize: BODY.length, uploadedSize: BODY.length });
      const row = await deps.db.selectFrom('attachment').selectAll().where('attachment_key', '=', done.attachmentKey!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ size_bytes: BODY.length, sha256: crypto.createHash('sha256').update(BODY).digest('hex'), user_id: admin.userId, expires_at: clock + ATTACHMENT_TTL_MS });

      clock += 1000;
      await runUploadJob(deps, jobKey, attempt(2));
      expect(await attachmentCount()).toBe(before + 1);
      const again = await deps.db.selectFrom('upload_job').selectAll().where('job_key', '=', jobKey).executeTakeFirstOrThrow();
      expect(again.modified_at).toBe(clock - 1000);
    });

    it('a connection that dies mid-body leaves no attachment and no file, is retried, then FAILs', async () => {
      const before = await attachmentCount();
      const files = storedFiles().length;
      const jobKey = await createUploadJob(deps, admin, { fileName: 'cut.sql', fileSource: 'datacorrect', url: `${base}/drop.sql` });
      for (let n = 1; n < FETCH_UPLOAD_MAX_ATTEMPTS; n++) {
        await expect(runUploadJob(deps, jobKey, attempt(n))).rejects.toThrow();
        const job = await getUploadJob(deps, admin, jobKey);
        expect(job.status).toBe('PENDING');
        expect(job.statusDesc).toMatch(new RegExp(`retrying after attempt ${n} of ${FETCH_UPLOAD_MAX_ATTEMPTS}`));
        expect(job.attachmentKey).toBeNull();
      }
      await runUploadJob(deps, jobKey, attempt(FETCH_UPLOAD_MAX_ATTEMPTS));
      const failed = await getUploadJob(deps, admin, jobKey);
      expect(failed.status).toBe('FAIL');
      expect(failed.statusDesc).toMatch(/download failed|connection ended/i);
      expect(await attachmentCount()).toBe(before);
      expect(storedFiles()).toHaveLength(files);
      expect(tmpFiles()).toEqual([]);
    });

    it('a stalled download is cut by the time limit and leaves nothing', async () => {
      const files = storedFiles().length;
      const jobKey = await createUploadJob(deps, admin, { fileName: 'slow.sql', fileSource: 'datacorrect', url: `${base}/stall.sql` });
      await runUploadJob(deps, jobKey, attempt(FETCH_UPLOAD_MAX_ATTEMPTS));
      const job = await getUploadJob(deps, admin, jobKey);
      expect(job).toMatchObject({ status: 'FAIL', statusDesc: expect.stringMatching(/within 1 seconds \(OPENDMS_UPLOAD_TIMEOUT_SECONDS\)/) });
      expect(storedFiles()).toHaveLength(files);
      expect(tmpFiles()).toEqual([]);
    });
  });

  describe('housekeeping', () => {
    it('unfinished jobs whose worker vanished end FAIL; old finished jobs are deleted', async () => {
      const stuck = await createUploadJob(deps, admin, { fileName: 'x.sql', fileSource: 'datacorrect', url: `${base}/ok.sql` });
      clock += 2 * 3600_000;
      expect((await purgeUploadJobs(deps)).failed).toBeGreaterThanOrEqual(1);
      expect(await getUploadJob(deps, admin, stuck)).toMatchObject({ status: 'FAIL', statusDesc: expect.stringMatching(/interrupted/) });
      clock += 31 * 24 * 3600_000;
      await purgeUploadJobs(deps);
      await expect(getUploadJob(deps, admin, stuck)).rejects.toThrow(/does not exist/);
    });

    it('expired attachments are purged unless a ticket references them', async () => {
      await purgeExpiredAttachments(deps); // what earlier tests left, now long expired
      const make = async (name: string) => (await createAttachment(deps, admin, { fileName: name, fileSource: 'datacorrect', body: Readable.from([BODY]) })).key;
      const unused = await make('unused.sql');
      const onTicket = await make('on-ticket.sql');
      const inParams = await make('in-params.sql');
      const base = { tenantId: admin.tenantId, comment: 'c', committerId: admin.userId, delegatedById: null, status: 'new' as const, execMode: 'COMMITOR' };
      await insertTicket(deps.db, { ...base, pluginType: 'DATA_EXPORT', params: '{}', attachmentKey: onTicket }, clock);
      await insertTicket(deps.db, { ...base, pluginType: 'DC_COMMON', params: JSON.stringify({ sqlType: 'ATTACHMENT', attachmentName: inParams }), attachmentKey: null }, clock);
      expect(await purgeExpiredAttachments(deps)).toBe(0); // nothing expired yet
      clock += ATTACHMENT_TTL_MS + 2 * 3600_000;
      const fresh = await make('fresh.sql');
      expect(await purgeExpiredAttachments(deps)).toBe(1);
      const left = (await deps.db.selectFrom('attachment').select('attachment_key').execute()).map((r) => r.attachment_key);
      expect(left).not.toContain(unused);
      expect(left).toEqual(expect.arrayContaining([onTicket, inParams, fresh]));
      expect(storedFiles()).not.toContain(unused);
      expect(storedFiles()).toEqual(expect.arrayContaining([onTicket, inParams, fresh]));
      expect(await purgeExpiredAttachments(deps)).toBe(0); // idempotent
    });
  });
}

describe('sqlite store', () => suite(sqliteTestStore));
await describeWithServer('postgres', 'postgres store', () => suite(postgresTestStore));
