import { createConnector, TargetDbError, type ConnectionSpec, type Connector, type Engine } from '../../connectors/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';

/** What is needed to reach an instance; the password is still encrypted. */
export interface StoredConnection {
  db_type: string;
  host: string;
  port: number;
  db_user: string;
  db_password_enc: string;
  query_timeout_s: number;
}

/** The connector spec of an instance, password decrypted; `database` is where to log in. */
export function connectionSpecOf(deps: Deps, row: StoredConnection, database?: string): ConnectionSpec {
  return {
    engine: row.db_type as Engine,
    host: row.host,
    port: row.port,
    user: row.db_user,
    password: deps.secrets.decrypt(row.db_password_enc),
    database,
    // The instance's QueryTimeout bounds every statement OpenDMS runs there, metadata included.
    queryTimeoutMs: row.query_timeout_s * 1000,
  };
}

/** Opens a connector for one piece of work and always closes it (no pool outlives a request). */
export async function withConnector<T>(deps: Deps, spec: ConnectionSpec, fn: (c: Connector) => Promise<T>): Promise<T> {
  const connector = createConnector(spec, { sqliteAllowedDir: deps.config.sqliteInstanceDir });
  deps.metrics.targetConnectors.inc();
  try {
    return await fn(connector);
  } catch (e) {
    throw targetFailure(e, spec);
  } finally {
    deps.metrics.targetConnectors.dec();
    await connector.close().catch(() => undefined);
  }
}

/**
 * A target database failure as a business error naming the instance. The connectors already keep
 * passwords out of their messages. Other errors pass through unchanged.
 */
export function targetFailure(e: unknown, spec: Pick<ConnectionSpec, 'engine' | 'host' | 'port' | 'user'>): unknown {
  if (!(e instanceof TargetDbError)) return e;
  const where = spec.engine === 'sqlite' ? `SQLite file ${spec.host}` : `${spec.engine} instance ${spec.host}:${spec.port} (user ${spec.user})`;
  const details = { kind: e.kind, code: e.code, sqlState: e.sqlState, errno: e.errno };
  switch (e.kind) {
    case 'config':
      return new AppError('InvalidHost', `Specified parameter Host is not valid: ${e.message}.`, { cause: e, details });
    case 'not_found':
      return new AppError('ResourceNotFound', `${where}: ${e.message}`, { cause: e, details });
    default:
      return new AppError('ConnectionFailed', `Could not work with ${where}: ${e.message}`, { cause: e, details });
  }
}
