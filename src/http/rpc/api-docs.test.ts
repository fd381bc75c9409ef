import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_ACTIONS } from '../actions/index.js';
import { renderLifecycleDoc } from '../../modules/tickets/lifecycle-doc.js';
import { renderApiDocs } from './api-docs.js';

describe('docs/api', () => {
  it('matches the Action registry (run `npm run docs:api` after changing an Action)', () => {
    const dir = path.resolve(import.meta.dirname, '../../../docs/api');
    for (const [file, text] of renderApiDocs(ALL_ACTIONS)) {
      const onDisk = fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), 'utf8') : '(missing)';
      expect(onDisk, `docs/api/${file} is stale`).toBe(text);
    }
  });

  it('docs/ticket-lifecycle.md matches the state machine', () => {
    const file = path.resolve(import.meta.dirname, '../../../docs/ticket-lifecycle.md');
    expect(fs.readFileSync(file, 'utf8')).toBe(renderLifecycleDoc());
  });
});
