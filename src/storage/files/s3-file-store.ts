/**
 * The file store in an S3-compatible bucket (issue 8 §2; docs/configuration.md): a key `a/b/c` is
 * the object `<prefix>a/b/c`. `put` streams through `@aws-sdk/lib-storage`'s Upload (a single
 * PutObject for small bodies, a multipart upload for large ones, which S3 makes visible only when
 * it completes and aborts when the body fails), so readers never see a partial object, and
 * counts and hashes the bytes on the way (the `maxBytes` limit fails the upload). Reads stream
 * GetObject (with Range), `stat` is HeadObject. Credentials: `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` of OpenDMS's environment, else the AWS default chain (profiles, roles).
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertFileKey, FileTooLargeError, type ByteRange, type FileStat, type FileStore, type StoredFile } from './file-store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Prepended to every key (e.g. `opendms/`); '' for none. */
  prefix: string;
  /** S3-compatible servers (MinIO, Ceph, OSS …): their URL; undefined for AWS. */
  endpoint?: string | undefined;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Given keys; undefined: the AWS SDK's default chain (environment, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** Objects are uploaded in parts of this size once larger (S3's minimum part is 5 MiB). */
const PART_BYTES = 8 * 1024 * 1024;

const notFound = (e: unknown): boolean => {
  const x = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return x.name === 'NoSuchKey' || x.name === 'NotFound' || x.$metadata?.httpStatusCode === 404;
};

export class S3FileStore implements FileStore {
  readonly #s3: S3Client;

  constructor(readonly options: S3StoreOptions) {
    this.#s3 = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 requires them: S3-compatible servers often reject the newer headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  #name(key: string): string {
    assertFileKey(key);
    return `${this.options.prefix}${key}`;
  }

  async put(key: string, body: Readable, options: { maxBytes?: number } = {}): Promise<StoredFile> {
    // The writer may destroy the body with an error before this reaches the stream (awaits below):
    // with no listener that error would be thrown as an uncaught exception. The pipeline still
    // sees it (the body's `errored`) and rejects the put with it.
    body.on('error', ignoreBodyError);
    const name = this.#name(key);
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) {
          done(new FileTooLargeError(options.maxBytes));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    let sourceError: Error | undefined;
    body.once('error', (e) => {
      sourceError = e;
      counter.destroy(e);
    });
    counter.once('error', () => body.destroy());
    body.pipe(counter);
    const upload = new Upload({ client: this.#s3, params: { Bucket: this.options.bucket, Key: name, Body: counter }, partSize: PART_BYTES, queueSize: 2, leavePartsOnError: false });
    try {
      await upload.done();
    } catch (e) {
      if (counter.errored instanceof FileTooLargeError) throw counter.errored;
      throw sourceError ?? e;
    }
    if (sourceError) throw sourceError;
    return { size, sha256: hash.digest('hex') };
  }

  async get(key: string, range?: ByteRange): Promise<{ stream: Readable; size: number } | null> {
    try {
      const r = await this.#s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.#name(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      const total = range ? Number(/\/(\d+)$/.exec(r.ContentRange ?? '')?.[1] ?? NaN) : Number(r.ContentLength);
      return { stream: r.Body as Readable, size: total };
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async stat(key: string): Promise<FileStat | null> {
    try {
      const h = await this.#s3.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.#name(key) }));
      return { size: Number(h.ContentLength), modifiedAt: h.LastModified?.getTime() ?? 0 };
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.#name(key) }));
  }

  /**
   * Aborts multipart uploads under the prefix started before `olderThan` (a crash mid-put). A
   * server that does not implement listing them (s3rver) counts 0: give such a bucket a lifecycle
   * rule (AbortIncompleteMultipartUpload) instead.
   */
  async removeIncomplete(olderThan: number): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.#s3.send(new ListMultipartUploadsCommand({ Bucket: this.options.bucket, Prefix: this.options.prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      } catch (e) {
        if ((e as { name?: string }).name === 'NotImplemented') return removed;
        throw e;
      }
      for (const u of page.Uploads ?? []) {
        if (u.Initiated && u.Initiated.getTime() < olderThan && u.Key && u.UploadId) {
          await this.#s3.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: u.Key, UploadId: u.UploadId }));
          removed++;
        }
      }
      if (!page.IsTruncated) return removed;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }
}

function ignoreBodyError(): void {}
