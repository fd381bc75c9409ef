/** DDL rules on how tables are defined: primary key, names, column comments, character set. */
import type { AnalyzedDdl, DdlColumn, DdlDraft, DdlRuleDefinition } from '../ddl-types.js';
import { refName } from '../table-refs.js';
import { definedColumns, listOf, mysqlish, what } from './helpers.js';
import { isReservedWord } from './reserved-words.js';

export const ddlTablePrimaryKey: DdlRuleDefinition = {
  id: 'ddl-table-primary-key',
  level: 'ERROR',
  description: 'CREATE TABLE without a primary key, or ALTER TABLE … DROP PRIMARY KEY without adding another (temporary tables and CREATE TABLE … LIKE are left alone).',
  params: {},
  check(s) {
    if (s.kind === 'CREATE_TABLE') {
      if (s.temporary || s.like || s.primaryKey.length > 0) return [];
      return [
        `${what(s)} has no primary key; rows without one cannot be told apart, are slow to replicate and cannot be changed safely by data-change tickets. Add one, e.g. \`id bigint … PRIMARY KEY\`.`,
      ];
    }
    if (s.kind === 'ALTER_TABLE' && s.actions.some((a) => a.op === 'DROP_PRIMARY_KEY') && !s.actions.some((a) => a.op === 'ADD_PRIMARY_KEY' || (a.op === 'ADD_COLUMN' && a.column.primaryKey))) {
      return [`${what(s)} drops the primary key without adding another, which leaves the table without one; add the new primary key in the same statement.`];
    }
    return [];
  },
};

/** `namingStyle` codes (params are numbers). */
const STYLES: readonly { name: string; pattern: RegExp | null }[] = [
  { name: 'lower snake_case (^[a-z][a-z0-9_]*$)', pattern: /^[a-z][a-z0-9_]*$/ },
  { name: 'lowerCamelCase (^[a-z][a-zA-Z0-9]*$)', pattern: /^[a-z][a-zA-Z0-9]*$/ },
  { name: 'UPPER_SNAKE_CASE (^[A-Z][A-Z0-9_]*$)', pattern: /^[A-Z][A-Z0-9_]*$/ },
  { name: 'PascalCase (^[A-Z][a-zA-Z0-9]*$)', pattern: /^[A-Z][a-zA-Z0-9]*$/ },
  { name: 'any style', pattern: null },
];

/** The table and column names a statement gives (new names only: renames' targets, not their sources). */
function namesOf(s: AnalyzedDdl): { kind: 'table' | 'column'; name: string }[] {
  const out: { kind: 'table' | 'column'; name: string }[] = [];
  if (s.kind === 'CREATE_TABLE' && s.table && !s.temporary) out.push({ kind: 'table', name: s.table.name });
  if (s.kind === 'RENAME_TABLE') for (const r of s.renames?.length ? s.renames : s.renameTo ? [{ to: s.renameTo }] : []) out.push({ kind: 'table', name: r.to.name });
  if (s.kind === 'CREATE_TABLE' && !s.temporary) for (const c of s.columns) out.push({ kind: 'column', name: c.name });
  if (s.kind === 'ALTER_TABLE') {
    for (const a of s.actions) {
      if (a.op === 'ADD_COLUMN') out.push({ kind: 'column', name: a.column.name });
      else if (a.op === 'MODIFY_COLUMN' && a.column.name !== a.from) out.push({ kind: 'column', name: a.column.name });
      else if (a.op === 'RENAME_COLUMN') out.push({ kind: 'column', name: a.to });
      else if (a.op === 'RENAME_TABLE') out.push({ kind: 'table', name: a.to.name });
    }
  }
  return out;
}

export const ddlNaming: DdlRuleDefinition = {
  id: 'ddl-naming',
  level: 'WARNING',
  description:
    'New table and column names (CREATE TABLE, ADD COLUMN, CHANGE, RENAME) must follow the naming style, be at most `maxLength` characters and not be reserved words of the engine. ' +
    '`namingStyle`: 0 lower snake_case (default), 1 lowerCamelCase, 2 UPPER_SNAKE_CASE, 3 PascalCase, 4 any; `reservedWords`: 1 refuses them (default), 0 allows them.',
  params: { namingStyle: 0, maxLength: 64, reservedWords: 1 },
  check(s, { ctx, params }) {
    const names = namesOf(s);
    if (!names.length) return [];
    const style = STYLES[params['namingStyle']!] ?? STYLES[0]!;
    // PostgreSQL keeps 63 bytes of a name and silently truncates the rest.
    const max = ctx.engine === 'postgresql' ? Math.min(params['maxLength']!, 63) : params['maxLength']!;
    const label = (n: { kind: string; name: string }) => `${n.kind} ${n.name}`;
    const out: string[] = [];
    const badStyle = style.pattern ? names.filter((n) => !style.pattern!.test(n.name)) : [];
    if (badStyle.length) out.push(`${listOf(badStyle.map(label))} ${badStyle.length > 1 ? 'do' : 'does'} not follow the naming style, ${style.name}; rename ${badStyle.length > 1 ? 'them' : 'it'}.`);
    const long = names.filter((n) => Buffer.byteLength(n.name, 'utf8') > max);
    if (long.length) out.push(`${listOf(long.map(label))} ${long.length > 1 ? 'are' : 'is'} longer than ${max} characters; use a shorter name.`);
    const reserved = params['reservedWords'] !== 0 ? names.filter((n) => isReservedWord(ctx.engine, n.name)) : [];
    if (reserved.length) {
      out.push(`${listOf(reserved.map(label))} ${reserved.length > 1 ? 'are reserved words' : 'is a reserved word'} of ${ctx.engine}, so every query must quote ${reserved.length > 1 ? 'them' : 'it'}; choose another name.`);
    }
    return out;
  },
};

