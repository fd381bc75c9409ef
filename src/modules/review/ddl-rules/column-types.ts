/**
 * Column types as the rules compare them: a type as written (`varchar(64)`, `int(11) unsigned`,
 * `numeric(10,2)`) or as the catalog spells it (`character varying(64)`, `timestamp without time
 * zone`), read into a family and its size. Enough to tell a narrowing change (values may be lost
 * or refused) and, for the lock rules, which type changes the engines make without rewriting.
 */
import type { Engine } from '../../../connectors/connector.js';

export type TypeFamily = 'int' | 'decimal' | 'float' | 'char' | 'binary' | 'datetime' | 'date' | 'time' | 'enum' | 'bool' | 'json' | 'other';

export interface ColumnType {
  family: TypeFamily;
  /** The type's name without size and modifiers (`varchar`, `int`, `timestamp`). */
  base: string;
  /** int, float: storage bytes. */
  bytes?: number;
  unsigned?: boolean;
  /** char, binary: most characters / bytes; Infinity when unbounded (text, PostgreSQL varchar). */
  length?: number;
  /** decimal: digits in all and after the point (both Infinity for PostgreSQL's unconstrained numeric). */
  precision?: number;
  scale?: number;
  /** datetime, time: fractional-second digits. */
  fsp?: number;
  /** enum, set: the values. */
  values?: string[];
  /** MySQL TIMESTAMP (a smaller range than DATETIME). */
  timestamp?: boolean;
}

const INT_BYTES: Record<string, number> = {
  tinyint: 1, int1: 1, smallint: 2, int2: 2, smallserial: 2, serial2: 2, mediumint: 3, int3: 3, middleint: 3,
  int: 4, integer: 4, int4: 4, serial: 4, serial4: 4, bigint: 8, int8: 8, bigserial: 8, serial8: 8,
};
const TEXT_LENGTH: Record<string, number> = { tinytext: 255, text: 65_535, mediumtext: 16_777_215, longtext: 4_294_967_295 };
const BLOB_LENGTH: Record<string, number> = { tinyblob: 255, blob: 65_535, mediumblob: 16_777_215, longblob: 4_294_967_295 };
/** Decimal digits of the largest value of a signed / unsigned integer of so many bytes. */
const INT_DIGITS: Record<number, [number, number]> = { 1: [3, 3], 2: [5, 5], 3: [7, 8], 4: [10, 10], 8: [19, 20] };

export function parseColumnType(text: string, engine: Engine): ColumnType {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const m = /^([a-z_][a-z0-9_]*(?: (?:varying|precision|without time zone|with time zone))*)\s*(?:\(([^)]*)\))?\s*(.*)$/.exec(t);
  if (!m) return { family: 'other', base: t };
  let base = m[1]!;
  const args = (m[2] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  let rest = m[3] ?? '';
  // `timestamp(3) with time zone`: the zone words come after the size.
  if (/^with(out)? time zone/.test(rest)) {
    base = `${base} ${/^with time zone/.test(rest) ? 'with time zone' : 'without time zone'}`;
    rest = rest.replace(/^with(out)? time zone\s*/, '');
  }
  const num = (k: number): number | undefined => (args[k] !== undefined && /^\d+$/.test(args[k]!) ? Number(args[k]) : undefined);
  const unsigned = /\bunsigned\b/.test(rest);
  const name = base.split(' ')[0]!;

  if (name === 'tinyint' && num(0) === 1 && !unsigned && engine !== 'postgresql') return { family: 'bool', base: 'tinyint(1)' };
  if (name === 'bool' || name === 'boolean') return { family: 'bool', base: 'bool' };
  if (INT_BYTES[name] !== undefined) return { family: 'int', base: name, bytes: INT_BYTES[name]!, unsigned };
  if (name === 'decimal' || name === 'numeric' || name === 'dec' || name === 'fixed') {
    const unconstrained = args.length === 0 && engine === 'postgresql';
    return { family: 'decimal', base: 'decimal', precision: unconstrained ? Infinity : (num(0) ?? 10), scale: unconstrained ? Infinity : (num(1) ?? 0), unsigned };
  }
  if (name === 'float' || name === 'float4' || (name === 'real' && engine === 'postgresql')) {
    const p = num(0);
    return { family: 'float', base: 'float', bytes: p !== undefined && p > 24 ? 8 : 4 };
  }
  if (name === 'double' || name === 'float8' || name === 'real') return { family: 'float', base: 'double', bytes: 8 };
  if (base === 'character varying' || name === 'varchar' || name === 'nvarchar' || name === 'varchar2' || base === 'national varchar') {
    return { family: 'char', base: 'varchar', length: num(0) ?? Infinity };
  }
  if (name === 'char' || name === 'character' || name === 'nchar' || name === 'bpchar') return { family: 'char', base: 'char', length: num(0) ?? 1 };
  if (TEXT_LENGTH[name] !== undefined) return { family: 'char', base: name, length: engine === 'mysql' || engine === 'mariadb' ? TEXT_LENGTH[name]! : Infinity };
  if (name === 'clob' || name === 'citext') return { family: 'char', base: name, length: Infinity };
  if (name === 'varbinary' || name === 'binary') return { family: 'binary', base: name, length: num(0) ?? (name === 'binary' ? 1 : Infinity) };
  if (BLOB_LENGTH[name] !== undefined) return { family: 'binary', base: name, length: engine === 'sqlite' ? Infinity : BLOB_LENGTH[name]! };
  if (name === 'bytea') return { family: 'binary', base: name, length: Infinity };
  if (name === 'datetime' || name === 'timestamp' || name === 'timestamptz' || name === 'datetime2') {
    const fsp = num(0) ?? (engine === 'postgresql' ? 6 : 0);
    return { family: 'datetime', base: name === 'timestamptz' ? 'timestamp with time zone' : base, fsp, timestamp: name === 'timestamp' && engine !== 'postgresql' };
  }
  if (name === 'date') return { family: 'date', base: 'date' };
  if (name === 'time' || name === 'timetz') return { family: 'time', base, fsp: num(0) ?? (engine === 'postgresql' ? 6 : 0) };
  if (name === 'enum' || name === 'set') return { family: 'enum', base: name, values: args.map((v) => v.replace(/^'|'$/g, '')) };
  if (name === 'json' || name === 'jsonb') return { family: 'json', base: name };
  return { family: 'other', base: t };
}

