import { describe, expect, it } from 'vitest';
import { numberString, numberText } from './values.js';

describe('numberString / numberText', () => {
  it('write every number as String(n) does (the shortest round-trip digits), numberText keeping -0', () => {
    const samples = [0, 1, -1, 0.1, 1 / 3, -2 / 3, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 2 ** 53, 2 ** 31, -(2 ** 31) - 1, 43831.000011574074, NaN, Infinity, -Infinity];
    for (let i = 0; i < 20_000; i++) samples.push((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20));
    for (const n of samples) {
      expect(numberString(n), String(n)).toBe(String(n));
      expect(numberText(n)).toBe(String(n));
    }
    expect(numberString(-0)).toBe('0');
    expect(numberText(-0)).toBe('-0');
  });
});
