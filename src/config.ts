/**
 * Configuration: everything the gateway reads from the environment, with the embedded defaults
 * that make `npm start` work on a fresh machine, and the checks that refuse an unsafe production
 * start. Nothing else in `src/` reads `process.env`.
 */
import path from 'node:path';
import { devClientKeyFile } from './auth/keys.js';

/** The embedded provider's OIDC client for the privacy officer's pages. */
export const UI_CLIENT_ID = 'doelpoort-privacy';
/** The demo users' password when DOELPOORT_DEMO_WACHTWOORD is not set (embedded mode only). */
export const DEFAULT_DEMO_PASSWORD = 'doelpoort-demo';

/** The privacy officer's pages (`/privacy`): their OIDC client (authorization code + PKCE). */
export interface UiConfig {
  clientId: string;
  /** `private_key_jwt`: the client's private JWK (with `alg`, `kid`). */
  clientKeyFile: string | null;
  /** `client_secret_basic`, for issuers that hand out secrets (only in production mode). */
  clientSecret: string | null;
  /** `<public url>/privacy/callback` */
  redirectUri: string;
  /** `<public url>/privacy` */
  postLogoutRedirectUri: string;
  /** The demo users' password (embedded mode only; null in production). */
  demoPassword: string | null;
}

export interface Config {
  /** TCP port (default 8080). */
  port: number;
  /** Interface to bind (default 127.0.0.1). */
  host: string;
  /** Where the SQLite database, provider keys and dev-client keys live (default ./data). */
  dataDir: string;
  /** `DATABASE_URL` (`postgres://user@host:port/db`): PostgreSQL instead of the SQLite file under `dataDir`; null: SQLite. */
  databaseUrl: string | null;
  /** The base URL clients use to reach the gateway; the issuer and audience derive from it. */
  publicUrl: string;
  /** `embedded`: oidc-provider runs under /oidc (demo mode only). `external`: OIDC_ISSUER is trusted. */
  mode: 'embedded' | 'external';
  /**
   * Demo mode: the embedded provider with the demo parties, clients and officers (and their password).
   * The default only from a clone on a loopback interface; any production signal needs DOELPOORT_DEMO=1.
   */
  demo: boolean;
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
  /** The privacy pages; null when off (production mode without DOELPOORT_UI_CLIENT_ID). */
  ui: UiConfig | null;
  /** Where the privacy pages call the logboek API; null: this gateway itself, over loopback. */
  uiApiUrl: string | null;
  /**
   * Which proxies to trust for `X-Forwarded-*` (express `trust proxy`): false (default: none), a
   * hop count, or addresses/subnets such as `loopback, 10.0.0.0/8`. Behind a TLS-terminating proxy
   * this is what lets the gateway see that a request was https (and send HSTS).
   */
  trustProxy: boolean | number | string;
  /** Sign a logboek checkpoint every this many records (default 1000)… */
  controlepuntAantal: number;
  /** …or every this many seconds when records were added (default 60; 0: no timer). */
  controlepuntSeconden: number;
  /** Seconds between the signal scheduler's rounds (time-based signals such as uit-beeld); 0: no timer. */
  signaalPlannerSeconden: number;
  /** Seconds between the retention scheduler's rounds (purge of content past its bewaartermijn, docs/bewaring.md; default a day); 0: no timer. */
  bewaarPlannerSeconden: number;
  /** Webhook targets the operator allows although private (host names, IPs, CIDR ranges; DOELPOORT_MELDINGEN_TOEGESTAAN, comma-separated). */
  meldingenToegestaan: string[];
  /** Milliseconds between the deliverer's rounds (default 1000); 0: only when woken after a commit. */
  meldingenIntervalMs: number;
  /** Timeout of one delivery attempt in milliseconds (default 10000). */
  meldingTimeoutMs: number;
  /**
   * Monitoring figures (issue 13): a cell with fewer contributors than this is suppressed, and enough
   * others with it that it cannot be worked out from the totals (DOELPOORT_MONITORING_DREMPEL, default 10).
   */
  monitoringDrempel: number;
  /** Timeouts, connection bound, store bound and rate limits (see `loadPressureConfig`). */
  pressure: PressureConfig;
  /**
   * A stop signal ends the process within this many seconds (default 20), whatever runs: draining
   * gets up to 10 s, and a logboek query stuck in SQLite (which cannot be interrupted) does not hold the exit.
   */
  stopDeadlineSeconden: number;
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

/** Loopback interfaces: a gateway bound there is not reachable from another machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The signals that say a start is meant for production, by the setting that gives them:
 * `NODE_ENV=production`, the Docker image (`DOELPOORT_IMAGE`, set by the Dockerfile), a HOST other
 * than loopback.
 */
export function productionSignals(env: NodeJS.ProcessEnv, host: string): string[] {
  const signals: string[] = [];
  if (env.NODE_ENV === 'production') signals.push('NODE_ENV=production');
  if (env.DOELPOORT_IMAGE) signals.push('the Docker image (DOELPOORT_IMAGE)');
  if (!isLoopbackHost(host)) signals.push(`HOST=${host} (not a loopback interface)`);
  return signals;
}

/**
 * Decide demo mode. Demo = embedded OpenID Provider with the demo users and their published password.
 * - `DOELPOORT_DEMO=1`: demo, explicitly (also in the Docker image, for a try-out);
 * - `DOELPOORT_DEMO=0`, or any production signal: never a demo by default — without OIDC_ISSUER it refuses to start;
 * - neither (a clone on loopback, `npm start`): demo.
 */
function decideDemo(env: NodeJS.ProcessEnv, host: string): boolean {
  const flag = (env.DOELPOORT_DEMO ?? '').trim();
  if (flag !== '' && flag !== '0' && flag !== '1') throw new ConfigError(`DOELPOORT_DEMO must be 1 (demo) or 0 (no demo), got "${env.DOELPOORT_DEMO}"`);
  const external = Boolean(env.OIDC_ISSUER);
  if (flag === '1') {
    if (external) throw new ConfigError('DOELPOORT_DEMO=1 and OIDC_ISSUER exclude each other: the demo runs its own OpenID Provider. Unset one of them.');
    return true;
  }
  if (external) return false;
  const signals = productionSignals(env, host);
  if (flag === '0' || signals.length) {
    const why = flag === '0' ? 'DOELPOORT_DEMO=0' : signals.join(', ');
    throw new ConfigError(
      `This is a production start (${why}) without an external OpenID Provider: set OIDC_ISSUER (with OIDC_AUDIENCE and DOELPOORT_POLICY_DIR). `
      + 'The embedded provider with the demo users and their published password runs only in demo mode; for a try-out set DOELPOORT_DEMO=1 explicitly.',
    );
  }
  return true;
}


/** What a caller (tests, benchmarks) may override; `pressure` field by field. */
export type ConfigOverrides = Partial<Omit<Config, 'pressure'>> & { pressure?: Partial<PressureConfig> };

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const port = overrides.port ?? Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  const host = overrides.host ?? env.HOST ?? '127.0.0.1';
  const publicUrl = (overrides.publicUrl ?? env.DOELPOORT_PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/+$/, '');
  const root = projectRoot();
  const demo = overrides.demo ?? decideDemo(env, host);
  const external = !demo;
  if (!isLoopbackHost(host) && !env.DOELPOORT_PUBLIC_URL && !overrides.publicUrl) {
    throw new ConfigError(`HOST=${host} is reachable from other machines: set DOELPOORT_PUBLIC_URL to the URL clients use (e.g. https://doelpoort.example.nl); issuer, audience and redirects derive from it.`);
  }
  const policyDir = overrides.policyDir ?? env.DOELPOORT_POLICY_DIR ?? path.join(root, 'policies');

