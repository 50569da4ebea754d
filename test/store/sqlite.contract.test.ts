/** The storage contract on the SQLite adapter (one instance per file: one writer by design). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { runStoreContract } from './contract.js';

runStoreContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-contract-'));
  return {
    multiInstance: false,
    open: async () => openSqliteStore(path.join(dir, 'doelpoort.db'), { maxBatch: 50 }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});
