/**
 * Business errors raised by the domain (modules/, services). The protocol layer turns them into the
 * DMS envelope `{Success:false, ErrorCode, ErrorMessage}` with HTTP 200, which is how DMS reports
 * outcomes inside an Action (reference §1.4, §1.6). Errors that happen before an Action runs
 * (signature, parameters per schema, unknown Action) are `GatewayError`s in http/rpc/ instead.
 *
 * Codes are a closed set, matched by value and never by message text.
 */
export type ErrorCode =
  | 'UnknownError'
  | 'NoPermission'
  | 'UserNotExist'
  | 'UserAlreadyExists'
  | 'TenantNotExist'
  | 'InvalidTid'
  | 'InvalidParameter'
  | 'InvalidParameterValid'
  | 'InvalidStatus'
  | 'NotSupported'
  | 'ResourceNotFound'
  | 'ResourceAlreadyExists'
  | 'ResourceInUse'
  | 'ConnectionFailed'
  | 'ConcurrentModification'
  | 'QuotaExceeded'
  | 'Throttling.User'
  | `Invalid${string}`
  | `Missing${string}`;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export const noPermission = (what = 'You are not authorized to perform this operation.'): AppError =>
  new AppError('NoPermission', what);

/** `<Name>` not found, e.g. `notFound('Instance', 12)` → "The specified Instance 12 does not exist." */
export const notFound = (what: string, id: string | number): AppError =>
  new AppError('ResourceNotFound', `The specified ${what} ${id} does not exist.`, { details: { what, id } });

/** A semantic problem with one named parameter (type and presence are checked by the schema). */
export const invalidParam = (name: string, reason: string): AppError =>
  new AppError(`Invalid${name}`, `Specified parameter ${name} is not valid: ${reason}`, { details: { parameter: name } });
