/**
 * The access log: one line per answered request with the trace id that error answers give
 * (`req.traceId`), the method, the path (never the query string, which may carry a misplaced token;
 * never a body), the status and the response time. Level: error for 5xx, warn for 4xx, info else.
 *
 * It replaces pino-http, which cost ~6 % of a publish's CPU even at level `silent` (a child logger,
 * serializers and listeners per request). Here nothing is attached when the logger would drop every
 * line, and otherwise one `finish`/`close` listener pair; the line is built only when its level is on.
 * Probes (`/health/…`) are not access-logged: the readiness module logs a change of state once.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { traceOf } from './trace.js';

type Level = 'info' | 'warn' | 'error';

export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // The level can change at run time (a test, an operator): checked per request, cheaply.
    if (!logger.isLevelEnabled('error') || req.url.startsWith('/health/')) {
      next();
      return;
    }
    const start = performance.now();
    const done = (aborted: boolean) => {
      res.removeListener('finish', onFinish);
      res.removeListener('close', onClose);
      const status = res.statusCode;
      const level: Level = aborted || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = {
        req: { traceId: traceOf(res)?.traceId, method: req.method, path: req.originalUrl.split('?')[0] },
        res: { status },
        responseTime: Math.round(performance.now() - start),
      };
      logger[level](line, aborted ? 'request aborted' : status >= 500 ? 'request errored' : 'request completed');
    };
    const onFinish = () => done(false);
    const onClose = () => done(!res.writableFinished);
    res.once('finish', onFinish);
    res.once('close', onClose);
    next();
  };
}
