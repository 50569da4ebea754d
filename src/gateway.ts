/**
 * Composition: builds the gateway from its parts (schemas → policies → store → identity → HTTP)
 * and owns its life cycle: listen, and on stop drain in-flight requests, finish the pending group
 * commit, close the database.
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
import { loadConfig, type Config } from './config.js';
import { createApp } from './http/app.js';
import { clientErrorHandler } from './http/client-error.js';
import { buildOpenApi } from './http/openapi.js';
import { openApiParts } from './http/openapi-parts.js';
import type { Services } from './http/services.js';
import { createLogger } from './logger.js';
import { createPolicyEngine } from './policy/engine.js';
import { loadPolicies } from './policy/load.js';
import { loadSchemas } from './schemas/registry.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

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
  overrides?: Partial<Config>;
  logger?: Logger;
  /** Use this store instead of the SQLite file under the data folder. */
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

/** Start the gateway. With port 0 a free port is chosen, and issuer and audience follow it. */
export async function startGateway(options: StartOptions = {}): Promise<Gateway> {
  const env = options.env ?? process.env;
  const draft = loadConfig(env, options.overrides);
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(draft.port, draft.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const config = draft.port === port ? draft : loadConfig(env, { ...options.overrides, port });
  const logger = options.logger ?? createLogger(config.logLevel);

  try {
    const schemas = loadSchemas(config.schemaDir);
    const policy = createPolicyEngine(loadPolicies(config.policyDir, schemas));
    const store = options.store ?? openSqliteStore(path.join(config.dataDir, 'doelpoort.db'));

    let keys: jose.JWTVerifyGetKey;
    let oidc: http.RequestListener | undefined;
    let issuerReachable: () => Promise<boolean>;
    if (config.mode === 'embedded') {
      const clientIds = [...policy.set.partijen.flatMap((p) => p.clientIds), ...policy.set.functionarissen.flatMap((f) => f.clientIds)];
      // The demo password is accepted in demo mode only (loadConfig never gives embedded mode outside it).
      const ui = config.demo && config.ui?.demoPassword
        ? { ...config.ui, demoPassword: config.ui.demoPassword, accounts: policy.set.functionarissen.map((f) => ({ id: f.id, naam: f.naam })) }
        : undefined;
      const provider = await createEmbeddedProvider({ issuer: config.issuer, audience: config.audience, dataDir: config.dataDir, clientIds, ui });
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

    const services: Services = {
      config, schemas, policy, store, logger, issuerReachable,
      logboek: { sleutels, controlepunten },
      verifier: createTokenVerifier({ issuer: config.issuer, audience: config.audience, keys }),
      now,
    };
    const app = createApp(services, { openapi: buildOpenApi(config, schemas, openApiParts()), oidc: oidc as never });
    server.on('request', app);
    server.on('clientError', clientErrorHandler(services));

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish (their commits included), then close the store.
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
        // A last checkpoint covers everything written, so a tail cut off while stopped is detected.
        await controlepunten.stop();
        await store.close();
      })());

    if (config.demo) logger.warn({ demo: true }, 'DEMO MODE: embedded OpenID Provider with demo parties and officers; not for real data');
    logger.info({ url: config.publicUrl, mode: config.mode, demo: config.demo, issuer: config.issuer, dataDir: config.dataDir }, 'Doelpoort listening');
    return { config, services, server, url: `http://${config.host}:${port}`, stop };
  } catch (e) {
    server.close();
    throw e;
  }
}
