/**
 * `ddl-alter-lock`: an ALTER TABLE (or CREATE INDEX) that reads or rewrites the whole table,
 * reported with the engine's expected algorithm and locks (lock-*.ts). At the rule's level when
 * the table has more than `minTableRows` rows and is rebuilt or copied or its writes wait; a
 * NOTICE at most otherwise (a smaller table, an unknown size, an index built with writes
 * allowed). What SQLite cannot run at all is reported at the rule's level whatever the size.
 */
import type { Engine } from '../../../connectors/connector.js';
import type { DdlDraft, DdlRuleDefinition } from '../ddl-types.js';
import { listOf, rowsText, what } from './helpers.js';
import { mysqlLockPlan } from './lock-mysql.js';
import { postgresLockPlan } from './lock-postgres.js';
import { sqliteLockPlan } from './lock-sqlite.js';
import type { LockInput, LockPlan } from './lock-types.js';
import { parseServerVersion, type ServerVersion } from './server-version.js';

/** Assumed when the caller gives no server version: a current release of each engine. */
const CURRENT: Record<Engine, ServerVersion> = {
  mysql: { major: 8, minor: 0, patch: 29 },
  mariadb: { major: 10, minor: 4, patch: 0 },
  postgresql: { major: 12, minor: 0, patch: 0 },
  sqlite: { major: 3, minor: 35, patch: 0 },
};

const PLANS: Record<Engine, (input: LockInput) => LockPlan> = {
  mysql: mysqlLockPlan,
  mariadb: mysqlLockPlan,
  postgresql: postgresLockPlan,
  sqlite: sqliteLockPlan,
};

export const ddlAlterLock: DdlRuleDefinition = {
  id: 'ddl-alter-lock',
  level: 'WARNING',
  description:
    'ALTER TABLE or CREATE INDEX that builds, scans, rebuilds or copies a table, with the engine\'s expected algorithm and locks (MySQL/MariaDB INSTANT / INPLACE / COPY, PostgreSQL rewrite or scan vs catalog only, SQLite\'s supported ALTERs): at the rule\'s level on a table of more than `minTableRows` rows that is rebuilt or copied or whose writes wait, a NOTICE otherwise (smaller or unknown size, online index builds); an ALTER SQLite cannot run at all at the rule\'s level.',
  params: { minTableRows: 1_000_000 },
  check(s, { ctx, params, before }) {
    if (s.kind !== 'ALTER_TABLE' && s.kind !== 'CREATE_INDEX') return [];
    const table = s.table ? before(s.table) : undefined;
    const given = parseServerVersion(ctx.serverVersion, ctx.engine);
    const plan = PLANS[ctx.engine]({ engine: ctx.engine, s, table, version: given ?? CURRENT[ctx.engine], assumed: given === null });
    const out: DdlDraft[] = [];
    if (plan.unsupported.length) {
      out.push(`SQLite's ALTER TABLE cannot ${listOf(plan.unsupported)}; rebuild the table instead: create the new table, copy the rows, drop the old one and rename the new one (sqlite.org/lang_altertable.html, "other kinds of table schema changes").`);
    }
    // A table created earlier in the script is empty: nothing to lock.
    const heavy = table?.created ? [] : plan.ops.filter((o) => o.cost !== 'metadata');
    if (!heavy.length) return out;
    const rows = table?.rows ?? null;
    // The rule's level for a large table that is rewritten or whose writes wait; an online index build or check stays a NOTICE.
    const large = rows !== null && rows > params['minTableRows']! && heavy.some((o) => o.cost === 'rebuild' || o.cost === 'copy' || o.blocksWrites);
    const size = rows === null ? ' (size unknown)' : ` (${rowsText(rows)})`;
    const message = `${what(s)}${size}: ${heavy.map((o) => `${o.what}: ${o.how}`).join('; ')}. ${plan.summary(heavy)}${large ? ` ${plan.advice(heavy)}` : ''}`.replace(/\s+$/, '').replace(/ {2,}/g, ' ');
    out.push(large ? message : { message, atMost: 'NOTICE' });
    return out;
  },
};
