import { AppError } from '../../errors.js';
import type { ActionContext } from '../rpc/registry.js';

/** Helpers several Action files share. */

/** A list parameter of DMS user ids (comma-separated or a JSON array) as numbers. */
export function userIds(list: string[] | undefined, name: string): number[] {
  return (list ?? []).map((s) => {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n <= 0) throw new AppError(`Invalid${name}`, `Specified parameter ${name} is not valid: "${s}" is not a user id.`);
    return n;
  });
}

/**
 * An absolute URL on this server for a path handed back to the caller (download links). The Host
 * the caller used reaches this server; anything but a plain host[:port] is ignored.
 */
export function serverUrl(ctx: ActionContext, path: string): string {
  const host = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(ctx.host) ? ctx.host : `${ctx.deps.config.host}:${ctx.deps.config.port}`;
  return `http://${host}${path}`;
}
