/**
 * Public, non-personal endpoints: the OpenAPI document, the message schemas, and the health checks
 * for the orchestrator. None of these touch personal data, so none is audited.
 */
import { Router } from 'express';
import { bundleForServing } from '../schemas/bundle.js';
import { HttpProblem, sendProblem } from './problem.js';
import type { Services } from './services.js';
import { traceOf } from './trace.js';

export function documentationRouter(s: Services, openapi: Record<string, unknown>): Router {
  const router = Router({ strict: true });
  const openapiJson = JSON.stringify(openapi);
  const bundled = new Map(s.schemas.berichttypen.map((t) => [t, JSON.stringify(bundleForServing(s.schemas, `${t}.json`))]));

  router.use(['/openapi.json', '/schemas/:berichttype'], (_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    next();
  });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapiJson);
  });
  router.get('/schemas/:berichttype', (req, res) => {
    const schema = bundled.get(String(req.params.berichttype));
    if (!schema) {
      sendProblem(res, new HttpProblem('niet-gevonden', `Onbekend berichttype; bekend zijn: ${s.schemas.berichttypen.join(', ')}.`), traceOf(res).traceId);
      return;
    }
    res.type('application/schema+json').send(schema);
  });
  return router;
}

export function healthRouter(s: Services): Router {
  const router = Router({ strict: true });
  router.get('/live', (_req, res) => {
    res.json({ status: 'up' });
  });
  router.get('/ready', async (_req, res) => {
    const [database, issuer] = await Promise.all([s.store.writable(), s.issuerReachable()]);
    res.status(database && issuer ? 200 : 503).json({ status: database && issuer ? 'up' : 'down', checks: { database: database ? 'up' : 'down', issuer: issuer ? 'up' : 'down' } });
  });
  return router;
}
