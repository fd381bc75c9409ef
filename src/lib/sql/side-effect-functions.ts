/**
 * Functions that act outside the query that calls them: on other sessions, the server, its files,
 * locks or sequences. A deliberately small deny-list, each entry with the plain-words reason shown
 * to the user; it is not a sandbox (the read-only transaction and the database account's
 * privileges are). Names are matched case-insensitively, with or without a schema
 * (`pg_catalog.pg_terminate_backend`), quoted or not.
 *
 * Deliberately allowed: pg_sleep / SLEEP (the statement timeout bounds them) and
 * IS_FREE_LOCK / IS_USED_LOCK (they only look). Beyond the brief's list, nextval/setval, pg_notify,
 * pg_switch_wal/pg_promote, the other pg_ls_*dir functions and the writing lo_* functions are here
 * for the same reasons as their neighbours.
 */
import type { Engine } from '../../connectors/connector.js';

interface Rule {
  test: (name: string) => boolean;
  reason: string;
}

const exact = (names: string, reason: string): Rule => {
  const set = new Set(names.split(' '));
  return { test: (n) => set.has(n), reason };
};

const POSTGRESQL: Rule[] = [
  exact('pg_terminate_backend pg_cancel_backend', 'ends or cancels another session'),
  exact('pg_reload_conf pg_rotate_logfile pg_switch_wal pg_promote', 'acts on the database server (configuration, log or WAL files, failover)'),
  exact('set_config', 'changes a server setting for the session'),
  { test: (n) => /^pg_(try_)?advisory_/.test(n), reason: 'takes or releases an advisory lock that outlives the query' },
  exact('lo_import lo_export lo_unlink lo_create lo_creat lo_put lo_from_bytea lo_truncate lowrite', 'reads, writes or deletes large objects or server files'),
  exact('pg_read_file pg_read_binary_file pg_ls_dir pg_stat_file', 'reads files or directories of the database server'),
  { test: (n) => /^pg_ls_[a-z_]*dir$/.test(n), reason: 'lists directories of the database server' },
  { test: (n) => n === 'dblink' || n.startsWith('dblink_'), reason: 'connects to another database and can run any statement there' },
  exact('nextval setval', 'changes a sequence (never undone, even by a rollback)'),
  exact('pg_notify', 'sends a notification to other sessions'),
];

const MYSQL: Rule[] = [
  exact('get_lock release_lock release_all_locks', 'takes or releases a named lock that outlives the query'),
  exact('load_file', 'reads a file of the database server'),
  exact('benchmark', 'is a load-generation tool (it repeats an expression to load the server)'),
];

const SQLITE: Rule[] = [
  exact('load_extension', 'loads native code into the database process'),
  exact('writefile', 'writes a file'),
  exact('readfile', 'reads a file'),
];

const RULES: Record<Engine, Rule[]> = { postgresql: POSTGRESQL, mysql: MYSQL, mariadb: MYSQL, sqlite: SQLITE };

/** Why calling `name` is refused in a read-only query, or null when it is not on the deny-list. */
export function sideEffectFunctionReason(name: string, engine: Engine): string | null {
  const n = name.toLowerCase();
  return RULES[engine].find((r) => r.test(n))?.reason ?? null;
}
