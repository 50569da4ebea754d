/**
 * Test fixture: several real gateway processes (`src/main.ts`, as `npm start` runs it) on ONE
 * PostgreSQL database and one shared data folder (the key material an operator mounts on every
 * replica), behind a round-robin balancer whose URL is the public URL of all of them. Nothing is
 * shared between the processes but the database and the key files.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetchAccessToken, readDevClientKey } from '../../src/auth/client.js';
import { projectRoot } from '../../src/config.js';
import { startRoundRobin, type RoundRobin } from './round-robin.js';

export interface Replica {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code or signal when the process ends. */
  exited: Promise<number | string | null>;
  output(): string;
}

export interface ReplicaSet {
  lb: RoundRobin;
  replicas: Replica[];
  dataDir: string;
  databaseUrl: string;
  issuer: string;
  token(clientId: string): Promise<string>;
  start(): Promise<Replica>;
  close(): Promise<void>;
}

/** Start one replica and wait until it says where it runs. */
export async function startReplica(env: NodeJS.ProcessEnv): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/main.ts')], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', OIDC_ISSUER: '', NODE_ENV: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /runs at (http:\/\/[^ ]+) /.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`replica exited early (${code}): ${out}`)));
  });
  return { url, child, exited, output: () => out };
}

/**
 * `count` replicas on `databaseUrl`. The first starts alone (it creates the shared key files and
 * runs the migrations); the others start together, as a rolling deployment would.
 */
export async function startReplicaSet(databaseUrl: string, count = 2, extraEnv: NodeJS.ProcessEnv = {}): Promise<ReplicaSet> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-replicas-'));
  const upstreams: string[] = [];
  const lb = await startRoundRobin(upstreams);
  const env = { DATABASE_URL: databaseUrl, DOELPOORT_DATA_DIR: dataDir, DOELPOORT_PUBLIC_URL: lb.url, DOELPOORT_DEMO: '1', DOELPOORT_RATE_API: 'off', DOELPOORT_RATE_TOKEN: 'off', DOELPOORT_RATE_TOKEN_IP: 'off', ...extraEnv };
  const replicas: Replica[] = [];
  const start = async () => {
    const r = await startReplica(env);
    replicas.push(r);
    upstreams.push(r.url);
    return r;
  };
  await start();
  await Promise.all(Array.from({ length: count - 1 }, start));
  const issuer = `${lb.url}/oidc`;
  const tokens = new Map<string, Promise<string>>();
  return {
    lb, replicas, dataDir, databaseUrl, issuer, start,
    token(clientId) {
      let p = tokens.get(clientId);
      if (!p) tokens.set(clientId, (p = fetchAccessToken({ issuer, clientId, jwk: readDevClientKey(dataDir, clientId) }).then((r) => r.accessToken)));
      return p;
    },
    async close() {
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => Promise.race([r.exited, new Promise((res) => setTimeout(res, 15_000))])));
      for (const r of replicas) r.child.kill('SIGKILL');
      await lb.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
