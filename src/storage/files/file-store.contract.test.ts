/**
 * What every FileStore promises (file-store.ts), checked on the local folder and on an S3 bucket
 * (a real S3-protocol server on loopback, test/helpers/s3.ts): put returns size and sha256 of what
 * it wrote; get (with ranges), stat, delete; a failing source or one over `maxBytes` leaves
 * nothing and keeps the previous version; a multipart-sized object round-trips; keys are checked.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type TestS3 } from '../../../test/helpers/s3.js';
import { FileTooLargeError, type FileStore } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';
import { S3FileStore } from './s3-file-store.js';

function failingSource(parts: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const p of parts) yield Buffer.from(p);
      throw new Error('connection reset');
    })(),
  );
}

function contract(name: string, open: () => Promise<{ store: FileStore; close: () => Promise<void> }>) {
  describe(name, () => {
    let store: FileStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => close?.());

    it('put gives size and sha256; get, ranges, stat and delete see the object', async () => {
      const body = 'select 1;\n'.repeat(1000);
      expect(await store.put('a/b/x.sql', Readable.from([Buffer.from(body)]))).toEqual({ size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
      expect((await store.stat('a/b/x.sql'))?.size).toBe(body.length);
      expect((await store.stat('a/b/x.sql'))?.modifiedAt).toBeGreaterThan(Date.now() - 60_000);
      const all = await store.get('a/b/x.sql');
      expect(all?.size).toBe(body.length);
      expect(await text(all!.stream)).toBe(body);
      const part = await store.get('a/b/x.sql', { start: 10, end: 19 });
      expect(part?.size).toBe(body.length);
      expect(await text(part!.stream)).toBe(body.slice(10, 20));
      await store.delete('a/b/x.sql');
      await store.delete('a/b/x.sql');
      expect(await store.get('a/b/x.sql')).toBeNull();
      expect(await store.stat('a/b/x.sql')).toBeNull();
    });

    it('a failing source leaves nothing, and keeps the previous version', async () => {
      await expect(store.put('k/new.sql', failingSource(['abc', 'def']))).rejects.toThrow('connection reset');
      expect(await store.stat('k/new.sql')).toBeNull();
      await store.put('k/old.sql', Readable.from([Buffer.from('version 1')]));
      await expect(store.put('k/old.sql', failingSource(['version 2 partial']))).rejects.toThrow('connection reset');
      expect(await text((await store.get('k/old.sql'))!.stream)).toBe('version 1');
    });

    it('a source its writer destroys with an error at once (before put reads it) fails the put, nothing uncaught', async () => {
      // The data-change backup writer does this when the statement fails right after the header.
      const body = new PassThrough();
      body.write('header\n');
      const put = store.put('k/aborted.sql', body);
      body.destroy(new Error('the statement failed: connection lost'));
      await expect(put).rejects.toThrow();
      expect(await store.stat('k/aborted.sql')).toBeNull();
    });

    it('maxBytes: one byte more fails with FileTooLargeError and stores nothing', async () => {
      const err = await store.put('k/big.sql', Readable.from([Buffer.alloc(600), Buffer.alloc(401)]), { maxBytes: 1000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileTooLargeError);
      expect(await store.stat('k/big.sql')).toBeNull();
      expect((await store.put('k/exact.sql', Readable.from([Buffer.alloc(1000)]), { maxBytes: 1000 })).size).toBe(1000);
    });

    it('a 20 MiB object (several upload parts) round-trips byte for byte', async () => {
      const chunks = Array.from({ length: 20 }, (_, k) => Buffer.alloc(1024 * 1024, k));
      const stored = await store.put('big/blob.bin', Readable.from(chunks));
      const whole = Buffer.concat(chunks);
      expect(stored).toEqual({ size: whole.length, sha256: createHash('sha256').update(whole).digest('hex') });
      const back = await buffer((await store.get('big/blob.bin'))!.stream);
      expect(back.equals(whole)).toBe(true);
      await store.delete('big/blob.bin');
    });

    it('refuses keys that could escape or hide', async () => {
      for (const key of ['../x', '/abs', 'a/../b', '.hidden', 'a//b', '']) await expect(store.put(key, Readable.from([Buffer.from('x')]))).rejects.toThrow(/invalid file store key/);
    });
  });
}

contract('LocalFileStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-files-'));
  return { store: new LocalFileStore(dir), close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

let s3: TestS3 | undefined;
contract('S3FileStore (s3rver on loopback)', async () => {
  s3 = await startS3();
  const env = s3.env('tenant-files');
  const store = new S3FileStore({ bucket: s3.bucket, prefix: 'tenant-files/', endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } });
  return {
    store,
    close: async () => {
      // Everything stayed under the prefix, and nothing half-written is left.
      const keys = await s3!.keys();
      expect(keys.every((k) => k.startsWith('tenant-files/'))).toBe(true);
      expect(keys).toEqual(['tenant-files/k/exact.sql', 'tenant-files/k/old.sql']);
      await s3!.close();
    },
  };
});
