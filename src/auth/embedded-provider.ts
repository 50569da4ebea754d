/**
 * The embedded OpenID Provider (oidc-provider) for `npm start` and the tests: a real authorization
 * server under `/oidc` that issues RFC 9068 JWT access tokens (`typ: at+jwt`) to the demo clients
 * through the client-credentials grant with `private_key_jwt`. The audience is always the gateway,
 * also when the client names no `resource`. Off in production (OIDC_ISSUER set).
 *
 * With `ui` it also serves the privacy pages' browser client (authorization code + PKCE S256,
 * `private_key_jwt`, refresh tokens) and the demo officers who log in there (`demo-accounts.ts`),
 * through the Dutch login pages of `interactions.ts`. Provider state (sessions, interactions, grants,
 * codes, refresh tokens, client-assertion replay markers) lives in the store's shared state
 * (`provider-adapter.ts`): it survives a restart, every replica sees it, and a flood of login starts
 * can evict nothing.
 */
import type { RequestListener } from 'node:http';
import { Router } from 'express';
import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';
import { demoAccountLookup, type DemoAccount } from './demo-accounts.js';
import { interactionPath, interactionRouter, logoutSource, postLogoutSuccessSource, renderError, type LoginLimits } from './interactions.js';
import { cookieKeys, devClientKey, providerKeys, publicJwk } from './keys.js';
import { sharedStateAdapter } from './provider-adapter.js';
import type { SharedState } from '../store/store.js';

/** The privacy pages' browser client (authorization code + PKCE) and the demo users' password. */
export interface EmbeddedUiClient {
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  demoPassword: string;
  /** The users who may log in (the privacy officers of the policy registry, the demo klantmanagers). */
  accounts: readonly DemoAccount[];
  /** Further pages of this gateway that log users in with the same client (the klantmanager's `/werk`). */
  extraRedirectUris?: readonly string[];
  extraPostLogoutRedirectUris?: readonly string[];
  /** Rate limits of the login form (per IP, failed logins per account). */
  limits?: LoginLimits;
}

export interface EmbeddedProviderOptions {
  issuer: string;
  audience: string;
  dataDir: string;
  /** Where the provider keeps its state: the store's shared state (every replica, every restart). */
  shared: SharedState;
  clientIds: readonly string[];
  /** Access token lifetime in seconds (default 300). */
  accessTokenTtl?: number;
  /** The browser client of the privacy pages; absent: machine clients only, no user login. */
  ui?: EmbeddedUiClient;
}

export interface EmbeddedProvider {
  /** Mount under `/oidc`. */
  handler: RequestListener;
  /** The public keys the provider signs with (the gateway verifies against these). */
  jwks: jose.JSONWebKeySet;
}

/** The longest lifetime of a private_key_jwt client assertion the provider accepts (RFC 7523 asks for a short one). */
export const MAX_ASSERTION_SECONDS = 300;
/** Clock skew allowed between a client and the gateway for `iat`. */
export const CLOCK_SKEW_SECONDS = 60;

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
  // --- privacy pages: browser client, demo users, login pages ---
  const ui = options.ui;
  const providerPath = new URL(issuer).pathname.replace(/\/+$/, '');
  const base = providerPath.replace(/\/oidc$/, '');
  if (ui) {
    const key = await devClientKey(dataDir, ui.clientId);
    clients.push({
      client_id: ui.clientId,
      client_name: "Doelpoort privacypagina's",
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      id_token_signed_response_alg: 'ES256',
      jwks: { keys: [publicJwk(key)] },
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [ui.redirectUri, ...(ui.extraRedirectUris ?? [])],
      post_logout_redirect_uris: [ui.postLogoutRedirectUri, ...(ui.extraPostLogoutRedirectUris ?? [])],
    } as never);
  }
  const demoAccount = demoAccountLookup(ui?.accounts ?? []);
  const userLogin = ui
    ? {
        findAccount: async (_ctx: unknown, sub: string) => {
          const account = demoAccount(sub);
          return account && { accountId: account.id, claims: async () => ({ sub: account.id, name: account.naam }) };
        },
        claims: { openid: ['sub'], profile: ['name'] },
        interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => interactionPath(providerPath, interaction.uid) },
        pkce: { required: () => true },
        // The privacy pages keep their officer signed in past the 5-minute access token.
        issueRefreshToken: async (_ctx: unknown, client: { clientId: string; grantTypeAllowed(t: string): boolean }) =>
          client.clientId === ui.clientId && client.grantTypeAllowed('refresh_token'),
        renderError: renderError(base),
      }
    : {};
  // --- end privacy pages ---

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: signing },
    cookies: { keys: await cookieKeys(dataDir) },
    // In the database: shared by the replicas, kept over a restart; rows expire, nothing is evicted.
    adapter: sharedStateAdapter(options.shared),
    clientAuthMethods: ['private_key_jwt'],
    // A client assertion is a credential for one token request: at most 5 minutes of lifetime
    // (exp − iat, or exp − now without iat), and not issued in the future beyond the clock skew.
    assertJwtClientAuthClaimsAndHeader: async (_ctx: unknown, claims: { exp?: number; iat?: number }) => {
      const now = Math.floor(Date.now() / 1000);
      if (typeof claims.iat === 'number' && claims.iat > now + CLOCK_SKEW_SECONDS) {
        throw new errors.InvalidClientAuth('client_assertion iat lies in the future');
      }
      const start = typeof claims.iat === 'number' ? Math.min(claims.iat, now) : now;
      if (typeof claims.exp !== 'number' || claims.exp - start > MAX_ASSERTION_SECONDS) {
        throw new errors.InvalidClientAuth(`client_assertion lifetime must not exceed ${MAX_ASSERTION_SECONDS} seconds`);
      }
    },
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] },
    ...userLogin,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: Boolean(ui), logoutSource: logoutSource(base), postLogoutSuccessSource: postLogoutSuccessSource(base) },
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
    ttl: {
      ClientCredentials: ttl,
      AccessToken: ttl,
      IdToken: ttl,
      AuthorizationCode: 60,
      Interaction: 600,
      // An officer's working day at most; then log in again.
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 8 * 3600,
    },
  } as unknown as ConstructorParameters<typeof Provider>[1]);
  provider.proxy = true;

  let handler = provider.callback() as RequestListener;
  if (ui) {
    const router = Router({ strict: true, caseSensitive: true });
    router.use(interactionRouter(provider, {
      base, providerPath, firstPartyClients: new Set([ui.clientId]), audience, demoPassword: ui.demoPassword, demoAccount, limits: ui.limits,
    }));
    router.use(provider.callback());
    handler = router as unknown as RequestListener;
  }

  return {
    handler,
    jwks: { keys: signing.map(publicJwk) },
  };
}