  if (external) {
    const missing = [
      !env.OIDC_AUDIENCE && 'OIDC_AUDIENCE (the aud your issuer puts in access tokens for Doelpoort)',
      !env.DOELPOORT_POLICY_DIR && 'DOELPOORT_POLICY_DIR (the party registry and policies of this deployment)',
    ].filter(Boolean);
    if (missing.length) {
      throw new ConfigError(`Production mode (OIDC_ISSUER is set) refuses to start without: ${missing.join('; ')}`);
    }
    if (env.DOELPOORT_UI_CLIENT_ID && Boolean(env.DOELPOORT_UI_CLIENT_KEY_FILE) === Boolean(env.DOELPOORT_UI_CLIENT_SECRET)) {
      throw new ConfigError('DOELPOORT_UI_CLIENT_ID needs exactly one of DOELPOORT_UI_CLIENT_KEY_FILE (private_key_jwt) or DOELPOORT_UI_CLIENT_SECRET (client_secret_basic)');
    }
  }
  const dataDir = path.resolve(overrides.dataDir ?? env.DOELPOORT_DATA_DIR ?? './data');
  const ui: UiConfig | null = external
    ? env.DOELPOORT_UI_CLIENT_ID
      ? {
          clientId: env.DOELPOORT_UI_CLIENT_ID,
          clientKeyFile: env.DOELPOORT_UI_CLIENT_KEY_FILE ? path.resolve(env.DOELPOORT_UI_CLIENT_KEY_FILE) : null,
          clientSecret: env.DOELPOORT_UI_CLIENT_SECRET || null,
          redirectUri: `${publicUrl}/privacy/callback`,
          postLogoutRedirectUri: `${publicUrl}/privacy`,
          demoPassword: null,
        }
      : null
    : {
        clientId: UI_CLIENT_ID,
        clientKeyFile: devClientKeyFile(dataDir, UI_CLIENT_ID),
        clientSecret: null,
        redirectUri: `${publicUrl}/privacy/callback`,
        postLogoutRedirectUri: `${publicUrl}/privacy`,
        // Only in demo mode: outside it there is no embedded provider, so no password at all.
        demoPassword: env.DOELPOORT_DEMO_WACHTWOORD || DEFAULT_DEMO_PASSWORD,
      };

