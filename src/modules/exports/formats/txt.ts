/**
 * Tab-separated text, the MySQL/PostgreSQL text-format convention (LOAD DATA / COPY … TEXT):
 * a header row, LF line ends, `\` → `\\`, TAB → `\t`, LF → `\n`, CR → `\r`, NULL → `\N`
 * (so '' is an empty field and stays distinct). Booleans `true`/`false`, binary `\x` + hex
 * (itself escaped, `\\x…`, as COPY writes bytea), numbers as given.
 */
import type { Cell, ResultColumn } from '../../../connectors/result-set.js';
import type { TextFormatWriter } from './text-format.js';
import { hex, numberText } from './values.js';

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function txtField(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}

export function txtWriter(columns: readonly ResultColumn[]): TextFormatWriter {
  const n = columns.length;
  return {
    head: () => `${columns.map((c) => txtField(c.name)).join('\t')}\n`,
    rows(batch: readonly Cell[][]) {
      let s = '';
      for (const row of batch) {
        for (let i = 0; i < n; i++) {
          if (i > 0) s += '\t';
          const v = row[i];
          if (v === null || v === undefined) s += '\\N';
          else if (typeof v === 'string') s += txtField(v);
          else if (typeof v === 'number') s += numberText(v);
          else if (typeof v === 'boolean') s += v ? 'true' : 'false';
          else s += `\\\\x${hex(v)}`;
        }
        s += '\n';
      }
      return s;
    },
    tail: () => '',
  };
}
