import { describe, expect, it } from 'vitest';
import { CronSyntaxError, nextFireTime, parseQuartzCron } from './quartz-cron.js';

const utc = (s: string) => Date.parse(`${s}Z`);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString().replace('.000Z', ''));

/** The next `n` fire times after `from` (UTC text), as UTC text. */
function fires(expr: string, from: string, n = 1, tz = 'UTC'): (string | null)[] {
  const c = parseQuartzCron(expr);
  const out: (string | null)[] = [];
  let t: number | null = utc(from);
  for (let k = 0; k < n && t !== null; k++) {
    t = nextFireTime(c, t, tz);
    out.push(iso(t));
  }
  return out;
}

describe('next fire times (UTC)', () => {
  it('every day at 02:00, strictly after the given time', () => {
    expect(fires('0 0 2 * * ?', '2026-12-08T01:59:59', 2)).toEqual(['2026-12-08T02:00:00', '2026-12-09T02:00:00']);
    expect(fires('0 0 2 * * ?', '2026-12-08T02:00:00')).toEqual(['2026-12-09T02:00:00']);
  });

  it('every 5 seconds and every minute', () => {
    expect(fires('*/5 * * * * ?', '2026-12-08T10:00:03', 3)).toEqual(['2026-12-08T10:00:05', '2026-12-08T10:00:10', '2026-12-08T10:00:15']);
    expect(fires('0 * * * * ?', '2026-12-31T23:59:30', 2)).toEqual(['2027-01-01T00:00:00', '2027-01-01T00:01:00']);
    expect(fires('10/20 * * * * ?', '2026-12-08T10:00:00', 3)).toEqual(['2026-12-08T10:00:10', '2026-12-08T10:00:30', '2026-12-08T10:00:50']);
  });

  it('fractional milliseconds round to the next whole second', () => {
    const c = parseQuartzCron('* * * * * ?');
    expect(iso(nextFireTime(c, utc('2026-12-08T10:00:00') + 400, 'UTC'))).toBe('2026-12-08T10:00:01');
  });

  it('month ends: day 31 skips short months; L, L-n, LW', () => {
    expect(fires('0 0 0 31 * ?', '2026-01-31T00:00:00', 3)).toEqual(['2026-03-31T00:00:00', '2026-05-31T00:00:00', '2026-07-31T00:00:00']);
    expect(fires('0 0 0 L * ?', '2026-01-15T00:00:00', 3)).toEqual(['2026-01-31T00:00:00', '2026-02-28T00:00:00', '2026-03-31T00:00:00']);
    expect(fires('0 0 0 L-2 * ?', '2026-02-01T00:00:00')).toEqual(['2026-02-26T00:00:00']);
    // The last weekday of May 2026 (the 31st is a Sunday, the 30th a Saturday) is Friday the 29th.
    expect(fires('0 0 0 LW * ?', '2026-05-01T00:00:00')).toEqual(['2026-05-29T00:00:00']);
  });

  it('leap years: February 29th and the last day of February', () => {
    expect(fires('0 0 12 29 2 ?', '2026-01-01T00:00:00', 2)).toEqual(['2028-02-29T12:00:00', '2032-02-29T12:00:00']);
    expect(fires('0 0 0 L FEB ?', '2027-03-01T00:00:00', 2)).toEqual(['2028-02-29T00:00:00', '2029-02-28T00:00:00']);
  });

  it('day-of-week is numbered the Quartz way: 1 = SUN … 7 = SAT', () => {
    // 2026-12-08 is a Tuesday.
    expect(fires('0 0 9 ? * 1', '2026-12-08T00:00:00')).toEqual(['2026-12-13T09:00:00']); // Sunday
    expect(fires('0 0 9 ? * 7', '2026-12-08T00:00:00')).toEqual(['2026-12-12T09:00:00']); // Saturday
    expect(fires('0 0 9 ? * 2-6', '2026-12-11T10:00:00', 2)).toEqual(['2026-12-14T09:00:00', '2026-12-15T09:00:00']); // MON-FRI
    expect(fires('0 0 23 ? * 7,1', '2026-12-08T00:00:00', 3)).toEqual(['2026-12-12T23:00:00', '2026-12-13T23:00:00', '2026-12-19T23:00:00']);
  });

  it('names, lists, ranges, wrapping ranges and steps', () => {
    expect(fires('0 0 9 ? * MON-FRI', '2026-12-11T10:00:00')).toEqual(['2026-12-14T09:00:00']);
    expect(fires('0 0 9 ? * fri-mon', '2026-12-08T00:00:00', 4)).toEqual(['2026-12-11T09:00:00', '2026-12-12T09:00:00', '2026-12-13T09:00:00', '2026-12-14T09:00:00']);
    expect(fires('0 0 0 1 JAN,JUL ?', '2026-02-01T00:00:00', 2)).toEqual(['2026-07-01T00:00:00', '2027-01-01T00:00:00']);
    expect(fires('0 0 22-2 * * ?', '2026-12-08T21:00:00', 5)).toEqual(['2026-12-08T22:00:00', '2026-12-08T23:00:00', '2026-12-09T00:00:00', '2026-12-09T01:00:00', '2026-12-09T02:00:00']);
    expect(fires('0 0/15 8-9 * * ?', '2026-12-08T09:40:00', 2)).toEqual(['2026-12-08T09:45:00', '2026-12-09T08:00:00']);
    expect(fires('0 0 0 1-10/3 * ?', '2026-12-01T00:00:00', 3)).toEqual(['2026-12-04T00:00:00', '2026-12-07T00:00:00', '2026-12-10T00:00:00']);
  });

  it('nW, nL and n#k', () => {
    // 2026-08-15 is a Saturday → Friday the 14th; 2026-11-01 is a Sunday → Monday the 2nd; 2026-08-01 is a Saturday → Monday the 3rd.
    expect(fires('0 0 0 15W * ?', '2026-08-01T00:00:00')).toEqual(['2026-08-14T00:00:00']);
    expect(fires('0 0 0 1W * ?', '2026-10-15T00:00:00')).toEqual(['2026-11-02T00:00:00']);
    expect(fires('0 0 0 1W * ?', '2026-07-15T00:00:00')).toEqual(['2026-08-03T00:00:00']);
    expect(fires('0 0 0 ? * 6L', '2026-12-01T00:00:00')).toEqual(['2026-12-25T00:00:00']); // last Friday
    expect(fires('0 0 0 ? * 2#1', '2026-12-08T00:00:00')).toEqual(['2027-01-04T00:00:00']); // first Monday
    expect(fires('0 0 0 ? * MON#5', '2026-12-01T00:00:00')).toEqual(['2027-03-29T00:00:00']); // a fifth Monday
    expect(fires('0 0 0 ? * L', '2026-12-08T00:00:00')).toEqual(['2026-12-12T00:00:00']); // L alone = 7 = SAT
  });

  it('the optional year field, and an expression that never fires', () => {
    expect(fires('0 0 0 1 1 ? 2030', '2026-12-08T00:00:00', 2)).toEqual(['2030-01-01T00:00:00', null]);
    expect(fires('0 0 0 30 2 ?', '2026-12-08T00:00:00')).toEqual([null]);
  });
});

