/**
 * Quartz cron expressions, as DMS `CronFormat` uses them (`0 0 2 * * ?`): six or seven fields,
 *
 *   seconds  minutes  hours  day-of-month  month  day-of-week  [year]
 *   0-59     0-59     0-23   1-31          1-12   1-7          1970-2199
 *
 * with `*`, lists `a,b`, ranges `a-b` (a range that wraps, `FRI-MON` or `22-2`, runs over the
 * end), steps (`a/n`, `a-b/n`, and `*` with a step: every n from the start), month names JAN-DEC and day names SUN-SAT. Day-of-week is
 * Quartz-numbered, 1 = SUN … 7 = SAT (not Unix cron's 0 = SUN … 6 = SAT: `2-6` is MON-FRI), which
 * is why this is not cron-parser. Exactly one of the two day fields is `?` ("no value"): Quartz
 * cannot combine them. Also supported, alone in their field: day-of-month `L` (last day), `L-n`
 * (n days before it), `nW` (the weekday nearest day n, within the month), `LW` (last weekday);
 * day-of-week `L` (= 7), `nL` (the last day n of the month), `n#k` (the k-th day n, k 1-5).
 *
 * Times are wall-clock times in a time zone (IANA name). On a daylight-saving change a wall-clock
 * time that does not exist (the skipped hour) does not fire, and one that occurs twice fires once,
 * at its first occurrence.
 */

export class CronSyntaxError extends Error {}

type DaySpec =
  | { kind: 'none' } // `?`
  | { kind: 'set'; values: ReadonlySet<number> }
  | { kind: 'last'; offset: number } // dom L, L-n
  | { kind: 'lastWeekday' } // dom LW
  | { kind: 'nearestWeekday'; day: number } // dom nW
  | { kind: 'lastOf'; dow: number } // dow nL
  | { kind: 'nth'; dow: number; n: number }; // dow n#k

export interface QuartzCron {
  readonly text: string;
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number> | null;
  readonly dom: DaySpec;
  readonly dow: DaySpec;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS = {
  second: { name: 'seconds', min: 0, max: 59 },
  minute: { name: 'minutes', min: 0, max: 59 },
  hour: { name: 'hours', min: 0, max: 23 },
  dom: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  dow: { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  year: { name: 'year', min: 1970, max: 2199 },
} satisfies Record<string, Field>;

const fail = (field: Field, message: string): never => {
  throw new CronSyntaxError(`${field.name}: ${message}`);
};

function value(field: Field, text: string): number {
  const upper = text.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) {
    return fail(field, `"${text}" is not a number${field.names ? ` or a name (${field.names[0]}-${field.names.at(-1)})` : ''}`);
  }
  const n = Number(text);
  if (n < field.min || n > field.max) fail(field, `${n} is out of range ${field.min}-${field.max}${field === FIELDS.dow ? ' (1 = SUN … 7 = SAT)' : ''}`);
  return n;
}

/** `*`, lists, ranges and steps → the sorted values. */
function values(field: Field, text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') fail(field, `empty list item in "${text}"`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) fail(field, `"${part}" has more than one /`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) fail(field, `the step in "${part}" must be a positive integer`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      [from, to] = [field.min, field.max];
    } else if (range!.includes('-')) {
      const [a, b, more] = range!.split('-');
      if (more !== undefined || a === '' || b === '') fail(field, `"${range}" is not a range a-b`);
      [from, to] = [value(field, a!), value(field, b!)];
    } else {
      from = value(field, range!);
      // `a/n`: from a to the end of the field; a single value otherwise.
      to = stepText !== undefined ? field.max : from;
    }
    const span = field.max - field.min + 1;
    const count = to >= from ? to - from : to + span - from; // a wrapping range runs over the end
    for (let k = 0; k <= count; k += step) out.add(((from - field.min + k) % span) + field.min);
  }
  return [...out].sort((a, b) => a - b);
}

function daySpec(field: Field, text: string): DaySpec {
  const upper = text.toUpperCase();
  if (upper === '?') return { kind: 'none' };
  const special = /[LW#]/.test(upper.replace(/SAT|SUN|MON|TUE|WED|THU|FRI/g, ''));
  if (!special) return { kind: 'set', values: new Set(values(field, text)) };
  if (upper.includes(',') || upper.includes('/')) fail(field, `L, W and # cannot be combined with lists or steps ("${text}")`);
  if (field === FIELDS.dom) {
    if (upper === 'L') return { kind: 'last', offset: 0 };
    if (upper === 'LW') return { kind: 'lastWeekday' };
    const lastMinus = /^L-(\d+)$/.exec(upper);
    if (lastMinus) {
      const offset = Number(lastMinus[1]);
      if (offset > 30) fail(field, `L-${offset}: at most L-30`);
      return { kind: 'last', offset };
    }
    const nearest = /^(\d+)W$/.exec(upper);
    if (nearest) return { kind: 'nearestWeekday', day: value(field, nearest[1]!) };
    return fail(field, `"${text}" is not supported (L, L-n, nW, LW are)`);
  }
  if (upper === 'L') return { kind: 'set', values: new Set([7]) };
  const last = /^(\w+)L$/.exec(upper);
  if (last) return { kind: 'lastOf', dow: value(field, last[1]!) };
  const nth = /^(\w+)#(\d+)$/.exec(upper);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(field, `in "${text}" the occurrence after # must be 1-5`);
    return { kind: 'nth', dow: value(field, nth[1]!), n };
  }
  return fail(field, `"${text}" is not supported (L, nL and n#k are)`);
}

