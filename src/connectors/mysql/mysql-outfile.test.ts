import { describe, expect, it } from 'vitest';
import { writesServerFile } from './mysql-outfile.js';

describe('writesServerFile: SELECT … INTO OUTFILE/DUMPFILE, found by tokens', () => {
  it.each([
    ["select * from t into outfile '/tmp/x'"],
    ["SELECT a INTO DUMPFILE '/tmp/x' FROM t"],
    ["select a into/**/outfile '/tmp/x' from t"],
    ["select a from t /*!50000 into outfile '/tmp/x' */"],
    ["select a from t /*M!100100 INTO OUTFILE '/tmp/x' */"],
    // With NO_BACKSLASH_ESCAPES the first literal is 'a\' and the clause is real.
    ["select 'a\\' into outfile '/tmp/x' -- '"],
  ])('refuses %s', (sql) => {
    expect(writesServerFile(sql)).toBe(true);
  });

  it.each([
    ["select 'into outfile' from t"],
    ["select a from t -- into outfile '/tmp/x'"],
    ['select a from t # into outfile'],
    ['select a from t /* into outfile */'],
    ['select `into`, outfile from t'],
    ['select into_outfile from t'],
    ['select a from t into @v'],
    ['select a-- b\nfrom t'],
  ])('lets %s through', (sql) => {
    expect(writesServerFile(sql)).toBe(false);
  });
});
