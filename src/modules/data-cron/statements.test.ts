import { describe, expect, it } from 'vitest';
import type { CronClearItem } from '../tickets/types/dc-cron-clear.type.js';
import { cutoffLiteral, deleteStatement, filterCondition, filterProblem, symbolicCutoff, tableSql } from './statements.js';

const item = (over: Partial<CronClearItem> = {}): CronClearItem => ({ tableName: 'app_log', columnName: 'created_at', remainDays: 30, ...over });
const START = Date.parse('2026-12-08T02:00:00Z');

describe('the DELETE of a cleanup run', () => {
  it('a datetime cutoff in the service zone; PostgreSQL with the zone offset', () => {
    expect(cutoffLiteral('mariadb', item(), START, 'UTC')).toBe("'2026-11-08 02:00:00'");
    expect(cutoffLiteral('sqlite', item(), START, 'Asia/Shanghai')).toBe("'2026-11-08 10:00:00'");
    expect(cutoffLiteral('postgresql', item(), START, 'Asia/Shanghai')).toBe("'2026-11-08 10:00:00+08:00'");
    expect(cutoffLiteral('postgresql', item(), START, 'America/New_York')).toBe("'2026-11-07 21:00:00-05:00'");
    // 60 days before 2026-12-08 is 2026-10-09, summer time in Berlin (+02:00).
    expect(cutoffLiteral('postgresql', item({ remainDays: 60 }), START, 'Europe/Berlin')).toBe("'2026-10-09 04:00:00+02:00'");
  });

  it('an epoch cutoff in seconds or milliseconds', () => {
    const cutoff = START - 30 * 86_400_000;
    expect(cutoffLiteral('mysql', item({ timeUnit: 'MILLISECONDS' }), START, 'UTC')).toBe(String(cutoff));
    expect(cutoffLiteral('mysql', item({ timeUnit: 'SECONDS' }), START, 'UTC')).toBe(String(cutoff / 1000));
  });

  it('quotes names per engine, with the filter in parentheses', () => {
    expect(deleteStatement('mariadb', item({ filterSQL: "where level = 'DEBUG' or level = 'TRACE'" }), "'x'")).toBe("DELETE FROM `app_log` WHERE `created_at` < 'x' AND (level = 'DEBUG' or level = 'TRACE')");
    expect(deleteStatement('postgresql', item({ tableName: 'logs.app_log', filterSQL: '  ' }), '1')).toBe('DELETE FROM "logs"."app_log" WHERE "created_at" < 1');
    expect(tableSql('sqlite', 'we"ird')).toBe('"we""ird"');
    expect(symbolicCutoff(item({ timeUnit: 'SECONDS', remainDays: 7 }))).toBe(':cutoff /* run start - 7 day(s), in seconds since 1970-01-01 UTC */');
  });

  it('a filter is one condition, given with or without WHERE', () => {
    expect(filterCondition('where 1 = 1')).toBe('1 = 1');
    expect(filterCondition('WHERE\nkind = 1')).toBe('kind = 1');
    expect(filterCondition('wherever = 1')).toBe('wherever = 1');
    expect(filterCondition(' where ')).toBeNull();
    expect(filterCondition(undefined)).toBeNull();
    expect(filterProblem("kind in ('a', 'b') and id > (select min(id) from t)", 'postgresql')).toBeNull();
    expect(filterProblem("kind = 'a;b'", 'mysql')).toBeNull();
    expect(filterProblem('1 = 1; drop table t', 'mysql')).toMatch(/statement separator/);
    expect(filterProblem('id in (select id from t for update)', 'postgresql')).toMatch(/locking read/);
    expect(filterProblem('pg_terminate_backend(123) is not null', 'postgresql')).toMatch(/function pg_terminate_backend is not allowed/);
    expect(filterProblem("kind = 'open", 'sqlite')).toMatch(/unterminated string/);
    expect(filterProblem('(a = 1', 'sqlite')).toMatch(/parentheses/);
    expect(filterProblem('a = 1 /*! or 1 = 1 */', 'mariadb')).toMatch(/executable comment/);
    expect(filterProblem('exists (insert into t values (1))', 'postgresql')).toMatch(/INSERT is not allowed/);
  });
});