/** Parses a Quartz expression; throws CronSyntaxError naming the field and the problem. */
export function parseQuartzCron(text: string): QuartzCron {
  const parts = text.trim().split(/\s+/).filter((s) => s !== '');
  if (parts.length < 6 || parts.length > 7) {
    throw new CronSyntaxError(`expected 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), got ${parts.length}`);
  }
  const [sec, min, hour, domText, month, dowText, year] = parts as [string, string, string, string, string, string, string | undefined];
  for (const [f, t] of [[FIELDS.second, sec], [FIELDS.minute, min], [FIELDS.hour, hour], [FIELDS.month, month], [FIELDS.year, year ?? '*']] as const) {
    if (t === '?') fail(f, '? is only allowed in day-of-month or day-of-week');
    if (/[LW#]/i.test(t.replace(/JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC/gi, ''))) fail(f, `"${t}": L, W and # are only allowed in the day fields`);
  }
  const dom = daySpec(FIELDS.dom, domText);
  const dow = daySpec(FIELDS.dow, dowText);
  if (dom.kind === 'none' && dow.kind === 'none') throw new CronSyntaxError('day-of-month and day-of-week cannot both be ?; give one of them');
  if (dom.kind !== 'none' && dow.kind !== 'none') throw new CronSyntaxError('day-of-month and day-of-week cannot both be given; one must be ?');
  const cron: QuartzCron = {
    text: parts.join(' '),
    seconds: values(FIELDS.second, sec),
    minutes: values(FIELDS.minute, min),
    hours: values(FIELDS.hour, hour),
    months: new Set(values(FIELDS.month, month)),
    years: year === undefined || year === '*' ? null : new Set(values(FIELDS.year, year)),
    dom,
    dow,
  };
  return cron;
}

// ---------------------------------------------------------------------------------------------
// Next fire time

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** Quartz day of week, 1 = SUN … 7 = SAT. */
const dowOf = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
const isWeekday = (y: number, m: number, d: number): boolean => {
  const w = dowOf(y, m, d);
  return w !== 1 && w !== 7;
};

function dayMatches(c: QuartzCron, y: number, m: number, d: number): boolean {
  const last = daysIn(y, m);
  const spec = c.dom.kind === 'none' ? c.dow : c.dom;
  switch (spec.kind) {
    case 'none':
      return false;
    case 'set':
      return spec.values.has(c.dom.kind === 'none' ? dowOf(y, m, d) : d);
    case 'last':
      return d === last - spec.offset;
    case 'lastWeekday': {
      let w = last;
      while (!isWeekday(y, m, w)) w--;
      return d === w;
    }
    case 'nearestWeekday': {
      if (spec.day > last) return false;
      const w = dowOf(y, m, spec.day);
      let target = spec.day;
      if (w === 7) target = spec.day === 1 ? 3 : spec.day - 1; // Saturday → Friday (or Monday the 3rd)
      else if (w === 1) target = spec.day === last ? spec.day - 2 : spec.day + 1; // Sunday → Monday (or Friday)
      return d === target;
    }
    case 'lastOf':
      return dowOf(y, m, d) === spec.dow && d + 7 > last;
    case 'nth':
      return dowOf(y, m, d) === spec.dow && Math.ceil(d / 7) === spec.n;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a zone. */
function wallClock(epochMs: number, timeZone: string): [number, number, number, number, number, number] {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return [p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!];
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetAt(epochMs: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(epochMs, timeZone);
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(epochMs / 1000) * 1000;
}

/** The first instant showing this wall-clock time in the zone; null when the time does not exist there (DST gap). */
function firstInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): number | null {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const candidates = [...new Set([offsetAt(asUtc - 86_400_000, timeZone), offsetAt(asUtc, timeZone), offsetAt(asUtc + 86_400_000, timeZone)])]
    .map((off) => asUtc - off)
    .filter((t) => {
      const w = wallClock(t, timeZone);
      return w[0] === y && w[1] === mo && w[2] === d && w[3] === h && w[4] === mi && w[5] === s;
    })
    .sort((a, b) => a - b);
  return candidates[0] ?? null;
}

/**
 * The first fire time strictly after `afterMs` (epoch ms), in `timeZone`; null when the
 * expression never fires again (up to year 2199).
 */
export function nextFireTime(c: QuartzCron, afterMs: number, timeZone: string): number | null {
  // Start at the next whole second in wall-clock terms.
  const start = wallClock(Math.floor(afterMs / 1000) * 1000 + 1000, timeZone);
  const [y0, m0, d0] = start;
  const startKey = (start[3] * 60 + start[4]) * 60 + start[5];
  for (let y = y0; y <= FIELDS.year.max; y++) {
    if (c.years && !c.years.has(y)) continue;
    for (let m = y === y0 ? m0 : 1; m <= 12; m++) {
      if (!c.months.has(m)) continue;
      const last = daysIn(y, m);
      for (let d = y === y0 && m === m0 ? d0 : 1; d <= last; d++) {
        if (!dayMatches(c, y, m, d)) continue;
        const sameDay = y === y0 && m === m0 && d === d0;
        for (const h of c.hours) {
          for (const mi of c.minutes) {
            for (const s of c.seconds) {
              if (sameDay && (h * 60 + mi) * 60 + s < startKey) continue;
              const t = firstInstant(y, m, d, h, mi, s, timeZone);
              if (t !== null && t > afterMs) return t;
            }
          }
        }
      }
    }
  }
  return null;
}
