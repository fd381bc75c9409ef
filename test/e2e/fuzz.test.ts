/**
 * Bad input, generated (issue 8 §4): thousands of requests against a real server over loopback,
 * from a seeded generator so a failure can be replayed (`OPENDMS_FUZZ_SEED`):
 * - every registered Action, signed by the administrator, with one parameter made surely invalid
 *   for its declared type (so the request must be refused) and the others random: wrong types,
 *   oversized values, malformed JSON in JSON-text parameters, odd Unicode, NUL bytes, SQL-looking
 *   text, duplicate parameters;
 * - raw bodies: invalid UTF-8, malformed JSON bodies, random bytes, unsigned or mis-signed
 *   requests, unknown Actions, a body over the size limit, a body that trickles and stops.
 * Every answer must be a well-formed DMS envelope (JSON with RequestId, and Success or an error
 * code and message) with a 2xx/4xx status, never a 500; the server stays up and its memory
 * bounded; and the store is unchanged by all of it (every table but the nonce and key-use
 * bookkeeping hashed before and after).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ACTIONS } from '../../src/http/actions/index.js';
import type { ParamSpec } from '../../src/http/rpc/schema.js';
import { createRandom } from '../../src/demo/shop-data.js';
import { createUser, ok, pop, startTestServer, type TestServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default as { getRPCSignature(p: Record<string, string>, m: string, s: string): string };

const SEED = Number(process.env.OPENDMS_FUZZ_SEED ?? 20261208);
const ROUNDS = Number(process.env.OPENDMS_FUZZ_ROUNDS ?? 3);

const rnd = createRandom(SEED).next;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const JUNK = [
  '',
  ' ',
  '0',
  '-1',
  '9223372036854775808',
  '1e309',
  'NaN',
  'true',
  'null',
  '[]',
  '{}',
  '{"a":',
  '[1,2',
  '"unterminated',
  "'; drop table ticket; --",
  'select * from app_user',
  '\u0000',
  'a\u0000b',
  '😀'.repeat(50),
  'Ω≈ç√∫˜µ≤≥÷',
  '%00%ff',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'x'.repeat(5000),
];

/** A value its spec must refuse; undefined when the type accepts any text. */
function surelyInvalid(spec: ParamSpec): string | undefined {
  switch (spec.type) {
    case 'long':
    case 'integer':
    case 'double':
      return pick(['x1', '1.5.5', '--3', '0x10', '1 2']);
    case 'boolean':
      return pick(['maybe', 'yes', '2']);
    case 'json':
      return pick(['{bad', '[1,', '{"a":}', 'nul']);
    case 'list':
      return pick(['[1,', '["a",]']);
    case 'string':
      if (spec.enumValues && spec.enumValues.length > 0) return `NOT_${spec.enumValues[0]}_${Math.floor(rnd() * 1e6)}`;
      if (spec.maxLength !== undefined) return 'a'.repeat(spec.maxLength + 1);
      return undefined;
  }
}

function randomValue(spec: ParamSpec): string {
  const r = rnd();
  if (r < 0.15 && spec.type === 'json') return JSON.stringify({ DbItemList: [{ DbId: pick(['1', 'x', -1, 1e20, null]) }], ExecSQL: pick(JUNK), Nested: { a: [1, { b: pick(JUNK) }] } });
  if (r < 0.25) return String(Math.floor(rnd() * 1e9) - 5e8);
  if (r < 0.3) return 'y'.repeat(100_000);
  return pick(JUNK);
}

const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

let srv: TestServer;
let secret: string;
let keyId: string;

function signed(params: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = {
    Version: '2018-11-01',
    Format: 'JSON',
    AccessKeyId: keyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: crypto.randomBytes(16).toString('hex'),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  all.Signature = OpenApiUtil.getRPCSignature(all, 'POST', secret);
  return all;
}

interface Answer {
  status: number;
  body: string;
}

async function send(body: string | Buffer, contentType = 'application/x-www-form-urlencoded', path = '/'): Promise<Answer> {
  const res = await fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: await res.text() };
}

const problems: string[] = [];

/** The answer is a DMS envelope, and a refusal unless `mayPass`. */
function check(what: string, a: Answer, mayPass = false): void {
  let env: Record<string, unknown>;
  try {
    env = JSON.parse(a.body);
  } catch {
    problems.push(`${what}: not JSON (HTTP ${a.status}): ${a.body.slice(0, 200)}`);
    return;
  }
  if (a.status >= 500) problems.push(`${what}: HTTP ${a.status}: ${a.body.slice(0, 300)}`);
  if (typeof env.RequestId !== 'string') problems.push(`${what}: no RequestId: ${a.body.slice(0, 200)}`);
  const code = env.Code ?? env.ErrorCode;
  const message = env.Message ?? env.ErrorMessage;
  if (env.Success === true) {
    if (!mayPass) problems.push(`${what}: accepted: ${a.body.slice(0, 200)}`);
  } else if (typeof code !== 'string' || code === '' || typeof message !== 'string' || message === '') {
    problems.push(`${what}: an error without code or message (HTTP ${a.status}): ${a.body.slice(0, 200)}`);
  }
}

/** Every table but the bookkeeping a valid signature writes (nonces, key use, the job queue), as one hash. */
async function storeHash(): Promise<string> {
  const db = srv.server.deps.db;
  const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)).rows.map((r) => r.name);
  const skip = new Set(['signature_nonce', 'access_key', 'job']);
  const h = crypto.createHash('sha256');
  for (const t of tables.filter((x) => !skip.has(x))) {
    const rows = (await sql.raw(`select * from "${t}" order by 1`).execute(db)).rows;
    h.update(`${t}:${JSON.stringify(rows)}\n`);
  }
  return h.digest('hex');
}

