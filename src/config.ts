import path from 'node:path';
import { parseAllowList } from './lib/net-guard.js';

/** Everything the service reads from its environment, parsed once. See docs/configuration.md. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Folder for the embedded store, the key file, attachments and export files. */
  readonly dataDir: string;
  /** `postgres://…` selects the PostgreSQL metadata store (production mode); absent → SQLite in dataDir. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema holding OpenDMS's tables (default `public`); pg-boss uses `<schema>_jobs`. */
  readonly databaseSchema: string;
  readonly demo: boolean;
  /** `serve` runs the background jobs too (default); false (`--no-jobs`, OPENDMS_RUN_JOBS=false): HTTP only, `opendms worker` runs them. */
  readonly runJobs: boolean;
  /** IANA zone used to render DMS times (`yyyy-MM-dd HH:mm:ss`). */
  readonly timezone: string;
  /** 32-byte key (base64 or hex) encrypting secrets at rest; absent → a key file in dataDir. */
  readonly masterKey: string | undefined;
  /** Accepted clock skew of signed requests, both ways (reference §1.3.1 allows 15 minutes). */
  readonly signatureWindowSeconds: number;
  /** SQLite target instances (`Host` = file path) must live under this folder. */
  readonly sqliteInstanceDir: string;
  readonly bootstrapAccessKeyId: string | undefined;
  readonly bootstrapAccessKeySecret: string | undefined;
  readonly logLevel: string;
  /**
   * OPENDMS_SHUTDOWN_GRACE_SECONDS: on SIGTERM, how long in-flight requests (a long download)
   * may go on before their connections are cut (default 10).
   */
  readonly shutdownGraceSeconds: number;
  /** Outbound ticket-event webhooks (docs/webhooks.md). */
  readonly webhooks: WebhookConfig;
  /** Folder of the local file store (attachments); default `<dataDir>/files`. */
  readonly filesDir: string;
  /** OPENDMS_CONSOLE_DIR: the built web console served at /console/; undefined: the package's dist/console. */
  readonly consoleDir: string | undefined;
  /** OPENDMS_FILES_S3_*: files in an S3-compatible bucket instead of `filesDir`; undefined: the local folder. */
  readonly filesS3: S3FilesConfig | undefined;
  /**
   * Hosts, IP addresses and CIDR ranges upload jobs may fetch from although they are internal
   * (loopback, private, link-local…); public addresses are always allowed.
   */
  readonly uploadAllowedHosts: readonly string[];
  /** Largest attachment, fetched by an upload job or uploaded directly. */
  readonly uploadMaxBytes: number;
  /** Time limit of one fetch attempt of an upload job (connect, redirects and body). */
  readonly uploadTimeoutSeconds: number;
  /** Lifetime of the signed download URLs GetOrderAttachmentFile returns. */
  readonly downloadUrlTtlSeconds: number;
  /** Data export results (docs/exports.md). */
  readonly exports: ExportConfig;
  /** Web console sessions and logins (docs/console.md). */
  readonly console: ConsoleConfig;
  /**
   * Background jobs on PostgreSQL (pg-boss has no heartbeat, so a job's lease is the longest it may
   * run): OPENDMS_DC_MAX_RUN_SECONDS, the longest one data-change job may run (default 3600); and
   * OPENDMS_JOB_LEASE_CHECK_SECONDS, how often expired leases are looked for (default 30). A job of
   * a process that died is taken up by another once its lease and the next check have passed.
   */
  readonly jobs: { readonly dcMaxRunSeconds: number; readonly leaseCheckSeconds: number };
  /** OPENDMS_METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
}

export interface S3FilesConfig {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) when set; else the SDK's default chain (profiles, instance roles). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export interface ConsoleConfig {
  /** OPENDMS_SESSION_IDLE_MINUTES: a session ends after this long without a request (default 30). */
  readonly idleMinutes: number;
  /** OPENDMS_SESSION_MAX_HOURS: and after this long whatever the activity (default 12). */
  readonly maxHours: number;
  /** OPENDMS_LOGIN_MAX_FAILURES: failed logins of one user id allowed within the window (default 5). */
  readonly maxFailures: number;
  /** OPENDMS_LOGIN_FAILURE_WINDOW_MINUTES: the window (default 15). */
  readonly failureWindowMinutes: number;
  /** OPENDMS_COOKIE_SECURE: mark the session cookie Secure (default false; set it behind HTTPS). */
  readonly secureCookie: boolean;
}

