/**
 * Starting it as shipped: the demo only when chosen (or by default from a clone on loopback), a
 * production signal without an external issuer refuses to start with exit code 78 and names the
 * setting, and the data folder with everything in it is owner-only. Real processes throughout.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { projectRoot } from '../src/config.js';
import { startTestGateway } from './support/gateway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Run { code: number | null; out: string; err: string; url?: string }

/** Run src/main.ts with this environment until it exits, or until it says where it runs (then stop it). */
function run(env: Record<string, string>): Promise<Run> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-opstart-'));
  dirs.push(dataDir);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OIDC_|DOELPOORT_|HOST$|NODE_ENV$)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/main.ts')], {
    env: { ...clean, PORT: '0', DOELPOORT_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve) => {
    const r: Run = { code: null, out: '', err: '' };
    child.stdout.on('data', (d) => {
      r.out += d;
      const m = /runs at (http:\/\/\S+)/.exec(r.out);
      if (m && !r.url) {
        r.url = m[1]!;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d) => (r.err += d));
    child.once('exit', (code) => resolve({ ...r, code }));
  });
}

describe('production is never the demo', () => {
  it('from a clone on loopback (npm start): demo mode, said in the banner', async () => {
    const r = await run({});
    expect(r.url).toBeDefined();
    expect(r.out).toContain('DEMO MODE (DOELPOORT_DEMO)');
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'NODE_ENV=production'],
    [{ DOELPOORT_IMAGE: '1' }, 'DOELPOORT_IMAGE'],
    [{ HOST: '0.0.0.0', DOELPOORT_PUBLIC_URL: 'http://gw.example:8080' }, 'HOST=0.0.0.0'],
    [{ DOELPOORT_DEMO: '0' }, 'DOELPOORT_DEMO=0'],
  ])('%o without OIDC_ISSUER: exit 78 naming %s, nothing listens', async (env, setting) => {
    const r = await run(env);
    expect(r.code).toBe(78);
    expect(r.url).toBeUndefined();
    expect(r.err).toContain(setting);
    expect(r.err).toContain('OIDC_ISSUER');
    expect(r.err).toContain('DOELPOORT_DEMO=1');
    expect(r.err).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('a non-loopback HOST without DOELPOORT_PUBLIC_URL: exit 78 naming DOELPOORT_PUBLIC_URL', async () => {
    const r = await run({ HOST: '0.0.0.0', DOELPOORT_DEMO: '1' });
    expect(r.code).toBe(78);
    expect(r.err).toContain('DOELPOORT_PUBLIC_URL');
  });

  it('the Docker image with DOELPOORT_DEMO=1 (the README try-out) runs the demo, and says so', async () => {
    const r = await run({ NODE_ENV: 'production', DOELPOORT_IMAGE: '1', HOST: '0.0.0.0', DOELPOORT_PUBLIC_URL: 'http://127.0.0.1:8080', DOELPOORT_DEMO: '1' });
    expect(r.url).toBeDefined();
    expect(r.out).toContain('DEMO MODE');
  });

  it('the README\'s Docker try-out: the image\'s settings with DOELPOORT_DEMO=1 and DOELPOORT_PUBLIC_URL; a token from the host works', async () => {
    // A free port, so that the public URL names the port the process listens on (as -p 8080:8080 does).
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-docker-'));
    dirs.push(dataDir);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OIDC_|DOELPOORT_|HOST$|NODE_ENV$)/.test(k)));
    const publicUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/main.ts')], {
      env: { ...clean, NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(port), DOELPOORT_DATA_DIR: dataDir, DOELPOORT_IMAGE: '1',
        DOELPOORT_DEMO: '1', DOELPOORT_PUBLIC_URL: publicUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (/runs at /.test(out)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited (${code})`)));
      });
      // As `npm run token` does on the host: issuer = DOELPOORT_PUBLIC_URL + /oidc, the key copied out of the volume.
      const { accessToken } = await fetchAccessToken({ issuer: `${publicUrl}/oidc`, clientId: 'gemeente-hengelo', jwk: readDevClientKey(dataDir, 'gemeente-hengelo') });
      const res = await fetch(`${publicUrl}/v1/berichten?doel=trajectbegeleiding`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { resultaten: unknown[] }).resultaten).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('DOELPOORT_DEMO=1 with OIDC_ISSUER is a contradiction: exit 78', async () => {
    const r = await run({ DOELPOORT_DEMO: '1', OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'x', DOELPOORT_POLICY_DIR: path.join(projectRoot(), 'policies') });
    expect(r.code).toBe(78);
    expect(r.err).toContain('exclude each other');
  });
});

describe('a stop signal ends the process by its deadline, whatever runs', () => {
  it('with a request that never completes, SIGTERM ends the process within DOELPOORT_STOP_DEADLINE_SECONDEN', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-stop-'));
    dirs.push(dataDir);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OIDC_|DOELPOORT_|HOST$|NODE_ENV$)/.test(k)));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/main.ts')], {
      env: { ...clean, PORT: '0', DOELPOORT_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DOELPOORT_STOP_DEADLINE_SECONDEN: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /runs at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
      });
      const { hostname, port } = new URL(url);
      const socket = net.connect(Number(port), hostname);
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write('POST /v1/berichten HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
      const started = Date.now();
      child.kill('SIGTERM');
      const end = await exited;
      expect(Date.now() - started).toBeLessThan(6000); // without the deadline: 10 s of forced drain at least
      expect(end.signal === 'SIGKILL' || end.code !== null).toBe(true);
      socket.destroy();
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('the data folder is owner-only', () => {
  it('0700 folders and 0600 files, the SQLite database, -wal and -shm included, even under umask 022', async () => {
    const previous = process.umask(0o022);
    try {
      const t = await startTestGateway();
      try {
        await t.openTraject();
        const seen: string[] = [];
        const walk = (dir: string): void => {
          for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const f = path.join(dir, e.name);
            seen.push(path.relative(t.dataDir, f));
            expect([f, fs.statSync(f).mode & 0o777]).toEqual([f, e.isDirectory() ? 0o700 : 0o600]);
            if (e.isDirectory()) walk(f);
          }
        };
        expect(fs.statSync(t.dataDir).mode & 0o777).toBe(0o700);
        walk(t.dataDir);
        expect(seen).toEqual(expect.arrayContaining(['doelpoort.db', 'doelpoort.db-wal', 'doelpoort.db-shm']));
      } finally {
        await t.close();
      }
    } finally {
      process.umask(previous);
    }
  });
});
