/**
 * Public, non-personal endpoints: the OpenAPI document, the message schemas, and the health checks
 * for the orchestrator. None of these touch personal data, so none is audited.
 */
import { Router, type Response } from 'express';
import { bundleForServing } from '../schemas/bundle.js';
import { HttpProblem, sendProblem } from './problem.js';
import type { Services } from './services.js';
import { traceOf } from './trace.js';

export function documentationRouter(s: Services, openapi: Record<string, unknown>): Router {
  const router = Router({ strict: true, caseSensitive: true });
  const openapiJson = JSON.stringify(openapi);
  const served = s.schemas.berichttypen.flatMap((t) => s.schemas.versies(t));
  // Every served major, bundled once: `plaatsing/v1` → self-contained JSON Schema.
  const bundled = new Map(served.map((v) => [`${v.berichttype}/v${v.major}`, JSON.stringify(bundleForServing(s.schemas, v.file))]));
  const overzicht = {
    berichttypen: s.schemas.berichttypen.map((berichttype) => ({
      berichttype,
      versies: s.schemas.versies(berichttype).map((v) => ({
        versie: v.versie, schemaversie: `${v.major}.${v.minor}`, deprecated: v.deprecated, href: `/v1/schemas/${berichttype}/v${v.major}`,
      })),
    })),
  };
  const overzichtJson = JSON.stringify(overzicht);

  // Public documents: readable from any origin (and nothing else is: personal-data routes get no CORS).
  const documents = ['/openapi.json', '/schemas', '/schemas/:berichttype', '/schemas/:berichttype/:versie'];
  router.use(documents, (req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET');
      res.setHeader('Access-Control-Allow-Headers', 'traceparent');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=300');
    next();
  });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapiJson);
  });
  router.get('/schemas', (_req, res) => {
    res.type('application/json').send(overzichtJson);
  });
  const sendSchema = (res: Response, berichttype: string, versie: string | undefined) => {
    const newest = s.schemas.versies(berichttype).at(-1);
    const schema = bundled.get(`${berichttype}/${versie ?? `v${newest?.major}`}`);
    if (!schema) {
      const bekend = served.map((v) => `/v1/schemas/${v.berichttype}/v${v.major}`).join(', ');
      sendProblem(res, new HttpProblem('niet-gevonden', `Onbekend berichttype of versie; bekend zijn: ${bekend}.`), traceOf(res).traceId);
      return;
    }
    res.type('application/schema+json').send(schema);
  };
  router.get('/schemas/:berichttype', (req, res) => sendSchema(res, String(req.params.berichttype), undefined));
  router.get('/schemas/:berichttype/:versie', (req, res) => sendSchema(res, String(req.params.berichttype), String(req.params.versie)));
  return router;
}

export function healthRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.get('/live', (_req, res) => {
    res.json({ status: 'up' });
  });
  // The checks (database writable within its deadline, issuer reachable) are set in gateway.ts;
  // a change of state is logged once by the readiness module, the probes themselves are not logged.
  router.get('/ready', async (_req, res) => {
    const report = await s.readiness.probe();
    if (report.status === 'down') res.setHeader('Retry-After', '5');
    res.status(report.status === 'up' ? 200 : 503).json(report);
  });
  return router;
}
