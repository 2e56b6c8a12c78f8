import { MigrationRun } from '../migrate/run-model';
import type { MigrationsTable } from './tables';

// A migration run as a row: the columns the job queries by, the rest as JSON text (parsed with
// zod when read back). The old account's token is a column of its own, never part of the body.

export function migrationToRow(run: MigrationRun): Omit<MigrationsTable, 'from_token'> {
  return {
    id: run.id,
    service: run.service,
    status: run.status,
    next_attempt_at: run.nextAttemptAt,
    body: JSON.stringify(run),
    created_at: run.createdAt,
    updated_at: run.updatedAt,
  };
}

export function migrationFromRow(row: Pick<MigrationsTable, 'body'>): MigrationRun {
  return MigrationRun.parse(JSON.parse(row.body));
}
