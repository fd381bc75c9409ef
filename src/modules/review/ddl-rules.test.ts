import { describe, expect, it } from 'vitest';
import type { Engine } from '../../connectors/connector.js';
import { ddlContext, ordersFacts, type DdlContextOptions } from './ddl-review-context.fixture.js';
import { reviewDdl } from './ddl-review.js';
import { DDL_RULES } from './ddl-rules/index.js';
import type { RuleLevel } from './types.js';

const MYSQLISH: Engine[] = ['mysql', 'mariadb'];
const PG: Engine[] = ['postgresql'];
const SQLITE: Engine[] = ['sqlite'];
const ALL: Engine[] = ['mysql', 'mariadb', 'postgresql', 'sqlite'];
const NOT_PG: Engine[] = ['mysql', 'mariadb', 'sqlite'];
const NOT_SQLITE: Engine[] = ['mysql', 'mariadb', 'postgresql'];

/** Quote an identifier the engine's way. */
const q = (engine: Engine, name: string): string => (engine === 'mysql' || engine === 'mariadb' ? `\`${name}\`` : `"${name}"`);

interface Case {
  rule: string;
  engines: Engine[];
  /** SQL, or SQL per engine. */
  sql: string | ((engine: Engine) => string);
  /** The level expected when it fires; null: quiet. */
  level: RuleLevel | null;
  options?: DdlContextOptions;
}

const fire = (rule: string, engines: Engine[], sql: Case['sql'], level: RuleLevel = 'WARNING', options?: DdlContextOptions): Case => ({ rule, engines, sql, level, ...(options ? { options } : {}) });
const quiet = (rule: string, engines: Engine[], sql: Case['sql'], options?: DdlContextOptions): Case => ({ rule, engines, sql, level: null, ...(options ? { options } : {}) });
const version = (serverVersion: string): DdlContextOptions => ({ serverVersion });
const setting = (ruleId: string, params: Record<string, number>): DdlContextOptions => ({ settings: [{ ruleId, level: 'WARNING', params }] });

