/**
 * An S3-protocol server on loopback for tests (s3rver, files in a temp folder), with one bucket,
 * and the OpenDMS environment that points the file store at it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** OPENDMS_FILES_S3_* (and AWS credentials) for a server using this bucket under `prefix`. */
  env(prefix?: string): Record<string, string>;
  keys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3(bucket = 'opendms-test'): Promise<TestS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    env: (prefix = '') => ({
      OPENDMS_FILES_S3_BUCKET: bucket,
      OPENDMS_FILES_S3_PREFIX: prefix,
      OPENDMS_FILES_S3_ENDPOINT: endpoint,
      OPENDMS_FILES_S3_FORCE_PATH_STYLE: 'true',
      OPENDMS_FILES_S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    }),
    keys: async (prefix = '') => {
      const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined }));
      return (r.Contents ?? []).map((o) => o.Key!).sort();
    },
    close: async () => {
      client.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
