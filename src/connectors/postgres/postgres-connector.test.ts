/** PostgreSQL-only behaviour: schemas, partitions, materialized views, generated columns. */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgDatabase, describeWithServer, parsedPgUrl } from '../../../test/helpers/servers.js';
import { createConnector, TargetDbError, type Connector } from '../index.js';
import { toPostgresError } from './postgres-errors.js';

await describeWithServer('postgres', 'postgres connector: catalogs', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let connector: Connector;

  beforeAll(async () => {
    db = await createPgDatabase('opendms_pgconn');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      create schema sales;
      create table sales.events (id bigint generated always as identity, at date not null, amount numeric(12,3),
        amount_x2 numeric generated always as (amount * 2) stored, primary key (id, at)) partition by range (at);
      create table sales.events_2024 partition of sales.events for values from ('2024-01-01') to ('2025-01-01');
      create materialized view sales.daily as select at, sum(amount) as total from sales.events group by at;
      create unique index daily_at on sales.daily (at);
      create table public.serials (id serial primary key, code char(3) default 'abc', note varchar default null);`);
    await client.end();
    connector = createConnector({ engine: 'postgresql', ...parsedPgUrl() }, { sqliteAllowedDir: '/nonexistent' });
  });

  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  it('lists every user schema, hides partitions and treats materialized views as views', async () => {
    const tables = await connector.listTables(db.name);
    expect(tables.map((t) => `${t.schema}.${t.name}:${t.type}`)).toEqual(['public.serials:TABLE', 'sales.daily:VIEW', 'sales.events:TABLE']);
  });

  it('reports composite keys, identity, serial and generated columns', async () => {
    const events = await connector.listColumns(db.name, 'sales', 'events');
    expect(events.map((c) => [c.name, c.primaryKey, c.autoIncrement, c.defaultValue, c.precision, c.scale])).toEqual([
      ['id', true, true, null, 64, 0],
      ['at', true, false, null, null, null],
      ['amount', false, false, null, 12, 3],
      ['amount_x2', false, false, null, null, null],
    ]);
    const serials = await connector.listColumns(db.name, 'public', 'serials');
    expect(serials.map((c) => [c.name, c.dataType, c.autoIncrement, c.defaultValue, c.maxLength])).toEqual([
      ['id', 'integer', true, "nextval('serials_id_seq'::regclass)", null],
      ['code', 'character(3)', false, 'abc', 3],
      ['note', 'character varying', false, null, null],
    ]);
  });

  it('listIndexes() gives the indexes of partitioned tables and materialized views, and resolves a null schema through the search_path', async () => {
    const pkey = { name: 'events_pkey', columns: ['id', 'at'], unique: true, primary: true, where: null, method: 'btree' };
    expect(await connector.listIndexes(db.name, 'sales', 'events')).toEqual([pkey]);
    expect(await connector.listIndexes(db.name, 'sales', 'daily')).toEqual([{ ...pkey, name: 'daily_at', columns: ['at'], primary: false }]);
    expect(await connector.listIndexes(db.name, null, 'events')).toEqual([]);
    expect(await connector.listIndexes(db.name, null, 'serials')).toMatchObject([{ name: 'serials_pkey', columns: ['id'] }]);
  });

  it('an unknown database fails with SQLSTATE 3D000', async () => {
    const error = await connector.listTables('opendms_no_such_db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetDbError);
    expect(error).toMatchObject({ code: '3D000', sqlState: '3D000', kind: 'not_found' });
  });

  it('does not wait behind a lock held by a running schema change', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('begin; lock table public.serials in access exclusive mode');
      const quick = createConnector({ engine: 'postgresql', ...parsedPgUrl(), queryTimeoutMs: 2_000 }, { sqliteAllowedDir: '/nonexistent' });
      try {
        expect((await quick.listTables(db.name)).length).toBe(3);
        expect(await quick.listColumns(db.name, 'public', 'serials')).toHaveLength(3);
        // Plain key columns are read from pg_attribute: only expressions and predicates are deparsed (which locks).
        expect((await quick.listIndexes(db.name, 'public', 'serials')).map((i) => [i.name, i.columns])).toEqual([['serials_pkey', ['id']]]);
      } finally {
        await quick.close();
      }
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
  });

  it('normalizes real server errors with SQLSTATE, position, detail and kind', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const fail = (sql: string) => client.query(sql).then(() => undefined, (e: unknown) => toPostgresError(e, ''));
    try {
      expect(await fail('selec 1')).toMatchObject({ code: '42601', kind: 'sql', position: 1 });
      await client.query('create temp table u (k int unique); insert into u values (1)');
      expect(await fail('insert into u values (1)')).toMatchObject({ code: '23505', kind: 'sql', detail: 'Key (k)=(1) already exists.' });
      await client.query("set statement_timeout = '20ms'");
      expect(await fail('select pg_sleep(1)')).toMatchObject({ code: '57014', sqlState: '57014', kind: 'timeout' });
    } finally {
      await client.end();
    }
  });
});

await describeWithServer('postgres', 'postgres connector: table keys and write sessions', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let connector: Connector;

  beforeAll(async () => {
    db = await createPgDatabase('opendms_pgkeys');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      create schema hidden;
      create table hidden.only_here (id int primary key);
      create table hidden.both (hidden_id int primary key);
      create table public.both (public_id int primary key);
      create table public."MixedCase" (id int primary key);
      create table public.parts (id int not null, at date not null, primary key (id, at)) partition by range (at);`);
    await client.end();
    connector = createConnector({ engine: 'postgresql', ...parsedPgUrl() }, { sqliteAllowedDir: '/nonexistent' });
  });

  afterAll(async () => {
    await connector?.close();
    await db?.drop();
  });

  it('tableKeys() resolves a null schema through the search_path only, and compares names exactly', async () => {
    expect(await connector.tableKeys(db.name, null, 'only_here')).toBeNull();
    expect(await connector.tableKeys(db.name, 'hidden', 'only_here')).toMatchObject({ schema: 'hidden', primaryKey: ['id'] });
    expect(await connector.tableKeys(db.name, null, 'both')).toMatchObject({ schema: 'public', primaryKey: ['public_id'] });
    expect(await connector.tableKeys(db.name, 'hidden', 'both')).toMatchObject({ schema: 'hidden', primaryKey: ['hidden_id'] });
    expect(await connector.tableKeys(db.name, null, 'MixedCase')).toMatchObject({ name: 'MixedCase' });
    expect(await connector.tableKeys(db.name, null, 'mixedcase')).toBeNull();
    expect(await connector.tableKeys(db.name, null, 'parts')).toMatchObject({ primaryKey: ['id', 'at'] });
  });

  it('a write session leaves no session state behind for the next one (DISCARD ALL)', async () => {
    const settings = 'select current_setting(\'search_path\'), current_setting(\'statement_timeout\')';
    const first = await connector.writeSession(db.name, { statementTimeoutMs: 1_234 }, async (s) => {
      await s.execute('set search_path = hidden');
      return (await s.execute(settings)).rows;
    });
    expect(first).toEqual([['hidden', '1234ms']]);
    const second = await connector.writeSession(db.name, { statementTimeoutMs: 5_000 }, async (s) => (await s.execute(settings)).rows);
    expect(second).toEqual([['"$user", public', '5s']]);
  });

  it('execute() takes one statement only (extended protocol)', async () => {
    const error = await connector.writeSession(db.name, { statementTimeoutMs: 5_000 }, (s) => s.execute('select 1; select 2').catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TargetDbError);
    expect(error).toMatchObject({ code: '42601', kind: 'sql' });
  });
});
