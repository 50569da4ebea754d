/**
 * UI: the privacy pages as an OpenID Connect relying party (openid-client 6) of the configured
 * issuer — the embedded provider by default, any OIDC provider in production. Authorization code
 * flow with PKCE (S256), `state` and `nonce`; client authentication `private_key_jwt` (or
 * `client_secret_basic` where an issuer only hands out secrets); the gateway's audience asked for
 * as RFC 8707 `resource`; refresh; RP-initiated logout. Discovery happens on first use, so the
 * gateway can start before its issuer answers.
 */
import fs from 'node:fs';
import * as jose from 'jose';
import * as client from 'openid-client';
import type { UiConfig } from '../config.js';
import type { Officer, PendingLogin } from './session.js';

export interface UiOidcOptions {
  issuer: string;
  audience: string;
  ui: UiConfig;
}

export interface UiOidc {
  /** Start a login: the authorization URL and what the callback must check. */
  startLogin(returnTo: string): Promise<{ url: URL; login: PendingLogin }>;
  /** Finish it: exchange the code (the callback's query string) for the officer's tokens. */
  finishLogin(callbackQuery: string, login: PendingLogin): Promise<Officer>;
  /** A fresh access token for an officer whose token is (nearly) expired; throws when that is not possible. */
  refresh(officer: Officer): Promise<Officer>;
  /** The issuer's end-session URL for RP-initiated logout, or null when it has none. */
  logoutUrl(officer: Officer | null): Promise<URL | null>;
}

async function clientAuthentication(ui: UiConfig): Promise<client.ClientAuth> {
  if (ui.clientSecret) return client.ClientSecretBasic(ui.clientSecret);
  if (!ui.clientKeyFile) throw new Error('the privacy pages have neither a client key file nor a client secret');
  const jwk = JSON.parse(fs.readFileSync(ui.clientKeyFile, 'utf8')) as jose.JWK & { alg?: string; kid?: string };
  const key = await jose.importJWK(jwk, jwk.alg ?? 'ES256');
  return client.PrivateKeyJwt({ key, kid: jwk.kid } as Parameters<typeof client.PrivateKeyJwt>[0]);
}

function officerFrom(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, previous: Officer | null): Officer {
  const claims = tokens.claims();
  const sub = claims?.sub ?? previous?.sub;
  if (!sub) throw new Error('the issuer returned no ID token subject');
  const naam = typeof claims?.name === 'string' && claims.name ? claims.name : (previous?.naam ?? sub);
  return {
    sub,
    naam,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken ?? null,
    idToken: tokens.id_token ?? previous?.idToken ?? null,
    expiresAt: Date.now() + (tokens.expires_in ?? 300) * 1000,
  };
}

export function createUiOidc(o: UiOidcOptions): UiOidc {
  let configuration: Promise<client.Configuration> | null = null;
  const insecure = new URL(o.issuer).protocol === 'http:';
  const config = () =>
    (configuration ??= (async () =>
      client.discovery(new URL(o.issuer), o.ui.clientId, { redirect_uris: [o.ui.redirectUri] }, await clientAuthentication(o.ui), {
        execute: insecure ? [client.allowInsecureRequests] : [],
      }))().catch((e) => {
      configuration = null; // try discovery again on the next request
      throw e;
    }));

  return {
    async startLogin(returnTo) {
      const c = await config();
      const login: PendingLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
        started: Date.now(),
      };
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: o.ui.redirectUri,
        scope: 'openid profile',
        resource: o.audience,
        code_challenge: await client.calculatePKCECodeChallenge(login.codeVerifier),
        code_challenge_method: 'S256',
        state: login.state,
        nonce: login.nonce,
      });
      return { url, login };
    },

    async finishLogin(callbackQuery, login) {
      const c = await config();
      const current = new URL(o.ui.redirectUri);
      current.search = callbackQuery;
      const tokens = await client.authorizationCodeGrant(c, current, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      return officerFrom(tokens, null);
    },

    async refresh(officer) {
      if (!officer.refreshToken) throw new Error('no refresh token');
      const tokens = await client.refreshTokenGrant(await config(), officer.refreshToken);
      return officerFrom(tokens, officer);
    },

    async logoutUrl(officer) {
      const c = await config();
      if (!c.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(c, {
        post_logout_redirect_uri: o.ui.postLogoutRedirectUri,
        client_id: o.ui.clientId,
        ...(officer?.idToken ? { id_token_hint: officer.idToken } : {}),
      });
    },
  };
}
