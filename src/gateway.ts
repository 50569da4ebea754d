/**
 * Composition: builds the gateway from its parts (schemas → policies → store → identity → HTTP)
 * and owns its life cycle: listen, and on stop drain in-flight requests, finish the pending group
 * commit, close the database.
 *
 * From the moment the port is open every request is answered: until the application is attached,
 * by the readiness module's start-up listener (503, or the health answers). The server's timeouts
 * and connection bound come from `config.pressure`; a port in use is a `PortInUseError`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as jose from 'jose';
import type { Logger } from 'pino';
import { startControlepuntPlanner } from './audit/controlepunt.js';
import { logboekSleutels } from './audit/sleutels.js';
import { createEmbeddedProvider } from './auth/embedded-provider.js';
import { createTokenVerifier, discoverIssuerKeys } from './auth/verify-token.js';
import { loadConfig, type Config, type ConfigOverrides, type PressureConfig } from './config.js';
import { createApp } from './http/app.js';
import { boundedStore } from './http/bounded-store.js';
import { batchedSharedRateCounter, createRateLimits, memoryRateCounter, sharedRateCounter, type RateCounter } from './http/rate-limit.js';
import { createReadiness } from './http/readiness.js';
import { clientErrorHandler } from './http/client-error.js';
import { buildOpenApi } from './http/openapi.js';
import { openApiParts } from './http/openapi-parts.js';
import type { Services } from './http/services.js';
import { createLogger } from './logger.js';
import { createPolicyEngine } from './policy/engine.js';
import { loadPolicies } from './policy/load.js';
import { loadSchemas } from './schemas/registry.js';
import { loadSignaalregels } from './signalen/load.js';
import { openPostgresStore } from './store/postgres.js';
import { openSqliteStore } from './store/sqlite.js';
import { startSignaalPlanner } from './verwerking/signaalplanner.js';
import { startBewaarPlanner } from './verwerking/bewaarplanner.js';
import { bewaarregels } from './bewaring/termijnen.js';
import { startBezorger } from './verwerking/bezorger.js';
import { DEMO_MEDEWERKERS } from './werk/medewerkers.js';
import { DEMO_COORDINATOREN } from './aanlevering/coordinatoren.js';
import { uitgaandVoorSignalen } from './verwerking/uitgaand.js';
import { dutchDate } from './http/services.js';
import type { Store } from './store/store.js';

/**
 * The store the configuration names: PostgreSQL when `DATABASE_URL` is set, else SQLite in the data
 * folder. On PostgreSQL the store deadline also bounds, on the server, a writer's wait for a lock and
 * a snapshot's statements (`lock_timeout`, `statement_timeout`), so abandoned work ends there too.
 */
export function openConfiguredStore(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'pressure'>): Promise<Store> {
  const ms = config.pressure.dbTimeoutMs;
  return config.databaseUrl
    ? openPostgresStore(config.databaseUrl, { lockTimeoutMs: ms, leesTimeoutMs: ms })
    : Promise.resolve(openSqliteStore(path.join(config.dataDir, 'doelpoort.db')));
}

export interface Gateway {
  config: Config;
  services: Services;
  server: http.Server;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  overrides?: ConfigOverrides;
  logger?: Logger;
  /** Use this store instead of the one the configuration names. */
  store?: Store;
  now?: () => Date;
}

