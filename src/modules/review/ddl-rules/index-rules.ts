/** DDL rules on indexes and keys: how many, how wide, redundant ones, foreign keys. */
import type { AnalyzedDdl, DdlIndexFacts, DdlRuleDefinition, DdlRuleEnv } from '../ddl-types.js';
import { refName } from '../table-refs.js';
import { addedForeignKeys, addedIndexes, listOf, sameName, type AddedIndex } from './helpers.js';

/** The indexes of the statement's table just before it, without the ones the statement drops; [] when unknown or new. */
function existingIndexes(s: AnalyzedDdl, env: DdlRuleEnv): DdlIndexFacts[] | null {
  if (s.kind === 'CREATE_TABLE' || !s.table) return [];
  const t = env.before(s.table);
  if (!t) return null;
  const same = sameName(env.ctx.engine);
  const dropped = s.actions.flatMap((a) => (a.op === 'DROP_INDEX' || a.op === 'DROP_CONSTRAINT' ? [a.name] : []));
  const dropsPk = s.actions.some((a) => a.op === 'DROP_PRIMARY_KEY');
  return t.indexes.filter((i) => !dropped.some((d) => same(d, i.name)) && !(dropsPk && i.primary));
}

const tableOf = (s: AnalyzedDdl): string => (s.table ? refName(s.table) : 'the table');

export const ddlIndexCount: DdlRuleDefinition = {
  id: 'ddl-index-count',
  level: 'WARNING',
  description: 'A statement leaves a table with more than `maxIndexes` indexes (the primary key and unique keys count; the existing ones come from the table facts).',
  params: { maxIndexes: 8 },
  check(s, env) {
    const added = addedIndexes(s);
    if (!added.length) return [];
    const existing = existingIndexes(s, env) ?? [];
    const total = existing.length + added.length;
    const max = env.params['maxIndexes']!;
    if (total <= max) return [];
    return [
      `${tableOf(s)} would have ${total} indexes${existing.length ? ` (${existing.length} existing, ${added.length} new)` : ''}, more than ${max}; every index slows down writes and takes space: drop unused or redundant ones, or combine them.`,
    ];
  },
};

export const ddlIndexColumns: DdlRuleDefinition = {
  id: 'ddl-index-columns',
  level: 'WARNING',
  description: 'An index (or primary or unique key) the statement adds has more than `maxColumns` columns.',
  params: { maxColumns: 5 },
  check(s, env) {
    const max = env.params['maxColumns']!;
    return addedIndexes(s)
      .filter((i) => i.columns.length > max)
      .map((i) => `${i.label} on ${tableOf(s)} has ${i.columns.length} columns, more than ${max}; a wide key is large and slow to maintain: keep the columns the queries filter on first, and fewer of them.`);
  },
};

interface Candidate {
  label: string;
  columns: string[];
  unique: boolean;
  method: string | null;
  partial: boolean;
  existing: boolean;
}

const fromFacts = (i: DdlIndexFacts): Candidate => ({
  label: i.primary ? `PRIMARY KEY (${i.columns.join(', ')})` : `${i.unique ? 'unique ' : ''}index ${i.name} (${i.columns.join(', ')})`,
  columns: i.columns,
  unique: i.unique || i.primary,
  method: i.method ?? null,
  partial: Boolean(i.where),
  existing: true,
});
const fromAdded = (i: AddedIndex): Candidate => ({ ...i, existing: false });

/** `x` is redundant next to `y`: the same columns, or a leading part of y's, and not a unique key y does not replace. */
function redundant(x: Candidate, y: Candidate, key: (c: string) => string): boolean {
  if (x.partial || y.partial) return false;
  const kind = (c: Candidate): string => (c.method === null || c.method === 'btree' ? 'btree' : c.method);
  if (kind(x) !== kind(y)) return false;
  const prefix = x.columns.length <= y.columns.length && x.columns.every((c, k) => key(c) === key(y.columns[k]!));
  if (!prefix) return false;
  const same = x.columns.length === y.columns.length;
  // Only B-tree indexes serve lookups on a leading part; other kinds are redundant only when identical.
  if (kind(x) !== 'btree') return same;
  // A unique key is not made redundant by a longer index (it enforces something), only by a unique one on the same columns.
  if (x.unique) return same && y.unique;
  return true;
}

export const ddlRedundantIndex: DdlRuleDefinition = {
  id: 'ddl-redundant-index',
  level: 'WARNING',
  description:
    'An index the statement adds duplicates another (same columns) or is a leading part of another (its columns are a prefix of the other\'s), or makes an existing one so; the existing indexes come from the table facts and earlier statements.',
  params: {},
  check(s, env) {
    const added = addedIndexes(s).map(fromAdded);
    if (!added.length) return [];
    const existing = (existingIndexes(s, env) ?? []).map(fromFacts);
    const key = env.ctx.engine === 'postgresql' ? (c: string) => c.replace(/\s+/g, '') : (c: string) => c.replace(/\s+/g, '').toLowerCase();
    const out: string[] = [];
    added.forEach((x, k) => {
      for (const y of [...existing, ...added.slice(0, k)]) {
        const where = y.existing ? 'the existing' : 'the new';
        if (redundant(x, y, key)) {
          const dup = x.columns.length === y.columns.length;
          out.push(`new ${x.label} on ${tableOf(s)} is ${dup ? 'a duplicate of' : 'a leading part of'} ${where} ${y.label}, which serves the same lookups; leave it out.`);
          break;
        }
        if (redundant(y, x, key)) {
          out.push(`new ${x.label} on ${tableOf(s)} makes ${where} ${y.label} redundant (${y.columns.length === x.columns.length ? 'the same columns' : 'its columns lead the new one'}); drop that one in the same change.`);
          break;
        }
      }
    });
    return out;
  },
};

export const ddlForeignKey: DdlRuleDefinition = {
  id: 'ddl-foreign-key',
  level: 'WARNING',
  description: 'A statement declares a FOREIGN KEY (table constraint, ADD CONSTRAINT, or a column\'s REFERENCES); set the rule OFF where foreign keys are the convention.',
  params: {},
  check(s) {
    const fks = addedForeignKeys(s);
    if (!fks.length) return [];
    return [
      `${tableOf(s)} gets ${fks.length > 1 ? 'foreign keys' : 'a foreign key'} ${listOf(fks.map((f) => `(${f.columns.join(', ')}) → ${f.target}`))}: every write then checks and locks the referenced rows, and online schema changes, archiving and sharding get harder; keep the relation in the application, or ask for this rule to be turned off if your team uses foreign keys.`,
    ];
  },
};
