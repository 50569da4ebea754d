/**
 * Rate limits: owns the counting behind every `429`. A fixed window per key (in memory: from the
 * key's first hit), at most `limit` hits in it; `Retry-After` is the rest of that window. The
 * counter sits behind `RateCounter` so that where it counts is one line in `createRateLimits`: today `memoryRateCounter()` (per replica — with N replicas the effective
 * limit is N × the configured one), later a counter in the shared database.
 *
 * `tokenEndpointLimit()` guards the embedded provider's token endpoint (per client named in the
 * form — `client_id`, a client assertion's `iss`/`sub`, or HTTP Basic — and per IP for every
 * request); the API's limit is counted in attempt.ts, the login form's in auth/interactions.ts.
 *
 * Guarantees: a limiter never throws for a counting failure (a counter that fails lets the request
 * through and is logged: a broken counter must not take the gateway down); keys are namespaced per
 * limit, so a client id and an IP address never share a count; the memory counter holds at most
 * `MAX_KEYS` keys (many addresses cannot exhaust memory: the oldest windows are dropped first).
 */
import { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import * as jose from 'jose';
import type { Logger } from 'pino';
import type { RateLimit } from '../config.js';
import { HttpProblem, sendProblem } from './problem.js';
import { traceOf } from './trace.js';

/** A key's count in its current window, and when that window ends (epoch ms). */
export interface RateCount {
  count: number;
  resetAt: number;
}

/**
 * Counts hits per key per window. `hit` counts one and returns the count including it; `peek` only
 * looks (for "refuse after N failures", where a check must not count). An implementation chooses
 * its windows: the memory counter starts one at a key's first hit; a shared database counter may
 * use windows aligned to `floor(now / windowMs)` (`store.shared.increment(key, windowStart, expiresAt)`).
 */
export interface RateCounter {
  hit(key: string, windowMs: number, now: number): Promise<RateCount>;
  peek(key: string, windowMs: number, now: number): Promise<RateCount>;
}

const MAX_KEYS = 200_000;

/** In-process counter (one replica): a window starts at a key's first hit; expired keys are swept. */
export function memoryRateCounter(maxKeys = MAX_KEYS): RateCounter {
  const counts = new Map<string, RateCount>();
  let lastSweep = 0;
  const current = (key: string, windowMs: number, now: number): RateCount => {
    if (now - lastSweep > 60_000 || counts.size >= maxKeys) {
      lastSweep = now;
      for (const [k, e] of counts) if (e.resetAt <= now) counts.delete(k);
      // Still full: drop the oldest tenth (a Map iterates in insertion order).
      if (counts.size >= maxKeys) {
        let drop = Math.ceil(maxKeys / 10);
        for (const k of counts.keys()) {
          if (drop-- <= 0) break;
          counts.delete(k);
        }
      }
    }
    const id = `${windowMs}|${key}`;
    let entry = counts.get(id);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      counts.set(id, entry);
    }
    return entry;
  };
  return {
    async hit(key, windowMs, now) {
      const entry = current(key, windowMs, now);
      entry.count += 1;
      return { ...entry };
    },
    async peek(key, windowMs, now) {
      return { ...current(key, windowMs, now) };
    },
  };
}

/** A request over its limit: mapped to 429 with `Retry-After` (seconds) where errors become HTTP. */
export class RateLimited extends Error {
  override name = 'RateLimited';
  constructor(readonly limiet: string, readonly retryAfterSeconds: number) {
    super(`rate limit ${limiet} exceeded; retry after ${retryAfterSeconds} s`);
  }
}

export interface RateLimiter {
  /** Count one hit for `key`; throws `RateLimited` when it exceeds the limit. */
  hit(key: string): Promise<void>;
  /** Throw `RateLimited` when `key` already reached the limit (without counting). */
  check(key: string): Promise<void>;
}

const unlimited: RateLimiter = { hit: async () => {}, check: async () => {} };

export function rateLimiter(name: string, limit: RateLimit | null, counter: RateCounter, logger: Logger, clock: () => number = Date.now): RateLimiter {
  if (!limit) return unlimited;
  const retryAfter = (c: RateCount, now: number) => Math.max(1, Math.ceil((c.resetAt - now) / 1000));
  const guarded = async (count: () => Promise<RateCount>): Promise<RateCount> => {
    try {
      return await count();
    } catch (err) {
      logger.warn({ reason: String(err), limiet: name }, 'rate counter failed; request let through');
      return { count: 0, resetAt: 0 };
    }
  };
  return {
    async hit(key) {
      const now = clock();
      const c = await guarded(() => counter.hit(`${name}:${key}`, limit.windowMs, now));
      if (c.count > limit.limit) throw new RateLimited(name, retryAfter(c, now));
    },
    async check(key) {
      const now = clock();
      const c = await guarded(() => counter.peek(`${name}:${key}`, limit.windowMs, now));
      if (c.count >= limit.limit) throw new RateLimited(name, retryAfter(c, now));
    },
  };
}