  const databaseUrl = overrides.databaseUrl !== undefined ? overrides.databaseUrl : env.DATABASE_URL || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset for SQLite under DOELPOORT_DATA_DIR');
  }

  return {
    port,
    host,
    publicUrl,
    dataDir,
    databaseUrl,
    mode: overrides.mode ?? (external ? 'external' : 'embedded'),
    demo,
    issuer: overrides.issuer ?? (env.OIDC_ISSUER || `${publicUrl}/oidc`),
    audience: overrides.audience ?? (env.OIDC_AUDIENCE || `${publicUrl}/v1`),
    policyDir,
    schemaDir: overrides.schemaDir ?? path.join(root, 'schemas'),
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
    bodyLimit: overrides.bodyLimit ?? 256 * 1024,
    ui: overrides.ui !== undefined ? overrides.ui : ui,
    uiApiUrl: (overrides.uiApiUrl ?? env.DOELPOORT_UI_API_URL ?? null)?.replace(/\/+$/, '') || null,
    trustProxy: overrides.trustProxy ?? parseTrustProxy(env.DOELPOORT_TRUST_PROXY),
    controlepuntAantal: overrides.controlepuntAantal ?? positiveInt(env, 'DOELPOORT_CONTROLEPUNT_AANTAL', 1000, 1),
    controlepuntSeconden: overrides.controlepuntSeconden ?? positiveInt(env, 'DOELPOORT_CONTROLEPUNT_SECONDEN', 60, 0),
    signaalPlannerSeconden: overrides.signaalPlannerSeconden ?? positiveInt(env, 'DOELPOORT_SIGNAAL_PLANNER_SECONDEN', 300, 0),
    bewaarPlannerSeconden: overrides.bewaarPlannerSeconden ?? positiveInt(env, 'DOELPOORT_BEWAAR_PLANNER_SECONDEN', 86_400, 0),
    meldingenToegestaan: overrides.meldingenToegestaan ?? (env.DOELPOORT_MELDINGEN_TOEGESTAAN ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    meldingenIntervalMs: overrides.meldingenIntervalMs ?? positiveInt(env, 'DOELPOORT_MELDINGEN_INTERVAL_MS', 1000, 0),
    meldingTimeoutMs: overrides.meldingTimeoutMs ?? positiveInt(env, 'DOELPOORT_MELDING_TIMEOUT_MS', 10_000, 100),
    monitoringDrempel: overrides.monitoringDrempel ?? positiveInt(env, 'DOELPOORT_MONITORING_DREMPEL', 10, 1),
    pressure: { ...loadPressureConfig(env), ...overrides.pressure },
    stopDeadlineSeconden: overrides.stopDeadlineSeconden ?? positiveInt(env, 'DOELPOORT_STOP_DEADLINE_SECONDEN', 20, 1),
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer of at least ${min}, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Under pressure (issue 9): slow clients, connection bound, store bound, rate limits.
// Every value has an environment variable and a default that fits the embedded default; the
// README's "Under pressure" section documents them.
// ---------------------------------------------------------------------------------------------

/** A rate limit: at most `limit` in a fixed window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface PressureConfig {
  /** Whole request head within this (`server.headersTimeout`; default 10 s). */
  headersTimeoutMs: number;
  /** Whole request, body included, within this (`server.requestTimeout`; default 60 s: a 10 MiB bundle at ~170 KiB/s). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (default 65 s: above a load balancer's usual 60 s idle timeout). */
  keepAliveTimeoutMs: number;
  /** Concurrent connections; more are refused at once (`server.maxConnections`; default 1000). */
  maxConnections: number;
  /** How long a unit of work may wait for the store (a transaction, a logboek read) before 503 (default 5 s). */
  dbTimeoutMs: number;
  /** Per client on the API, after authentication (default 1200 per 60 s); null: off. */
  rateApi: RateLimit | null;
  /** Per client on the token endpoint (default 60 per 60 s); null: off. */
  rateToken: RateLimit | null;
  /** Per IP on the token endpoint when no client is named (default 300 per 60 s); null: off. */
  rateTokenIp: RateLimit | null;
  /** Failed logins per account on the login form before it is refused for the rest of the window (default 5 per 15 min); null: off. */
  rateLoginAccount: RateLimit | null;
  /** Login attempts per IP on the login form (default 50 per 15 min); null: off. */
  rateLoginIp: RateLimit | null;
}

/** For benchmarks: one client at thousands of requests per second is the point there. */
export const NO_RATE_LIMITS = { rateApi: null, rateToken: null, rateTokenIp: null, rateLoginAccount: null, rateLoginIp: null } as const satisfies Partial<PressureConfig>;

/** `N/S`: N per S seconds, e.g. `1200/60`; `0` or `off`: no limit. */
export function parseRateLimit(name: string, raw: string | undefined, fallback: RateLimit | null): RateLimit | null {
  const v = (raw ?? '').trim();
  if (v === '') return fallback;
  if (v === '0' || v === 'off') return null;
  const m = /^([0-9]+)\/([0-9]+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new ConfigError(`${name} must be N/S (N per S seconds, e.g. 1200/60) or off, got "${raw}"`);
  return { limit: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

export function loadPressureConfig(env: NodeJS.ProcessEnv): PressureConfig {
  const ms = (name: string, fallback: number) => positiveInt(env, name, fallback, 1);
  const headersTimeoutMs = ms('DOELPOORT_HEADERS_TIMEOUT_MS', 10_000);
  const requestTimeoutMs = ms('DOELPOORT_REQUEST_TIMEOUT_MS', 60_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`DOELPOORT_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed DOELPOORT_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: ms('DOELPOORT_KEEPALIVE_TIMEOUT_MS', 65_000),
    maxConnections: ms('DOELPOORT_MAX_CONNECTIONS', 1000),
    dbTimeoutMs: ms('DOELPOORT_DB_TIMEOUT_MS', 5000),
    rateApi: parseRateLimit('DOELPOORT_RATE_API', env.DOELPOORT_RATE_API, { limit: 1200, windowMs: 60_000 }),
    rateToken: parseRateLimit('DOELPOORT_RATE_TOKEN', env.DOELPOORT_RATE_TOKEN, { limit: 60, windowMs: 60_000 }),
    rateTokenIp: parseRateLimit('DOELPOORT_RATE_TOKEN_IP', env.DOELPOORT_RATE_TOKEN_IP, { limit: 300, windowMs: 60_000 }),
    rateLoginAccount: parseRateLimit('DOELPOORT_RATE_LOGIN_ACCOUNT', env.DOELPOORT_RATE_LOGIN_ACCOUNT, { limit: 5, windowMs: 15 * 60_000 }),
    rateLoginIp: parseRateLimit('DOELPOORT_RATE_LOGIN_IP', env.DOELPOORT_RATE_LOGIN_IP, { limit: 50, windowMs: 15 * 60_000 }),
  };
}
