/**
 * vitest globalSetup: a real PostgreSQL for this test run, never a skip. It uses the server at
 * 127.0.0.1:5432 when one answers (user `postgres`, as on the development and CI machines); else it
 * starts the machine's Debian cluster (`pg_ctlcluster`); else it creates a throw-away cluster with
 * `initdb` + `pg_ctl` on a free port in a temporary folder (stopped and removed at the end). No server
 * and no binaries: the run fails with a message saying what to install (`.ci/run` installs Debian's
 * `postgresql` in that case). Each test file makes its own databases (`test/support/postgres.ts`),
 * named with this run's prefix; whatever is left with that prefix is dropped at the end.
 *
 * `DOELPOORT_TEST_PG_URL` points the run at another server (an admin URL); `DOELPOORT_TEST_PG_EIGEN=1`
 * skips the local server and starts a throw-away cluster (to exercise that path).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL server (database `postgres`). */
    pgAdminUrl: string;
    /** Prefix of this run's database names. */
    pgPrefix: string;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function pgBin(name: string): string | null {
  const dirs = fs.existsSync('/usr/lib/postgresql')
    ? fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  for (const dir of [...dirs, ...(process.env.PATH ?? '').split(':')]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const local = process.env.DOELPOORT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const eigen = process.env.DOELPOORT_TEST_PG_EIGEN === '1';
  let adminUrl = local;
  let teardownServer: () => void = () => undefined;
  if (eigen || !(await answers(local))) {
    const ctl = pgBin('pg_ctlcluster');
    if (ctl && fs.existsSync('/etc/postgresql')) {
      if (!eigen) for (const v of fs.readdirSync('/etc/postgresql')) spawnSync(ctl, ['--skip-systemctl-redirect', v, 'main', 'start'], { stdio: 'ignore' });
    }
    if (eigen || !(await answers(local))) {
      const initdb = pgBin('initdb');
      const pgCtl = pgBin('pg_ctl');
      if (!initdb || !pgCtl) throw new Error('PostgreSQL tests need a server on 127.0.0.1:5432 or its binaries (apt-get install -y postgresql)');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-pg-'));
      const port = await freePort();
      // initdb refuses to run as root: run it as the owner of the folder (nobody's uid when root).
      const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
      if (asUser.length) execFileSync('chown', ['postgres', dir]);
      const run = (cmd: string, args: string[]) => execFileSync(asUser[0] ?? cmd, asUser.length ? [...asUser.slice(1), cmd, ...args] : args, { stdio: 'ignore' });
      run(initdb, ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
      run(pgCtl, ['-D', path.join(dir, 'data'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-w', 'start']);
      adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
      teardownServer = () => {
        try { run(pgCtl, ['-D', path.join(dir, 'data'), '-m', 'fast', 'stop']); } catch { /* already gone */ }
        fs.rmSync(dir, { recursive: true, force: true });
      };
    }
  }
  const prefix = `doelpoort_test_${crypto.randomBytes(4).toString('hex')}`;
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgPrefix', prefix);
  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await client.end().catch(() => undefined);
      teardownServer();
    }
  };
}
