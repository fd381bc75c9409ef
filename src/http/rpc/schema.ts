import { invalidParameter, missingParameter } from './gateway-error.js';

/**
 * Wire parameter schemas. One schema per Action lists each parameter's name, type, whether it is
 * required, where the DMS SDK sends it and its enum values; it drives validation (here), the
 * handler's input type (`InferParams`) and the generated API reference (scripts/gen-api-docs.ts).
 *
 * Every parameter arrives as text. Types follow the DMS metadata: `long`/`integer` (decimal text),
 * `boolean` (`true`/`false`), `string`, `list` (comma-separated, a JSON array, or `Name.1`, `Name.2`),
 * `json` (a JSON text, or the `Name.Key` / `Name.1.Key` flattening of legacy clients).
 */
export type ParamType = 'string' | 'long' | 'integer' | 'double' | 'boolean' | 'list' | 'json';
export type ParamLocation = 'query' | 'body';

type TypeOf<K extends ParamType> = K extends 'string'
  ? string
  : K extends 'long' | 'integer' | 'double'
    ? number
    : K extends 'boolean'
      ? boolean
      : K extends 'list'
        ? string[]
        : unknown;

export interface ParamSpec<T = unknown, R extends boolean = boolean> {
  readonly type: ParamType;
  readonly required: R;
  readonly location: ParamLocation;
  readonly description: string;
  readonly enumValues: readonly string[] | undefined;
  /** Enum matched case-insensitively and normalized to the listed spelling. */
  readonly enumCaseInsensitive: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly maxLength: number | undefined;
  readonly defaultValue: T | undefined;
  /** Phantom field carrying the TypeScript type. */
  readonly __type?: T;
}

class Builder<T, R extends boolean> implements ParamSpec<T, R> {
  constructor(
    readonly type: ParamType,
    readonly description: string,
    readonly required: R,
    readonly location: ParamLocation = 'query',
    readonly enumValues: readonly string[] | undefined = undefined,
    readonly enumCaseInsensitive = false,
    readonly min: number | undefined = undefined,
    readonly max: number | undefined = undefined,
    readonly maxLength: number | undefined = undefined,
    readonly defaultValue: T | undefined = undefined,
  ) {}

  #with(patch: Partial<ParamSpec<any, boolean>>): any {
    const s = { ...this, ...patch } as ParamSpec<any, boolean>;
    return new Builder(s.type, s.description, s.required, s.location, s.enumValues, s.enumCaseInsensitive, s.min, s.max, s.maxLength, s.defaultValue);
  }

  /** Required on the wire: absent → `Missing<Name>`. */
  req(): Builder<T, true> {
    return this.#with({ required: true });
  }
  /** Sent in the form body by the DMS SDK (the default is the query string); both are accepted. */
  inBody(): Builder<T, R> {
    return this.#with({ location: 'body' });
  }
  range(min: number | undefined, max: number | undefined): Builder<T, R> {
    return this.#with({ min, max });
  }
  maxLen(n: number): Builder<T, R> {
    return this.#with({ maxLength: n });
  }
  /** Value used when the parameter is absent; the input type then has it always. */
  default(v: T): Builder<T, true> {
    return this.#with({ defaultValue: v, required: false }) as unknown as Builder<T, true>;
  }
}

export const p = {
  string: (description: string) => new Builder<string, false>('string', description, false),
  long: (description: string) => new Builder<number, false>('long', description, false),
  integer: (description: string) => new Builder<number, false>('integer', description, false),
  double: (description: string) => new Builder<number, false>('double', description, false),
  boolean: (description: string) => new Builder<boolean, false>('boolean', description, false),
  list: (description: string) => new Builder<string[], false>('list', description, false),
  json: <T = unknown>(description: string) => new Builder<T, false>('json', description, false),
  enum: <const E extends string>(values: readonly E[], description: string, caseInsensitive = false) =>
    new Builder<E, false>('string', description, false, 'query', values, caseInsensitive),
};

export type ParamsShape = Record<string, ParamSpec<any, boolean>>;

type ValueOf<S> = S extends ParamSpec<infer T, boolean> ? T : never;
type IsRequired<S> = S extends { required: true } ? true : S extends { defaultValue: infer D } ? (undefined extends D ? false : true) : false;

/** The handler input type of a params shape: required (or defaulted) params present, others optional. */
export type InferParams<P extends ParamsShape> = {
  [K in keyof P as IsRequired<P[K]> extends true ? K : never]: ValueOf<P[K]>;
} & {
  [K in keyof P as IsRequired<P[K]> extends true ? never : K]?: ValueOf<P[K]>;
};

/** Raw, decoded wire parameters: name → text (flattened names kept as `Name.1.Key`). */
export type RawParams = ReadonlyMap<string, string>;

export function validateParams<P extends ParamsShape>(shape: P, raw: RawParams): InferParams<P> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(shape)) {
    const value = readParam(name, spec, raw);
    if (value === undefined) {
      if (spec.defaultValue !== undefined) out[name] = spec.defaultValue;
      else if (spec.required) throw missingParameter(name);
      continue;
    }
    out[name] = value;
  }
  return out as InferParams<P>;
}

