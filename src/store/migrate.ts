import { type Kysely, Migrator } from 'kysely';
import { EdgeplaneError } from '../errors';
import { storeFailure } from './failure';
import { migrationProvider } from './migrations';
import type { Database } from './tables';

/** Brings the schema up to date; closes `db` and fails naming `what` when it cannot. */
export async function migrateStore(db: Kysely<Database>, what: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (!error) return;
  await db.destroy();
  throw storeFailure(error, what) ?? new EdgeplaneError('internal', `could not migrate ${what}`, { cause: error });
}
