import { z } from 'zod';
import { AppError } from '../../errors.js';

/**
 * `PluginParam` arrives with lower-camel keys (the DMS documentation's examples) or PascalCase (the
 * dedicated Actions' spelling), and, from flattened or form clients, with numbers and booleans as
 * text. This normalizes keys (first letter lower-cased, recursively) and provides tolerant scalar
 * schemas; each type's zod schema does the rest.
 */
export function normalizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), normalizeKeys(v)]));
  }
  return value;
}

/** A 64-bit id or count given as a number or decimal text. */
export const zLong = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'expected an integer').transform(Number)]).pipe(z.number().int().safe());

/** `true`/`false` as a boolean or text (any case). */
export const zBool = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i, 'expected true or false')
    .transform((s) => s.toLowerCase() === 'true'),
]);

/** Parses `raw` with the type's schema; a failure names the key and the reason. */
export function parsePluginParam<P>(schema: z.ZodType<P>, raw: unknown, paramName = 'PluginParam'): P {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: expected a JSON object.`);
  }
  const result = schema.safeParse(normalizeKeys(raw), {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
  });
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(object)'}: ${i.message}`);
  throw new AppError(`Invalid${paramName}`, `Specified parameter ${paramName} is not valid: ${problems.join('; ')}.`);
}
