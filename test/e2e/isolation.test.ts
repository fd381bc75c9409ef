/**
 * Tenant isolation for every Action the server registers: a user who belongs only to tenant B,
 * naming tenant A's Tid, is refused before the Action runs — whatever the Action. (Object-level
 * isolation, e.g. B naming an id that exists in A, is tested with each group of Actions.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ACTIONS } from '../../src/http/actions/index.js';
import type { ParamSpec } from '../../src/http/rpc/schema.js';
import { plausible } from '../helpers/action-params.js';
import { ok, pop, startTestServer, type Key, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let outsider: Key;
let tenantB: number;

beforeAll(async () => {
  srv = await startTestServer();
  const admin = pop(srv, srv.admin);
  tenantB = ok(await admin('CreateTenant', { TenantName: 'tenant-b' })).Tid;
  ok(await admin('RegisterUser', { Tid: tenantB, Uid: 'b-admin', RoleNames: 'ADMIN,DBA' }));
  const user = ok(await admin('GetUser', { Tid: tenantB, Uid: 'b-admin' })).User;
  const key = ok(await admin('CreateAccessKey', { Tid: tenantB, UserId: user.UserId })).AccessKey;
  outsider = { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
});
afterAll(async () => srv?.close());

describe('every Action refuses a Tid the caller does not belong to', () => {
  for (const action of ALL_ACTIONS) {
    it(action.name, async () => {
      const params: Record<string, string> = { Tid: String(srv.admin.tid) };
      // A value of the right type for each required parameter, so only the tenant check can refuse.
      for (const [name, spec] of Object.entries(action.params as Record<string, ParamSpec>)) {
        if (spec.required) params[name] = plausible(spec);
      }
      const res = await pop(srv, outsider)(action.name, params);
      expect(res).toMatchObject({ Success: false, ErrorCode: 'InvalidTid' });
    });
  }

  it('while the same user works in their own tenant', async () => {
    const res = ok(await pop(srv, outsider)('GetUserActiveTenant'));
    expect(res.Tenant).toMatchObject({ Tid: tenantB, TenantName: 'tenant-b' });
  });
});
