/**
 * HTTP: owns the express application — cross-cutting headers (API-Version, trace context, security
 * headers, CORS for the public documents), request logging without tokens or content, the routes,
 * and problem+json for everything that matches no route.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { beleidRouter } from './beleid.js';
import { berichtenRouter } from './berichten.js';
import { logboekRouter } from './logboek.js';
import { documentationRouter, healthRouter } from './meta.js';
import { API_VERSION } from './openapi.js';
import { accessLog } from './access-log.js';
import { attempt, authenticate } from './attempt.js';
import { HttpProblem, sendProblem } from './problem.js';
import { tokenEndpointLimit } from './rate-limit.js';
import type { Services } from './services.js';
import { requestClock, traceMiddleware, traceOf } from './trace.js';
import { toestemmingenRouter } from './toestemmingen.js';
import { toestemmingstekstenRouter } from './toestemmingsteksten.js';
import { toewijzingenRouter } from './toewijzingen.js';
import { wissingRouter } from './wissing.js';
import { kenmerkenRouter } from './kenmerken.js';
import { bundelsRouter } from './bundels.js';
import { aanleveringRouter } from '../aanlevering/router.js';
import { trajectenRouter } from './trajecten.js';
import { signalenRouter } from './signalen.js';
import { standRouter } from './stand.js';
import { abonnementenRouter } from './abonnementen.js';
import { gebruikersspoorRouter } from './gebruikersspoor.js';
import { loopbackUrl, privacyCsp, privacyRouter } from '../ui/router.js';
import { verwerkingsactiviteitenRouter } from './verwerkingsactiviteiten.js';
import { werkRouter } from '../werk/router.js';
import { monitoringRouter } from './monitoring.js';

export interface AppOptions {
  openapi: Record<string, unknown>;
  /** The embedded OpenID Provider, mounted under /oidc (absent in production mode). */
  oidc?: RequestHandler;
}

const securityHeaders = (privacyPagesCsp: string) => (req: Request, res: Response, next: NextFunction): void => {
  res.setHeader('API-Version', API_VERSION);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // Personal data must not be cached anywhere; the public documents override this.
  res.setHeader('Cache-Control', 'no-store');
  if (req.path.startsWith('/privacy') || req.path.startsWith('/werk')) res.setHeader('Content-Security-Policy', privacyPagesCsp);
  else if (!req.path.startsWith('/oidc')) res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  else res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  // HSTS only means something over TLS: directly, or behind a proxy trusted by DOELPOORT_TRUST_PROXY.
  if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
};

/**
 * Issuer, audience and login redirects all derive from DOELPOORT_PUBLIC_URL. A request that reached
 * the gateway under another host name will fail at the token's issuer or the login callback: say so
 * once per host name in the log, naming the setting.
 */
function hostCheck(s: Services) {
  const expected = new URL(s.config.publicUrl).host.toLowerCase();
  const warned = new Set<string>();
  return (req: Request, _res: Response, next: NextFunction): void => {
    const host = (req.get('host') ?? '').toLowerCase();
    if (host && host !== expected && !warned.has(host) && warned.size < 32 && !req.path.startsWith('/health')) {
      warned.add(host);
      s.logger.warn({ host: host.slice(0, 100), publicUrl: s.config.publicUrl },
        `Request for host ${host.slice(0, 100)} while DOELPOORT_PUBLIC_URL is ${s.config.publicUrl}: tokens carry issuer ${s.config.issuer} and logins return to ${s.config.publicUrl}; set DOELPOORT_PUBLIC_URL to the URL clients use`);
    }
    next();
  };
}

export function createApp(s: Services, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  app.set('query parser', 'simple');
  app.set('etag', false);
  // Only with trusted proxies does `req.secure` follow X-Forwarded-Proto (and HSTS get sent).
  app.set('trust proxy', s.config.trustProxy);

  app.use(requestClock(s.now));
  app.use(traceMiddleware);
  app.use(securityHeaders(privacyCsp(s.config)));
  app.use(accessLog(s.logger));

  app.use(hostCheck(s));
  if (options.oidc) app.use('/oidc', tokenEndpointLimit(s.limits), options.oidc);
  // The roots point at the documentation instead of answering with the trailing-slash rule.
  const wegwijzer = (_req: Request, res: Response) => {
    res.json({
      naam: 'Doelpoort', documentatie: '/v1/openapi.json', schemas: '/v1/schemas',
      ...(s.config.ui ? { privacy: '/privacy' } : {}),
      toelichting: 'De API staat onder /v1; zie /v1/openapi.json voor alle paden.',
    });
  };
  app.get(['/', '/v1', '/v1/'], wegwijzer);
  app.use('/health', healthRouter(s));
  app.use('/v1', documentationRouter(s, options.openapi));
  app.use('/v1', standRouter(s));
  app.use('/v1', trajectenRouter(s));
  app.use('/v1', signalenRouter(s));
  app.use('/v1', abonnementenRouter(s));
  app.use('/v1', gebruikersspoorRouter(s));
  app.use('/v1', berichtenRouter(s));
  // The privacy officer's pages: a client of the logboek API (by default this gateway itself).
  if (s.config.ui) app.use('/privacy', privacyRouter(s, { apiBaseUrl: s.config.uiApiUrl ?? loopbackUrl(s.config) }));
  // The klantmanager's pages: demo users only so far (medewerkers.ts), so only in demo mode.
  if (s.config.ui && s.config.demo) app.use('/werk', werkRouter(s));
  // The provider coordinator's upload pages (issue 11): demo users only so far (coordinatoren.ts).
  if (s.config.ui && s.config.demo) app.use('/aanlevering', aanleveringRouter(s));
  app.use('/v1', verwerkingsactiviteitenRouter(s));
  app.use('/v1', toewijzingenRouter(s));
  app.use('/v1', wissingRouter(s));
  app.use('/v1', kenmerkenRouter(s));
  app.use('/v1', bundelsRouter(s));
  app.use('/v1', toestemmingenRouter(s));
  app.use('/v1', toestemmingstekstenRouter(s));
  app.use('/v1', beleidRouter(s));
  app.use('/v1', monitoringRouter(s));
  app.use('/v1', logboekRouter(s));

  // Probing a trajectory (a method or sub-path no route serves) is an attempt on a data subject: recorded.
  app.all(['/v1/trajecten/:trajectId', '/v1/trajecten/:trajectId/', '/v1/trajecten/:trajectId/*rest'], attempt(s, 'traject-verkennen', async (req, _res, p) => {
    try {
      await authenticate(req, s, p);
    } catch {
      // Recorded with whatever is known of the caller; the answer is the same 404 either way.
    }
    throw new HttpProblem('niet-gevonden', `Geen route voor ${req.method} op dit traject; zie /v1/openapi.json.`, { regel: 'geen-route' });
  }));

  app.use((req, res) => {
    sendProblem(res, new HttpProblem('niet-gevonden', `Geen route voor ${req.method} ${req.path}. Paden eindigen niet op een slash; zie /v1/openapi.json.`), traceOf(res).traceId);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    s.logger.error({ err }, 'unhandled error');
    sendProblem(res, new HttpProblem('interne-fout', 'Onverwachte fout.'), traceOf(res).traceId);
  });
  return app;
}
