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

/** Where to look next, per error code (the gateway's `Recommend`): its entry in docs/api/errors.md. */
function recommendFor(code: string): string {
  const known = new Set(['SignatureDoesNotMatch', 'SignatureNonceUsed', 'InvalidTimeStamp.Expired', 'InvalidTimeStamp.Format', 'InvalidAccessKeyId.NotFound', 'InvalidAccessKeyId.Inactive', 'InvalidApi.NotFound', 'IncompleteSignature', 'InternalError', 'ServiceUnavailable', 'InvalidVersion']);
  const entry = known.has(code) ? code : code.startsWith('Missing') ? 'Missing<Name>' : code.startsWith('Invalid') ? 'Invalid<Name>' : code;
  // GitHub's heading anchors: lower case, punctuation dropped.
  return `docs/api/errors.md#${entry.toLowerCase().replace(/[^a-z0-9 -]/g, '')}`;
}
