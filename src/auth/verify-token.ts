/**
 * Authenticate: verify an RFC 9068 JWT access token with jose — signature against the issuer's
 * keys, `typ: at+jwt`, `iss`, `aud`, `exp`/`nbf` (30 s leeway), algorithm allow-list (never `none`,
 * never HMAC). A verified token is cached by its SHA-256 until it expires, so a client reusing its
 * token costs one map lookup instead of a signature check.
 */
import crypto from 'node:crypto';
import * as jose from 'jose';
import { AuthError } from './errors.js';

export const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'];

export interface VerifiedToken {
  clientId: string;
  /** The subject: a user for browser clients (e.g. a privacy officer's id), often the client itself otherwise. */
  sub: string | null;
  /** Expiry, epoch seconds. */
  exp: number;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  keys: jose.JWTVerifyGetKey;
  cacheSize?: number;
}

/** How far in the future an access token's `iat` may lie (clock skew between issuer and gateway). */
export const IAT_SKEW_SECONDS = 60;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const cache = new Map<string, VerifiedToken>();
  const cacheSize = options.cacheSize ?? 10_000;

  async function verifyUncached(token: string): Promise<VerifiedToken> {
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        typ: 'at+jwt',
        clockTolerance: 30,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (e) {
      if (e instanceof jose.errors.JWTExpired) throw new AuthError('token-verlopen', 'Het toegangstoken is verlopen.');
      if (e instanceof jose.errors.JWTClaimValidationFailed) {
        throw new AuthError('token-ongeldig', `Het toegangstoken is niet voor deze gateway of van een onbekende uitgever (claim ${e.claim}).`);
      }
      if (e instanceof jose.errors.JWKSNoMatchingKey || e instanceof jose.errors.JWSSignatureVerificationFailed) {
        throw new AuthError('token-ongeldig', 'De handtekening van het toegangstoken is niet geldig.');
      }
      if (e instanceof jose.errors.JOSEAlgNotAllowed) throw new AuthError('token-ongeldig', 'Het algoritme van het toegangstoken is niet toegestaan.');
      throw new AuthError('token-ongeldig', 'Het toegangstoken is geen geldig JWT-toegangstoken (RFC 9068).');
    }
    // jose checks iat's form only; a token issued in the future (beyond the clock skew) is refused.
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000) + IAT_SKEW_SECONDS) {
      throw new AuthError('token-ongeldig', 'Het toegangstoken is uitgegeven in de toekomst (claim iat).');
    }
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : null;
    if (!clientId) throw new AuthError('token-ongeldig', 'Het toegangstoken noemt geen client_id.');
    return { clientId, sub: typeof payload.sub === 'string' ? payload.sub : null, exp: payload.exp! };
  }

  return {
    async verify(token) {
      const key = crypto.createHash('sha256').update(token).digest('base64url');
      const hit = cache.get(key);
      const now = Math.floor(Date.now() / 1000);
      if (hit) {
        if (hit.exp + 30 > now) return hit;
        cache.delete(key);
      }
      const verified = await verifyUncached(token);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, verified);
      return verified;
    },
  };
}

/** Production: find the issuer's JWKS by OIDC discovery (openid-client) and fetch keys lazily. */
export async function discoverIssuerKeys(issuer: string): Promise<jose.JWTVerifyGetKey> {
  const client = await import('openid-client');
  const config = await client.discovery(new URL(issuer), 'doelpoort-gateway', undefined, undefined, {
    execute: new URL(issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
  });
  const jwksUri = config.serverMetadata().jwks_uri;
  if (!jwksUri) throw new Error(`issuer ${issuer} publishes no jwks_uri`);
  return jose.createRemoteJWKSet(new URL(jwksUri));
}
