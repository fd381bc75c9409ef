/** Rewrites src/storage/schema/{sqlite,postgres}.sql from the migrations: `npm run schema:snapshot`. */
import fs from 'node:fs';
import path from 'node:path';
import { describeSchema } from '../src/storage/schema-snapshot.js';
import { postgresTestStore, sqliteTestStore } from '../test/helpers/store.js';

const dir = path.resolve(import.meta.dirname, '..', 'src', 'storage', 'schema');
fs.mkdirSync(dir, { recursive: true });
for (const [name, open] of [['sqlite', sqliteTestStore], ['postgres', postgresTestStore]] as const) {
  const store = await open();
  try {
    fs.writeFileSync(path.join(dir, `${name}.sql`), await describeSchema(store));
  } finally {
    await store.close();
  }
}
process.stdout.write(`wrote ${dir}\n`);
