import { describe, expect, it } from 'vitest';
import { formatServerTime, parseServerTime } from './time.js';

describe('service times', () => {
  it('reads a service time in its zone', () => {
    expect(parseServerTime('2026-12-08 09:30:00', 'UTC')).toBe(Date.UTC(2026, 11, 8, 9, 30, 0));
    expect(parseServerTime('2026-12-08 09:30:00', 'Asia/Shanghai')).toBe(Date.UTC(2026, 11, 8, 1, 30, 0));
    // Daylight saving time on both sides of the change.
    expect(parseServerTime('2026-07-01 12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 10, 0, 0));
    expect(parseServerTime('2026-01-01 12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 1, 11, 0, 0));
    expect(parseServerTime('yesterday', 'UTC')).toBeUndefined();
  });

  it('writes a time in the service zone, round trip', () => {
    const t = Date.UTC(2026, 2, 29, 23, 59, 58);
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/Berlin']) {
      expect(parseServerTime(formatServerTime(t, tz), tz)).toBe(t);
    }
    expect(formatServerTime(Date.UTC(2026, 0, 5, 0, 0, 0), 'Asia/Shanghai')).toBe('2026-01-05 08:00:00');
  });
});
