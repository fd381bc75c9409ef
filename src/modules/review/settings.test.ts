import { describe, expect, it } from 'vitest';
import { activeRules } from './engine.js';
import { DDL_RULES } from './ddl-rules/index.js';
import { DML_RULES } from './rules/index.js';
import { checkParams, CONFIGURABLE_RULES, resolveSettings, RULE_IDS, ruleViews, type StoredSetting } from './settings.js';

const s = (ruleId: string, envType: string, level: StoredSetting['level'], params: Record<string, number> = {}) => ({ ruleId, envType, level, params });
const rule = (id: string) => DML_RULES.find((r) => r.id === id)!;

describe('resolveSettings', () => {
  it('rules without a setting are left to their defaults', () => {
    expect(resolveSettings([], 'dev')).toEqual([]);
    expect(resolveSettings([s('dml-no-where', 'test', 'OFF')], 'dev')).toEqual([]);
  });

  it("env-specific beats '*' beats the default, the level and each param on their own", () => {
    const stored = [s('dml-too-many-rows', '*', 'WARNING', { maxRows: 5 }), s('dml-too-many-rows', 'dev', 'ERROR'), s('dml-no-where', '*', 'OFF'), s('dml-no-where', 'test', 'NOTICE')];
    expect(resolveSettings(stored, 'dev')).toEqual([
      { ruleId: 'dml-no-where', level: 'OFF', params: {} },
      { ruleId: 'dml-too-many-rows', level: 'ERROR', params: { maxRows: 5 } },
    ]);
    expect(resolveSettings(stored, 'TEST')).toEqual([
      { ruleId: 'dml-no-where', level: 'NOTICE', params: {} },
      { ruleId: 'dml-too-many-rows', level: 'WARNING', params: { maxRows: 5 } },
    ]);
    expect(resolveSettings([s('dml-too-many-rows', '*', 'WARNING', { maxRows: 5 }), s('dml-too-many-rows', 'dev', 'WARNING', { maxRows: 7 })], 'dev')).toEqual([
      { ruleId: 'dml-too-many-rows', level: 'WARNING', params: { maxRows: 7 } },
    ]);
    // What the engine then runs.
    const active = activeRules(DML_RULES, resolveSettings(stored, 'dev'));
    expect(active.some((a) => a.rule.id === 'dml-no-where')).toBe(false);
    expect(active.find((a) => a.rule.id === 'dml-too-many-rows')).toMatchObject({ level: 'ERROR', params: { maxRows: 5 } });
  });

  it('ignores stored params the rule does not have (a setting written by an older version)', () => {
    expect(resolveSettings([s('dml-too-many-rows', '*', 'ERROR', { maxRows: 3, gone: 1 })], 'dev')).toEqual([{ ruleId: 'dml-too-many-rows', level: 'ERROR', params: { maxRows: 3 } }]);
  });
});

describe('checkParams', () => {
  it('accepts the rule\'s own params as non-negative integers (numeric text from flattened parameters too)', () => {
    expect(checkParams(rule('dml-too-many-rows'), { maxRows: 0 })).toEqual({ maxRows: 0 });
    expect(checkParams(rule('too-many-statements'), { maxStatements: '20000' })).toEqual({ maxStatements: 20000 });
    expect(checkParams(rule('dml-no-where'), undefined)).toEqual({});
  });

  it('refuses anything else, naming Params and the rule parameter', () => {
    expect(() => checkParams(rule('dml-too-many-rows'), { maxrows: 1 })).toThrow(/Params is not valid: "maxrows" is not a parameter of rule dml-too-many-rows; its parameters: maxRows/);
    expect(() => checkParams(rule('dml-too-many-rows'), { maxRows: 1e300 })).toThrow(/maxRows of rule dml-too-many-rows must be a non-negative integer/);
    expect(() => checkParams(rule('dml-too-many-rows'), { maxRows: '1.5' })).toThrow(/non-negative integer, got "1.5"/);
    expect(() => checkParams(rule('dml-too-many-rows'), 'maxRows=1')).toThrow(/expected a JSON object/);
    try {
      checkParams(rule('dml-too-many-rows'), [1]);
    } catch (e) {
      expect(e).toMatchObject({ code: 'InvalidParams', details: { parameter: 'Params' } });
    }
  });
});

describe('the DDL rules in the settings', () => {
  it('are configurable next to the DML rules, one id space, DML first', () => {
    const ids = CONFIGURABLE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...DML_RULES.map((r) => r.id), ...DDL_RULES.map((r) => r.id)]);
    expect(RULE_IDS).toContain('ddl-alter-lock');
  });

  it('ListSqlReviewRules shows their scope, and the environment\'s default level (levelIn) when no setting exists', () => {
    const view = (env?: string) => ruleViews([], env).find((r) => r.ruleId === 'ddl-drop-table')!;
    expect(view()).toMatchObject({ scope: 'DDL', defaultLevel: 'WARNING', defaultLevelIn: { product: 'ERROR' }, level: 'WARNING', levelSource: 'DEFAULT' });
    expect(view('product')).toMatchObject({ defaultLevel: 'ERROR', level: 'ERROR', levelSource: 'DEFAULT' });
    expect(view('dev')).toMatchObject({ defaultLevel: 'WARNING', level: 'WARNING' });
    expect(ruleViews([]).find((r) => r.ruleId === 'dml-no-where')).toMatchObject({ scope: 'DML', defaultLevelIn: {} });
    // A tenant's '*' setting beats the product default.
    const stored = [{ ruleId: 'ddl-drop-table', envType: '*', level: 'NOTICE' as const, params: {}, updatedBy: 1, updatedAt: 0 }];
    expect(ruleViews(stored, 'product').find((r) => r.ruleId === 'ddl-drop-table')).toMatchObject({ defaultLevel: 'ERROR', level: 'NOTICE', levelSource: '*' });
  });

  it('resolveSettings and the DDL engine agree on levels and params', () => {
    const stored = [s('ddl-naming', '*', 'ERROR', { namingStyle: 1 }), s('ddl-drop-table', 'dev', 'ERROR')];
    expect(resolveSettings(stored, 'product')).toEqual([{ ruleId: 'ddl-naming', level: 'ERROR', params: { namingStyle: 1, maxLength: 64, reservedWords: 1 } }]);
    const active = activeRules(DDL_RULES, resolveSettings(stored, 'product'), 'product');
    expect(active.find((a) => a.rule.id === 'ddl-drop-table')).toMatchObject({ level: 'ERROR' }); // levelIn
    expect(activeRules(DDL_RULES, resolveSettings(stored, 'test'), 'test').find((a) => a.rule.id === 'ddl-drop-table')).toMatchObject({ level: 'WARNING' });
    expect(activeRules(DDL_RULES, resolveSettings(stored, 'dev'), 'dev').find((a) => a.rule.id === 'ddl-drop-table')).toMatchObject({ level: 'ERROR' });
  });

  it('checks their params like the DML rules\' (the naming style is a numeric code)', () => {
    const naming = DDL_RULES.find((r) => r.id === 'ddl-naming')!;
    expect(checkParams(naming, { namingStyle: 2, reservedWords: 0 })).toEqual({ namingStyle: 2, reservedWords: 0 });
    expect(() => checkParams(naming, { namingStyle: 'snake' })).toThrow(/namingStyle of rule ddl-naming must be a non-negative integer/);
  });
});
