/**
 * The embedded OpenID Provider (oidc-provider) for `npm start` and the tests: a real authorization
 * server under `/oidc` that issues RFC 9068 JWT access tokens (`typ: at+jwt`) to the demo clients
 * through the client-credentials grant with `private_key_jwt`. The audience is always the gateway,
 * also when the client names no `resource`. Off in production (OIDC_ISSUER set).
 */
import type { RequestListener } from 'node:http';
import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';
import { cookieKeys, devClientKey, providerKeys, publicJwk } from './keys.js';

export interface EmbeddedProviderOptions {
  issuer: string;
  audience: string;
  dataDir: string;
  clientIds: readonly string[];
  /** Access token lifetime in seconds (default 300). */
  accessTokenTtl?: number;
}

export interface EmbeddedProvider {
  /** Mount under `/oidc`. */
  handler: RequestListener;
  /** The public keys the provider signs with (the gateway verifies against these). */
  jwks: jose.JSONWebKeySet;
}

export async function createEmbeddedProvider(options: EmbeddedProviderOptions): Promise<EmbeddedProvider> {
  const { issuer, audience, dataDir } = options;
  const signing = await providerKeys(dataDir);
  const clients = [];
  for (const clientId of options.clientIds) {
    const key = await devClientKey(dataDir, clientId);
    clients.push({
      client_id: clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      id_token_signed_response_alg: 'ES256',
      jwks: { keys: [publicJwk(key)] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
  }
  const ttl = options.accessTokenTtl ?? 300;

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: signing },
    cookies: { keys: cookieKeys(dataDir) },
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== audience) throw new errors.InvalidTarget(`unknown resource; use ${audience}`);
          return { scope: '', audience, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    ttl: { ClientCredentials: ttl },
  } as unknown as ConstructorParameters<typeof Provider>[1]);
  provider.proxy = true;

  return {
    handler: provider.callback() as RequestListener,
    jwks: { keys: signing.map(publicJwk) },
  };
}
