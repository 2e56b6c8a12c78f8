import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache';

describe('withStatementCache', () => {
  it('prepares each SQL text once, binds fresh parameters at every run, and drops the oldest past its capacity', () => {
    const sqlite = new SqliteDatabase(':memory:');
    let prepared = 0;
    const counting = {
      close: () => sqlite.close(),
      prepare: (sql: string) => {
        prepared++;
        return sqlite.prepare(sql);
      },
    };
    sqlite.exec('create table t (n integer)');
    const db = withStatementCache(counting, 2);
    const insert = 'insert into t (n) values (?)';
    db.prepare(insert).run([1]);
    db.prepare(insert).run([2]);
    expect(db.prepare('select n from t where n > ? order by n').all([0])).toEqual([{ n: 1 }, { n: 2 }]);
    expect(db.prepare('select n from t where n > ? order by n').all([1])).toEqual([{ n: 2 }]);
    expect(prepared).toBe(2);
    // A third text drops the insert, prepared longest ago: it is prepared again.
    expect(db.prepare('select count(*) as c from t').all([])).toEqual([{ c: 2 }]);
    db.prepare(insert).run([3]);
    expect(prepared).toBe(4);
    db.close();
    expect(sqlite.open).toBe(false);
  });
});
