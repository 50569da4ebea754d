/**
 * Under pressure — as a real process on a real port (`node src/main.ts`, as `npm start` runs it):
 * every request is answered from the first moment the port is open; a port in use gives one line and
 * exit code 98; slow and silent clients are cut off by the configured timeouts; connections above
 * the bound are refused. Waits are for conditions (a socket closing, a line on stdout), never fixed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';

const MAIN = path.join(projectRoot(), 'src/main.ts');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Proc {
  child: ChildProcessWithoutNullStreams;
  dataDir: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startProcess(env: Record<string, string>): Proc {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-proces-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, DOELPOORT_DATA_DIR: dataDir, LOG_LEVEL: 'warn', OIDC_ISSUER: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, dataDir, stdout: () => out, stderr: () => err, exited };
}

async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
  fs.rmSync(p.dataDir, { recursive: true, force: true });
}

/** Resolve when stdout says the gateway runs; reject if the process exits first. */
function running(p: Proc, boundMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after ${boundMs} ms: ${p.stdout()} ${p.stderr()}`)), boundMs);
    const check = () => {
      if (/runs at http/.test(p.stdout())) {
        clearTimeout(timer);
        resolve();
      }
    };
    p.child.stdout.on('data', check);
    check();
    void p.exited.then((code) => reject(new Error(`exited (${code}): ${p.stderr()}`)));
  });
}

interface Outcome {
  path: string;
  at: number;
  status?: number;
  contentType?: string;
  retryAfter?: string;
  body?: string;
  error?: string;
}

/** One request on a new connection; an answer, 'refused' (port not open), or the failure. Never waits more than 1 s. */
function probe(port: number, urlPath: string): Promise<Outcome> {
  const at = Date.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ path: urlPath, at, status: res.statusCode, contentType: res.headers['content-type'], retryAfter: res.headers['retry-after'] as string | undefined, body }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ path: urlPath, at, error: e.code ?? e.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ path: urlPath, at, error: 'timeout' });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ path: urlPath, at, error: e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? e.message) }));
  });
}

describe('start-up: every request is answered from the first moment the port is open', () => {
  it('hammering the port while the process starts: only "refused" before the port opens, then always an HTTP answer within a second', async () => {
    const port = await freePort();
    const paths = ['/health/live', '/health/ready', '/v1/trajecten/0b7e6c55-3c1f-4f5e-9a53-1d2b3c4d5e6f', '/privacy'];
    const p = startProcess({ PORT: String(port) });
    const outcomes: Outcome[] = [];
    try {
      const bound = Date.now() + 60_000;
      let readySeen = false;
      let afterReady = 0;
      await Promise.all(Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; Date.now() < bound && afterReady < 20; i++) {
          if (p.child.exitCode !== null) throw new Error(`gateway exited: ${p.stderr()}`);
          const o = await probe(port, paths[i % paths.length]!);
          outcomes.push(o);
          if (o.path === '/health/ready' && o.status === 200) readySeen = true;
          if (readySeen) afterReady++;
        }
      }));
      expect(readySeen).toBe(true);
      outcomes.sort((a, b) => a.at - b.at);
      const firstAnswer = outcomes.findIndex((o) => o.status !== undefined);
      expect(firstAnswer).toBeGreaterThanOrEqual(0);
      // Before the port opened: refused connections only. After: an HTTP answer every time — no hang, no reset.
      expect(outcomes.slice(0, firstAnswer).every((o) => o.error === 'refused')).toBe(true);
      const answered = outcomes.slice(firstAnswer);
      expect(answered.filter((o) => o.status === undefined)).toEqual([]);
      // The start-up window was hit and answered: 503 problem+json with Retry-After, live 200 meanwhile.
      const early = answered.filter((o) => o.status === 503 && o.path !== '/health/ready');
      expect(early.length).toBeGreaterThan(0);
      for (const o of early) {
        expect(o.contentType).toMatch(/^application\/problem\+json/);
        expect(o.retryAfter).toMatch(/^[0-9]+$/);
        expect(JSON.parse(o.body!)).toMatchObject({ type: 'urn:doelpoort:probleem:niet-beschikbaar', status: 503 });
      }
      expect(answered.filter((o) => o.path === '/health/live').every((o) => o.status === 200)).toBe(true);
      const notReady = answered.find((o) => o.path === '/health/ready' && o.status === 503);
      if (notReady) expect(JSON.parse(notReady.body!)).toMatchObject({ status: 'down', reden: expect.stringMatching(/start/) });
      // Once ready, the API answers as usual: 401 without a token.
      const last = answered.filter((o) => o.path.startsWith('/v1/')).at(-1)!;
      expect(last.status).toBe(401);
    } finally {
      await stopProcess(p);
    }
  });
});

describe('a port in use', () => {
  it('one line in Dutch and English, exit code 98, no stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const p = startProcess({ PORT: String(port), HOST: '127.0.0.1' });
    try {
      expect(await p.exited).toBe(98);
      // oidc-provider prints its own runtime notice on import; everything else is our one line.
      const lines = p.stderr().split('\n').filter((l) => l.trim() && !l.startsWith('oidc-provider WARNING'));
      expect(lines).toEqual([
        `Doelpoort kon niet starten: poort ${port} is al in gebruik / Doelpoort could not start: port ${port} is already in use (PORT=${port}, HOST=127.0.0.1)`,
      ]);
      expect(p.stderr()).not.toMatch(/\n\s+at /);
      expect(p.stdout()).toBe('');
    } finally {
      blocker.close();
      await stopProcess(p);
    }
  });
});

describe('slow and silent clients, and the connection bound', () => {
  let p: Proc;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    p = startProcess({
      PORT: String(port),
      DOELPOORT_HEADERS_TIMEOUT_MS: '500',
      DOELPOORT_REQUEST_TIMEOUT_MS: '1500',
      DOELPOORT_KEEPALIVE_TIMEOUT_MS: '500',
      DOELPOORT_MAX_CONNECTIONS: '4',
    });
    await running(p);
  });
  afterAll(() => stopProcess(p));

  /** A raw socket; resolves with what the server sent and how long it stayed open once `closed()` is awaited. */
  async function rawSocket() {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const opened = Date.now();
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (received += d));
    socket.on('error', () => undefined);
    const closed = new Promise<{ ms: number; received: string }>((resolve) => socket.once('close', () => resolve({ ms: Date.now() - opened, received })));
    return { socket, closed: () => closed };
  }

  /** Write one byte every 50 ms until the socket closes; returns how many were written. */
  function trickle(socket: net.Socket, text: string): { written: () => number; stop: () => void } {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= text.length) return clearInterval(timer);
      socket.write(text[i++]!);
    }, 50);
    socket.once('close', () => clearInterval(timer));
    return { written: () => i, stop: () => clearInterval(timer) };
  }

  it('a connection that sends nothing is closed after the headers timeout', async () => {
    const s = await rawSocket();
    const { ms } = await s.closed();
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(5000);
  });

  it('headers sent byte by byte are cut off (slowloris)', async () => {
    const s = await rawSocket();
    const t = trickle(s.socket, `GET /health/live HTTP/1.1\r\nHost: x\r\n${'X-Langzaam: '.padEnd(2000, 'a')}\r\n\r\n`);
    const { ms, received } = await s.closed();
    expect(ms).toBeLessThan(5000);
    expect(t.written()).toBeLessThan(200);
    expect(received).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('a body sent byte by byte is cut off by the request timeout, far from complete', async () => {
    const s = await rawSocket();
    const body = 'grant_type=client_credentials&client_id=roc-van-twente&x='.padEnd(5000, 'a');
    s.socket.write(`POST /oidc/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`);
    const t = trickle(s.socket, body);
    const { ms, received } = await s.closed();
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(6000);
    expect(t.written()).toBeLessThan(body.length / 10);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout (Node adds about a second)', async () => {
    const s = await rawSocket();
    s.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const { ms, received } = await s.closed();
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeLessThan(5000);
  });

  it('connections above DOELPOORT_MAX_CONNECTIONS are closed at once; the held ones still work', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => rawSocket()));
    const extra = await rawSocket();
    extra.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const refused = await extra.closed();
    expect(refused.received).toBe('');
    // A held connection is served normally.
    held[0]!.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect((await held[0]!.closed()).received).toMatch(/^HTTP\/1\.1 200/);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed()));
  });
});
