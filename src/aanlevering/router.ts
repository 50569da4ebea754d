/**
 * The coordinator's upload pages under `/aanlevering/` (issue 11; Dutch, server-rendered, no
 * JavaScript needed): the provider's assignments with its kenmerk (settable), the CSV template, an
 * upload for a period with a preview of every row error before anything is stored, and after
 * confirmation the per-row receipts.
 *
 * Login as on the klantmanager's pages (OIDC code + PKCE with the pages' browser client against the
 * embedded provider; the demo coordinators of `coordinatoren.ts`); the session lives in the shared,
 * encrypted session store (src/ui/session.ts); every POST carries the CSRF token.
 *
 * Guarantees: every page acts as the coordinator's provider (client `doelpoort-aanlevering`) through the
 * same code as the API (`csvBundel`, the kenmerk checks), so the same checks, audit records and
 * idempotency apply; which employee acted goes into the user audit trail, never the logboek; the preview
 * stores nothing.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { CSV_SJABLOON } from './csv.js';
import { attempt, auditInput, type Actor, type Poging } from '../http/attempt.js';
import { csvBundel } from '../http/csv-bundel.js';
import { kenmerkFouten } from '../http/kenmerken.js';
import { HttpProblem } from '../http/problem.js';
import { dutchDate, type Services } from '../http/services.js';
import { traceOf } from '../http/trace.js';
import { GEEN_RELATIE } from '../policy/types.js';
import type { AuditActie } from '../audit/record.js';
import { finishTaakLogin, startLogin as beginLogin, taakLogout, type TaakLogin } from '../ui/login-start.js';
import { createUiOidc } from '../ui/oidc.js';
import { csrfMatches, SessionStore, type UiSession } from '../ui/session.js';
import { paginaRouter } from '../ui/pagina-router.js';
import { DEMO_COORDINATOREN, type Coordinator } from './coordinatoren.js';
import { aanleverpagina, bestandsfoutinhoud, melding, ontvangstinhoud, overzicht, startinhoud, voorbeeldinhoud } from './pages.js';

export const AANLEVERING_CLIENT = 'doelpoort-aanlevering';
const LIMIET = 10 * 1024 * 1024;

/** The fields of a small multipart/form-data body (one file and a few text fields), or null. */
export function leesMultipart(body: Buffer, contentType: string): Map<string, Buffer> | null {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) return null;
  const grens = Buffer.from(`--${m[1] ?? m[2]}`);
  const velden = new Map<string, Buffer>();
  let pos = body.indexOf(grens);
  while (pos >= 0) {
    const start = pos + grens.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const kopEinde = body.indexOf('\r\n\r\n', start);
    const volgende = body.indexOf(grens, start);
    if (kopEinde < 0 || volgende < 0) return null;
    const kop = body.subarray(start, kopEinde).toString('utf8');
    const naam = /name="([^"]*)"/i.exec(kop)?.[1];
    if (naam) velden.set(naam, body.subarray(kopEinde + 4, volgende - 2));
    pos = volgende;
  }
  return velden;
}

function maandag(vandaag: string): { van: string; tot: string } {
  const d = new Date(`${vandaag}T00:00:00Z`);
  const terug = (d.getUTCDay() + 6) % 7 + 7; // the previous week's Monday
  const van = new Date(d.getTime() - terug * 86_400_000);
  return { van: van.toISOString().slice(0, 10), tot: new Date(van.getTime() + 6 * 86_400_000).toISOString().slice(0, 10) };
}

