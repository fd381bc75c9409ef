/**
 * ListOrders' OpenDMS extension SortField/SortOrder through the real client (@alicloud/pop-core):
 * every field in both directions gives the store's order with ties broken by OrderId, pages
 * concatenate to the whole list without overlap, the default (no SortField) stays newest first by
 * SearchDateType, and invalid values are refused with the parameter's name. On both stores
 * (SQLite and PostgreSQL), since the ORDER BY runs in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitPrecheck, createUser, gatewayError, ok, pop, startTestServer, type Key, type TestServer } from '../helpers/server.js';

// Times chosen so that the three fields give three different orders, with ties in both times.
const T0 = Date.UTC(2026, 0, 1);
const CREATED = [5, 1, 3, 3, 9, 1, 7].map((h) => T0 + h * 3_600_000);
const MODIFIED = [2, 8, 8, 4, 6, 1, 8].map((h) => T0 + 100 * 3_600_000 + h * 3_600_000);

describe.each(['sqlite', 'postgres'] as const)('%s store', (store) => {
  let srv: TestServer;
  let alice: Key & { userId: number };
  let call: ReturnType<typeof pop>;
  const ids: number[] = [];

  beforeAll(async () => {
    srv = await startTestServer({ demo: true, store });
    const admin = pop(srv, srv.admin);
    const dbId = Number(ok(await admin('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
    alice = await createUser(srv, 'alice');
    call = pop(srv, alice);
    for (let i = 0; i < CREATED.length; i++) {
      const res = ok(await call('CreateOrder', { Comment: `sort ${i}`, PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId, exeSQL: 'select * from customers', affectRows: 10 }) }));
      const id: number = res.CreateOrderResult.OrderIds[0];
      await awaitPrecheck(call, id);
      ids.push(id);
    }
    // Once the prechecks have settled nothing touches these tickets again: give them the times above.
    for (const [i, id] of ids.entries()) {
      await srv.server.deps.db.updateTable('ticket').set({ created_at: CREATED[i]!, modified_at: MODIFIED[i]! }).where('id', '=', id).execute();
    }
  }, 60_000);
  afterAll(async () => srv?.close());

  /** Alice's tickets as the store has them, sorted by `column` then id, both in `dir`. */
  async function storeOrder(column: 'id' | 'created_at' | 'modified_at', dir: 'asc' | 'desc'): Promise<number[]> {
    const rows = await srv.server.deps.db.selectFrom('ticket').select(['id', 'created_at', 'modified_at']).where('committer_id', '=', alice.userId).execute();
    const sign = dir === 'asc' ? 1 : -1;
    return rows.sort((a, b) => sign * (Number(a[column]) - Number(b[column]) || Number(a.id) - Number(b.id))).map((r) => Number(r.id));
  }

  const listed = async (params: Record<string, unknown>): Promise<number[]> =>
    ok(await call('ListOrders', { PageSize: 100, ...params })).Orders.Order.map((o: { OrderId: number }) => o.OrderId);

  describe('ListOrders SortField / SortOrder (OpenDMS extension)', () => {
    it('sorts by each field in both directions, ties broken by OrderId in the same direction', async () => {
      const cases = [
        ['ORDER_ID', 'id'],
        ['CREATE_TIME', 'created_at'],
        ['MODIFY_TIME', 'modified_at'],
      ] as const;
      const seen = new Set<string>();
      for (const [field, column] of cases) {
        for (const dir of ['asc', 'desc'] as const) {
          const expected = await storeOrder(column, dir);
          expect(expected).toHaveLength(ids.length);
          expect(await listed({ SortField: field, SortOrder: dir.toUpperCase() }), `${field} ${dir}`).toEqual(expected);
          seen.add(expected.join(','));
        }
      }
      // The data really tells the fields apart (otherwise the test would prove little).
      expect(seen.size).toBe(6);
    });

    it('pages of a sorted list join to the whole list without overlap', async () => {
      const pages: number[] = [];
      for (let page = 1; page <= 3; page++) pages.push(...(await listed({ SortField: 'MODIFY_TIME', SortOrder: 'ASC', PageSize: 3, PageNumber: page })));
      expect(pages).toEqual(await storeOrder('modified_at', 'asc'));
      const res = ok(await call('ListOrders', { SortField: 'MODIFY_TIME', SortOrder: 'ASC', PageSize: 3, PageNumber: 1 }));
      expect(res.TotalCount).toBe(ids.length);
    });

    it('keeps the default: newest first by SearchDateType; SortOrder alone applies to that time; case-insensitive values', async () => {
      expect(await listed({})).toEqual(await storeOrder('created_at', 'desc'));
      expect(await listed({ SearchDateType: 'MODIFY_TIME' })).toEqual(await storeOrder('modified_at', 'desc'));
      expect(await listed({ SearchDateType: 'MODIFY_TIME', SortOrder: 'ASC' })).toEqual(await storeOrder('modified_at', 'asc'));
      expect(await listed({ SortField: 'order_id' })).toEqual(await storeOrder('id', 'desc'));
    });

    it('sorts within the filters (a search keeps the order)', async () => {
      const all = await storeOrder('created_at', 'asc');
      expect(await listed({ SortField: 'CREATE_TIME', SortOrder: 'ASC', PluginType: 'DATA_EXPORT', OrderStatus: 'RUNNING' })).toEqual(all);
      expect(await listed({ SortField: 'CREATE_TIME', SortOrder: 'ASC', SearchContent: 'sort' })).toEqual(all);
      expect(await listed({ SortField: 'CREATE_TIME', SortOrder: 'DESC', SearchContent: 'sort 2' })).toEqual([ids[2]]);
    });

    it('refuses an unknown field or direction with the parameter named', async () => {
      expect((await gatewayError(call('ListOrders', { SortField: 'STATUS' }))).code).toBe('InvalidSortField');
      expect((await gatewayError(call('ListOrders', { SortOrder: 'UP' }))).code).toBe('InvalidSortOrder');
    });
  });
});
