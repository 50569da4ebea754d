/**
 * Key material of the embedded set-up, created on first start and kept under the data folder:
 * - `oidc/jwks.json`: the embedded provider's signing key (private; mode 0600);
 * - `dev-clients/<client_id>.jwk.json`: each demo client's private JWK (with `kid` and `alg`), so
 *   that any standard OAuth client can authenticate with `private_key_jwt`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as jose from 'jose';

export type PrivateJwk = jose.JWK & { kid: string; alg: string };

const ALG = 'ES256';

async function newKey(kid: string): Promise<PrivateJwk> {
  const { privateKey } = await jose.generateKeyPair(ALG, { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: ALG, use: 'sig' };
}

function writePrivate(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** The public half of a private JWK. */
export function publicJwk(jwk: PrivateJwk): jose.JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

/** The embedded provider's signing keys (created once). */
export async function providerKeys(dataDir: string): Promise<PrivateJwk[]> {
  const file = path.join(dataDir, 'oidc', 'jwks.json');
  if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: PrivateJwk[] }).keys;
  const keys = [await newKey(`doelpoort-${crypto.randomBytes(4).toString('hex')}`)];
  writePrivate(file, { keys });
  return keys;
}

/** Secret for the provider's cookies (created once). */
export function cookieKeys(dataDir: string): string[] {
  const file = path.join(dataDir, 'oidc', 'cookie-keys.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  const keys = [crypto.randomBytes(32).toString('base64url')];
  writePrivate(file, keys);
  return keys;
}

export function devClientKeyFile(dataDir: string, clientId: string): string {
  return path.join(dataDir, 'dev-clients', `${clientId}.jwk.json`);
}

/** A demo client's private key: read it, or create and write it on first start. */
export async function devClientKey(dataDir: string, clientId: string): Promise<PrivateJwk> {
  const file = devClientKeyFile(dataDir, clientId);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as PrivateJwk;
  const key = await newKey(`${clientId}-1`);
  writePrivate(file, key);
  return key;
}
