/**
 * Routes for a party's webhook subscriptions (abonnementen), each walking the one pipeline and
 * audited like every other attempt; a party sees and manages only its own subscriptions (another
 * party's id answers 404, as an unknown one):
 *
 * - `POST /v1/abonnementen` `{ url, soorten, berichttypen? }` → 201 with the secret, shown this once.
 *   The URL is checked (`checkDoeladres`: https in production, no private/loopback targets unless
 *   allow-listed) now and again at every delivery.
 * - `GET /v1/abonnementen`, `GET /v1/abonnementen/{id}`, `DELETE /v1/abonnementen/{id}` (its waiting
 *   events lapse), `POST /v1/abonnementen/{id}/hervatting` (a paused one: its waiting events go out
 *   again, in order), `GET /v1/abonnementen/{id}/afleveringen` (attempts: time, status, latency,
 *   error — never a payload).
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import { checkDoeladres, generateSecret, type DoeladresOpties } from '../meldingen/index.js';
import type { AbonnementRow } from '../store/signaal-store.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid, uuidFromPath, type Actor, type Poging } from './attempt.js';
import { HttpProblem } from './problem.js';
import type { Services } from './services.js';
import type { Tx } from '../store/store.js';

export function doeladresOpties(s: Services): DoeladresOpties {
  return { modus: s.config.mode === 'embedded' ? 'ingebed' : 'productie', toegestaan: s.config.meldingenToegestaan };
}

function abonnementView(a: AbonnementRow) {
  return {
    abonnementId: a.abonnementId, url: a.url, soorten: a.soorten, ...(a.berichttypen ? { berichttypen: a.berichttypen } : {}),
    status: a.status, aangemaaktOp: a.aangemaaktOp, gewijzigdOp: a.gewijzigdOp,
  };
}

/** The caller's own subscription, or a recorded 404 (unknown and another party's look the same). */
async function eigenAbonnement(s: Services, tx: Tx, actor: Actor, p: Poging, id: string): Promise<AbonnementRow | null> {
  const a = await tx.abonnement(id);
  if (a && a.partij === actor.partij.id && a.status !== 'verwijderd') return a;
  await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'abonnement-eigen', reden: 'Geen abonnement met dit id van uw partij.', status: 404 }));
  return null;
}

const nietGevonden = () => new HttpProblem('niet-gevonden', 'Geen abonnement met dit id van uw partij.', { regel: 'abonnement-eigen' });

export function abonnementenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/abonnementen', attempt(s, 'abonnement-aanmaken', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const body = (await readJsonBody(req, res, s)) as { url: string; soorten: AbonnementRow['soorten']; berichttypen?: string[] };
    rejectInvalid(s.schemas.validateBody('api/abonnement.json', body)); // 3
    const oordeel = await checkDoeladres(body.url, doeladresOpties(s)); // 4
    if (!oordeel.ok) {
      throw new HttpProblem('ongeldige-invoer', `Dit adres kan geen meldingen ontvangen: ${oordeel.reden}`, {
        regel: 'doeladres-geweigerd', invalidParams: [{ name: '/url', code: 'doeladres', reason: oordeel.reden }],
      });
    }
    const nu = s.now().toISOString();
    const row: AbonnementRow = {
      abonnementId: crypto.randomUUID(), partij: actor.partij.id, url: oordeel.url.toString(), geheim: generateSecret(),
      soorten: body.soorten, berichttypen: body.berichttypen ?? null, status: 'actief', aangemaaktOp: nu, gewijzigdOp: nu,
    };
    await s.store.transaction(async (tx) => { // 6
      await tx.insertAbonnement(row);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'abonnement-eigen', reden: `Abonnement ${row.abonnementId} aangemaakt (${row.soorten.join(', ')}).`, status: 201, velden: [] }));
    });
    p.geaudit = true;
    res.status(201).location(`/v1/abonnementen/${row.abonnementId}`).json({ ...abonnementView(row), geheim: row.geheim }); // 7
  }));

  router.get('/abonnementen', attempt(s, 'abonnementen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const rows = await s.store.transaction(async (tx) => {
      const all = await tx.abonnementen(actor.partij.id);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'abonnement-eigen', reden: `${all.length} abonnement(en) getoond.`, status: 200, velden: [] }));
      return all;
    });
    p.geaudit = true;
    res.json({ resultaten: rows.map(abonnementView) });
  }));

  router.get('/abonnementen/:abonnementId', attempt(s, 'abonnementen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const id = uuidFromPath(req, 'abonnementId');
    const row = await s.store.transaction(async (tx) => {
      const a = await eigenAbonnement(s, tx, actor, p, id);
      if (a) await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'abonnement-eigen', reden: `Abonnement ${id} getoond.`, status: 200, velden: [] }));
      return a;
    });
    p.geaudit = true;
    if (!row) throw nietGevonden();
    res.json(abonnementView(row));
  }));

  router.delete('/abonnementen/:abonnementId', attempt(s, 'abonnement-verwijderen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const id = uuidFromPath(req, 'abonnementId');
    const ok = await s.store.transaction(async (tx) => {
      const a = await eigenAbonnement(s, tx, actor, p, id);
      if (!a) return false;
      await tx.zetAbonnementStatus(id, 'verwijderd', s.now().toISOString());
      await tx.vervalUitgaand(id);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'abonnement-eigen', reden: `Abonnement ${id} verwijderd; wachtende meldingen vervallen.`, status: 204, velden: [] }));
      return true;
    });
    p.geaudit = true;
    if (!ok) throw nietGevonden();
    res.status(204).end();
  }));

  router.post('/abonnementen/:abonnementId/hervatting', attempt(s, 'abonnement-hervatten', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const id = uuidFromPath(req, 'abonnementId');
    const nu = s.now().toISOString();
    const row = await s.store.transaction(async (tx) => {
      const a = await eigenAbonnement(s, tx, actor, p, id);
      if (!a) return null;
      // Resuming an active subscription is allowed and harmless: its waiting events are due now.
      await tx.zetAbonnementStatus(id, 'actief', nu);
      await tx.herplanUitgaand(id, nu);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'abonnement-eigen', reden: `Abonnement ${id} hervat; wachtende meldingen gaan in volgorde uit.`, status: 200, velden: [] }));
      return { ...a, status: 'actief' as const, gewijzigdOp: nu };
    });
    p.geaudit = true;
    if (!row) throw nietGevonden();
    s.bezorger.wek();
    res.json(abonnementView(row));
  }));

  router.get('/abonnementen/:abonnementId/afleveringen', attempt(s, 'afleveringen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const id = uuidFromPath(req, 'abonnementId');
    const rows = await s.store.transaction(async (tx) => {
      const a = await eigenAbonnement(s, tx, actor, p, id);
      if (!a) return null;
      const all = await tx.afleveringen(id, 200);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'abonnement-eigen', reden: `${all.length} afleverpoging(en) van abonnement ${id} getoond.`, status: 200, velden: [] }));
      return all;
    });
    p.geaudit = true;
    if (!rows) throw nietGevonden();
    res.json({ resultaten: rows.map((r) => ({ eventId: r.eventId, tijdstip: r.tijdstip, statuscode: r.statuscode, duurMs: r.duurMs, ...(r.fout ? { fout: r.fout } : {}) })) });
  }));

  return router;
}
