/**
 * Readiness: owns what `/health/live` and `/health/ready` say from the first moment the port is
 * open, and how a change of readiness is logged.
 *
 * Guarantees:
 * - Before the application is attached (`startupListener`), every request gets an answer at once:
 *   `/health/live` 200, `/health/ready` 503 with the reason, anything else 503 problem+json with
 *   `Retry-After` and a trace id. No request is accepted and left hanging.
 * - `probe()` settles within `CHECK_DEADLINE_MS` (under a second, what orchestrators' probes
 *   expect), whatever a check does — a check that has not answered by then counts as down — and
 *   logs one line per change of state (up → down names the failing checks; down → up says it
 *   recovered), never a stack trace per probe.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { API_VERSION } from './openapi.js';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, problemType } from './problem.js';
import { parseTraceparent } from './trace.js';

export type Check = 'up' | 'down';

export interface ReadinessReport {
  status: 'up' | 'down';
  /** Why not ready, in Dutch (absent when ready). */
  reden?: string;
  checks: Record<string, Check>;
}

export interface Readiness {
  /** Run the checks (only after `started`); logs once per change. */
  probe(): Promise<ReadinessReport>;
  /** Start-up is over: from now on `probe()` runs these checks. */
  started(checks: Record<string, () => Promise<boolean>>): void;
  /** Stopping: the probe reports not ready (the load balancer takes this replica out). */
  stopping(): void;
  /** The answer before the application is attached. */
  startupListener: RequestListener;
}

/** A check that has not answered within this is down. */
export const CHECK_DEADLINE_MS = 900;

function withinDeadline(check: () => Promise<boolean>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), CHECK_DEADLINE_MS);
    check().then(
      (ok) => {
        clearTimeout(timer);
        resolve(ok);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

const REDENEN: Record<string, string> = {
  database: 'De database neemt nu geen schrijfopdrachten aan.',
  issuer: 'De uitgever van toegangstokens is niet bereikbaar.',
};

export function createReadiness(logger: Logger): Readiness {
  let phase: 'starting' | 'started' | 'stopping' = 'starting';
  let checks: Record<string, () => Promise<boolean>> = {};
  let last: 'up' | 'down' | null = null;

  const report = (status: 'up' | 'down', results: Record<string, Check>, reden?: string): ReadinessReport => {
    if (status !== last) {
      const failing = Object.entries(results).filter(([, v]) => v === 'down').map(([k]) => k);
      if (status === 'up') logger.info({ checks: results }, last === null ? 'ready' : 'ready again');
      else if (phase !== 'starting') logger.warn({ checks: results, failing }, `not ready: ${reden ?? failing.join(', ')}`);
      // While starting, "not ready" is expected and not worth a line.
      if (phase !== 'starting') last = status;
    }
    return reden ? { status, reden, checks: results } : { status, checks: results };
  };

  async function probe(): Promise<ReadinessReport> {
    if (phase === 'starting') return report('down', { opstarten: 'down' }, 'De gateway start nog op.');
    if (phase === 'stopping') return report('down', { stoppen: 'down' }, 'De gateway stopt.');
    const names = Object.keys(checks);
    const outcomes = await Promise.all(names.map((n) => withinDeadline(checks[n]!)));
    const results = Object.fromEntries(names.map((n, i) => [n, outcomes[i] ? 'up' : 'down'])) as Record<string, Check>;
    const failing = names.filter((n) => results[n] === 'down');
    return failing.length === 0 ? report('up', results) : report('down', results, failing.map((n) => REDENEN[n] ?? `${n} is niet beschikbaar.`).join(' '));
  }

  function json(res: ServerResponse, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      'Content-Type': `${contentType}; charset=utf-8`,
      'API-Version': API_VERSION,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  const startupListener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    // The body (if any) is not read: drain it so the connection can be reused.
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health/live') return json(res, 200, 'application/json', { status: 'up' });
    if (path === '/health/ready') {
      void probe().then((r) => json(res, 503, 'application/json', r, { 'Retry-After': '1' }));
      return;
    }
    const header = req.headers.traceparent;
    const traceId = parseTraceparent(Array.isArray(header) ? header[0] : header)?.traceId ?? crypto.randomBytes(16).toString('hex');
    json(res, 503, PROBLEM_CONTENT_TYPE, {
      type: problemType('niet-beschikbaar'),
      title: PROBLEMS['niet-beschikbaar'].title,
      status: 503,
      detail: 'De gateway start nog op; probeer het over enkele seconden opnieuw.',
      instance: `urn:doelpoort:trace:${traceId}`,
      traceId,
    }, { 'Retry-After': '1' });
  };

  return {
    probe,
    started(c) {
      checks = c;
      phase = 'started';
    },
    stopping() {
      phase = 'stopping';
    },
    startupListener,
  };
}
