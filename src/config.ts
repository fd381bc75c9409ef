import path from 'node:path';

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
}

export interface ConfigOverrides {
  host?: string | undefined;
  port?: number | string | undefined;
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  demo?: boolean | undefined;
}

function intFrom(value: string | number | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be an integer between 0 and 65535, got "${value}"`);
  return n;
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
    timezone,
    masterKey: env.OPENDMS_MASTER_KEY || undefined,
    signatureWindowSeconds: intFrom(env.OPENDMS_SIGNATURE_WINDOW_SECONDS, 'OPENDMS_SIGNATURE_WINDOW_SECONDS', 900),
    sqliteInstanceDir: path.resolve(env.OPENDMS_SQLITE_DIR ?? path.join(dataDir, 'sqlite')),
    bootstrapAccessKeyId: env.OPENDMS_BOOTSTRAP_ACCESS_KEY_ID || undefined,
    bootstrapAccessKeySecret: env.OPENDMS_BOOTSTRAP_ACCESS_KEY_SECRET || undefined,
    logLevel: env.OPENDMS_LOG_LEVEL ?? 'info',
  });
}
