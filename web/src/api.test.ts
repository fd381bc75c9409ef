import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrors } from './api.js';

describe('fieldErrors', () => {
  it('names the parameter of Missing/Invalid errors', () => {
    expect(fieldErrors(new ApiError('MissingComment', 'Comment is mandatory for this action.', 400))).toEqual({ Comment: 'Comment is mandatory for this action.' });
    expect(fieldErrors(new ApiError('InvalidNewPassword', 'Specified parameter NewPassword is not valid: a password has 10 to 200 characters.', 200))).toEqual({
      NewPassword: 'Specified parameter NewPassword is not valid: a password has 10 to 200 characters.',
    });
  });

  it('splits the keys of an invalid JSON parameter', () => {
    const e = new ApiError('InvalidPluginParam', 'Specified parameter PluginParam is not valid: dbId: is required; exeSQL: the SELECT to export is required.', 400);
    expect(fieldErrors(e)).toEqual({ 'PluginParam.dbId': 'is required', 'PluginParam.exeSQL': 'the SELECT to export is required' });
  });

  it('gives nothing for other errors', () => {
    expect(fieldErrors(new ApiError('NoPermission', 'You may not see ticket 3.', 200))).toEqual({});
  });
});
