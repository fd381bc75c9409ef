import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTooLargeError, type FileStore } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';

let dir: string;
let store: FileStore;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-files-'));
  store = new LocalFileStore(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A source that yields `parts` and then fails (a connection dropped mid-download). */
function failingSource(parts: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const p of parts) yield Buffer.from(p);
      throw new Error('connection reset');
    })(),
  );
}

const tmpFiles = (): string[] => (fs.existsSync(path.join(dir, '.tmp')) ? fs.readdirSync(path.join(dir, '.tmp')) : []);

describe('LocalFileStore', () => {
  it('put returns size and sha256; get, stat and delete see the object', async () => {
    const body = 'select 1;\n'.repeat(1000);
    const stored = await store.put('a/b/upload_1_x.sql', Readable.from([Buffer.from(body)]));
    expect(stored).toEqual({ size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    expect((await store.stat('a/b/upload_1_x.sql'))?.size).toBe(body.length);
    const got = await store.get('a/b/upload_1_x.sql');
    expect(got?.size).toBe(body.length);
    expect(await text(got!.stream)).toBe(body);
    expect(fs.statSync(path.join(dir, 'a/b/upload_1_x.sql')).mode & 0o777).toBe(0o600);
    await store.delete('a/b/upload_1_x.sql');
    await store.delete('a/b/upload_1_x.sql'); // idempotent
    expect(await store.get('a/b/upload_1_x.sql')).toBeNull();
    expect(await store.stat('a/b/upload_1_x.sql')).toBeNull();
  });

  it('a failing source leaves nothing under the key, and keeps the previous version', async () => {
    await expect(store.put('k/new.sql', failingSource(['abc', 'def']))).rejects.toThrow('connection reset');
    expect(await store.stat('k/new.sql')).toBeNull();
    await store.put('k/old.sql', Readable.from([Buffer.from('version 1')]));
    await expect(store.put('k/old.sql', failingSource(['version 2 partial']))).rejects.toThrow('connection reset');
    expect(await text((await store.get('k/old.sql'))!.stream)).toBe('version 1');
    expect(tmpFiles()).toEqual([]);
  });

  it('maxBytes: one byte more fails with FileTooLargeError and stores nothing; exactly the limit passes', async () => {
    const err = await store.put('k/big.sql', Readable.from([Buffer.alloc(600), Buffer.alloc(401)]), { maxBytes: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileTooLargeError);
    expect(await store.stat('k/big.sql')).toBeNull();
    expect((await store.put('k/big.sql', Readable.from([Buffer.alloc(1000)]), { maxBytes: 1000 })).size).toBe(1000);
    expect(tmpFiles()).toEqual([]);
  });

  it('a large put (flushed to disk on the way, every 16 MiB) stores every byte; failing past a flush leaves nothing', async () => {
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE(i, i);
    const parts = 40; // 40 MiB: two background syncs, the second maybe still running at the end
    const expected = createHash('sha256');
    for (let k = 0; k < parts; k++) expected.update(chunk);
    const stored = await store.put('big/export.zip', Readable.from((function* () { for (let k = 0; k < parts; k++) yield chunk; })()));
    expect(stored).toEqual({ size: parts * chunk.length, sha256: expected.digest('hex') });
    const got = createHash('sha256');
    for await (const c of (await store.get('big/export.zip'))!.stream) got.update(c as Buffer);
    expect(got.digest('hex')).toBe(stored.sha256);
    expect(fs.statSync(path.join(dir, 'big/export.zip')).mode & 0o777).toBe(0o600);
    const failing = Readable.from(
      (async function* () {
        for (let k = 0; k < 20; k++) yield chunk;
        throw new Error('connection reset');
      })(),
    );
    await expect(store.put('big/failed.zip', failing)).rejects.toThrow('connection reset');
    expect(await store.stat('big/failed.zip')).toBeNull();
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses keys that could leave the folder or name internals', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '.tmp/x', 'a/./b', 'a\\b', '', 'a b']) {
      await expect(store.put(key, Readable.from([Buffer.from('x')]))).rejects.toThrow(/invalid file store key/);
      await expect(store.get(key)).rejects.toThrow(/invalid file store key/);
    }
  });

  it('removeIncomplete deletes old leftovers of interrupted puts only', async () => {
    fs.mkdirSync(path.join(dir, '.tmp'), { recursive: true });
    const stale = path.join(dir, '.tmp', 'crashed.part');
    fs.writeFileSync(stale, 'half');
    const old = new Date(Date.now() - 2 * 86_400_000);
    fs.utimesSync(stale, old, old);
    fs.writeFileSync(path.join(dir, '.tmp', 'running.part'), 'in progress');
    expect(await store.removeIncomplete(Date.now() - 86_400_000)).toBe(1);
    expect(tmpFiles()).toEqual(['running.part']);
    fs.rmSync(path.join(dir, '.tmp', 'running.part'));
  });
});
