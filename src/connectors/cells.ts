/**
 * Conversions from what drivers hand over (text, bigint) to the exact cells of result-set.ts,
 * shared by the engines' readers.
 */

/**
 * An integer, as decimal text or bigint → `number` when it is a safe integer, else its exact
 * decimal string. (A text beyond 2^53 − 1 rounds to a double that is not a safe integer, so the
 * check on the converted number is exact.)
 */
export function integerCell(value: string | bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** Float text → number; the special values an engine prints as words stay strings ('NaN', 'Infinity', '-Infinity'). */
export function floatCell(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}