export function aanleveringRouter(s: Services): Router {
  const ui = s.config.ui;
  if (!ui) throw new Error('aanleveringRouter needs config.ui');
  const base = new URL(s.config.publicUrl).pathname.replace(/\/+$/, '');
  const sessions = new SessionStore(s.store.shared);
  const oidc = createUiOidc({ issuer: s.config.issuer, audience: s.config.audience, ui: { ...ui, redirectUri: `${s.config.publicUrl}/aanlevering/callback`, postLogoutRedirectUri: `${s.config.publicUrl}/aanlevering/` } });
  const cookie = (req: Request) => ({ path: `${base}/aanlevering`, secure: req.secure || s.config.publicUrl.startsWith('https:') });
  const session = (res: Response) => res.locals.aanleverSession as UiSession | null;
  const coordinator = (res: Response): Coordinator | null => DEMO_COORDINATOREN.find((c) => c.id === session(res)?.officer?.sub) ?? null;

  function render(res: Response, status: number, titel: string, inhoud: ReturnType<typeof melding>): void {
    const c = coordinator(res);
    res.status(status).type('html').send(aanleverpagina({ base, titel, inhoud, coordinator: c ? { naam: c.naam, csrf: session(res)!.csrf } : null }));
  }

  const taak: TaakLogin = {
    sessions, oidc, session, cookie, base, pad: '/aanlevering', start: '/aanlevering/',
    toon: (res, status, titel, tekst, link) => render(res, status, titel, melding(tekst, link)),
    toegestaan: (sub) => DEMO_COORDINATOREN.some((c) => c.id === sub),
    geenToegang: 'Deze pagina\'s zijn voor coördinatoren van een aanbieder.',
    terug: () => `${base}/aanlevering/`,
  };
  const startLogin = (req: Request, res: Response, returnTo: string) => beginLogin(taak, req, res, returnTo);

  /** One audited page of the provider; the employee goes into the user audit trail under the same trace id. */
  function pagina(actie: AuditActie, werk: (req: Request, res: Response, actor: Actor, p: Poging) => Promise<void>) {
    return attempt(s, actie, async (req, res, p) => {
      const c = coordinator(res);
      if (!c) {
        p.geaudit = true; // nobody acted on data: no record
        if (req.method === 'GET') return startLogin(req, res, `${base}/aanlevering/`);
        return render(res, 401, 'Opnieuw inloggen', melding('U bent niet (meer) ingelogd.', { href: `${base}/aanlevering/inloggen`, tekst: 'Inloggen' }));
      }
      const actor: Actor = { partij: s.policy.partij(c.partij)!, clientId: AANLEVERING_CLIENT };
      p.actor = actor;
      if (req.method === 'POST' && !csrfMatches(session(res)!, (req.body as Record<string, unknown> | undefined)?.csrf ?? res.locals.csrf)) {
        throw new HttpProblem('geen-toegang', 'Formulier verlopen of niet van deze pagina.', { regel: 'csrf' });
      }
      try {
        await werk(req, res, actor, p);
      } catch (e) {
        if (!(e instanceof HttpProblem)) throw e;
        // A refusal on a page is a page: recorded like the API's, answered in plain Dutch.
        if (!p.geaudit) await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: e.extra.regel ?? e.kind, reden: e.detail, status: e.status })));
        p.geaudit = true;
        render(res, e.status, 'Niet gelukt', melding(e.detail, { href: `${base}/aanlevering/`, tekst: 'Terug naar het overzicht' }));
      }
      await s.store.transaction((tx) => tx.insertGebruikersspoor({ traceId: traceOf(res).traceId, partij: actor.partij.id, medewerker: c.id, actie, tijdstip: s.now().toISOString() }));
    });
  }

  const router = paginaRouter(sessions, 'aanleverSession');
  router.get('/inloggen', (req, res, next) => void startLogin(req, res, `${base}/aanlevering/`).catch(next));
  router.get('/callback', (req, res, next) => void finishTaakLogin(taak, req, res).catch(next));
  router.post('/uitloggen', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), (req, res, next) => void taakLogout(taak, req, res).catch(next));
  router.get('/sjabloon.csv', (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="aanwezigheid-sjabloon.csv"');
    res.type('text/csv; charset=utf-8').send(`\uFEFF${CSV_SJABLOON}`);
  });

  router.get('/', (req, res, next) => {
    if (!coordinator(res)) return render(res, 200, 'Aanwezigheid aanleveren', startinhoud(base));
    return pagina('toewijzingen-lezen', async (_req, r, actor, p) => {
      const vandaag = dutchDate(s.now());
      const rows = await s.store.transaction(async (tx) => {
        const lijst = await tx.toewijzingenLijst({ partij: actor.partij.id, als: 'aanbieder', status: 'actief', vandaag, na: 0, limit: 500 });
        p.trajectIds = [...new Set(lijst.map((w) => w.trajectId))];
        await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'eigen-toewijzingen', status: 200, reden: `${lijst.length} toewijzing(en) getoond op de aanleverpagina.`, velden: ['/gemeente', '/kenmerk', '/rol', '/trajectId', '/vanaf'] }));
        return lijst;
      });
      p.geaudit = true;
      render(r, 200, 'Overzicht', overzicht(base, rows, session(r)!.csrf, maandag(vandaag)));
    })(req, res, next);
  });

  router.post('/kenmerk', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 5 }), pagina('kenmerk-vastleggen', async (req, res, actor, p) => {
    const body = req.body as Record<string, string>;
    const trajectId = String(body.trajectId ?? '');
    p.trajectIds = /^[0-9a-f-]{36}$/.test(trajectId) ? [trajectId] : [];
    const terug = { href: `${base}/aanlevering/`, tekst: 'Terug naar het overzicht' };
    const fouten = kenmerkFouten(body.kenmerk);
    if (fouten.length) throw new HttpProblem('ongeldige-invoer', `Het kenmerk ${fouten[0]!.reason}.`, { regel: 'invoer-ongeldig', invalidParams: fouten });
    const uitkomst = await s.store.transaction(async (tx) => {
      const relatie = (await tx.relatie(trajectId, actor.partij.id, dutchDate(s.now()))) ?? GEEN_RELATIE;
      if (relatie.toewijzingen.length === 0) {
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'kenmerk-alleen-toegewezen', reden: 'Niet toegewezen aan dit traject.', status: 403 }));
        return 'geweigerd' as const;
      }
      const r = await tx.zetKenmerk(actor.partij.id, trajectId, body.kenmerk!, s.now().toISOString());
      await tx.appendAudit(auditInput(s, p, r === 'ok'
        ? { besluit: 'toegestaan', regel: 'kenmerk-eigen-referentie', reden: 'Eigen kenmerk vastgelegd op de aanleverpagina (de waarde staat niet in het logboek).', status: 303, velden: ['/kenmerk'] }
        : { besluit: 'geweigerd', regel: 'kenmerk-uniek', reden: 'Dit kenmerk hoort al bij een ander traject van deze aanbieder.', status: 409 }));
      return r;
    });
    p.geaudit = true;
    if (uitkomst === 'ok') return res.redirect(303, `${base}/aanlevering/`);
    render(res, uitkomst === 'bezet' ? 409 : 403, 'Kenmerk niet opgeslagen', melding(uitkomst === 'bezet' ? 'U gebruikt dit kenmerk al voor een ander traject.' : 'U bent niet aan dit traject toegewezen.', terug));
  }));

  const multipart = express.raw({ type: 'multipart/form-data', limit: LIMIET });
  router.post('/voorbeeld', multipart, (req, res, next) => {
    const velden = Buffer.isBuffer(req.body) ? leesMultipart(req.body, req.get('content-type') ?? '') : null;
    res.locals.velden = velden;
    res.locals.csrf = velden?.get('csrf')?.toString('utf8');
    next();
  }, pagina('bundel-aanleveren', async (_req, res, actor, p) => {
    const velden = res.locals.velden as Map<string, Buffer> | null;
    const periode = { van: velden?.get('van')?.toString('utf8') ?? '', tot: velden?.get('tot')?.toString('utf8') ?? '' };
    const bestand = velden?.get('bestand') ?? Buffer.alloc(0);
    try {
      const uitkomst = await csvBundel(s, actor, p, periode, bestand, { voorbeeld: true });
      render(res, 200, 'Controle van het bestand', voorbeeldinhoud(base, session(res)!.csrf, periode, uitkomst.rijen, bestand.toString('utf8')));
    } catch (e) {
      if (!(e instanceof HttpProblem) || e.status !== 400) throw e;
      await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: e.extra.regel ?? 'invoer-ongeldig', reden: e.detail, status: 400 })));
      p.geaudit = true;
      render(res, 400, 'Bestand niet verwerkt', bestandsfoutinhoud(base, e.extra.invalidParams?.map((f) => (f.name === '/' ? f.reason : `${f.name}: ${f.reason}`)) ?? [e.detail]));
    }
  }));

  router.post('/opslaan', express.urlencoded({ extended: false, limit: LIMIET, parameterLimit: 6 }), pagina('bundel-aanleveren', async (req, res, actor, p) => {
    const body = req.body as Record<string, string>;
    const periode = { van: body.van ?? '', tot: body.tot ?? '' };
    const uitkomst = await csvBundel(s, actor, p, periode, Buffer.from(body.csv ?? '', 'utf8'));
    render(res, 200, 'Ontvangstbewijs', ontvangstinhoud(base, periode, uitkomst.rijen));
  }));

  router.use((_req, res) => render(res, 404, 'Pagina niet gevonden', melding('Deze pagina bestaat niet.', { href: `${base}/aanlevering/`, tekst: 'Naar het overzicht' })));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    s.logger.error({ err }, 'aanlevering page failed');
    if (res.headersSent) return void res.destroy();
    render(res, 500, 'Er ging iets mis', melding('Er ging iets mis bij het tonen van deze pagina. Probeer het later opnieuw.'));
  });
  return router;
}