const CASES: Case[] = [
  // ddl-table-primary-key
  fire('ddl-table-primary-key', ALL, 'create table t (a int)', 'ERROR'),
  fire('ddl-table-primary-key', ALL, 'create table t (a int, b int, unique (a))', 'ERROR'),
  fire('ddl-table-primary-key', ALL, 'create table t as select * from orders', 'ERROR'),
  fire('ddl-table-primary-key', MYSQLISH, 'alter table orders drop primary key', 'ERROR'),
  quiet('ddl-table-primary-key', ALL, 'create table t (id int primary key, a int)'),
  quiet('ddl-table-primary-key', ALL, 'create table t (id int, a int, primary key (id, a))'),
  quiet('ddl-table-primary-key', NOT_SQLITE, 'create table t (like orders)'),
  quiet('ddl-table-primary-key', MYSQLISH, 'create table t like orders'),
  quiet('ddl-table-primary-key', ALL, 'create temporary table t (a int)'),
  quiet('ddl-table-primary-key', MYSQLISH, 'alter table orders drop primary key, add primary key (id, name)'),
  quiet('ddl-table-primary-key', PG, 'create table t (id int generated always as identity primary key)'),

  // ddl-naming
  fire('ddl-naming', NOT_PG, 'create table OrderItems (id int primary key)'),
  fire('ddl-naming', PG, 'create table "OrderItems" (id int primary key)'),
  quiet('ddl-naming', PG, 'create table OrderItems (id int primary key)'), // folded to orderitems
  fire('ddl-naming', ALL, (e) => `create table t (id int primary key, ${q(e, 'order')} int)`),
  fire('ddl-naming', ALL, (e) => `alter table orders rename column name to ${q(e, 'select')}`),
  fire('ddl-naming', NOT_PG, 'alter table orders add column userName int'),
  fire('ddl-naming', ALL, `create table t (id int primary key, ${'a'.repeat(65)} int)`),
  fire('ddl-naming', PG, `create table t (id int primary key, ${'a'.repeat(64)} int)`), // PostgreSQL keeps 63
  fire('ddl-naming', MYSQLISH, 'rename table orders to Orders2'),
  fire('ddl-naming', MYSQLISH, 'alter table orders change name Name varchar(100)'),
  quiet('ddl-naming', ALL, 'create table order_items (id int primary key, user_id int, created_at int)'),
  quiet('ddl-naming', ALL, 'alter table orders add column user_name int, drop column qty'),
  quiet('ddl-naming', MYSQLISH, 'alter table orders modify name varchar(200)'),
  quiet('ddl-naming', NOT_PG, 'alter table orders add column userName int', setting('ddl-naming', { namingStyle: 1 })),
  fire('ddl-naming', ALL, 'alter table orders add column user_name int', 'WARNING', setting('ddl-naming', { namingStyle: 1 })),
  quiet('ddl-naming', ALL, (e) => `create table t (id int primary key, ${q(e, 'order')} int)`, setting('ddl-naming', { reservedWords: 0 })),
  fire('ddl-naming', ALL, 'create table t (id int primary key, a_long_name int)', 'WARNING', setting('ddl-naming', { maxLength: 10 })),
  quiet('ddl-naming', NOT_PG, 'create table OrderItems (id int primary key)', setting('ddl-naming', { namingStyle: 4 })),

  // ddl-column-comment (MySQL/MariaDB)
  fire('ddl-column-comment', MYSQLISH, "create table t (id int primary key comment 'id', name varchar(10))"),
  fire('ddl-column-comment', MYSQLISH, 'alter table orders add column x int'),
  fire('ddl-column-comment', MYSQLISH, 'alter table orders modify name varchar(200) not null'),
  fire('ddl-column-comment', MYSQLISH, "alter table orders add column x int comment ''"),
  quiet('ddl-column-comment', MYSQLISH, "create table t (id int primary key comment 'id', name varchar(10) comment 'the name')"),
  quiet('ddl-column-comment', MYSQLISH, "alter table orders add column x int comment 'x', drop column qty"),
  quiet('ddl-column-comment', MYSQLISH, 'alter table orders alter column qty set default 1'),
  quiet('ddl-column-comment', ['postgresql', 'sqlite'], 'create table t (id int primary key, a int)'),

  // ddl-table-charset (MySQL/MariaDB)
  fire('ddl-table-charset', MYSQLISH, "create table t (id int primary key comment 'id') default charset=latin1"),
  fire('ddl-table-charset', MYSQLISH, "create table t (id int primary key comment 'id') character set utf8 collate utf8_general_ci"),
  fire('ddl-table-charset', MYSQLISH, "create table t (id int primary key comment 'id') collate=latin1_bin"),
  fire('ddl-table-charset', MYSQLISH, "create table t (id int primary key comment 'id')", 'NOTICE'),
  fire('ddl-table-charset', MYSQLISH, "create table t (id int primary key, a varchar(10) character set utf8) default charset=utf8mb4"),
  fire('ddl-table-charset', MYSQLISH, 'alter table orders convert to character set utf8'),
  fire('ddl-table-charset', MYSQLISH, 'alter table orders default charset=latin1'),
  fire('ddl-table-charset', MYSQLISH, 'alter table orders add column a varchar(10) character set latin1'),
  quiet('ddl-table-charset', MYSQLISH, 'create table t (id int primary key) engine=InnoDB default charset=utf8mb4'),
  quiet('ddl-table-charset', MYSQLISH, 'create table t (id int primary key) collate=utf8mb4_bin'),
  quiet('ddl-table-charset', MYSQLISH, 'alter table orders convert to character set utf8mb4 collate utf8mb4_unicode_ci'),
  quiet('ddl-table-charset', MYSQLISH, 'create table t like orders'),
  quiet('ddl-table-charset', ['postgresql', 'sqlite'], 'create table t (id int primary key)'),

  // ddl-drop-table (ERROR in product)
  fire('ddl-drop-table', ALL, 'drop table orders'),
  fire('ddl-drop-table', ALL, 'drop table if exists orders, small', 'ERROR', { envType: 'product' }),
  fire('ddl-drop-table', ALL, 'drop table unknown_table', 'WARNING', { envType: 'test' }),
  quiet('ddl-drop-table', ALL, 'alter table orders add column x int'),
  quiet('ddl-drop-table', MYSQLISH, 'drop temporary table tmp'),

  // ddl-drop-column (ERROR in product)
  fire('ddl-drop-column', ALL, 'alter table orders drop column qty'),
  fire('ddl-drop-column', NOT_SQLITE, 'alter table orders drop qty, drop amount', 'ERROR', { envType: 'product' }),
  fire('ddl-drop-column', SQLITE, 'alter table orders drop qty', 'ERROR', { envType: 'product' }),
  quiet('ddl-drop-column', ALL, 'alter table orders add column z int'),
  quiet('ddl-drop-column', MYSQLISH, 'alter table orders drop index idx_name'),

  // ddl-type-narrowing (ERROR in product)
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders modify name varchar(50) not null'),
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders change qty qty smallint', 'ERROR', { envType: 'product' }),
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders modify amount decimal(8,2)'),
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders modify amount decimal(10,1)'),
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders modify qty int unsigned'),
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders modify name int'),
  fire('ddl-type-narrowing', MYSQLISH, 'alter table orders modify created date'),
  fire('ddl-type-narrowing', PG, 'alter table orders alter column name type varchar(50)'),
  fire('ddl-type-narrowing', PG, 'alter table orders alter column qty type smallint', 'ERROR', { envType: 'product' }),
  fire('ddl-type-narrowing', PG, 'alter table orders alter column amount type numeric(6,2)'),
  quiet('ddl-type-narrowing', MYSQLISH, 'alter table orders modify name varchar(200) not null'),
  quiet('ddl-type-narrowing', MYSQLISH, 'alter table orders change qty quantity bigint'),
  quiet('ddl-type-narrowing', MYSQLISH, 'alter table orders modify amount decimal(12,2)'),
  quiet('ddl-type-narrowing', MYSQLISH, 'alter table orders modify qty int(11)'),
  quiet('ddl-type-narrowing', MYSQLISH, 'alter table orders modify qty varchar(20)'),
  quiet('ddl-type-narrowing', MYSQLISH, 'alter table unknown_table modify a varchar(1)'),
  quiet('ddl-type-narrowing', PG, 'alter table orders alter column name type text'),
  quiet('ddl-type-narrowing', PG, 'alter table orders alter column qty type bigint'),
  quiet('ddl-type-narrowing', PG, 'alter table orders alter column amount type numeric'),
  quiet('ddl-type-narrowing', PG, 'alter table orders alter column created type timestamp(6)'),

  // ddl-add-column-without-default (orders: 5,000,000 rows; small: 100)
  fire('ddl-add-column-without-default', MYSQLISH, "alter table orders add column x int not null comment 'x'"),
  fire('ddl-add-column-without-default', NOT_SQLITE, 'alter table orders add column x int'),
  fire('ddl-add-column-without-default', SQLITE, 'alter table orders add column x int default null'),
  fire('ddl-add-column-without-default', PG, 'alter table small add column x int not null'), // PostgreSQL refuses it on any non-empty table
  fire('ddl-add-column-without-default', SQLITE, 'alter table unknown_table add column x int not null'), // SQLite always refuses it
  quiet('ddl-add-column-without-default', MYSQLISH, 'alter table small add column x int not null'),
  quiet('ddl-add-column-without-default', ALL, 'alter table small add column x int'),
  quiet('ddl-add-column-without-default', ALL, 'alter table orders add column x int not null default 0'),
  quiet('ddl-add-column-without-default', ALL, "alter table orders add column x varchar(10) default 'a'"),
  quiet('ddl-add-column-without-default', NOT_SQLITE, 'alter table unknown_table add column x int not null'),
  quiet('ddl-add-column-without-default', PG, 'alter table orders add column x bigserial'),
  quiet('ddl-add-column-without-default', ALL, 'alter table orders add column x int', setting('ddl-add-column-without-default', { minTableRows: 10_000_000 })),

  // ddl-index-count (orders has 3 indexes)
  fire('ddl-index-count', ALL, 'create index idx_amount on orders (amount)', 'WARNING', setting('ddl-index-count', { maxIndexes: 3 })),
  fire('ddl-index-count', MYSQLISH, 'create table t (id int primary key, a int, b int, c int, key (a), key (b), key (c), key (a, b), key (b, c), key (a, c), key (c, a), key (c, b))'),
  fire('ddl-index-count', PG, 'create table t (id int primary key, a int unique, b int unique, c int unique, d int unique, e int unique, f int unique, g int unique, h int unique)'),
  fire('ddl-index-count', MYSQLISH, 'alter table orders add index i1 (amount), add index i2 (created), add index i3 (amount, qty), add index i4 (created, qty), add index i5 (name, qty), add unique (amount, created)'),
  quiet('ddl-index-count', ALL, 'create index idx_amount on orders (amount)'),
  quiet('ddl-index-count', ALL, 'create index idx_amount on orders (amount)', setting('ddl-index-count', { maxIndexes: 4 })),
  quiet('ddl-index-count', MYSQLISH, 'alter table orders drop index idx_name, add index i (amount)', setting('ddl-index-count', { maxIndexes: 3 })),
  quiet('ddl-index-count', ALL, 'create table t (id int primary key, a int unique)'),

  // ddl-index-columns
  fire('ddl-index-columns', ALL, 'create index i on orders (id, name, amount, qty, created, id)'),
  fire('ddl-index-columns', ALL, 'create table t (a int, b int, c int, primary key (a, b, c))', 'WARNING', setting('ddl-index-columns', { maxColumns: 2 })),
  fire('ddl-index-columns', MYSQLISH, 'alter table orders add index i (id, name, amount, qty, created, id)'),
  quiet('ddl-index-columns', ALL, 'create index i on orders (id, name, amount, qty, created)'),
  quiet('ddl-index-columns', ALL, 'create table t (a int, b int, c int, primary key (a, b, c))'),

  // ddl-redundant-index (orders: PRIMARY(id), idx_name(name), idx_qty_created(qty, created))
  fire('ddl-redundant-index', ALL, 'create index i2 on orders (name)'),
  fire('ddl-redundant-index', ALL, 'create index i2 on orders (qty)'),
  fire('ddl-redundant-index', ALL, 'create index i2 on orders (name, amount)'),
  fire('ddl-redundant-index', ALL, 'create index i2 on orders (id)'),
  fire('ddl-redundant-index', ALL, 'create table t (id int primary key, a int, unique (id))'),
  fire('ddl-redundant-index', MYSQLISH, 'create table t (id int primary key, a int, b int, key ka (a), key kab (a, b))'),
  fire('ddl-redundant-index', MYSQLISH, 'alter table orders add index i1 (amount), add index i2 (amount, qty)'),
  fire('ddl-redundant-index', MYSQLISH, 'alter table orders add index I (NAME)'), // MySQL names are case-insensitive
  quiet('ddl-redundant-index', ALL, 'create index i2 on orders (amount)'),
  quiet('ddl-redundant-index', ALL, 'create index i2 on orders (created, qty)'),
  quiet('ddl-redundant-index', ALL, 'create unique index u on orders (qty)'), // a unique key enforces something
  quiet('ddl-redundant-index', ['postgresql', 'sqlite'], 'create index i2 on orders (name) where qty > 0'), // partial
  quiet('ddl-redundant-index', MYSQLISH, 'alter table orders drop index idx_name, add index i (name)'),
  quiet('ddl-redundant-index', MYSQLISH, 'alter table orders add fulltext index ft (name)'),
  quiet('ddl-redundant-index', ALL, 'create table t (id int primary key, a int, b int unique)'),

  // ddl-foreign-key
  fire('ddl-foreign-key', ALL, 'create table t (id int primary key, order_id bigint references orders (id))'),
  fire('ddl-foreign-key', ALL, 'create table t (id int primary key, order_id bigint, constraint fk foreign key (order_id) references orders (id))'),
  fire('ddl-foreign-key', NOT_SQLITE, 'alter table small add constraint fk foreign key (qty) references orders (id)'),
  fire('ddl-foreign-key', ALL, 'alter table small add column order_id bigint references orders (id)'),
  quiet('ddl-foreign-key', ALL, 'create table t (id int primary key, order_id bigint)'),
  quiet('ddl-foreign-key', ALL, 'create table t (id int primary key, order_id bigint references orders (id))', { settings: [{ ruleId: 'ddl-foreign-key', level: 'OFF' }] }),

  // ddl-alter-lock: MySQL/MariaDB (orders: 5,000,000 rows; small: 100; no version given: a current server)
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders modify name varchar(50) not null'), // COPY
  fire('ddl-alter-lock', MYSQLISH, 'alter table small modify name varchar(50) not null', 'NOTICE'),
  fire('ddl-alter-lock', MYSQLISH, 'alter table unknown_table modify a bigint', 'NOTICE'),
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders convert to character set utf8mb4'),
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders drop primary key'),
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders add constraint fk foreign key (qty) references small (id)'),
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders add column x int', 'WARNING', version('5.7.40')),
  fire('ddl-alter-lock', ['mysql'], 'alter table orders add column x int after id', 'WARNING', version('8.0.20')),
  fire('ddl-alter-lock', ['mysql'], 'alter table orders drop column qty', 'WARNING', version('8.0.20')),
  fire('ddl-alter-lock', ['mariadb'], 'alter table orders add column x int after id', 'WARNING', version('10.3.39-MariaDB')),
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders add index i (amount)', 'NOTICE'), // writes allowed
  fire('ddl-alter-lock', MYSQLISH, 'create index i on orders (amount)', 'NOTICE'),
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders add fulltext index ft (name)'), // writes blocked
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders modify qty int not null'), // NOT NULL: INPLACE rebuild
  fire('ddl-alter-lock', MYSQLISH, 'alter table orders engine=InnoDB'),
  quiet('ddl-alter-lock', MYSQLISH, 'alter table orders add column x int'), // INSTANT
  quiet('ddl-alter-lock', MYSQLISH, 'alter table orders add column x int after id'),
  quiet('ddl-alter-lock', ['mysql'], 'alter table orders add column x int', version('8.0.20')),
  quiet('ddl-alter-lock', ['mariadb'], 'alter table orders add column x int', version('5.5.5-10.3.39-MariaDB')),
  quiet('ddl-alter-lock', MYSQLISH, 'alter table orders drop column qty'),
  quiet('ddl-alter-lock', MYSQLISH, 'alter table orders rename column qty to quantity, rename index idx_name to ix_name'),
  quiet('ddl-alter-lock', MYSQLISH, "alter table orders modify name varchar(100) not null comment 'shown name'"),
  quiet('ddl-alter-lock', MYSQLISH, 'alter table orders modify name varchar(200) not null'), // VARCHAR grown within its length bytes
  quiet('ddl-alter-lock', MYSQLISH, 'alter table orders alter column qty set default 0, drop index idx_name'),
  quiet('ddl-alter-lock', MYSQLISH, "alter table orders comment = 'orders'"),
  quiet('ddl-alter-lock', MYSQLISH, 'drop index idx_name on orders'),
  // PostgreSQL
  fire('ddl-alter-lock', PG, 'alter table orders alter column name type varchar(50)'), // rewrite
  fire('ddl-alter-lock', PG, 'alter table small alter column name type varchar(50)', 'NOTICE'),
  fire('ddl-alter-lock', PG, 'alter table orders alter column qty type bigint using qty::bigint'),
  fire('ddl-alter-lock', PG, 'alter table orders add column x int default 0', 'WARNING', version('PostgreSQL 10.23 on x86_64-pc-linux-gnu')),
  fire('ddl-alter-lock', PG, 'alter table orders add column token uuid default gen_random_uuid()'),
  fire('ddl-alter-lock', PG, 'alter table orders add column seq bigserial'),
  fire('ddl-alter-lock', PG, 'alter table orders alter column qty set not null'), // scan under ACCESS EXCLUSIVE
  fire('ddl-alter-lock', PG, 'alter table orders add constraint uq unique (amount)'),
  fire('ddl-alter-lock', PG, 'alter table orders add constraint fk foreign key (qty) references small (id)'),
  fire('ddl-alter-lock', PG, 'create index i on orders (amount)'), // SHARE lock: writes wait
  fire('ddl-alter-lock', PG, 'create index concurrently i on orders (amount)', 'NOTICE'),
  quiet('ddl-alter-lock', PG, 'alter table orders add column x int default 0'),
  quiet('ddl-alter-lock', PG, 'alter table orders add column x timestamptz default now()'),
  quiet('ddl-alter-lock', PG, 'alter table orders add column x int'),
  quiet('ddl-alter-lock', PG, 'alter table orders alter column name type varchar(200)'),
  quiet('ddl-alter-lock', PG, 'alter table orders alter column name type text'),
  quiet('ddl-alter-lock', PG, 'alter table orders alter column amount type numeric(12,2)'),
  quiet('ddl-alter-lock', PG, 'alter table orders drop column qty, alter column name drop not null, alter column qty set default 1'),
  quiet('ddl-alter-lock', PG, 'alter table orders rename column qty to quantity'),
  quiet('ddl-alter-lock', PG, 'alter table orders add constraint fk foreign key (qty) references small (id) not valid'),
  quiet('ddl-alter-lock', PG, 'drop index idx_name'),
  // SQLite
  fire('ddl-alter-lock', SQLITE, 'alter table small alter column name type text'), // not supported at all: full level
  fire('ddl-alter-lock', SQLITE, 'alter table small add column a int, add column b int'),
  fire('ddl-alter-lock', SQLITE, 'alter table small add column a int unique'),
  fire('ddl-alter-lock', SQLITE, 'alter table small add column created_at text default current_timestamp'),
  fire('ddl-alter-lock', SQLITE, 'alter table small add constraint fk foreign key (qty) references orders (id)'),
  fire('ddl-alter-lock', SQLITE, 'alter table small drop column qty', 'WARNING', version('3.31.1')),
  fire('ddl-alter-lock', SQLITE, 'alter table orders drop column qty'), // rewrites a large table
  fire('ddl-alter-lock', SQLITE, 'alter table small drop column qty', 'NOTICE'),
  fire('ddl-alter-lock', SQLITE, 'create index i on orders (amount)'),
  quiet('ddl-alter-lock', SQLITE, 'alter table orders add column a int default 0'),
  quiet('ddl-alter-lock', SQLITE, 'alter table orders rename to orders_old'),
  quiet('ddl-alter-lock', SQLITE, 'alter table orders rename column qty to quantity'),
];

