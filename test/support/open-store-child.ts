import { openStore } from '../../src/store';

// Opens (so migrates) the store at EDGEPLANE_DB and closes it: a process starting on a database.
const store = await openStore(process.env.EDGEPLANE_DB!);
await store.close();
