/**
 * An error raised before an Action runs (authentication, signature, replay, unknown Action, a
 * parameter missing or ill-typed per the Action's schema). Answered with an HTTP 4xx/5xx status and
 * the POP gateway body `{RequestId, HostId, Code, Message, Recommend}` (reference §1.5); both real
 * clients throw on it.
 */
export class GatewayError extends Error {
  readonly httpStatus: number;
  readonly code: string;

  constructor(httpStatus: number, code: string, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.httpStatus = httpStatus;
    this.code = code;
  }
}

export const missingParameter = (name: string): GatewayError =>
  new GatewayError(400, `Missing${name}`, `${name} is mandatory for this action.`);

export const invalidParameter = (name: string, reason: string): GatewayError =>
  new GatewayError(400, `Invalid${name}`, `Specified parameter ${name} is not valid: ${reason}`);
