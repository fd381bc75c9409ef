import { describe, expect, it } from 'vitest';
import { duplicateKeys, en, zh } from './messages.js';

describe('console messages', () => {
  it('defines each key in one area only', () => {
    expect(duplicateKeys()).toEqual([]);
  });
  it('has a Chinese text for every English one', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(zh)) expect(v, k).not.toBe('');
  });
});
