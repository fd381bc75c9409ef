import { describe, expect, it } from 'vitest';
import { normalizeDefault, parseStringLiteral } from './sql-literal.js';

describe('parseStringLiteral', () => {
  it.each([
    ["'new'", 'new'],
    ["'it''s'", "it's"],
    ["''", ''],
    ["'new'::text", 'new'],
    ["'a b'::character varying", 'a b'],
    ["'2020-01-01 00:00:00'::timestamp without time zone", '2020-01-01 00:00:00'],
    ["'{1,2}'::integer[]", '{1,2}'],
  ])('%s → %s', (text, value) => {
    expect(parseStringLiteral(text)).toBe(value);
  });

  it.each(["'a'::text || 'b'::text", 'now()', '0.00', "'a' 'b'", "lower('A')"])('%s is not a literal', (text) => {
    expect(parseStringLiteral(text)).toBeNull();
  });
});

describe('normalizeDefault', () => {
  it('maps NULL spellings to null, literals to values and keeps expressions', () => {
    expect(normalizeDefault(null)).toBeNull();
    expect(normalizeDefault('NULL')).toBeNull();
    expect(normalizeDefault('NULL::character varying')).toBeNull();
    expect(normalizeDefault("'NULL'")).toBe('NULL');
    expect(normalizeDefault('current_timestamp()')).toBe('current_timestamp()');
    expect(normalizeDefault("nextval('t_id_seq'::regclass)")).toBe("nextval('t_id_seq'::regclass)");
    expect(normalizeDefault('0.00')).toBe('0.00');
  });
});
