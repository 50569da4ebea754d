import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { logboekSleutels, sleutelBestand } from './audit/sleutels.js';
import { cookieKeys, devClientKey, providerKeys } from './auth/keys.js';
import { writeOnce } from './write-once.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-write-once-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('key files on a shared data folder are written once', () => {
  it('the first writer wins; later writers get its content; no temporary file stays', () => {
    const dir = tmp();
    const file = path.join(dir, 'a', 'k.json');
    expect(writeOnce(file, 'eerste')).toBe('eerste');
    expect(writeOnce(file, 'tweede')).toBe('eerste');
    expect(fs.readFileSync(file, 'utf8')).toBe('eerste');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['k.json']);
  });

  it('creators started together on an empty folder end with ONE key set (provider, cookie, client and logboek keys)', async () => {
    const dir = tmp();
    const n = 12;
    const [provider, cookies, client, logboek] = await Promise.all([
      Promise.all(Array.from({ length: n }, () => providerKeys(dir))),
      Promise.all(Array.from({ length: n }, () => cookieKeys(dir))),
      Promise.all(Array.from({ length: n }, () => devClientKey(dir, 'gemeente-hengelo'))),
      Promise.all(Array.from({ length: n }, () => logboekSleutels(dir))),
    ]);
    expect(new Set(provider.map((k) => JSON.stringify(k))).size).toBe(1);
    expect(new Set(cookies.map((k) => JSON.stringify(k))).size).toBe(1);
    expect(new Set(client.map((k) => JSON.stringify(k))).size).toBe(1);
    expect(new Set(logboek.map((k) => k.kid)).size).toBe(1);
    // What was returned is what is on disk (and what the next start reads).
    expect((await providerKeys(dir))[0]!.kid).toBe(provider[0]![0]!.kid);
    expect(JSON.parse(fs.readFileSync(sleutelBestand(dir), 'utf8')).sleutels[0].jwk.kid).toBe(logboek[0]!.kid);
    expect(fs.readdirSync(path.join(dir, 'oidc')).sort()).toEqual(['cookie-keys.json', 'jwks.json']);
  });

  it('two processes started together on an empty folder end with the same provider and logboek keys', async () => {
    const dir = tmp();
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const script = `
      import { providerKeys } from './src/auth/keys.ts';
      import { logboekSleutels } from './src/audit/sleutels.ts';
      const [p, l] = await Promise.all([providerKeys(process.argv[1]), logboekSleutels(process.argv[1])]);
      process.stdout.write(JSON.stringify({ provider: p[0].kid, logboek: l.kid }));`;
    const run = () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { cwd: root });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
    const [a, b] = await Promise.all([run(), run()]);
    expect(JSON.parse(a)).toEqual(JSON.parse(b));
    expect(JSON.parse(a).provider).toBe((await providerKeys(dir))[0]!.kid);
  }, 30_000);
});