export const ddlColumnComment: DdlRuleDefinition = {
  id: 'ddl-column-comment',
  level: 'WARNING',
  description: 'MySQL/MariaDB: every column a statement defines (CREATE TABLE, ADD COLUMN, MODIFY/CHANGE, which drop a comment they do not repeat) has a COMMENT.',
  params: {},
  check(s, { ctx }) {
    if (!mysqlish(ctx.engine) || s.temporary) return [];
    const missing = definedColumns(s, true).filter((c) => !c.comment?.trim());
    if (!missing.length) return [];
    const modified = s.kind === 'ALTER_TABLE' && s.actions.some((a) => a.op === 'MODIFY_COLUMN' && a.change === 'REDEFINE' && missing.includes(a.column as DdlColumn));
    return [
      `column${missing.length > 1 ? 's' : ''} ${listOf(missing.map((c) => c.name))} of ${s.table ? refName(s.table) : 'the table'} ${missing.length > 1 ? 'have' : 'has'} no COMMENT; say what ${missing.length > 1 ? 'each' : 'it'} holds (\`… COMMENT 'what it holds'\`)${modified ? '. MODIFY/CHANGE replaces the whole definition, so a comment not repeated there is removed' : ''}.`,
    ];
  },
};

/** `utf8mb4` (also `utf8mb4_0900_ai_ci` as a collation's prefix). */
const isUtf8mb4 = (charset: string): boolean => charset.toLowerCase() === 'utf8mb4';
const charsetOfCollation = (collate: string | undefined | null): string | null => (collate ? collate.toLowerCase().split('_')[0]! : null);

export const ddlTableCharset: DdlRuleDefinition = {
  id: 'ddl-table-charset',
  level: 'WARNING',
  description:
    'MySQL/MariaDB: tables and columns use the utf8mb4 character set: a CREATE TABLE, column, or ALTER TABLE … [DEFAULT] CHARSET / CONVERT TO with another one is reported at the rule\'s level; a CREATE TABLE that gives none (the database default applies) as a NOTICE at most.',
  params: {},
  check(s, { ctx }) {
    if (!mysqlish(ctx.engine)) return [];
    const out: DdlDraft[] = [];
    if (s.kind === 'CREATE_TABLE' && !s.like && !s.temporary) {
      const charset = s.options['charset'] ?? charsetOfCollation(s.options['collate']);
      if (charset === null) {
        out.push({ message: `${what(s)} gives no character set, so it gets the database's default; state it: \`DEFAULT CHARSET=utf8mb4\`.`, atMost: 'NOTICE' });
      } else if (!isUtf8mb4(charset)) {
        out.push(`${what(s)} uses the character set ${charset}; use utf8mb4 (${charset} cannot store every Unicode character, e.g. emoji, and mixing character sets makes joins and comparisons convert).`);
      }
    }
    if (s.kind === 'ALTER_TABLE') {
      for (const a of s.actions) {
        if (a.op !== 'OPTIONS') continue;
        const charset = a.options['charset'] ?? charsetOfCollation(a.options['collate']);
        if (charset !== null && !isUtf8mb4(charset)) out.push(`${what(s)} ${a.convert ? 'converts the table to' : 'sets the default character set'} ${charset}; use utf8mb4.`);
      }
    }
    const columns = definedColumns(s, true).filter((c) => {
      const cs = c.charset ?? charsetOfCollation(c.collate);
      return cs !== null && !isUtf8mb4(cs);
    });
    if (columns.length) out.push(`column${columns.length > 1 ? 's' : ''} ${listOf(columns.map((c) => `${c.name} (${c.charset ?? c.collate})`))} of ${s.table ? refName(s.table) : 'the table'} use${columns.length > 1 ? '' : 's'} a character set other than utf8mb4; leave it out to use the table's, or use utf8mb4.`);
    return out;
  },
};