/** Every limit of the gateway, on one counter. */
export interface RateLimits {
  /** Per client id, after authentication, on the API. */
  api: RateLimiter;
  /** Per client id on the token endpoint. */
  token: RateLimiter;
  /** Per IP on the token endpoint (every request, also those that name no client). */
  tokenIp: RateLimiter;
  /** Failed logins per account on the login form. */
  loginAccount: RateLimiter;
  /** Login attempts per IP on the login form. */
  loginIp: RateLimiter;
}

export function createRateLimits(
  config: { rateApi: RateLimit | null; rateToken: RateLimit | null; rateTokenIp: RateLimit | null; rateLoginAccount: RateLimit | null; rateLoginIp: RateLimit | null },
  logger: Logger,
  // The one line to change for counters shared by every replica (e.g. a store-backed counter).
  counter: RateCounter = memoryRateCounter(),
): RateLimits {
  return {
    api: rateLimiter('api', config.rateApi, counter, logger),
    token: rateLimiter('token', config.rateToken, counter, logger),
    tokenIp: rateLimiter('token-ip', config.rateTokenIp, counter, logger),
    loginAccount: rateLimiter('inloggen-account', config.rateLoginAccount, counter, logger),
    loginIp: rateLimiter('inloggen-ip', config.rateLoginIp, counter, logger),
  };
}

/** The client a token request names, or null: `client_id`, the assertion's `iss`/`sub`, or HTTP Basic. */
export function tokenRequestClient(form: URLSearchParams, authorization: string | undefined): string | null {
  const clientId = form.get('client_id');
  if (clientId) return clientId;
  const assertion = form.get('client_assertion');
  if (assertion) {
    try {
      const claims = jose.decodeJwt(assertion);
      const named = claims.iss ?? claims.sub;
      if (typeof named === 'string' && named) return named;
    } catch {
      // Not a JWT: the provider refuses it; counted per IP only.
    }
  }
  const basic = authorization ? /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(authorization) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const id = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : '';
    try {
      if (id) return decodeURIComponent(id);
    } catch {
      return null;
    }
  }
  return null;
}

const TOKEN_FORM_LIMIT = 56 * 1024; // oidc-provider's own limit for a form body

/**
 * Read a form body of known length and put it back into the stream (`unshift`) before the stream
 * ends, so the provider reads it as if nobody had (and does not warn about an upstream parser).
 * Null when the length is unknown (chunked) or too large: then the request is counted per IP only
 * and the provider refuses or reads it as usual.
 */
function peekForm(req: Request): Promise<Buffer | null> {
  const length = Number(req.headers['content-length']);
  if (!req.is('application/x-www-form-urlencoded') || !Number.isInteger(length) || length <= 0 || length > TOKEN_FORM_LIMIT) return Promise.resolve(null);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const finish = (body: Buffer | null) => {
      req.off('readable', onReadable);
      req.off('error', onError);
      req.off('end', onEnd);
      resolve(body);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (got < length && (chunk = req.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        got += chunk.length;
      }
      if (got >= length) {
        const body = Buffer.concat(chunks, got);
        // Synchronously, before the stream can emit 'end': the provider reads these bytes again.
        req.unshift(body);
        finish(body);
      }
    };
    const onError = () => finish(null);
    // Ended short of Content-Length: nothing to count by; the provider sees the same stream.
    const onEnd = () => finish(null);
    req.on('readable', onReadable);
    req.once('error', onError);
    req.once('end', onEnd);
  });
}

/**
 * Mounted before the embedded provider (under `/oidc`): `POST /token` counts per IP and per named
 * client and answers 429 problem+json with `Retry-After` above either limit.
 */
export function tokenEndpointLimit(limits: RateLimits): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path !== '/token') return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? 'onbekend';
    limits.tokenIp.hit(ip)
      .then(() => peekForm(req))
      .then((raw) => {
        const client = tokenRequestClient(new URLSearchParams(raw ? raw.toString('utf8') : ''), req.get('authorization'));
        return client ? limits.token.hit(client) : undefined;
      })
      .then(() => next(), (e: unknown) => {
        if (!(e instanceof RateLimited)) return next(e);
        // The body (if any) is not needed any more: let it drain so the connection can be reused.
        req.resume();
        sendProblem(res, new HttpProblem('te-veel-verzoeken', `Te veel tokenaanvragen; probeer het over ${e.retryAfterSeconds} seconden opnieuw.`, {
          headers: { 'Retry-After': String(e.retryAfterSeconds) },
        }), traceOf(res).traceId);
      });
  };
}