/** Characters needed to write any value of a numeric type as text (sign included). */
function textWidth(t: ColumnType): number {
  if (t.family === 'int') return INT_DIGITS[t.bytes!]![t.unsigned ? 1 : 0] + (t.unsigned ? 0 : 1);
  if (t.family === 'decimal') return t.precision === Infinity ? Infinity : t.precision! + (t.scale! > 0 ? 1 : 0) + 1;
  if (t.family === 'float') return 24;
  if (t.family === 'datetime') return 19 + (t.fsp! > 0 ? t.fsp! + 1 : 0);
  if (t.family === 'date') return 10;
  return Infinity;
}

const intDigits = (t: ColumnType): number => (t.family === 'int' ? INT_DIGITS[t.bytes!]![t.unsigned ? 1 : 0] : t.precision === Infinity ? Infinity : t.precision! - t.scale!);

/**
 * Why changing a column from `fromText` to `toText` can lose or refuse existing values (a phrase:
 * "the new type is shorter: …"); null when
 * it cannot (a widening or equal type), or when the types are not ones this knows.
 */
export function narrowing(fromText: string, toText: string, engine: Engine): string | null {
  const from = parseColumnType(fromText, engine);
  const to = parseColumnType(toText, engine);
  if (from.family === 'other' || to.family === 'other') return null;
  if (from.family === to.family) {
    switch (from.family) {
      case 'int':
        if (to.bytes! < from.bytes!) return `the new type has a smaller range: larger values are refused or cut`;
        if (from.unsigned && !to.unsigned && to.bytes === from.bytes) return `the new type halves the largest value`;
        if (!from.unsigned && to.unsigned) return `the new type cannot hold negative values`;
        return null;
      case 'decimal':
        if (intDigits(to) < intDigits(from)) return `the new type keeps fewer digits before the point`;
        if (to.scale! < from.scale!) return `the new type keeps fewer digits after the point (values are rounded)`;
        if (!from.unsigned && to.unsigned) return `the new type cannot hold negative values`;
        return null;
      case 'float':
        return to.bytes! < from.bytes! ? `the new type keeps fewer significant digits` : null;
      case 'char':
      case 'binary':
        return to.length! < from.length! ? `the new type is shorter: longer values are refused or cut` : null;
      case 'datetime':
        if (to.timestamp && !from.timestamp) return `TIMESTAMP only holds 1970-2038`;
        return to.fsp! < from.fsp! ? `the new type keeps fewer fractional-second digits` : null;
      case 'time':
        return to.fsp! < from.fsp! ? `the new type keeps fewer fractional-second digits` : null;
      case 'enum': {
        const gone = from.values!.filter((v) => !to.values!.includes(v));
        return gone.length ? `the new type removes the value${gone.length > 1 ? 's' : ''} ${gone.map((v) => `'${v}'`).join(', ')}` : null;
      }
      default:
        return null;
    }
  }
  const numeric = (t: ColumnType): boolean => t.family === 'int' || t.family === 'decimal' || t.family === 'float' || t.family === 'bool';
  if (to.family === 'char' && (numeric(from) || from.family === 'datetime' || from.family === 'date')) {
    return to.length! < textWidth(from) ? `the new type is too short for some values written as text` : null;
  }
  if (from.family === 'bool' && numeric(to)) return null;
  if (from.family === 'int' && to.family === 'decimal') return intDigits(to) < intDigits(from) ? `the new type keeps fewer digits than the integer can have` : null;
  if (from.family === 'int' && to.family === 'float') return from.bytes! >= (to.bytes === 4 ? 4 : 8) ? `the new type cannot keep every digit of large integers` : null;
  if (from.family === 'decimal' && to.family === 'int') return `the new type drops the fraction and may not hold every value`;
  if (from.family === 'float' && (to.family === 'int' || to.family === 'decimal')) return `the new type drops digits of the stored values`;
  if ((from.family === 'datetime' || from.family === 'date') && to.family === 'date') return from.family === 'datetime' ? `the new type drops the time of day` : null;
  if (from.family === 'date' && to.family === 'datetime') return to.timestamp ? `TIMESTAMP only holds 1970-2038` : null;
  if (from.family === 'json' && to.family === 'char') return to.length === Infinity ? null : `the new type is shorter than a JSON document can be`;
  return `the new type holds another kind of value (${to.family}, not ${from.family}): values that do not convert are refused or lost`;
}

/** The same type, apart from spelling (`int(11)` vs `int`, `integer` vs `int4`, `character varying(5)` vs `varchar(5)`). */
export function sameType(a: string, b: string, engine: Engine): boolean {
  if (a.replace(/\s+/g, ' ').toLowerCase() === b.replace(/\s+/g, ' ').toLowerCase()) return true;
  const x = parseColumnType(a, engine);
  const y = parseColumnType(b, engine);
  if (x.family === 'other' || x.family !== y.family) return false;
  return JSON.stringify({ ...x, base: x.family === 'int' ? x.bytes : x.base }) === JSON.stringify({ ...y, base: y.family === 'int' ? y.bytes : y.base });
}
