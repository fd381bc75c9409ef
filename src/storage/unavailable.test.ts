import { describe, expect, it } from 'vitest';
import { TargetDbError } from '../connectors/connector.js';
import { AppError } from '../errors.js';
import { isStoreUnavailable } from './unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it('recognizes lost and refused connections, server shutdowns and the pool giving up', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']) expect(isStoreUnavailable(withCode(code)), code).toBe(true);
    // SQLSTATE: connection exception, admin / crash shutdown, starting up, too many connections
    for (const code of ['08006', '08001', '57P01', '57P02', '57P03', '53300']) expect(isStoreUnavailable(withCode(code)), code).toBe(true);
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isStoreUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
  });

  it('follows causes and connection attempts to several addresses', () => {
    expect(isStoreUnavailable(new Error('wrapped', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isStoreUnavailable(new AggregateError([withCode('ECONNREFUSED'), withCode('ENETUNREACH')]))).toBe(true);
    expect(isStoreUnavailable(new AggregateError([withCode('ECONNREFUSED'), new TypeError('bug')]))).toBe(false);
  });

  it('leaves bugs, refused statements and business errors alone', () => {
    expect(isStoreUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isStoreUnavailable(withCode('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isStoreUnavailable(withCode('40001', 'could not serialize access'))).toBe(false);
    expect(isStoreUnavailable(withCode('ENOSPC'))).toBe(false);
    expect(isStoreUnavailable(new AppError('ConnectionFailed', 'Could not work with mysql instance', { cause: withCode('ECONNREFUSED') }))).toBe(false);
    expect(isStoreUnavailable(new TargetDbError('postgresql', { code: 'ECONNREFUSED', kind: 'connection', message: 'connect ECONNREFUSED 10.0.0.5:5432' }))).toBe(false);
    expect(isStoreUnavailable(null)).toBe(false);
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false);
  });
});
