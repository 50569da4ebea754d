/**
 * Key material of the embedded set-up, created on first start and kept under the data folder:
 * - `oidc/jwks.json`: the embedded provider's signing key (private; mode 0600);
 * - `dev-clients/<client_id>.jwk.json`: each demo client's private JWK (with `kid` and `alg`), so
 *   that any standard OAuth client can authenticate with `private_key_jwt`.
 * Every file is created write-once (`write-once.ts`): replicas that start together on an empty shared
 * data folder all end up with the same keys, whichever of them wrote first.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import * as jose from 'jose';
import { readIfExists, writeOnce } from '../write-once.js';

export type PrivateJwk = jose.JWK & { kid: string; alg: string };

const ALG = 'ES256';

async function newKey(kid: string): Promise<PrivateJwk> {
  const { privateKey } = await jose.generateKeyPair(ALG, { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: ALG, use: 'sig' };
}

/** The parsed content of `file`, created from `create()` if absent (write-once: the first writer wins). */
async function readOrCreate<T>(file: string, create: () => Promise<T> | T): Promise<T> {
  const existing = readIfExists(file);
  if (existing !== null) return JSON.parse(existing) as T;
  return JSON.parse(writeOnce(file, `${JSON.stringify(await create(), null, 2)}\n`)) as T;
}

/** The public half of a private JWK. */
export function publicJwk(jwk: PrivateJwk): jose.JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

/** The embedded provider's signing keys (created once). */
export async function providerKeys(dataDir: string): Promise<PrivateJwk[]> {
  const file = path.join(dataDir, 'oidc', 'jwks.json');
  const set = await readOrCreate(file, async () => ({ keys: [await newKey(`doelpoort-${crypto.randomBytes(4).toString('hex')}`)] }));
  return set.keys;
}

/** Secret for the provider's cookies (created once). */
export function cookieKeys(dataDir: string): Promise<string[]> {
  return readOrCreate(path.join(dataDir, 'oidc', 'cookie-keys.json'), () => [crypto.randomBytes(32).toString('base64url')]);
}

export function devClientKeyFile(dataDir: string, clientId: string): string {
  return path.join(dataDir, 'dev-clients', `${clientId}.jwk.json`);
}

/** A demo client's private key: read it, or create and write it on first start. */
export async function devClientKey(dataDir: string, clientId: string): Promise<PrivateJwk> {
  return readOrCreate(devClientKeyFile(dataDir, clientId), () => newKey(`${clientId}-1`));
}
