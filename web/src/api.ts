/**
 * The console's only way to the server (docs/console.md): the session endpoints and
 * `POST /console/api/rpc`, which runs any Action as the RPC endpoint does. Keeps the CSRF token of
 * the session and sends it; a 401 (no session, expired) calls the handler set by the app, which
 * sends the user to the login page and back.
 */

export interface SessionInfo {
  User: { UserId: number; Uid: string; NickName: string };
  CsrfToken: string;
  /** The service time zone of the times in the Actions' answers. */
  TimeZone: string;
}

/** Any failure the console shows: the server's code and message, never a stack. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export type Body = Record<string, any>;

let csrf = '';
let onUnauthorized: (() => void) | undefined;

export const setUnauthorizedHandler = (fn: () => void): void => {
  onUnauthorized = fn;
};

async function send(path: string, init: RequestInit): Promise<Body> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init, headers: { ...(init.headers as Record<string, string>), ...(csrf ? { 'X-CSRF-Token': csrf } : {}) } });
  } catch {
    throw new ApiError('NetworkError', 'The server cannot be reached. Check your connection and try again.', 0);
  }
  let body: Body;
  try {
    body = (await res.json()) as Body;
  } catch {
    throw new ApiError('BadResponse', `The server answered HTTP ${res.status} without a readable body.`, res.status);
  }
  if (res.status === 401 && path !== '/console/api/login') {
    csrf = '';
    onUnauthorized?.();
  }
  if (res.status >= 400 || body.Success === false) {
    throw new ApiError(String(body.ErrorCode ?? body.Code ?? `HTTP${res.status}`), String(body.ErrorMessage ?? body.Message ?? `HTTP ${res.status}`), res.status);
  }
  return body;
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

function remember(s: Body): SessionInfo {
  const info = s as unknown as SessionInfo;
  csrf = info.CsrfToken;
  return info;
}

export const api = {
  login: async (uid: string, password: string) => remember(await send('/console/api/login', json({ uid, password }))),
  session: async () => remember(await send('/console/api/session', { method: 'GET' })),
  logout: async () => {
    await send('/console/api/logout', { method: 'POST' });
    csrf = '';
  },
  changePassword: async (current: string, next: string) => {
    await send('/console/api/password', json({ current, next }));
  },
  /** Uploads a file as an attachment of the user (POST /console/api/attachments, as POST /api/attachments); answers its AttachmentKey. */
  upload: async (file: File, fileSource: string): Promise<{ AttachmentKey: string; FileName: string; FileSize: number }> => {
    const form = new FormData();
    form.append('file', file, file.name);
    const r = await send(`/console/api/attachments?FileSource=${encodeURIComponent(fileSource)}`, { method: 'POST', body: form });
    return { AttachmentKey: String(r.AttachmentKey), FileName: String(r.FileName), FileSize: Number(r.FileSize) };
  },
  /** Runs an Action; values that are objects are sent as JSON text, as the RPC API expects. */
  rpc: async <T extends Body = Body>(action: string, params: Record<string, unknown> = {}): Promise<T> => {
    const form = new URLSearchParams({ Action: action, Version: '2018-11-01' });
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null || v === '') continue;
      form.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    return (await send('/console/api/rpc', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() })) as T;
  },
};

/**
 * Field errors in a server message: `Missing<Name>`/`Invalid<Name>` name a parameter; an invalid
 * JSON parameter (PluginParam) lists `key: reason` parts. Returns parameter or key → message.
 */
export function fieldErrors(e: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  const m = /^(?:Missing|Invalid)(.+)$/.exec(e.code);
  if (!m) return out;
  const param = m[1]!;
  const detail = /is not valid: (.*)$/s.exec(e.message)?.[1];
  if (detail && /^[A-Za-z][\w.]*: /.test(detail)) {
    for (const part of detail.replace(/\.$/, '').split('; ')) {
      const i = part.indexOf(': ');
      if (i > 0) out[`${param}.${part.slice(0, i)}`] = part.slice(i + 2);
    }
    if (Object.keys(out).length > 0) return out;
  }
  out[param] = e.message;
  return out;
}