export interface ExportConfig {
  /** OPENDMS_EXPORT_URL_TTL_SECONDS: lifetime of GetDataExportDownloadURL links (default 3600). */
  readonly downloadUrlTtlSeconds: number;
  /** OPENDMS_EXPORT_RETENTION_DAYS: result files are deleted this long after the export (default 7). */
  readonly retentionDays: number;
  /**
   * OPENDMS_EXPORT_COMPRESSION_LEVEL: zip deflate level 0-9 (default 0: stored). zlib at level 1
   * runs at about 50 MB/s on a 2-core machine, slower than the databases produce rows, so
   * compression is opted into (ADR 0004).
   */
  readonly compressionLevel: number;
  /**
   * OPENDMS_EXPORT_MAX_RUN_SECONDS: the longest one export may run, whatever the instance's
   * ExportTimeout (default 21600). On PostgreSQL it is also the job lease: a process that dies
   * mid-export has its export picked up again after this long.
   */
  readonly maxRunSeconds: number;
}

export interface WebhookConfig {
  /** OPENDMS_WEBHOOK_ALLOWED_HOSTS: hosts and CIDR ranges allowed although private or loopback. */
  readonly allowedHosts: readonly string[];
  /** OPENDMS_WEBHOOK_MAX_ATTEMPTS: attempts per delivery before it is FAIL (default 8). */
  readonly maxAttempts: number;
  /** OPENDMS_WEBHOOK_BACKOFF_SECONDS: base of the exponential backoff between attempts (default 10). */
  readonly backoffSeconds: number;
}

export interface ConfigOverrides {
  host?: string | undefined;
  port?: number | string | undefined;
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  demo?: boolean | undefined;
  runJobs?: boolean | undefined;
}

