/**
 * UI: the privacy officer's pages under `/privacy` — a server-rendered backend-for-frontend of the
 * logboek API. It owns the login (OIDC authorization code + PKCE against the configured issuer),
 * the session, the logout (POST with CSRF token, then RP-initiated logout at the issuer), and the
 * pages: search, one record, verification, inzage report, export (streamed through, so the token
 * never reaches the browser) and the weekly overview. The officer's access token is sent only to
 * the logboek API, server side; every page works without JavaScript.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Config } from '../config.js';
import type { Services } from '../http/services.js';
import { dutchDate } from '../http/services.js';
import { traceOf } from '../http/trace.js';
import { regelLabel } from './labels.js';
import { ApiError, createLogboekApi, type CallContext, type Filters, type Inzage } from './api.js';
import { checkPeriode, leesFilters, param, UUID, type Keuzelijsten } from './filters.js';
import type { SafeHtml } from './html.js';
import { page, type MenuItem } from './layout.js';
import { startLogin as beginLogin, type LoginStart } from './login-start.js';
import { createUiOidc } from './oidc.js';
import {
  inzagepagina, meldingpagina, overzichtpagina, recordpagina, startpagina, verificatiepagina, zoekpagina,
  type Namen, type PageContext,
} from './pages.js';
import {
  clearSessionCookie, csrfMatches, SessionStore, setSessionCookie, type UiSession,
} from './session.js';
import { signaleer } from './signalen.js';
import { paginaRouter } from './pagina-router.js';

export interface PrivacyOptions {
  /** Base URL of the logboek API the pages call (default in app.ts: this gateway over loopback). */
  apiBaseUrl: string;
}

/** The CSP of the privacy pages: own styles only, no scripts, forms only to itself and the issuer. */
export function privacyCsp(config: Config): string {
  const issuerOrigin = new URL(config.issuer).origin;
  return `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${issuerOrigin}; frame-ancestors 'none'; base-uri 'none'`;
}

/** The loopback URL of this gateway, for the pages' API calls to itself. */
export function loopbackUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' || config.host === '' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** The API wants a fresh login (no session, or tokens that can no longer be refreshed). */
class LoginNodig extends Error {}

const BERICHTTYPE_NAMEN: Record<string, string> = {
  aanwezigheid: 'Aanwezigheid',
  taalvoortgang: 'Taalvoortgang',
  plaatsing: 'Plaatsing (werk of participatie)',
};

/** Pages of disclosures merged into one inzage letter (10 × 1000); beyond that the letter says there is more. */
const MAX_INZAGE_PAGINAS = 10;

/** Two pages of the report as one: the disclosures appended, identical groups added up. */
export function voegInzageSamen(a: Inzage, b: Inzage): Inzage {
  const groepen = new Map(a.groepen.map((g) => [JSON.stringify({ ...g, aantal: 0, eerste: '', laatste: '' }), { ...g }]));
  for (const g of b.groepen) {
    const key = JSON.stringify({ ...g, aantal: 0, eerste: '', laatste: '' });
    const bestaand = groepen.get(key);
    if (!bestaand) groepen.set(key, { ...g });
    else {
      bestaand.aantal += g.aantal;
      if (g.eerste < bestaand.eerste) bestaand.eerste = g.eerste;
      if (g.laatste > bestaand.laatste) bestaand.laatste = g.laatste;
    }
  }
  return { ...a, verstrekkingen: [...a.verstrekkingen, ...b.verstrekkingen], groepen: [...groepen.values()], volgende: b.volgende };
}

