/**
 * Rate limits: owns the counting behind every `429`. A fixed window per key (in memory: from the
 * key's first hit; shared: aligned to the clock), at most `limit` hits in it; `Retry-After` is the
 * rest of that window. Where it counts is chosen in `gateway.ts` (`rateCounters`):
 * - SQLite (one process by design): `memoryRateCounter()` — exact, and free. A counter in SQLite
 *   would put a durable write in the one writer queue for every request (measured: about 440 µs per
 *   hit one at a time, 36 µs each at 64 in flight, against 0.7 µs in memory).
 * - PostgreSQL (replicas): the token endpoint's and the login form's limits count in the shared state
 *   (`sharedRateCounter`, exact across replicas: one UPSERT per hit); the API's limit, hit on every
 *   authenticated request, counts with write-behind (`batchedSharedRateCounter`: no database wait per
 *   request, one UPSERT per busy client per 250 ms per replica; all replicas together may overshoot
 *   by what they admit within one such interval).
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
import type { SharedState } from '../store/store.js';
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

/**
 * Counter in the store's shared state (every replica counts in the same rows): windows aligned to
 * the clock, `floor(now / windowMs)`; a hit is one UPSERT … RETURNING, a peek one SELECT.
 */
export function sharedRateCounter(shared: Pick<SharedState, 'increment' | 'count'>): RateCounter {
  const window = (windowMs: number, now: number) => Math.floor(now / windowMs) * windowMs;
  return {
    async hit(key, windowMs, now) {
      const start = window(windowMs, now);
      return { count: await shared.increment(key, start, start + windowMs), resetAt: start + windowMs };
    },
    async peek(key, windowMs, now) {
      const start = window(windowMs, now);
      return { count: await shared.count(key, start), resetAt: start + windowMs };
    },
  };
}

/**
 * Shared counter with write-behind, for a limit hit on every request (the API's): a hit counts in
 * memory at once and answers from the last shared total plus this replica's hits since; every
 * `flushMs` the hits of each key go to the shared state in one UPSERT that returns the new total
 * of all replicas. A request never waits for the database, the database sees one statement per
 * busy key per interval per replica, and R replicas together can overshoot a limit by what they
 * admit in one interval before they hear of each other. A failed flush keeps its hits for the next.
 */
export function batchedSharedRateCounter(
  shared: Pick<SharedState, 'increment' | 'count'>, flushMs = 250, maxKeys = MAX_KEYS,
): RateCounter & { flush(): Promise<void> } {
  interface Entry { key: string; start: number; end: number; known: number; pending: number }
  const entries = new Map<string, Entry>();
  let timer: NodeJS.Timeout | null = null;
  const flush = async () => {
    timer = null;
    const now = Date.now();
    await Promise.all([...entries].map(async ([id, e]) => {
      if (e.pending === 0) {
        if (e.end <= now) entries.delete(id);
        return;
      }
      const n = e.pending;
      e.pending = 0;
      try {
        // Flushes may overlap when the database is slow: a total never goes back.
        e.known = Math.max(e.known, await shared.increment(e.key, e.start, e.end, n));
      } catch {
        e.pending += n;
        schedule();
      }
    }));
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => void flush(), flushMs);
    timer.unref();
  };
  const entry = (key: string, windowMs: number, now: number) => {
    const start = Math.floor(now / windowMs) * windowMs;
    const id = `${key}@${start}`;
    let e = entries.get(id);
    if (!e) {
      if (entries.size >= maxKeys) for (const [k, old] of entries) if (old.end <= now || old.pending === 0) entries.delete(k);
      entries.set(id, (e = { key, start, end: start + windowMs, known: 0, pending: 0 }));
    }
    return e;
  };
  return {
    flush,
    async hit(key, windowMs, now) {
      const e = entry(key, windowMs, now);
      e.pending += 1;
      schedule();
      return { count: e.known + e.pending, resetAt: e.end };
    },
    async peek(key, windowMs, now) {
      const e = entry(key, windowMs, now);
      return { count: e.known + e.pending, resetAt: e.end };
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
  counter: RateCounter = memoryRateCounter(),
  /** The API's limit, counted on every authenticated request (default: `counter`). */
  apiCounter: RateCounter = counter,
): RateLimits {
  return {
    api: rateLimiter('api', config.rateApi, apiCounter, logger),
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
