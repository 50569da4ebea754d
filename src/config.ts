/**
 * Configuration: everything the gateway reads from the environment, with the embedded defaults
 * that make `npm start` work on a fresh machine, and the checks that refuse an unsafe production
 * start. Nothing else in `src/` reads `process.env`.
 */
import path from 'node:path';

export interface Config {
  /** TCP port (default 8080). */
  port: number;
  /** Interface to bind (default 127.0.0.1). */
  host: string;
  /** Where the SQLite database, provider keys and dev-client keys live (default ./data). */
  dataDir: string;
  /** The base URL clients use to reach the gateway; the issuer and audience derive from it. */
  publicUrl: string;
  /** `embedded`: oidc-provider runs under /oidc. `external`: OIDC_ISSUER is trusted. */
  mode: 'embedded' | 'external';
  /** The issuer whose access tokens are accepted. */
  issuer: string;
  /** The `aud` an access token must carry. */
  audience: string;
  /** Folder with the policy files (partijen, doelen, regels). */
  policyDir: string;
  /** Folder with the message JSON Schemas. */
  schemaDir: string;
  /** pino log level. */
  logLevel: string;
  /** Maximum accepted request body, in bytes. */
  bodyLimit: number;
  /**
   * Which proxies to trust for `X-Forwarded-*` (express `trust proxy`): false (default: none), a
   * hop count, or addresses/subnets such as `loopback, 10.0.0.0/8`. Behind a TLS-terminating proxy
   * this is what lets the gateway see that a request was https (and send HSTS).
   */
  trustProxy: boolean | number | string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Project root: the folder that holds `schemas/` and `policies/` (works from src/ and dist/src/). */
export function projectRoot(): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..';
  return path.resolve(here, up);
}

/** `DOELPOORT_TRUST_PROXY`: unset/false → false, true, a hop count, or a list of addresses/subnets. */
export function parseTrustProxy(value: string | undefined): boolean | number | string {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^[0-9]+$/.test(v)) return Number(v);
  if (!/^[A-Za-z0-9.:/,\s-]+$/.test(v)) throw new ConfigError(`DOELPOORT_TRUST_PROXY must be true, false, a hop count or addresses/subnets, got "${value}"`);
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = overrides.port ?? Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  const host = overrides.host ?? env.HOST ?? '127.0.0.1';
  const publicUrl = (overrides.publicUrl ?? env.DOELPOORT_PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/+$/, '');
  const root = projectRoot();
  const external = Boolean(env.OIDC_ISSUER);
  const policyDir = overrides.policyDir ?? env.DOELPOORT_POLICY_DIR ?? path.join(root, 'policies');

  if (external) {
    const missing = [
      !env.OIDC_AUDIENCE && 'OIDC_AUDIENCE (the aud your issuer puts in access tokens for Doelpoort)',
      !env.DOELPOORT_POLICY_DIR && 'DOELPOORT_POLICY_DIR (the party registry and policies of this deployment)',
    ].filter(Boolean);
    if (missing.length) {
      throw new ConfigError(`Production mode (OIDC_ISSUER is set) refuses to start without: ${missing.join('; ')}`);
    }
  }

  return {
    port,
    host,
    publicUrl,
    dataDir: path.resolve(overrides.dataDir ?? env.DOELPOORT_DATA_DIR ?? './data'),
    mode: overrides.mode ?? (external ? 'external' : 'embedded'),
    issuer: overrides.issuer ?? (env.OIDC_ISSUER || `${publicUrl}/oidc`),
    audience: overrides.audience ?? (env.OIDC_AUDIENCE || `${publicUrl}/v1`),
    policyDir,
    schemaDir: overrides.schemaDir ?? path.join(root, 'schemas'),
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
    bodyLimit: overrides.bodyLimit ?? 256 * 1024,
    trustProxy: overrides.trustProxy ?? parseTrustProxy(env.DOELPOORT_TRUST_PROXY),
  };
}
