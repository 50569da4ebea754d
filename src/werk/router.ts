/**
 * The gemeente's task pages under `/werk` (Dutch, server-rendered, no JavaScript needed): the
 * klantmanager's worklist of open signals, a trajectory's state, closing a signal with a coded outcome;
 * and (issue 13) the beleidsmedewerker's quarterly figures — aggregates only, doel `monitoring` — with
 * their CSV download. Each employee sees only the pages of their tasks (`medewerkers.ts`).
 *
 * Login: OIDC authorization code + PKCE against the configured issuer with the pages' browser client
 * (embedded: the demo klantmanagers of `medewerkers.ts`); the session is server-side (the employee's
 * tokens never reach the browser), with a CSRF token for every POST.
 *
 * Every page is an exchange of the gemeente: it walks the same decisions as the API
 * (`standLeesbaar`, `projecteer`, `leesbareSignalen`, `afhandelen`; `geaggregeerdLezen`, `kwartaalcijfers`)
 * and writes ONE logboek record as the gemeente (client `doelpoort-werk`, doel `trajectbegeleiding` or
 * `monitoring`) — which employee did it is NOT in
 * that record ("geen gebruikers in logregels", LDV) but in the user audit trail (`gebruikersspoor`), in
 * the same transaction, linked by the trace id.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { attempt, auditInput, UUID, type Actor, type Poging } from '../http/attempt.js';
import { dutchDate, type Services } from '../http/services.js';
import { leesbareSignalen, projecteer, signaalCategorieen, standLeesbaar } from '../http/stand.js';
import { traceOf } from '../http/trace.js';
import { grondslagText as grondslagVan } from '../policy/engine.js';
import { GEEN_RELATIE, type Doel } from '../policy/types.js';
import { afhandelen, AfhandelingError } from '../signalen/index.js';
import { emptyStand, type Stand } from '../stand/index.js';
import type { LeesTx, Tx } from '../store/store.js';
import { finishTaakLogin, startLogin as beginLogin, taakLogout, type TaakLogin } from '../ui/login-start.js';
import { createUiOidc } from '../ui/oidc.js';
import { csrfMatches, SessionStore, type UiSession } from '../ui/session.js';
import { paginaRouter } from '../ui/pagina-router.js';
import { cijferinvoer, cijferRecord, kwartaalUitPad } from '../http/monitoring.js';
import { HttpProblem } from '../http/problem.js';
import { cijfersCsv, kwartaalcijfers, kwartaalVan, plusDagen, type Cijferinvoer, type Kwartaal } from '../monitoring/index.js';
import { DEMO_MEDEWERKERS, type Medewerker } from './medewerkers.js';
import { melding, monitoringinhoud, startinhoud, trajectinhoud, werklijst, werkpagina } from './pages.js';

export const WERK_CLIENT = 'doelpoort-werk';
const DOEL = 'trajectbegeleiding';
const MONITORING = 'monitoring';
/** Where each task starts. */
const STARTPAGINA = { werklijst: '/werk/signalen', monitoring: '/werk/monitoring' } as const;

