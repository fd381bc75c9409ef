import type { ConnectionSpec, Connector } from './connector.js';
import { MysqlConnector } from './mysql/mysql-connector.js';
import { PostgresConnector } from './postgres/postgres-connector.js';
import { SqliteConnector } from './sqlite/sqlite-connector.js';

export * from './connector.js';
export * from './result-set.js';
export * from './write-session.js';

export interface ConnectorOptions {
  /** SQLite instances (`host` = file path) must live inside this folder (Config.sqliteInstanceDir). */
  sqliteAllowedDir: string;
}

/** The connector for one target instance. Nothing connects until the first call. */
export function createConnector(spec: ConnectionSpec, options: ConnectorOptions): Connector {
  switch (spec.engine) {
    case 'mysql':
    case 'mariadb':
      return new MysqlConnector(spec);
    case 'postgresql':
      return new PostgresConnector(spec);
    case 'sqlite':
      return new SqliteConnector(spec, options.sqliteAllowedDir);
  }
}