describe('time zones', () => {
  it('wall-clock times in the zone', () => {
    // Asia/Shanghai is UTC+8 without DST.
    expect(fires('0 0 2 * * ?', '2026-12-08T00:00:00', 1, 'Asia/Shanghai')).toEqual(['2026-12-08T18:00:00']);
  });

  it('a daily time keeps its wall-clock time across DST changes (Europe/Berlin)', () => {
    expect(fires('0 0 3 * * ?', '2026-03-28T00:00:00', 2, 'Europe/Berlin')).toEqual(['2026-03-28T02:00:00', '2026-03-29T01:00:00']);
    expect(fires('0 0 3 * * ?', '2026-10-24T00:00:00', 2, 'Europe/Berlin')).toEqual(['2026-10-24T01:00:00', '2026-10-25T02:00:00']);
  });

  it('a time in the skipped hour does not fire that day; a repeated one fires once', () => {
    // 2026-03-29 02:30 does not exist in Berlin (02:00 → 03:00).
    expect(fires('0 30 2 * * ?', '2026-03-28T12:00:00', 2, 'Europe/Berlin')).toEqual(['2026-03-30T00:30:00', '2026-03-31T00:30:00']);
    // 2026-10-25 02:30 happens twice (CEST then CET): it fires at the first one only.
    expect(fires('0 30 2 * * ?', '2026-10-24T12:00:00', 2, 'Europe/Berlin')).toEqual(['2026-10-25T00:30:00', '2026-10-26T01:30:00']);
  });

  it('an hourly schedule across the change', () => {
    expect(fires('0 0 * * * ?', '2026-03-29T00:30:00', 2, 'Europe/Berlin')).toEqual(['2026-03-29T01:00:00', '2026-03-29T02:00:00']);
  });
});

describe('invalid expressions are refused with the field named', () => {
  const refused: [string, RegExp][] = [
    ['0 0 2 * *', /expected 6 or 7 fields/],
    ['0 0 2 * * ? 2030 1', /expected 6 or 7 fields/],
    ['0 0 2 * * *', /day-of-month and day-of-week cannot both be given; one must be \?/],
    ['0 0 2 1 * MON', /cannot both be given/],
    ['0 0 2 ? * ?', /cannot both be \?/],
    ['60 0 2 * * ?', /seconds: 60 is out of range 0-59/],
    ['0 60 2 * * ?', /minutes: 60 is out of range/],
    ['0 0 24 * * ?', /hours: 24 is out of range 0-23/],
    ['0 0 0 32 * ?', /day-of-month: 32 is out of range 1-31/],
    ['0 0 0 0 * ?', /day-of-month: 0 is out of range/],
    ['0 0 0 1 13 ?', /month: 13 is out of range 1-12/],
    ['0 0 0 ? * 0', /day-of-week: 0 is out of range 1-7 \(1 = SUN … 7 = SAT\)/],
    ['0 0 0 ? * 8', /day-of-week: 8 is out of range/],
    ['0 0 0 ? * FOO', /day-of-week: "FOO" is not a number or a name \(SUN-SAT\)/],
    ['0 0 0 1 FOO ?', /month: "FOO" is not a number or a name \(JAN-DEC\)/],
    ['0 0 0 1 * ? 1969', /year: 1969 is out of range/],
    ['? 0 0 1 * ?', /seconds: \? is only allowed/],
    ['0 0 L * * ?', /hours: "L": L, W and # are only allowed in the day fields/],
    ['*/0 0 0 * * ?', /seconds: the step in "\*\/0" must be a positive integer/],
    ['0 0 0 1,,2 * ?', /day-of-month: empty list item/],
    ['0 0 0 1-2-3 * ?', /is not a range/],
    ['0 0 0 L,1 * ?', /L, W and # cannot be combined with lists/],
    ['0 0 0 ? * 2#6', /occurrence after # must be 1-5/],
    ['0 0 0 3X * ?', /day-of-month: "3X" is not a number/],
    ['0 0 0 L-31 * ?', /at most L-30/],
  ];
  for (const [expr, message] of refused) {
    it(expr, () => {
      expect(() => parseQuartzCron(expr)).toThrow(CronSyntaxError);
      expect(() => parseQuartzCron(expr)).toThrow(message);
    });
  }
});