export function werkRouter(s: Services): Router {
  const ui = s.config.ui;
  if (!ui) throw new Error('werkRouter needs config.ui');
  const base = new URL(s.config.publicUrl).pathname.replace(/\/+$/, '');
  // The same shared, encrypted session store as the privacy pages (src/ui/session.ts): any replica serves any page.
  const sessions = new SessionStore(s.store.shared);
  const oidc = createUiOidc({ issuer: s.config.issuer, audience: s.config.audience, ui: { ...ui, redirectUri: `${s.config.publicUrl}/werk/callback`, postLogoutRedirectUri: `${s.config.publicUrl}/werk` } });
  const cookie = (req: Request) => ({ path: `${base}/werk`, secure: req.secure || s.config.publicUrl.startsWith('https:') });
  const session = (res: Response) => res.locals.werkSession as UiSession | null;
  const medewerker = (res: Response): Medewerker | null => {
    const sub = session(res)?.officer?.sub;
    return DEMO_MEDEWERKERS.find((m) => m.id === sub) ?? null;
  };
  const startpagina = (m: Medewerker) => `${base}${STARTPAGINA[m.taken[0] ?? 'werklijst']}`;
  const doel = (): Doel => s.policy.doel(DOEL)!;
  const regels = () => s.signaalregels.regels.filter((r) => r.doel === DOEL);

  function render(res: Response, status: number, titel: string, inhoud: ReturnType<typeof melding>): void {
    const m = medewerker(res);
    res.status(status).type('html').send(werkpagina({ base, titel, inhoud, medewerker: m ? { naam: m.naam, csrf: session(res)!.csrf, taken: m.taken } : null }));
  }

  const taak: TaakLogin = {
    sessions, oidc, session, cookie, base, pad: '/werk', start: '/werk',
    toon: (res, status, titel, tekst, link) => render(res, status, titel, melding(tekst, link)),
    toegestaan: (sub) => DEMO_MEDEWERKERS.some((m) => m.id === sub),
    geenToegang: 'Deze pagina\'s zijn voor klantmanagers en beleidsmedewerkers van een gemeente.',
    terug: (returnTo) => (returnTo.startsWith(`${base}/werk/`) && /^\/[^/\\]/.test(returnTo) ? returnTo : `${base}/werk/start`),
  };
  const startLogin = (req: Request, res: Response, returnTo: string) => beginLogin(taak, req, res, returnTo);

  /** What a page reads in a snapshot before its transaction (handed to it in `res.locals.vooraf`). */
  type Vooraf = (req: Request, actor: Actor, lees: LeesTx) => Promise<unknown>;

  /** What a page does inside its transaction; it returns how to answer once the transaction committed. */
  type Werk = (req: Request, res: Response, tx: Tx, actor: Actor, p: Poging) => Promise<() => void>;

  /**
   * One audited page of the gemeente: its reads or change, the logboek record (as the gemeente) and the
   * user audit trail row (the employee) in one transaction; the answer after the commit.
   */
  function pagina(actie: 'signalen-lezen' | 'stand-lezen' | 'signaal-afhandelen' | 'monitoring-lezen' | 'monitoring-exporteren', werk: Werk,
    taak: Medewerker['taken'][number] = 'werklijst', doelId = DOEL, vooraf?: Vooraf) {
    return attempt(s, actie, async (req, res, p) => {
      const m = medewerker(res);
      if (!m) {
        p.geaudit = true; // nobody acted on data: no record (a login starts, as on the privacy pages)
        if (req.method === 'GET') return startLogin(req, res, `${base}/werk${req.path}`);
        return render(res, 401, 'Opnieuw inloggen', melding('U bent niet (meer) ingelogd.', { href: `${base}/werk/inloggen`, tekst: 'Inloggen' }));
      }
      const partij = s.policy.partij(m.partij)!;
      const actor: Actor = { partij, clientId: WERK_CLIENT };
      p.actor = actor;
      p.doel = s.policy.doel(doelId)!;
      // A long read (a quarter's figures) runs in a snapshot first, so the transaction below stays short.
      if (vooraf && m.taken.includes(taak)) res.locals.vooraf = await s.store.snapshot((lees) => vooraf(req, actor, lees));
      const antwoord = await s.store.transaction(async (tx) => {
        // Only the pages of the employee's own tasks: a klantmanager gets no figures page, a beleidsmedewerker no trajectory.
        const a = m.taken.includes(taak) ? await werk(req, res, tx, actor, p) : await geenTaak(tx, res, p, m);
        await tx.insertGebruikersspoor({ traceId: traceOf(res).traceId, partij: partij.id, medewerker: m.id, actie, tijdstip: s.now().toISOString() });
        return a;
      });
      p.geaudit = true;
      antwoord();
    });
  }

  async function geenTaak(tx: Tx, res: Response, p: Poging, m: Medewerker): Promise<() => void> {
    await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'werk-taak', reden: 'Deze pagina hoort niet bij de taken van deze medewerker.', status: 403 }));
    return () => render(res, 403, 'Geen toegang', melding('Deze pagina hoort niet bij uw taken.', { href: startpagina(m), tekst: 'Naar uw startpagina' }));
  }

  /** The quarter of `?kwartaal=` (default: the current one), or the refusal as a page. */
  async function kwartaalVoorPagina(req: Request, res: Response, tx: Tx, p: Poging): Promise<Kwartaal | (() => void)> {
    const vandaag = dutchDate(s.now());
    try {
      return kwartaalUitPad(typeof req.query.kwartaal === 'string' ? req.query.kwartaal : kwartaalVan(vandaag).id, vandaag);
    } catch (e) {
      if (!(e instanceof HttpProblem)) throw e;
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'kwartaal-ongeldig', reden: e.detail, status: 400 }));
      return () => render(res, 400, 'Onbekend kwartaal', melding(`${e.detail} Kies een kwartaal uit de lijst.`, { href: `${base}/werk/monitoring`, tekst: 'Naar de kwartaalcijfers' }));
    }
  }

  const router = paginaRouter(sessions, 'werkSession');

  router.get('/', (_req, res) => {
    const m = medewerker(res);
    if (m) return res.redirect(303, startpagina(m));
    render(res, 200, 'Werklijst klantmanager', startinhoud(base));
  });
  router.get('/start', (req, res, next) => {
    const m = medewerker(res);
    if (m) return res.redirect(303, startpagina(m));
    startLogin(req, res, `${base}/werk/start`).catch(next);
  });
  router.get('/inloggen', (req, res, next) => void startLogin(req, res, `${base}/werk/start`).catch(next));
  router.get('/callback', (req, res, next) => void finishTaakLogin(taak, req, res).catch(next));
  router.post('/uitloggen', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), (req, res, next) => void taakLogout(taak, req, res).catch(next));

  router.get('/signalen', pagina('signalen-lezen', async (req, res, tx, actor, p) => {
    const gevraagd = typeof req.query.soort === 'string' && req.query.soort !== '' ? req.query.soort : null;
    const soorten = regels().map((r) => r.id);
    const soort = gevraagd && soorten.includes(gevraagd as never) ? gevraagd : null;
    const rows = await tx.signalen({ gemeente: actor.partij.id, status: 'open', soorten: soort ? [soort] : soorten, voor: null, limit: 200 });
    p.trajectIds = [...new Set(rows.map((r) => r.trajectId))];
    await tx.appendAudit(auditInput(s, p, {
      besluit: 'toegestaan', regel: 'signalen-eigenaar', status: 200, grondslag: grondslagVan(doel()),
      reden: `Werklijst: ${rows.length} open signaal/signalen getoond voor doel ${DOEL}.`, velden: rows.length ? ['/soort', '/aanbieder', '/geopendOp', '/bijgewerktOp'] : [],
      gegevenscategorieen: signaalCategorieen(regels(), rows),
    }));
    return () => render(res, 200, 'Werklijst', werklijst(base, rows, soort, soorten));
  }));

  router.get('/trajecten/:trajectId', pagina('stand-lezen', async (req, res, tx, actor, p) => {
    const trajectId = String(req.params.trajectId);
    if (!UUID.test(trajectId)) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'invoer-ongeldig', reden: 'Geen geldig traject-id.', status: 404 }));
      return () => render(res, 404, 'Niet gevonden', melding('Dit traject bestaat niet of hoort niet bij uw gemeente.', { href: `${base}/werk/signalen`, tekst: 'Naar de werklijst' }));
    }
    p.trajectIds = [trajectId];
    const relatie = (await tx.relatie(trajectId, actor.partij.id, dutchDate(s.now()))) ?? GEEN_RELATIE;
    const besluit = relatie.eigenaar ? await standLeesbaar(s, tx, actor, doel(), trajectId, relatie) : null;
    if (!besluit || besluit.weigering) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: besluit?.weigering?.regel ?? 'traject-inzien-betrokken', reden: besluit?.weigering?.reden ?? 'Niet de gemeente van dit traject (of het bestaat niet).', status: 404 }));
      return () => render(res, 404, 'Niet gevonden', melding('Dit traject bestaat niet of hoort niet bij uw gemeente.', { href: `${base}/werk/signalen`, tekst: 'Naar de werklijst' }));
    }
    const row = await tx.trajectstand(trajectId);
    const stand = projecteer(row ? (JSON.parse(row.stand) as Stand) : emptyStand(), besluit);
    const signalen = leesbareSignalen(s.signaalregels.regels, await tx.openSignalen([trajectId]), actor, doel(), relatie);
    const traject = (await tx.traject(trajectId))!;
    const toewijzingen = await tx.toewijzingen(trajectId);
    await tx.appendAudit(auditInput(s, p, {
      besluit: 'toegestaan', regel: besluit.regels.join(','), status: 200, grondslag: besluit.grondslagen.join(' | ') || null,
      reden: `Stand van het traject getoond op de werkpagina voor doel ${DOEL}.`,
      velden: ['/leerroute', '/startdatum', '/toewijzingen', ...Object.keys(stand).filter((k) => k !== 'versie').map((k) => `/stand/${k}`), ...(signalen.length ? ['/signalen'] : [])].sort(),
      gegevenscategorieen: [...besluit.categorieen, ...signaalCategorieen(s.signaalregels.regels, signalen)],
    }));
    const csrf = session(res)!.csrf;
    return () => render(res, 200, 'Stand van het traject', trajectinhoud(base, traject, toewijzingen, stand, signalen, csrf));
  }));

  router.post('/signalen/:signaalId/afhandeling', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), pagina('signaal-afhandelen', async (req, res, tx, actor, p) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const signaalId = String(req.params.signaalId);
    const terug = { href: `${base}/werk/signalen`, tekst: 'Naar de werklijst' };
    if (!csrfMatches(session(res)!, body.csrf)) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'csrf', reden: 'Formulier verlopen of niet van deze pagina.', status: 403 }));
      return () => render(res, 403, 'Niet afgehandeld', melding('Dit formulier is verlopen of kwam niet van deze pagina. Probeer het opnieuw.', terug));
    }
    const signaal = UUID.test(signaalId) ? await tx.signaal(signaalId) : undefined;
    if (!signaal || signaal.gemeente !== actor.partij.id) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'signaal-eigenaar', reden: 'Signaal niet gevonden, of niet van een traject van uw gemeente.', status: 404 }));
      return () => render(res, 404, 'Niet gevonden', melding('Dit signaal bestaat niet of hoort niet bij uw gemeente.', terug));
    }
    p.trajectIds = [signaal.trajectId];
    try {
      const gesloten = afhandelen(signaal, String(body.uitkomst ?? ''), s.now().toISOString());
      await tx.bewaarSignaal(gesloten);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'signaal-afhandelen-eigenaar', reden: `Signaal ${signaal.soort} afgehandeld met uitkomst ${gesloten.uitkomst} (werkpagina).`, status: 303, velden: ['/uitkomst'] }));
      return () => res.redirect(303, `${base}/werk/trajecten/${signaal.trajectId}`);
    } catch (e) {
      if (!(e instanceof AfhandelingError)) throw e;
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'signaal-al-afgehandeld', reden: e.message, status: 409 }));
      return () => render(res, 409, 'Niet afgehandeld', melding(e.code === 'al-afgehandeld' ? 'Dit signaal was al afgehandeld.' : 'Kies een uitkomst uit de lijst.', { href: `${base}/werk/trajecten/${signaal.trajectId}`, tekst: 'Terug naar het traject' }));
    }
  }));

  // Issue 13: the beleidsmedewerker's quarterly figures — the same decision, figures and record as the API.
  const figuren = async (req: Request, res: Response, tx: Tx, actor: Actor, p: Poging, formaat: 'json' | 'csv') => {
    const k = await kwartaalVoorPagina(req, res, tx, p);
    if (typeof k === 'function') return { antwoord: k };
    const besluit = s.policy.geaggregeerdLezen(actor.partij, p.doel!);
    if (!besluit.toegestaan) {
      await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: besluit.regel, reden: besluit.reden, status: 403 }));
      return { antwoord: () => render(res, 403, 'Geen toegang', melding(besluit.reden)) };
    }
    const c = kwartaalcijfers(res.locals.vooraf as Cijferinvoer); // read by `kwartaalinvoer` in the snapshot before
    await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: besluit.regel, status: 200, grondslag: besluit.grondslag, ...cijferRecord(c, formaat) }));
    return { c };
  };

  /** The quarter's facts, read in a snapshot (nothing when the quarter or the decision will refuse: the transaction records that). */
  const kwartaalinvoer: Vooraf = async (req, actor, lees) => {
    if (!s.policy.geaggregeerdLezen(actor.partij, s.policy.doel(MONITORING)!).toegestaan) return undefined;
    const vandaag = dutchDate(s.now());
    let k: Kwartaal;
    try {
      k = kwartaalUitPad(typeof req.query.kwartaal === 'string' ? req.query.kwartaal : kwartaalVan(vandaag).id, vandaag);
    } catch {
      return undefined;
    }
    return cijferinvoer(s, lees, actor.partij.id, k);
  };

  router.get('/monitoring', pagina('monitoring-lezen', async (req, res, tx, actor, p) => {
    const r = await figuren(req, res, tx, actor, p, 'json');
    if (!r.c) return r.antwoord!;
    const c = r.c;
    // The current quarter and the seven before it.
    const kwartalen: string[] = [];
    for (let k: Kwartaal = kwartaalVan(dutchDate(s.now())); kwartalen.length < 8; k = kwartaalVan(plusDagen(k.van, -1))) kwartalen.push(k.id);
    return () => render(res, 200, `Kwartaalcijfers ${c.kwartaal}`, monitoringinhoud(base, kwartalen, c));
  }, 'monitoring', MONITORING, kwartaalinvoer));

  router.get('/monitoring/export', pagina('monitoring-exporteren', async (req, res, tx, actor, p) => {
    const r = await figuren(req, res, tx, actor, p, 'csv');
    if (!r.c) return r.antwoord!;
    const c = r.c;
    return () => res.type('text/csv; charset=utf-8').attachment(`monitoring-${c.kwartaal}-${c.gemeente}.csv`).send(cijfersCsv(c));
  }, 'monitoring', MONITORING, kwartaalinvoer));

  router.use((_req, res) => render(res, 404, 'Pagina niet gevonden', melding('Deze pagina bestaat niet.', { href: `${base}/werk`, tekst: 'Naar de werklijst' })));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    s.logger.error({ err }, 'werk page failed');
    if (res.headersSent) return void res.destroy();
    render(res, 500, 'Er ging iets mis', melding('Er ging iets mis bij het tonen van deze pagina. Probeer het later opnieuw.'));
  });

  return router;
}
