import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { fieldsFrom, placeErrors } from './forms.js';

const fieldOf = fieldsFrom({ Comment: 'comment', 'PluginParam.dbId': 'db', 'PluginParam.logic': 'db', 'PluginParam.exeSQL': 'sql' });

describe('placeErrors', () => {
  it('puts each named parameter next to its field, joining two messages for one field', () => {
    const e = new ApiError('InvalidPluginParam', 'Specified parameter PluginParam is not valid: dbId: is required; logic: must be false; exeSQL: is required.', 400);
    expect(placeErrors(e, fieldOf)).toEqual({ fields: { db: 'is required; must be false', sql: 'is required' }, unplaced: false });
  });

  it('sends the error to the box when one part names no field of the form', () => {
    const e = new ApiError('InvalidPluginParam', 'Specified parameter PluginParam is not valid: dbId: is required; classify: too long.', 400);
    expect(placeErrors(e, fieldOf)).toEqual({ fields: { db: 'is required' }, unplaced: true });
  });

  it('places nothing for an error that names no parameter', () => {
    expect(placeErrors(new ApiError('NoPermission', 'You may not file here.', 200), fieldOf)).toEqual({ fields: {}, unplaced: true });
    expect(placeErrors(new Error('network down'), fieldOf)).toEqual({ fields: {}, unplaced: true });
  });
});