beforeAll(async () => {
  srv = await startTestServer({ demo: true });
  keyId = srv.admin.accessKeyId;
  secret = srv.admin.accessKeySecret;
  await createUser(srv, 'ulla', 'USER');
  // Some state for the Actions to look at: a ticket.
  const admin = pop(srv, srv.admin);
  const db = ok(await admin('SearchDatabase', { SearchKey: 'shop' })).SearchDatabaseList.SearchDatabase[0];
  ok(await admin('CreateOrder', { Comment: 'fuzz', PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId: Number(db.DatabaseId), exeSQL: 'select 1', ignoreAffectRows: true, ignoreAffectRowsReason: 'fuzz' }) }));
  // Let the precheck settle, so only the fuzz could change the store afterwards.
  await new Promise((r) => setTimeout(r, 1500));
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

describe(`fuzzing the RPC endpoint (seed ${SEED})`, () => {
  it('answers every generated request with a well-formed refusal and changes nothing', async () => {
    const before = await storeHash();
    const rssBefore = process.memoryUsage().rss;
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const action of ALL_ACTIONS) {
        const specs = Object.entries(action.params as Record<string, ParamSpec>).filter(([n]) => !['Tid', 'RealLoginUserUid'].includes(n));
        const invalidable = specs.map(([n, s]) => [n, surelyInvalid(s)] as const).filter((x): x is readonly [string, string] => x[1] !== undefined);
        if (invalidable.length === 0) continue; // nothing it could refuse for sure: the other tests cover it
        for (let k = 0; k < 3; k++) {
          const params: Record<string, string> = { Action: action.name };
          for (const [n, s] of specs) if (rnd() < 0.6) params[n] = randomValue(s);
          const [bad, value] = pick(invalidable);
          params[bad] = value;
          const all = signed(params);
          let body = Object.entries(all).map(([k2, v]) => `${enc(k2)}=${enc(v)}`).join('&');
          if (rnd() < 0.1) body += `&${enc(bad)}=${enc(randomValue(action.params[bad as keyof typeof action.params] as ParamSpec))}`; // duplicated
          check(`${action.name} with ${bad}=${value.slice(0, 40)}`, await send(body));
          sent++;
        }
      }
    }

    // Raw bodies and broken protocol.
    const raw: [string, string | Buffer, string][] = [
      ['invalid UTF-8', Buffer.concat([Buffer.from('Action=ListOrders&Version=2018-11-01&Comment='), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]), 'application/x-www-form-urlencoded'],
      ['percent-encoded invalid UTF-8', 'Action=ListOrders&Version=2018-11-01&X=%C3%28%FF', 'application/x-www-form-urlencoded'],
      ['malformed JSON body', '{"Action": "ListOrders", ', 'application/json'],
      ['JSON array body', '[1,2,3]', 'application/json'],
      ['random bytes', crypto.randomBytes(4096), 'application/octet-stream'],
      ['no Action', 'Version=2018-11-01', 'application/x-www-form-urlencoded'],
      ['unknown Action', 'Action=DropEverything&Version=2018-11-01', 'application/x-www-form-urlencoded'],
      ['wrong Version', 'Action=ListOrders&Version=2099-01-01', 'application/x-www-form-urlencoded'],
      ['unsigned', 'Action=ListOrders&Version=2018-11-01', 'application/x-www-form-urlencoded'],
      ['bad signature', new URLSearchParams({ ...signed({ Action: 'ListOrders' }), Signature: 'AAAA' }).toString(), 'application/x-www-form-urlencoded'],
      ['unknown key', new URLSearchParams({ ...signed({ Action: 'ListOrders' }), AccessKeyId: 'LTAInobody' }).toString(), 'application/x-www-form-urlencoded'],
      ['deep JSON', `Action=CreateOrder&Version=2018-11-01&PluginParam=${'['.repeat(5000)}`, 'application/x-www-form-urlencoded'],
    ];
    for (const [what, body, type] of raw) {
      check(what, await send(body, type));
      sent++;
    }
    for (let k = 0; k < 200; k++) {
      const params = signed({ Action: pick(ALL_ACTIONS).name });
      delete params[pick(Object.keys(params).filter((x) => x !== 'Action'))];
      check(`a signed request without one of its fields`, await send(new URLSearchParams(params).toString()));
      sent++;
    }
    // Over the body limit: refused before it is read in full.
    const huge = await send(Buffer.alloc(33 * 1024 * 1024, 0x61));
    expect(huge.status).toBe(413);
    sent++;

    // A body that trickles then stalls: the server keeps answering others meanwhile.
    const port = Number(new URL(srv.url).port);
    const slow = net.connect(port, '127.0.0.1');
    slow.on('error', () => undefined);
    slow.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nAction=List');
    const during = await send(new URLSearchParams(signed({ Action: 'ListOrders', OrderResultType: 'AS_ADMIN' })).toString());
    slow.destroy();
    check('a normal request while another trickles', during, true);
    expect(JSON.parse(during.body).Success).toBe(true);

    expect(problems, problems.slice(0, 20).join('\n')).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    // Still up, still the same store, memory bounded.
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect(await storeHash()).toBe(before);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  }, 600_000);
});