describe.each(CASES.flatMap((k) => k.engines.map((engine) => ({ ...k, engine, text: typeof k.sql === 'string' ? k.sql : k.sql(engine) }))))('$rule on $engine', (k) => {
  it(`${k.level ? `fires (${k.level}) on` : 'stays quiet on'}: ${k.text}`, () => {
    const { findings } = reviewDdl(k.text, ddlContext(k.engine, k.options));
    const hits = findings.filter((f) => f.ruleId === k.rule);
    if (k.level) {
      expect(hits.length, JSON.stringify(findings)).toBeGreaterThanOrEqual(1);
      expect(hits.map((h) => h.level)).toEqual(hits.map(() => k.level));
      for (const h of hits) expect(h.message).toMatch(/^Statement 1 \(line 1\): \S/);
    } else {
      expect(hits, JSON.stringify(hits)).toEqual([]);
    }
  });
});

describe('every DDL rule', () => {
  it('has tests that make it fire and stay quiet', () => {
    for (const r of DDL_RULES) {
      expect(CASES.some((k) => k.rule === r.id && k.level), r.id).toBe(true);
      expect(CASES.some((k) => k.rule === r.id && !k.level), r.id).toBe(true);
    }
  });

  it('has a unique id starting with ddl-, a description and non-negative integer params', () => {
    expect(new Set(DDL_RULES.map((r) => r.id)).size).toBe(DDL_RULES.length);
    for (const r of DDL_RULES) {
      expect(r.id).toMatch(/^ddl-[a-z-]+$/);
      expect(r.description.length).toBeGreaterThan(20);
      for (const v of Object.values(r.params)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
    }
  });
});

describe('reviewDdl', () => {
  it('names the statement and line, and gives each statement its status', () => {
    const sql = 'create table t (id int primary key);\n\ncreate table u (a int);\nalter table orders add index i (amount)';
    const r = reviewDdl(sql, ddlContext('postgresql'));
    expect(r.statements.map((s) => [s.index, s.line, s.kind, s.table?.name, s.status])).toEqual([
      [1, 1, 'CREATE_TABLE', 't', 'PASS'],
      [2, 3, 'CREATE_TABLE', 'u', 'BLOCK'],
      [3, 4, 'ALTER_TABLE', 'orders', 'WARNING'],
    ]);
    expect(r.findings.find((f) => f.ruleId === 'ddl-table-primary-key')).toMatchObject({ level: 'ERROR', statementIndex: 2, line: 3, message: expect.stringMatching(/^Statement 2 \(line 3\): CREATE TABLE u has no primary key/) });
  });

  it('uses the environment\'s default level (levelIn) unless the tenant set one', () => {
    const level = (o: DdlContextOptions) => reviewDdl('drop table orders', ddlContext('mysql', o)).findings.find((f) => f.ruleId === 'ddl-drop-table')?.level;
    expect(level({ envType: 'product' })).toBe('ERROR');
    expect(level({ envType: 'PRODUCT' })).toBe('ERROR');
    expect(level({ envType: 'dev' })).toBe('WARNING');
    expect(reviewDdl('drop table orders', { ...ddlContext('mysql'), envType: null }).findings[0]!.level).toBe('WARNING');
    expect(level({ envType: 'product', settings: [{ ruleId: 'ddl-drop-table', level: 'NOTICE' }] })).toBe('NOTICE');
    expect(level({ envType: 'dev', settings: [{ ruleId: 'ddl-drop-table', level: 'ERROR' }] })).toBe('ERROR');
    expect(level({ envType: 'product', settings: [{ ruleId: 'ddl-drop-table', level: 'OFF' }] })).toBeUndefined();
  });

  it('a finding\'s NOTICE ceiling stays a NOTICE whatever the rule\'s level; the rule\'s level applies to the rest', () => {
    const levels = (sql: string, level: RuleLevel) =>
      reviewDdl(sql, ddlContext('mysql', { settings: [{ ruleId: 'ddl-alter-lock', level }] })).findings.filter((f) => f.ruleId === 'ddl-alter-lock').map((f) => f.level);
    expect(levels('alter table orders modify name varchar(50)', 'ERROR')).toEqual(['ERROR']);
    expect(levels('alter table small modify name varchar(50)', 'ERROR')).toEqual(['NOTICE']);
    expect(levels('alter table orders modify name varchar(50)', 'NOTICE')).toEqual(['NOTICE']);
  });

  it('sees the tables as the earlier statements of the script left them', () => {
    const ids = (sql: string, engine: Engine = 'mysql') => reviewDdl(sql, ddlContext(engine)).findings.map((f) => `${f.statementIndex}:${f.ruleId}`);
    // A table created in the script has no rows: adding a NOT NULL column or an index locks nothing.
    expect(ids("create table t (id int primary key comment 'id', a int comment 'a') default charset=utf8mb4; alter table t add column b int not null comment 'b'; create index i on t (a)")).toEqual([]);
    // Its indexes count for the redundancy check.
    expect(ids('create table t (id int primary key, a int); create index i1 on t (a); create index i2 on t (a)', 'postgresql')).toEqual(['3:ddl-redundant-index']);
    // A dropped index no longer makes a new one redundant.
    expect(ids('drop index idx_name on orders; create index i on orders (name)')).toEqual(['2:ddl-alter-lock']);
    // A renamed table keeps its facts under its new name.
    expect(ids('alter table orders rename to orders2; alter table orders2 modify name varchar(10) not null')).toEqual(['2:ddl-type-narrowing', '2:ddl-column-comment', '2:ddl-alter-lock']);
    // A column changed earlier is narrowed from its new type.
    expect(ids('alter table orders alter column name type text; alter table orders alter column name type varchar(200)', 'postgresql')).toEqual(['2:ddl-type-narrowing', '2:ddl-alter-lock']);
  });

  it('takes an analyzed script, and rules to run', () => {
    const r = reviewDdl('drop table orders', ddlContext('sqlite'), DDL_RULES.filter((x) => x.id === 'ddl-foreign-key'));
    expect(r.findings).toEqual([]);
  });

  it('names the rows and the expected lock in the lock message', () => {
    const [f] = reviewDdl('alter table orders modify name varchar(50) not null', ddlContext('mysql', { settings: [{ ruleId: 'ddl-type-narrowing', level: 'OFF' }, { ruleId: 'ddl-column-comment', level: 'OFF' }] })).findings;
    expect(f!.message).toMatch(/ALTER TABLE orders \(about 5,000,000 rows\): MODIFY name: COPY .*writes blocked.*ALGORITHM=COPY.*assuming MySQL 8\.0\.29 or later.*gh-ost/);
    const pg = reviewDdl('alter table orders alter column qty type bigint', ddlContext('postgresql', { tables: { orders: ordersFacts('postgresql', null) } })).findings;
    expect(pg.map((x) => [x.ruleId, x.level])).toEqual([['ddl-alter-lock', 'NOTICE']]);
    expect(pg[0]!.message).toMatch(/\(size unknown\): ALTER COLUMN qty TYPE bigint: rewrites the whole table .*ACCESS EXCLUSIVE/);
  });
});
