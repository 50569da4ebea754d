/** The storage contract on the PostgreSQL adapter, with two store instances (replicas) on one database. */
import { openPostgresStore } from '../../src/store/postgres.js';
import { createTestDatabase } from '../support/postgres.js';
import { runStoreContract } from './contract.js';

runStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  return {
    multiInstance: true,
    open: () => openPostgresStore(db.url, { maxBatch: 50, poolMax: 4 }),
    cleanup: () => db.drop(),
  };
});
