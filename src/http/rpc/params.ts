import { decodeForm } from './signature.js';
import { GatewayError } from './gateway-error.js';

/**
 * Merges the request's parameters: the query string and the body (form-encoded as the SDKs send it,
 * or a JSON object as openapi-client's `reqBodyType:'json'` sends it). A name given twice is refused:
 * it would be ambiguous which value was signed and validated.
 */
export function mergeParams(rawQuery: string, rawBody: Buffer, contentType: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const add = (k: string, v: string): void => {
    if (out.has(k)) throw new GatewayError(400, 'InvalidParameter', `Specified parameter ${k} is given more than once.`);
    out.set(k, v);
  };
  for (const [k, v] of decodeForm(rawQuery)) add(k, v);
  const ct = (contentType ?? '').toLowerCase();
  if (rawBody.length === 0) return out;
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of decodeForm(rawBody.toString('utf8'))) add(k, v);
  } else if (ct.startsWith('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch (e) {
      throw new GatewayError(400, 'InvalidParameter', `The JSON request body is not valid: ${(e as Error).message}`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new GatewayError(400, 'InvalidParameter', 'The JSON request body must be an object of parameters.');
    }
    for (const [k, v] of Object.entries(body)) {
      if (v === null || v === undefined) continue;
      add(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  return out;
}
