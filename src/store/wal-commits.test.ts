import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walCommitMark } from './wal-commits';

describe('walCommitMark', () => {
  let dir: string;
  let path: string;
  let own: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgeplane-wal-'));
    path = join(dir, 'store.db');
    own = new Database(path);
    own.pragma('journal_mode = WAL');
    own.exec('create table t (n integer)');
  });
  afterEach(() => {
    own.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays the same while nothing is committed and changes with every commit, from this process or another', () => {
    const mark = walCommitMark(path);
    const first = mark.read()!;
    expect(first).toHaveLength(96);
    own.prepare('select count(*) from t').get();
    expect(mark.read()).toEqual(first);

    own.exec('insert into t values (1)');
    const second = mark.read()!;
    expect(second).not.toEqual(first);

    // Another process's commit, through its own connection and its own mapping of the -shm file.
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.exec('insert into t values (2)'); db.close();`;
    execFileSync(process.execPath, ['-e', script, path], { cwd: process.cwd() });
    const third = mark.read()!;
    expect(third).not.toEqual(second);
    expect(mark.read()).toEqual(third);
    mark.close();
  });

  it('reads nothing for a database without a -shm file (not in WAL mode)', () => {
    const other = join(dir, 'rollback.db');
    const db = new Database(other);
    db.exec('create table t (n integer)');
    const mark = walCommitMark(other);
    expect(mark.read()).toBeNull();
    mark.close();
    db.close();
  });
});
