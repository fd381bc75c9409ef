import { describe, expect, it } from 'vitest';
import { analyzeDml, analyzeDmlAsync } from './analyze.js';
import { activeRules, blocksSubmission, reviewDml } from './engine.js';
import { DML_RULES } from './rules/index.js';
import { testContext } from './review-context.fixture.js';

describe('settings', () => {
  it('OFF skips the rule', () => {
    const r = reviewDml('delete from t', testContext('mysql', { settings: [{ ruleId: 'dml-no-where', level: 'OFF' }] }));
    expect(r.findings.map((f) => f.ruleId)).toEqual([]);
    expect(r.statements[0]!.status).toBe('PASS');
  });

  it('a level override replaces the default level (and the statement status follows)', () => {
    const r = reviewDml('delete from t', testContext('postgresql', { settings: [{ ruleId: 'dml-no-where', level: 'WARNING' }] }));
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'dml-no-where', level: 'WARNING' })]);
    expect(r.statements[0]!.status).toBe('WARNING');
    expect(blocksSubmission(r)).toBe(false);
  });

  it('a WARNING rule raised to ERROR blocks', () => {
    const r = reviewDml('insert into t values (1)', testContext('sqlite', { settings: [{ ruleId: 'insert-no-column-list', level: 'ERROR' }] }));
    expect(r.statements[0]!.status).toBe('BLOCK');
    expect(blocksSubmission(r)).toBe(true);
  });

  it('params override thresholds', () => {
    const sql = 'update t set a = 1 where k = 2';
    const rows = { 1: 500 };
    expect(reviewDml(sql, testContext('mysql', { rows })).findings).toEqual([]);
    const r = reviewDml(sql, testContext('mysql', { rows, settings: [{ ruleId: 'dml-too-many-rows', level: 'WARNING', params: { maxRows: 100 } }] }));
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'dml-too-many-rows', level: 'WARNING' })]);
    expect(r.findings[0]!.message).toContain('about 500 rows, more than 100');
  });

  it('statement count and full-scan thresholds are configurable too', () => {
    const ctx = testContext('postgresql', {
      settings: [
        { ruleId: 'too-many-statements', level: 'ERROR', params: { maxStatements: 2 } },
        { ruleId: 'dml-full-scan-large-table', level: 'NOTICE', params: { minTableRows: 5 } },
      ],
      fullScan: { 1: true },
    });
    const r = reviewDml('update t set a = 1 where b = 1;\nupdate t set a = 2 where id = 2;\ndelete from t where id = 3', ctx);
    expect(r.findings.map((f) => [f.ruleId, f.level, f.statementIndex, f.line])).toEqual([
      ['dml-full-scan-large-table', 'NOTICE', 1, 1],
      ['too-many-statements', 'ERROR', 3, 3],
    ]);
    expect(r.statements.map((s) => s.status)).toEqual(['PASS', 'PASS', 'BLOCK']);
  });

  it('unknown params and non-finite values are ignored; the last setting for a rule wins', () => {
    const rules = activeRules(DML_RULES, [
      { ruleId: 'dml-too-many-rows', level: 'ERROR', params: { maxRow: 1 } },
      { ruleId: 'dml-too-many-rows', level: 'NOTICE', params: { maxRows: Number.NaN } },
      { ruleId: 'no-such-rule', level: 'OFF' },
    ]);
    expect(rules.find((a) => a.rule.id === 'dml-too-many-rows')).toMatchObject({ level: 'NOTICE', params: { maxRows: 10_000 } });
    expect(rules).toHaveLength(DML_RULES.length);
  });
});

describe('reviewDml', () => {
  it('names each statement and its line; lists kind, tables and status per statement', () => {
    const sql = '-- fix orders\nupdate t set a = 1 where id = 1;\n\ndelete from t;\ninsert into u values (1);\nselect 1';
    const r = reviewDml(sql, testContext('mysql'));
    expect(r.statements.map((s) => [s.index, s.line, s.kind, s.status])).toEqual([
      [1, 2, 'UPDATE', 'PASS'],
      [2, 4, 'DELETE', 'BLOCK'],
      [3, 5, 'INSERT', 'WARNING'],
      [4, 6, 'OTHER', 'PASS'],
    ]);
    expect(r.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^Statement 2 \(line 4\): DELETE has no WHERE clause.*add a WHERE clause/),
      expect.stringMatching(/^Statement 3 \(line 5\): INSERT has no column list.*name the columns/),
    ]);
  });

  it('reports several rules on one statement, in rule order', () => {
    const r = reviewDml('delete from nokey', testContext('postgresql', { rows: { 1: 1e6 } }));
    expect(r.findings.map((f) => f.ruleId)).toEqual(['dml-no-where', 'dml-too-many-rows', 'table-without-key']);
  });

  it('accepts pre-analyzed statements (analyze once, collect facts, then review)', () => {
    const stmts = analyzeDml('update missing set a = 1 where id = 1', 'sqlite');
    expect(stmts[0]!.tables).toEqual([{ schema: null, name: 'missing' }]);
    expect(reviewDml(stmts, testContext('sqlite')).findings.map((f) => f.ruleId)).toEqual(['table-not-found']);
  });

  it('PostgreSQL names are folded as the server resolves them; quoted ones are kept', () => {
    const [s] = analyzeDml('update Shop.Orders set "Total" = 1 where id = 1', 'postgresql');
    expect(s!.targets).toEqual([{ schema: 'shop', name: 'orders' }]);
    const [q] = analyzeDml('update "Shop"."Orders" set a = 1 where id = 1', 'postgresql');
    expect(q!.targets).toEqual([{ schema: 'Shop', name: 'Orders' }]);
  });

  it('every rule has an id, a level and a description; ids are unique', () => {
    const ids = DML_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of DML_RULES) {
      expect(r.description.length).toBeGreaterThan(20);
      expect(['ERROR', 'WARNING', 'NOTICE']).toContain(r.level);
    }
  });
});

describe('analyzeDmlAsync', () => {
  it('gives the same statements as analyzeDml and lets other work run while it parses', async () => {
    const script = Array.from({ length: 300 }, (_, k) => `update items set qty = ${k} where id = ${k};\ndelete from items where id = ${k} and qty > 1;`).join('\n');
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const result = await analyzeDmlAsync(script, 'mariadb', 1);
      expect(result).toEqual(analyzeDml(script, 'mariadb'));
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(0);
  });
});
