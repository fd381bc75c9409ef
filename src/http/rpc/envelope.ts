import { XMLBuilder } from 'fast-xml-parser';

/**
 * Renders the three response bodies of the protocol (reference §1.4, §1.5):
 * success `{RequestId, Success:true, …}`, a business error inside HTTP 200
 * `{RequestId, Success:false, ErrorCode, ErrorMessage}`, and a gateway error with a 4xx/5xx status
 * `{RequestId, HostId, Code, Message, Recommend}`. `Format=XML` gives the same content as XML with
 * an `<ActionNameResponse>` root (errors: `<Error>`).
 */
export type ResponseFormat = 'JSON' | 'XML';

export interface Rendered {
  contentType: string;
  body: string;
}

const xml = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });

function render(root: string, obj: Record<string, unknown>, format: ResponseFormat): Rendered {
  if (format === 'XML') {
    return {
      contentType: 'text/xml;charset=utf-8',
      body: `<?xml version="1.0" encoding="UTF-8"?>${xml.build({ [root]: dropUndefined(obj) }) as string}`,
    };
  }
  return { contentType: 'application/json;charset=utf-8', body: JSON.stringify(obj) };
}

function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, dropUndefined(x)]));
  }
  return v;
}

export function renderSuccess(action: string, requestId: string, result: Record<string, unknown>, format: ResponseFormat): Rendered {
  return render(`${action}Response`, { RequestId: requestId, Success: true, ...result }, format);
}

export function renderBusinessError(action: string, requestId: string, code: string, message: string, format: ResponseFormat): Rendered {
  return render(`${action}Response`, { RequestId: requestId, Success: false, ErrorCode: code, ErrorMessage: message }, format);
}

export function renderGatewayError(requestId: string, hostId: string, code: string, message: string, format: ResponseFormat): Rendered {
  return render('Error', { RequestId: requestId, HostId: hostId, Code: code, Message: message, Recommend: recommendFor(code) }, format);
}

/** Where to look next, per error code (the gateway's `Recommend`); points into our API reference. */
function recommendFor(code: string): string {
  const anchor = `docs/api/errors.md#${code.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  if (code === 'SignatureDoesNotMatch') return `Check the AccessKeySecret and that the request is sent as signed; see ${anchor}`;
  if (code.startsWith('InvalidTimeStamp')) return `Check the client clock (UTC, within the accepted window); see ${anchor}`;
  if (code.startsWith('Missing') || code.startsWith('Invalid')) return `Check the parameter against the Action's reference in docs/api/; see ${anchor}`;
  return `See ${anchor}`;
}