function readParam(name: string, spec: ParamSpec, raw: RawParams): unknown {
  const text = raw.get(name);
  if (spec.type === 'json' || spec.type === 'list') {
    const flat = collectFlattened(name, raw);
    if (text === undefined && flat === undefined) return undefined;
    if (text !== undefined && text.trim() === '' && flat === undefined) return undefined;
    return spec.type === 'json' ? readJson(name, text, flat) : readList(name, text, flat, spec);
  }
  if (text === undefined || text === '') return undefined;
  switch (spec.type) {
    case 'string':
      return readString(name, text, spec);
    case 'long':
    case 'integer':
    case 'double':
      return readNumber(name, text, spec);
    case 'boolean': {
      const t = text.toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw invalidParameter(name, `expected true or false, got "${truncate(text)}".`);
    }
  }
}

function readString(name: string, text: string, spec: ParamSpec): string {
  if (spec.maxLength !== undefined && text.length > spec.maxLength) {
    throw invalidParameter(name, `longer than ${spec.maxLength} characters.`);
  }
  if (!spec.enumValues) return text;
  const match = spec.enumCaseInsensitive
    ? spec.enumValues.find((v) => v.toLowerCase() === text.toLowerCase())
    : spec.enumValues.find((v) => v === text);
  if (match === undefined) {
    throw invalidParameter(name, `"${truncate(text)}" is not one of ${spec.enumValues.join(', ')}.`);
  }
  return match;
}

function readNumber(name: string, text: string, spec: ParamSpec): number {
  const re = spec.type === 'double' ? /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/ : /^-?\d+$/;
  if (!re.test(text.trim())) throw invalidParameter(name, `expected ${spec.type === 'double' ? 'a number' : 'an integer'}, got "${truncate(text)}".`);
  const n = Number(text);
  if (spec.type !== 'double' && !Number.isSafeInteger(n)) throw invalidParameter(name, 'out of range.');
  if (spec.type === 'integer' && (n > 2147483647 || n < -2147483648)) throw invalidParameter(name, 'out of range for a 32-bit integer.');
  if (spec.min !== undefined && n < spec.min) throw invalidParameter(name, `must be at least ${spec.min}.`);
  if (spec.max !== undefined && n > spec.max) throw invalidParameter(name, `must be at most ${spec.max}.`);
  return n;
}

function readJson(name: string, text: string | undefined, flat: unknown): unknown {
  if (text !== undefined && text.trim() !== '') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw invalidParameter(name, `not valid JSON (${(e as Error).message}).`);
    }
  }
  return flat;
}

function readList(name: string, text: string | undefined, flat: unknown, spec: ParamSpec): string[] {
  let items: unknown[];
  if (text !== undefined && text.trim() !== '') {
    const t = text.trim();
    if (t.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(t);
        if (!Array.isArray(parsed)) throw new Error('not an array');
        items = parsed;
      } catch (e) {
        throw invalidParameter(name, `not a valid JSON array (${(e as Error).message}).`);
      }
    } else {
      items = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
  } else {
    items = Array.isArray(flat) ? flat : [flat];
  }
  const out = items.map((v) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw invalidParameter(name, 'list items must be plain values.');
  });
  if (spec.maxLength !== undefined && out.length > spec.maxLength) throw invalidParameter(name, `more than ${spec.maxLength} items.`);
  return out;
}

/**
 * Rebuilds a structured value from `Name.1=…&Name.2=…` (arrays) and `Name.Key=…` (objects), nested
 * to any depth, as legacy SDKs and raw openapi-client callers send it (wire-protocol.md §1.4).
 */
export function collectFlattened(name: string, raw: RawParams): unknown {
  const prefix = `${name}.`;
  let root: Record<string, unknown> | undefined;
  for (const [key, value] of raw) {
    if (!key.startsWith(prefix)) continue;
    root ??= {};
    const path = key.slice(prefix.length).split('.');
    let node: Record<string, unknown> = root;
    path.forEach((seg, i) => {
      if (i === path.length - 1) node[seg] = value;
      else {
        const next = node[seg];
        if (typeof next !== 'object' || next === null) node[seg] = {};
        node = node[seg] as Record<string, unknown>;
      }
    });
  }
  return root === undefined ? undefined : toArrays(root);
}

/** Objects whose keys are exactly 1..n become arrays (the repeat-list convention is 1-based). */
function toArrays(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (const k of keys) obj[k] = toArrays(obj[k]);
  const numeric = keys.length > 0 && keys.every((k) => /^[1-9]\d*$/.test(k));
  if (!numeric) return obj;
  const sorted = keys.map(Number).sort((a, b) => a - b);
  if (!sorted.every((n, i) => n === i + 1)) return obj;
  return sorted.map((n) => obj[String(n)]);
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}