function externalIssuerCheck(issuer: string): () => Promise<boolean> {
  let last = { at: 0, ok: false };
  return async () => {
    if (Date.now() - last.at < 10_000) return last.ok;
    try {
      const res = await fetch(new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`), { signal: AbortSignal.timeout(2000) });
      last = { at: Date.now(), ok: res.ok };
    } catch {
      last = { at: Date.now(), ok: false };
    }
    return last.ok;
  };
}

/** The port is taken by another process: `npm start` says so in one line and exits with `EXIT_PORT_IN_USE`. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number, readonly host: string) {
    super(`port ${port} on ${host} is already in use`);
  }
}

/** Slow clients and connection bound: a request head, a whole request, an idle keep-alive connection. */
function createServer(p: PressureConfig): http.Server {
  const server = http.createServer({
    headersTimeout: p.headersTimeoutMs,
    requestTimeout: p.requestTimeoutMs,
    keepAliveTimeout: p.keepAliveTimeoutMs,
    // Node checks the two timeouts above on this interval (default 30 s, which would add up to 30 s to each).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(p.headersTimeoutMs / 4))),
  });
  server.maxConnections = p.maxConnections;
  return server;
}

/**
 * Where the rate limits count: in memory for SQLite (one process, so exact), in the shared state for
 * PostgreSQL (replicas: the limits hold across them). See `http/rate-limit.ts`.
 */
function rateCounters(config: Pick<Config, 'databaseUrl'>, store: Store): [RateCounter, RateCounter] {
  if (!config.databaseUrl) {
    const memory = memoryRateCounter();
    return [memory, memory];
  }
  return [sharedRateCounter(store.shared), batchedSharedRateCounter(store.shared)];
}

/** How often expired rows of the shared state are deleted. */
const SWEEP_INTERVAL_MS = 5 * 60_000;

/** Start the gateway. With port 0 a free port is chosen, and issuer and audience follow it. */
export async function startGateway(options: StartOptions = {}): Promise<Gateway> {
  const env = options.env ?? process.env;
  const draft = loadConfig(env, options.overrides);
  const logger = options.logger ?? createLogger(draft.logLevel);
  // The long synchronous work (compiling schemas and policies) happens before the port opens, so
  // that the start-up listener below is never held up by it; a policy error then opens no port.
  const schemas = loadSchemas(draft.schemaDir);
  const policySet = loadPolicies(draft.policyDir, schemas);
  const policy = createPolicyEngine(policySet);
  // The signal rules are policy too: a wrong rule stops the start like a wrong policy rule.
  const signaalregels = loadSignaalregels(draft.policyDir, policySet, schemas);
  const readiness = createReadiness(logger);
  const server = createServer(draft.pressure);
  // Until the application is attached, the start-up listener answers (503 / health).
  let listener: http.RequestListener = readiness.startupListener;
  server.on('request', (req, res) => listener(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(draft.port, draft.host) : e));
    server.listen(draft.port, draft.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const config = draft.port === port ? draft : loadConfig(env, { ...options.overrides, port });

  try {
    const adapter = options.store ?? (await openConfiguredStore(config));
    // Every unit of work on the store has a deadline: no request waits forever on the database.
    const store = boundedStore(adapter, config.pressure.dbTimeoutMs);
    const limits = createRateLimits(config.pressure, logger, ...rateCounters(config, store));

    let keys: jose.JWTVerifyGetKey;
    let oidc: http.RequestListener | undefined;
    let issuerReachable: () => Promise<boolean>;
    if (config.mode === 'embedded') {
      const clientIds = [...policy.set.partijen.flatMap((p) => p.clientIds), ...policy.set.functionarissen.flatMap((f) => f.clientIds)];
      // The demo password is accepted in demo mode only (loadConfig never gives embedded mode outside it).
      const ui = config.demo && config.ui?.demoPassword
        ? {
            ...config.ui, demoPassword: config.ui.demoPassword,
            accounts: [...policy.set.functionarissen.map((f) => ({ id: f.id, naam: f.naam })), ...DEMO_MEDEWERKERS.map((m) => ({ id: m.id, naam: m.naam })), ...DEMO_COORDINATOREN.map((c) => ({ id: c.id, naam: c.naam }))],
            // The klantmanager's pages log in with the same browser client.
            extraRedirectUris: [`${config.publicUrl}/werk/callback`, `${config.publicUrl}/aanlevering/callback`], extraPostLogoutRedirectUris: [`${config.publicUrl}/werk`, `${config.publicUrl}/aanlevering/`],
            limits: { ip: limits.loginIp, account: limits.loginAccount },
          }
        : undefined;
      const provider = await createEmbeddedProvider({ issuer: config.issuer, audience: config.audience, dataDir: config.dataDir, shared: store.shared, clientIds, ui });
      keys = jose.createLocalJWKSet(provider.jwks);
      oidc = provider.handler;
      issuerReachable = async () => true;
    } else {
      let remote: Promise<jose.JWTVerifyGetKey> | null = null;
      const resolveKeys = () => (remote ??= discoverIssuerKeys(config.issuer).catch((e) => { remote = null; throw e; }));
      keys = async (header, token) => (await resolveKeys())(header, token);
      issuerReachable = externalIssuerCheck(config.issuer);
    }

    const now = options.now ?? (() => new Date());
    // The logboek: its signing key (created on first start), the public half beside the checkpoints, the scheduler.
    const sleutels = await logboekSleutels(config.dataDir, now());
    await store.transaction((tx) => tx.bewaarSleutels(sleutels.publiek));
    const controlepunten = await startControlepuntPlanner(store, sleutels, {
      elkAantal: config.controlepuntAantal, intervalMs: config.controlepuntSeconden * 1000, now, logger,
    });

    // Expired shared state (provider sessions and codes, page sessions, counters) is deleted now and
    // then: one statement, by whichever replica runs it; expired rows already read as absent.
    const sweeper = setInterval(() => {
      store.shared.sweep(Date.now()).catch((err: unknown) => logger.warn({ reason: String(err) }, 'sweeping expired shared state failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    const bezorger = startBezorger(store, {
      policy, beleidsversie: `${policy.set.versie}+${policy.set.hash.slice(0, 16)}`, logger, now, datum: dutchDate,
      intervalMs: config.meldingenIntervalMs, timeoutMs: config.meldingTimeoutMs,
      doeladres: { modus: config.mode === 'embedded' ? 'ingebed' : 'productie', toegestaan: config.meldingenToegestaan },
    });
    const signaalPlanner = startSignaalPlanner(store, {
      regels: signaalregels.regels, intervalMs: config.signaalPlannerSeconden * 1000, now, datum: dutchDate, logger,
      // Signals the scheduler opens or updates notify subscribers like those of a publish.
      naBesluiten: async (tx, _trajectId, besluiten, tijdstip) => {
        const n = await uitgaandVoorSignalen(tx, { policy, regels: signaalregels.regels, bron: config.publicUrl, vandaag: dutchDate(new Date(tijdstip)), tijdstip }, besluiten);
        if (n > 0) setImmediate(() => bezorger.wek());
      },
    });

    // Retention (docs/bewaring.md): content past every term of the register goes, one replica at a time.
    const bewaarPlanner = startBewaarPlanner(store, {
      regels: bewaarregels(policy.set), beleidsversie: `${policy.set.versie}+${policy.set.hash.slice(0, 16)}`,
      intervalMs: config.bewaarPlannerSeconden * 1000, now, logger,
    });

    const services: Services = {
      config, schemas, policy, signaalregels, signaalPlanner, bewaarPlanner, bezorger, store, logger, issuerReachable, readiness, limits,
      logboek: { sleutels, controlepunten },
      verifier: createTokenVerifier({ issuer: config.issuer, audience: config.audience, keys }),
      now,
    };
    const app = createApp(services, { openapi: buildOpenApi(config, schemas, openApiParts()), oidc: oidc as never });
    listener = app;
    server.on('clientError', clientErrorHandler(services));
    readiness.started({ database: () => store.writable(), issuer: issuerReachable });

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish (their commits included), then close the store.
        readiness.stopping();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive connections become idle as their last response is sent: close them as they do.
          const idle = setInterval(() => server.closeIdleConnections(), 25);
          server.closeIdleConnections();
          const force = setTimeout(() => server.closeAllConnections(), 10_000);
          server.once('close', () => {
            clearInterval(idle);
            clearTimeout(force);
          });
        });
        clearInterval(sweeper);
        // A last checkpoint covers everything written, so a tail cut off while stopped is detected.
        await signaalPlanner.stop();
        await bewaarPlanner.stop();
        await bezorger.stop();
        await controlepunten.stop();
        await store.close();
      })());

    if (config.demo) logger.warn({ demo: true }, 'DEMO MODE: embedded OpenID Provider with demo parties and officers; not for real data');
    logger.info({ url: config.publicUrl, mode: config.mode, demo: config.demo, issuer: config.issuer, dataDir: config.dataDir, database: config.databaseUrl ? 'postgres' : 'sqlite' }, 'Doelpoort listening');
    return { config, services, server, url: `http://${config.host}:${port}`, stop };
  } catch (e) {
    server.close();
    server.closeAllConnections();
    throw e;
  }
}