function intFrom(value: string | number | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be an integer between 0 and 65535, got "${value}"`);
  return n;
}

function positiveIntFrom(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

function levelFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 9) throw new Error(`OPENDMS_EXPORT_COMPRESSION_LEVEL must be an integer from 0 to 9, got "${value}"`);
  return n;
}

/** An allow-list variable (`OPENDMS_*_ALLOWED_HOSTS`): comma-separated host names, IP addresses and CIDR ranges. */
function allowedHostsFrom(env: NodeJS.ProcessEnv, name: string): readonly string[] {
  const entries = (env[name] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  try {
    parseAllowList(entries);
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  return Object.freeze(entries);
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(overrides.dataDir ?? env.OPENDMS_DATA_DIR ?? './.opendms');
  const timezone = env.OPENDMS_TIMEZONE ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new Error(`OPENDMS_TIMEZONE "${timezone}" is not a known IANA time zone`);
  }
  const databaseUrl = overrides.databaseUrl ?? (env.OPENDMS_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('--database-url / OPENDMS_DATABASE_URL must be a postgres:// URL');
  }
  return Object.freeze({
    host: overrides.host ?? env.OPENDMS_HOST ?? '127.0.0.1',
    port: intFrom(overrides.port ?? env.OPENDMS_PORT, 'port', 8080),
    dataDir,
    databaseUrl,
    databaseSchema: env.OPENDMS_DATABASE_SCHEMA || 'public',
    demo: overrides.demo ?? false,
    runJobs: overrides.runJobs ?? !['0', 'false', 'no'].includes((env.OPENDMS_RUN_JOBS ?? '').toLowerCase()),
    timezone,
    masterKey: env.OPENDMS_MASTER_KEY || undefined,
    signatureWindowSeconds: intFrom(env.OPENDMS_SIGNATURE_WINDOW_SECONDS, 'OPENDMS_SIGNATURE_WINDOW_SECONDS', 900),
    shutdownGraceSeconds: intFrom(env.OPENDMS_SHUTDOWN_GRACE_SECONDS, 'OPENDMS_SHUTDOWN_GRACE_SECONDS', 10),
    sqliteInstanceDir: path.resolve(env.OPENDMS_SQLITE_DIR ?? path.join(dataDir, 'sqlite')),
    bootstrapAccessKeyId: env.OPENDMS_BOOTSTRAP_ACCESS_KEY_ID || undefined,
    bootstrapAccessKeySecret: env.OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET || undefined,
    logLevel: env.OPENDMS_LOG_LEVEL ?? 'info',
    webhooks: loadWebhookConfig(env),
    filesDir: path.resolve(env.OPENDMS_FILES_DIR || path.join(dataDir, 'files')),
    consoleDir: env.OPENDMS_CONSOLE_DIR ? path.resolve(env.OPENDMS_CONSOLE_DIR) : undefined,
    filesS3: env.OPENDMS_FILES_S3_BUCKET
      ? Object.freeze({
          bucket: env.OPENDMS_FILES_S3_BUCKET,
          prefix: s3Prefix(env.OPENDMS_FILES_S3_PREFIX ?? ''),
          endpoint: env.OPENDMS_FILES_S3_ENDPOINT || undefined,
          region: env.OPENDMS_FILES_S3_REGION || env.AWS_REGION || 'us-east-1',
          forcePathStyle: ['1', 'true', 'yes'].includes((env.OPENDMS_FILES_S3_FORCE_PATH_STYLE ?? '').toLowerCase()),
          credentials:
            env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
              ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
              : undefined,
        })
      : undefined,
    uploadAllowedHosts: allowedHostsFrom(env, 'OPENDMS_UPLOAD_ALLOWED_HOSTS'),
    // 100 MiB: far above any SQL script people review, small enough for one request body.
    uploadMaxBytes: positiveIntFrom(env.OPENDMS_UPLOAD_MAX_BYTES, 'OPENDMS_UPLOAD_MAX_BYTES', 100 * 1024 * 1024),
    uploadTimeoutSeconds: positiveIntFrom(env.OPENDMS_UPLOAD_TIMEOUT_SECONDS, 'OPENDMS_UPLOAD_TIMEOUT_SECONDS', 60),
    // 5 minutes: enough to start a download, short enough that a leaked link soon stops working.
    downloadUrlTtlSeconds: positiveIntFrom(env.OPENDMS_DOWNLOAD_URL_TTL_SECONDS, 'OPENDMS_DOWNLOAD_URL_TTL_SECONDS', 300),
    exports: Object.freeze({
      downloadUrlTtlSeconds: positiveIntFrom(env.OPENDMS_EXPORT_URL_TTL_SECONDS, 'OPENDMS_EXPORT_URL_TTL_SECONDS', 3600),
      retentionDays: positiveIntFrom(env.OPENDMS_EXPORT_RETENTION_DAYS, 'OPENDMS_EXPORT_RETENTION_DAYS', 7),
      compressionLevel: levelFrom(env.OPENDMS_EXPORT_COMPRESSION_LEVEL),
      maxRunSeconds: positiveIntFrom(env.OPENDMS_EXPORT_MAX_RUN_SECONDS, 'OPENDMS_EXPORT_MAX_RUN_SECONDS', 6 * 3600),
    }),
    metricsToken: env.OPENDMS_METRICS_TOKEN || undefined,
    jobs: Object.freeze({
      dcMaxRunSeconds: positiveIntFrom(env.OPENDMS_DC_MAX_RUN_SECONDS, 'OPENDMS_DC_MAX_RUN_SECONDS', 3600),
      leaseCheckSeconds: positiveIntFrom(env.OPENDMS_JOB_LEASE_CHECK_SECONDS, 'OPENDMS_JOB_LEASE_CHECK_SECONDS', 30),
    }),
    console: Object.freeze({
      idleMinutes: positiveIntFrom(env.OPENDMS_SESSION_IDLE_MINUTES, 'OPENDMS_SESSION_IDLE_MINUTES', 30),
      maxHours: positiveIntFrom(env.OPENDMS_SESSION_MAX_HOURS, 'OPENDMS_SESSION_MAX_HOURS', 12),
      maxFailures: positiveIntFrom(env.OPENDMS_LOGIN_MAX_FAILURES, 'OPENDMS_LOGIN_MAX_FAILURES', 5),
      failureWindowMinutes: positiveIntFrom(env.OPENDMS_LOGIN_FAILURE_WINDOW_MINUTES, 'OPENDMS_LOGIN_FAILURE_WINDOW_MINUTES', 15),
      secureCookie: ['1', 'true', 'yes'].includes((env.OPENDMS_COOKIE_SECURE ?? '').toLowerCase()),
    }),
  });
}

/** `a/b` → `a/b/`: keys are appended to it; a prefix must be key-like segments. */
function s3Prefix(raw: string): string {
  const p = raw.replace(/^\/+|\/+$/g, '');
  if (p === '') return '';
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/.test(p)) throw new Error(`OPENDMS_FILES_S3_PREFIX "${raw}" must be /-separated names of letters, digits, '.', '_' and '-'`);
  return `${p}/`;
}

/** Webhook delivery settings; 8 attempts at base 10 s retry for about 21 minutes after the first. */
function loadWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const allowedHosts = allowedHostsFrom(env, 'OPENDMS_WEBHOOK_ALLOWED_HOSTS');
  const maxAttempts = Number(env.OPENDMS_WEBHOOK_MAX_ATTEMPTS || 8);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    throw new Error(`OPENDMS_WEBHOOK_MAX_ATTEMPTS must be an integer between 1 and 20, got "${env.OPENDMS_WEBHOOK_MAX_ATTEMPTS}"`);
  }
  const backoffSeconds = Number(env.OPENDMS_WEBHOOK_BACKOFF_SECONDS || 10);
  if (!Number.isFinite(backoffSeconds) || backoffSeconds <= 0 || backoffSeconds > 3600) {
    throw new Error(`OPENDMS_WEBHOOK_BACKOFF_SECONDS must be a number of seconds above 0 and at most 3600, got "${env.OPENDMS_WEBHOOK_BACKOFF_SECONDS}"`);
  }
  return Object.freeze({ allowedHosts, maxAttempts, backoffSeconds });
}
