/** Writes docs/api/ from the Action registry: `npm run docs:api`. */
import fs from 'node:fs';
import path from 'node:path';
import { ALL_ACTIONS } from '../src/http/actions/index.js';
import { renderApiDocs } from '../src/http/rpc/api-docs.js';
import { renderLifecycleDoc } from '../src/modules/tickets/lifecycle-doc.js';

const dir = path.resolve(import.meta.dirname, '..', 'docs', 'api');
fs.mkdirSync(dir, { recursive: true });
for (const [file, text] of renderApiDocs(ALL_ACTIONS)) fs.writeFileSync(path.join(dir, file), text);
fs.writeFileSync(path.resolve(dir, '..', 'ticket-lifecycle.md'), renderLifecycleDoc());
process.stdout.write(`wrote ${dir} and docs/ticket-lifecycle.md\n`);