export function privacyRouter(s: Services, o: PrivacyOptions): Router {
  const ui = s.config.ui;
  if (!ui) throw new Error('privacyRouter needs config.ui');
  const base = new URL(s.config.publicUrl).pathname.replace(/\/+$/, '');
  // In the shared state: every replica serves every session (see session.ts).
  const store = new SessionStore(s.store.shared);
  const oidc = createUiOidc({ issuer: s.config.issuer, audience: s.config.audience, ui });
  const api = createLogboekApi(o.apiBaseUrl);
  const set = s.policy.set;
  const namen: Namen = {
    partij: (id) => (id ? (set.partijen.find((p) => p.id === id)?.naam ?? id) : '—'),
    doel: (id) => (id ? (set.doelen.find((d) => d.id === id)?.naam ?? id) : '—'),
    categorie: (id) => set.gegevenscategorieen.find((c) => c.id === id)?.naam ?? id,
    verwerkingsactiviteit: (uri) => [...set.doelen, ...set.eigenVerwerkingen].find((a) => a.uri === uri)?.naam ?? null,
    berichttype: (id) => (id ? (BERICHTTYPE_NAMEN[id] ?? id) : '—'),
    regel: (id) => regelLabel(id, (r) => set.regels.find((x) => x.id === r)?.toelichting),
    bijzondereCategorieen: (berichttype, velden) => {
      const disclosed = velden.map((v) => v.replace(/^\/inhoud/, ''));
      return set.gegevenscategorieen
        .filter((cat) => cat.bijzonder && Object.entries(cat.velden).some(([type, ptrs]) =>
          (berichttype === null || type === berichttype) && ptrs.some((ptr) => disclosed.some((d) => d === ptr || d.startsWith(`${ptr}/`)))))
        .map((cat) => cat.naam);
    },
  };
  const lijsten: Keuzelijsten = {
    partijen: set.partijen.map((p) => p.id),
    doelen: set.doelen.map((d) => d.id),
    berichttypen: s.schemas.berichttypen,
    gegevenscategorieen: set.gegevenscategorieen.map((c) => c.id),
  };
  const ctx: PageContext = { base, namen, lijsten };
  const cookie = (req: Request) => ({ path: `${base}/privacy`, secure: req.secure || s.config.publicUrl.startsWith('https:') });
  const session = (res: Response) => res.locals.uiSession as UiSession | null;

  function render(res: Response, status: number, titel: string, inhoud: SafeHtml, actief?: MenuItem, afdrukAlsBrief = false): void {
    const sess = session(res);
    const viewer = sess?.officer ? { sub: sess.officer.sub, naam: sess.officer.naam, csrf: sess.csrf } : null;
    res.status(status).type('html').send(page({ titel, base, viewer, actief, inhoud, afdrukAlsBrief }));
  }

  /**
   * Where to return after login: built from the configured base and the routed path under /privacy,
   * never from the request target as sent (an absolute-form target `GET http://evil.example/privacy/…`
   * would otherwise become the redirect).
   */
  function terugPad(req: Request): string {
    const search = new URL(req.originalUrl, 'http://doelpoort.invalid').search;
    const pad = `${base}/privacy${req.path === '/' ? '' : req.path}`;
    return /^\/[^/\\]/.test(pad) ? `${pad}${search}` : `${base}/privacy/logboek`;
  }

  const login: LoginStart = {
    sessions: store, oidc, session, cookie,
    toon: (res, status, titel, tekst, link = { href: `${base}/privacy`, tekst: "Naar de privacypagina's" }) => render(res, status, titel, meldingpagina(tekst, link)),
  };
  const startLogin = (req: Request, res: Response, returnTo: string) => beginLogin(login, req, res, returnTo);

  /** A call to the logboek API as the signed-in officer, refreshing the token when it (nearly) expired. */
  async function asOfficer<T>(res: Response, call: (c: CallContext) => Promise<T>): Promise<T> {
    const sess = session(res);
    if (!sess?.officer) throw new LoginNodig();
    const refresh = async () => {
      try {
        sess.officer = await oidc.refresh(sess.officer!);
      } catch {
        sess.officer = null;
        await store.save(sess);
        throw new LoginNodig();
      }
      await store.save(sess);
    };
    if (sess.officer.expiresAt - Date.now() < 30_000) await refresh();
    try {
      return await call({ accessToken: sess.officer!.accessToken, trace: traceOf(res) });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      await refresh();
      return call({ accessToken: sess.officer!.accessToken, trace: traceOf(res) });
    }
  }

  function apiProblem(res: Response, e: ApiError): void {
    const [status, titel, tekst] =
      e.status === 403 ? [403, 'Geen toegang', 'U heeft geen toegang tot dit deel van het logboek. Functionarissen zien alleen de regels van hun eigen organisatie.']
      : e.status === 404 ? [404, 'Niet gevonden', 'Dit bestaat niet, of valt buiten wat u mag inzien.']
      : e.status === 400 ? [400, 'Ongeldige vraag', e.detail]
      : [502, 'Logboek niet beschikbaar', 'De logboekdienst is nu niet beschikbaar. Probeer het later opnieuw.'];
    render(res, status, titel, meldingpagina(tekst, { href: `${base}/privacy/logboek`, tekst: 'Naar zoeken in het logboek' }));
  }

  type Handler = (req: Request, res: Response) => Promise<void> | void;
  const route = (h: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await h(req, res);
    } catch (e) {
      if (e instanceof LoginNodig && (req.method === 'GET' || req.method === 'HEAD')) return startLogin(req, res, terugPad(req)).catch(next);
      if (e instanceof LoginNodig) return render(res, 401, 'Opnieuw inloggen', meldingpagina('Uw sessie is verlopen.', { href: `${base}/privacy/inloggen`, tekst: 'Opnieuw inloggen' }));
      if (e instanceof ApiError) return apiProblem(res, e);
      next(e);
    }
  };

  const router = paginaRouter(store, 'uiSession');

  router.get('/', (req, res) => {
    if (session(res)?.officer) return res.redirect(303, `${base}/privacy/logboek`);
    render(res, 200, "Privacypagina's van Doelpoort", startpagina(base, param(req.query, 'state') === 'uitgelogd'));
  });

  router.get('/inloggen', route(async (req, res) => {
    if (session(res)?.officer) return res.redirect(303, `${base}/privacy/logboek`);
    await startLogin(req, res, `${base}/privacy/logboek`);
  }));

  router.get('/callback', route(async (req, res) => {
    const sess = session(res);
    const state = param(req.query, 'state');
    const login = sess && state ? sess.logins.get(state) : undefined;
    const opnieuw = { href: `${base}/privacy/inloggen`, tekst: 'Opnieuw inloggen' };
    if (!sess || !login) return render(res, 400, 'Inloggen mislukt', meldingpagina('Deze inlogpoging is onbekend of verlopen.', opnieuw));
    // One use: the pending login is gone whatever happens next.
    sess.logins.delete(login.state);
    await store.save(sess);
    if (param(req.query, 'error') === 'access_denied') return render(res, 401, 'Inloggen afgebroken', meldingpagina('Het inloggen is afgebroken.', opnieuw));
    let officer;
    try {
      const q = req.originalUrl.indexOf('?');
      officer = await oidc.finishLogin(q >= 0 ? req.originalUrl.slice(q + 1) : '', login);
    } catch (err) {
      s.logger.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code, error: (err as { error?: string }).error } }, 'privacy login failed');
      return render(res, 401, 'Inloggen mislukt', meldingpagina('Het inloggen is niet gelukt.', opnieuw));
    }
    const next = await store.rotate(sess, officer);
    setSessionCookie(res, next, cookie(req));
    const terug = login.returnTo.startsWith(`${base}/privacy`) && /^\/[^/\\]/.test(login.returnTo) ? login.returnTo : `${base}/privacy/logboek`;
    res.redirect(303, terug);
  }));

  router.post('/uitloggen', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), route(async (req, res) => {
    const sess = session(res);
    if (sess && !csrfMatches(sess, (req.body as Record<string, unknown> | undefined)?.csrf)) {
      return render(res, 403, 'Uitloggen niet bevestigd', meldingpagina('Dit formulier is verlopen of kwam niet van deze pagina. Probeer het opnieuw.', { href: `${base}/privacy/logboek`, tekst: 'Terug naar het logboek' }));
    }
    const officer = sess?.officer ?? null;
    if (sess) await store.destroy(sess);
    clearSessionCookie(res, cookie(req));
    const url = officer ? await oidc.logoutUrl(officer).catch(() => null) : null;
    if (url) url.searchParams.set('state', 'uitgelogd');
    res.redirect(303, url?.href ?? `${base}/privacy?state=uitgelogd`);
  }));

  // Everything below needs a signed-in officer; a GET without one starts the login and comes back.
  router.use((req, res, next) => {
    if (session(res)?.officer) return next();
    if (req.method === 'GET' || req.method === 'HEAD') return void startLogin(req, res, terugPad(req)).catch(next);
    render(res, 401, 'Opnieuw inloggen', meldingpagina('U bent niet (meer) ingelogd.', { href: `${base}/privacy/inloggen`, tekst: 'Inloggen' }));
  });

  router.get('/logboek', route(async (req, res) => {
    const gelezen = leesFilters(req.query, lijsten);
    const fouten = { ...gelezen.fouten };
    let resultaat = null;
    let melding: string | null = null;
    if (!Object.keys(fouten).length) {
      try {
        resultaat = await asOfficer(res, (c) => api.zoek(c, gelezen.filters, { volgende: gelezen.volgende, limiet: gelezen.limiet }));
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 400) throw e;
        for (const p of e.invalidParams) fouten[p.name.replace(/^\/|^query\./, '')] = p.reason;
        if (!e.invalidParams.length) melding = e.detail;
      }
    }
    const status = Object.keys(fouten).length || melding ? 400 : 200;
    render(res, status, 'Logboek doorzoeken', zoekpagina(ctx, { ...gelezen, fouten, resultaat, melding }), 'logboek');
  }));

  router.get('/logboek/export', route(async (req, res) => {
    const gelezen = leesFilters(req.query, lijsten);
    const formaat = param(req.query, 'formaat');
    if (formaat !== 'csv' && formaat !== 'jsonl' && formaat !== 'ldv') gelezen.fouten.formaat = 'Kies CSV, JSON Lines of LDV.';
    if (Object.keys(gelezen.fouten).length) {
      return render(res, 400, 'Logboek doorzoeken', zoekpagina(ctx, { ...gelezen, resultaat: null }), 'logboek');
    }
    const upstream = await asOfficer(res, (c) => api.export(c, gelezen.filters as Filters, formaat as 'csv' | 'jsonl' | 'ldv'));
    const ext = formaat === 'csv' ? 'csv' : formaat === 'ldv' ? 'ldv.ndjson' : 'jsonl';
    const disposition = upstream.headers.get('content-disposition') ?? '';
    const safe = /^attachment; filename="logboek-[\w.-]{1,80}"$/.test(disposition) ? disposition : `attachment; filename="logboek-${dutchDate(s.now())}.${ext}"`;
    res.status(200);
    res.setHeader('Content-Type', formaat === 'csv' ? 'text/csv; charset=utf-8' : formaat === 'ldv' ? 'application/x-ndjson; charset=utf-8' : 'application/jsonl; charset=utf-8');
    res.setHeader('Content-Disposition', safe);
    if (!upstream.body) return void res.end();
    await pipeline(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream), res);
  }));

  router.get('/logboek/:id', route(async (req, res) => {
    const id = String(req.params.id);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return apiProblem(res, new ApiError(404, 'onbekend'));
    const record = await asOfficer(res, (c) => api.record(c, id));
    render(res, 200, `Logboekregel ${record.id}`, recordpagina(ctx, record), 'logboek');
  }));

  router.get('/verificatie', route(async (_req, res) => {
    const v = await asOfficer(res, (c) => api.verificatie(c));
    render(res, 200, 'Verificatie van het logboek', verificatiepagina(ctx, v), 'verificatie');
  }));

  router.get('/inzage', route(async (req, res) => {
    const trajectId = param(req.query, 'trajectId') || undefined;
    const fouten: Record<string, string> = {};
    if (trajectId && !UUID.test(trajectId)) fouten.trajectId = 'Een traject-id bestaat uit 32 hexadecimale tekens in vijf groepen (een UUID).';
    let inzage = null;
    let melding: string | null = null;
    if (trajectId && !fouten.trajectId) {
      try {
        // Every page of disclosures (a page holds up to 1000), merged into one letter, up to a bound.
        inzage = await asOfficer(res, (c) => api.inzage(c, trajectId));
        for (let pagina = 1; inzage.volgende && pagina < MAX_INZAGE_PAGINAS; pagina++) {
          const volgende = inzage.volgende;
          const meer = await asOfficer(res, (c) => api.inzage(c, trajectId, volgende));
          inzage = voegInzageSamen(inzage, meer);
        }
      } catch (e) {
        if (!(e instanceof ApiError) || ![400, 403, 404].includes(e.status)) throw e;
        melding = e.status === 400 ? e.detail : 'Voor dit traject kunt u geen inzagerapport opstellen: het bestaat niet of hoort niet bij uw organisatie.';
      }
    }
    const status = fouten.trajectId ? 400 : melding ? 404 : 200;
    render(res, status, 'Inzagerapport', inzagepagina(ctx, trajectId, fouten, inzage, melding), 'inzage', Boolean(inzage));
  }));

  router.get('/overzicht', route(async (req, res) => {
    const today = dutchDate(s.now());
    const vanaf = param(req.query, 'vanaf') || dutchDate(new Date(s.now().getTime() - 55 * 86_400_000));
    const tot = param(req.query, 'tot') || today;
    const fouten: Record<string, string> = {};
    checkPeriode(vanaf, tot, fouten);
    let rijen = null;
    let melding: string | null = null;
    if (!Object.keys(fouten).length) {
      try {
        rijen = signaleer((await asOfficer(res, (c) => api.overzicht(c, { vanaf, tot }))).weken);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 400) throw e;
        melding = e.detail;
      }
    }
    const status = Object.keys(fouten).length || melding ? 400 : 200;
    render(res, status, 'Weekoverzicht', overzichtpagina(ctx, { vanaf, tot }, fouten, rijen, melding), 'overzicht');
  }));

  router.use((_req, res) => {
    render(res, 404, 'Pagina niet gevonden', meldingpagina('Deze pagina bestaat niet.', { href: `${base}/privacy`, tekst: "Naar de privacypagina's" }));
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    s.logger.error({ err }, 'privacy page failed');
    if (res.headersSent) return void res.destroy();
    render(res, 500, 'Er ging iets mis', meldingpagina('Er ging iets mis bij het tonen van deze pagina. Probeer het later opnieuw.'));
  });

  return router;
}
