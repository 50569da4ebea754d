/**
 * W3C Trace Context: accept a valid `traceparent`, keep its trace id, give this hop its own span id,
 * and answer with `traceparent` carrying the same trace id. Without (or with an invalid) header a
 * new trace starts. The ids go into the audit record.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface Trace {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
}

export function parseTraceparent(header: string | undefined): { traceId: string; parentSpanId: string } | null {
  const m = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return null;
  return { traceId: m[1]!, parentSpanId: m[2]! };
}

export function traceMiddleware(req: Request, res: Response, next: NextFunction): void {
  const parent = parseTraceparent(req.get('traceparent'));
  const trace: Trace = {
    traceId: parent?.traceId ?? crypto.randomBytes(16).toString('hex'),
    spanId: crypto.randomBytes(8).toString('hex'),
    parentSpanId: parent?.parentSpanId ?? null,
  };
  res.locals.trace = trace;
  res.setHeader('traceparent', `00-${trace.traceId}-${trace.spanId}-01`);
  next();
}

export function traceOf(res: Response): Trace {
  return res.locals.trace as Trace;
}
