/**
 * A standard OAuth client for the demo set-up: obtain an access token with the client-credentials
 * grant and `private_key_jwt`, through openid-client (discovery, then the token endpoint). Used by
 * `npm run token`, the tests and the benchmark — exactly what an integrating party would do.
 */
import fs from 'node:fs';
import * as jose from 'jose';
import * as client from 'openid-client';
import { devClientKeyFile, type PrivateJwk } from './keys.js';

export interface TokenRequest {
  issuer: string;
  clientId: string;
  /** The client's private JWK (with `alg`). */
  jwk: PrivateJwk;
  /** RFC 8707 resource; the embedded provider defaults to the gateway. */
  resource?: string;
}

export async function fetchAccessToken(req: TokenRequest): Promise<{ accessToken: string; expiresIn: number }> {
  const key = await jose.importJWK(req.jwk, req.jwk.alg);
  const issuer = new URL(req.issuer);
  const config = await client.discovery(issuer, req.clientId, {}, client.PrivateKeyJwt({ key, kid: req.jwk.kid } as Parameters<typeof client.PrivateKeyJwt>[0]), {
    execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
  });
  const tokens = await client.clientCredentialsGrant(config, req.resource ? { resource: req.resource } : {});
  return { accessToken: tokens.access_token, expiresIn: tokens.expires_in ?? 0 };
}

export function readDevClientKey(dataDir: string, clientId: string): PrivateJwk {
  const file = devClientKeyFile(dataDir, clientId);
  if (!fs.existsSync(file)) throw new Error(`No key for client "${clientId}" at ${file}: start the gateway once (npm start) to create the demo keys.`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PrivateJwk;
}
