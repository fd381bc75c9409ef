/**
 * JSON: one array document `[{…},{…}]` (one object per line inside it) or JSON Lines (one object
 * per line, nothing else). Keys in column order; a repeated column name gets `_2`, `_3`, ….
 *
 * Values keep their type where JSON can hold them exactly: a safe integer or a float is a number,
 * a bigger integer or a decimal is a string (exact), NaN/±Infinity stay strings, booleans are
 * booleans, binary is base64, a `json` column's text is embedded as the JSON value it is, and
 * everything else (dates, times, text) is a string. NULL is null.
 */
import type { Cell, ResultColumn } from '../../../connectors/result-set.js';
import type { TextFormatWriter } from './text-format.js';
import { base64, numberText } from './values.js';

/** Column names → object keys, unique: `a, a, a` → `a, a_2, a_3` (never colliding with a real `a_2`). */
export function uniqueKeys(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let k = 2;
    while (taken.has(`${name}_${k}`)) k++;
    const key = `${name}_${k}`;
    taken.add(key);
    return key;
  });
}

const LINE_BREAKS = /[\r\n]+/g;

/**
 * A `json` column's text, embedded as is. Raw CR/LF can only be insignificant whitespace in valid
 * JSON (inside strings they are escaped), so JSON Lines turns them into spaces. Text that is not
 * valid JSON (possible in SQLite, dynamically typed) is written as a string, its own type.
 */
function embeddedJson(text: string, oneLine: boolean): string {
  try {
    JSON.parse(text);
  } catch {
    return JSON.stringify(text);
  }
  return oneLine ? text.replace(LINE_BREAKS, ' ') : text;
}

function value(v: Cell | undefined, isJson: boolean, oneLine: boolean): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return isJson ? embeddedJson(v, oneLine) : JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? numberText(v) : JSON.stringify(String(v));
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return `"${base64(v)}"`;
  }
}

export function jsonWriter(columns: readonly ResultColumn[], options: { jsonLines: boolean }): TextFormatWriter {
  const lines = options.jsonLines;
  const prefixes = uniqueKeys(columns.map((c) => c.name)).map((key, i) => `${i === 0 ? '{' : ','}${JSON.stringify(key)}:`);
  const isJson = columns.map((c) => c.kind === 'json');
  const n = columns.length;
  let first = true;
  return {
    head: () => (lines ? '' : '['),
    rows(batch) {
      let s = '';
      for (const row of batch) {
        if (!lines) s += first ? '\n' : ',\n';
        first = false;
        for (let i = 0; i < n; i++) s += prefixes[i]! + value(row[i], isJson[i]!, lines);
        s += n === 0 ? '{}' : '}';
        if (lines) s += '\n';
      }
      return s;
    },
    tail: () => (lines ? '' : '\n]\n'),
  };
}
