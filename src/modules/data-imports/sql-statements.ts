/**
 * The statements of a SQL file as it streams in, with the project's splitter (lib/sql/split.ts)
 * run over a window of text. The window starts right after a `;` that ended a statement, where
 * the splitter's state is neutral (outside strings, quoted names and comments), so splitting the
 * window gives exactly what splitting the whole file would: every statement but the window's last
 * is complete (a later one follows it), the last may go on in the next chunk and stays in the
 * window. A statement longer than the window is re-split only once the window has doubled, so the
 * work stays linear in the file size.
 */
import type { Engine } from '../../connectors/index.js';
import { splitStatements } from '../../lib/sql/split.js';

export interface FileStatement {
  /** 1-based position in the file. */
  index: number;
  text: string;
  /** 1-based line where it starts. */
  line: number;
}

const countLines = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let k = s.indexOf('\n', from); k >= 0 && k < to; k = s.indexOf('\n', k + 1)) n++;
  return n;
};

export async function* fileStatements(text: AsyncIterable<string>, engine: Engine): AsyncGenerator<FileStatement> {
  let window = '';
  let base = 1; // line of the window's first character
  let index = 0;
  let retryAt = 0; // re-split once the window is at least this long
  for await (const chunk of text) {
    window += chunk;
    if (window.length < retryAt) continue;
    const found = splitStatements(window, engine);
    if (found.length < 2) {
      retryAt = window.length * 2;
      continue;
    }
    for (let k = 0; k < found.length - 1; k++) {
      const s = found[k]!;
      yield { index: ++index, text: s.text, line: base + s.line - 1 };
    }
    const cut = found[found.length - 2]!.end;
    base += countLines(window, 0, cut);
    window = window.slice(cut);
    retryAt = 0;
  }
  for (const s of splitStatements(window, engine)) yield { index: ++index, text: s.text, line: base + s.line - 1 };
}
