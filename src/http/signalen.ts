/**
 * Routes for the gemeente's worklist of signals, each walking the one pipeline and audited like
 * every read or change:
 *
 * - `GET /v1/signalen?doel=&status=&soort=&volgende=&limiet=`: the signals on the gemeente's
 *   trajectories of the kinds whose rule names this doel, newest first (cursor paging).
 * - `GET /v1/signalen/{signaalId}?doel=`: one signal, for whoever its rule lets read it (the `dataref`
 *   of a signal event).
 * - `POST /v1/signalen/{signaalId}/afhandeling` `{ uitkomst }`: the gemeente closes an open signal
 *   with a code of the list (no free text; `afhandelen()` decides, `AfhandelingError` → 409).
 *
 * Only the owning gemeente reads the worklist; a provider sees the signals a rule lets it see on the
 * state of a trajectory it is assigned to (`GET /v1/trajecten/{id}/stand`). An unknown signal and
 * another gemeente's signal give the same 404.
 */
import { Router } from 'express';
import { grondslagText } from '../policy/engine.js';
import { GEEN_RELATIE } from '../policy/types.js';
import { afhandelen, AfhandelingError, mayReadSignaal, SOORTEN, type Signaal } from '../signalen/index.js';
import { attempt, auditedRead, auditInput, authenticate, decimalInt, readJsonBody, rejectInvalid, uuidFromPath } from './attempt.js';
import { requireDoel } from './berichten.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { signaalCategorieen, signaalView } from './stand.js';

const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

function encodeSignaalCursor(volgorde: number): string {
  return Buffer.from(`s1:${volgorde}`).toString('base64url');
}
function decodeSignaalCursor(cursor: string): number | null {
  const m = /^s1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

const SIGNAAL_VELDEN = ['/soort', '/aanbieder', '/status', '/geopendOp', '/bijgewerktOp', '/berichtIds', '/codes'];

export function signalenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.get('/signalen', attempt(s, 'signalen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const doel = requireDoel(req, s, p); // 3
    const { status, soort, volgende, limiet } = req.query;
    const invalid = [];
    if (status !== undefined && status !== 'open' && status !== 'afgehandeld') invalid.push({ name: 'status', code: 'enum', reason: 'moet open of afgehandeld zijn' });
    if (soort !== undefined && !(SOORTEN as readonly unknown[]).includes(soort)) invalid.push({ name: 'soort', code: 'enum', reason: `moet een van ${SOORTEN.join(', ')} zijn` });
    const voor = volgende === undefined ? null : typeof volgende === 'string' ? decodeSignaalCursor(volgende) : undefined;
    if (voor === undefined) invalid.push({ name: 'volgende', code: 'format', reason: 'is geen cursor die deze gateway uitgaf' });
    const limit = limiet === undefined ? PAGE_SIZE : decimalInt(limiet);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) invalid.push({ name: 'limiet', code: 'range', reason: `moet een geheel getal van 1 tot ${MAX_PAGE_SIZE} zijn` });
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });

    // 4 decide: the worklist is the owning gemeente's, of the kinds whose rule names this doel.
    if (actor.partij.rol !== 'gemeente') {
      throw new HttpProblem('geen-toegang', 'De werklijst met signalen is van de gemeente die de trajecten voert; een aanbieder ziet de signalen die het mag zien bij de stand van een traject.', { regel: 'signalen-alleen-gemeente' });
    }
    const regels = s.signaalregels.regels.filter((r) => r.doel === doel.id && (soort === undefined || r.id === soort));
    if (regels.length === 0) {
      throw new HttpProblem('geen-toegang', `Geen signaalregel${soort ? ` voor ${String(soort)}` : ''} wordt gelezen voor doel ${doel.id}.`, { regel: 'signaal-doel' });
    }
    const result = await auditedRead(s, p, async (tx) => { // read in one snapshot, 6 its record
      const rows = await tx.signalen({ gemeente: actor.partij.id, status: status as 'open' | 'afgehandeld' | undefined, soorten: regels.map((r) => r.id), voor: voor!, limit });
      p.trajectIds = [...new Set(rows.map((r) => r.trajectId))];
      p.berichtIds = [...new Set(rows.flatMap((r) => r.berichtIds))];
      return {
        uitkomst: {
          besluit: 'toegestaan' as const, regel: 'signalen-eigenaar', status: 200, grondslag: grondslagText(doel),
          reden: `${rows.length} signaal/signalen verstrekt voor doel ${doel.id} (regels ${regels.map((r) => r.id).join(', ')}; signaalregels ${s.signaalregels.versie}+${s.signaalregels.hash.slice(0, 16)}).`,
          velden: rows.length ? SIGNAAL_VELDEN : [], gegevenscategorieen: signaalCategorieen(regels, rows),
        },
        waarde: { resultaten: rows.map(signaalView), volgende: rows.length === limit ? encodeSignaalCursor(rows.at(-1)!.volgorde) : null },
      };
    });
    res.json(result); // 7
  }));

  router.get('/signalen/:signaalId', attempt(s, 'signaal-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const signaalId = uuidFromPath(req, 'signaalId');
    const doel = requireDoel(req, s, p);
    const vandaag = dutchDate(s.now());
    const result = await auditedRead<Signaal | null>(s, p, async (tx) => { // 4 decide and read in one snapshot, 6 its record
      const signaal = await tx.signaal(signaalId);
      const regel = signaal && s.signaalregels.regels.find((r) => r.id === signaal.soort);
      const relatie = signaal ? ((await tx.relatie(signaal.trajectId, actor.partij.id, vandaag)) ?? GEEN_RELATIE) : GEEN_RELATIE;
      // 4 decide: the rule's reader (mayReadSignaal); unknown and unreadable look the same.
      if (!signaal || !regel || !mayReadSignaal(regel, signaal, { partij: actor.partij.id, eigenaar: relatie.eigenaar, toewijzingen: relatie.toewijzingen, doel: doel.id })) {
        return { uitkomst: { besluit: 'geweigerd' as const, regel: 'signaal-lezer', reden: 'Signaal niet gevonden, of niet leesbaar voor u onder dit doel.', status: 404 }, waarde: null };
      }
      p.trajectIds = [signaal.trajectId];
      p.berichtIds = signaal.berichtIds;
      return {
        uitkomst: { besluit: 'toegestaan' as const, regel: 'signaal-lezer', reden: `Signaal ${signaal.soort} verstrekt voor doel ${doel.id}.`, status: 200, grondslag: grondslagText(doel), velden: SIGNAAL_VELDEN, gegevenscategorieen: regel.gegevenscategorieen },
        waarde: signaal,
      };
    });
    if (!result) throw new HttpProblem('niet-gevonden', 'Geen signaal met dit id dat u onder dit doel mag lezen.', { regel: 'signaal-lezer' });
    res.json(signaalView(result));
  }));

  router.post('/signalen/:signaalId/afhandeling', attempt(s, 'signaal-afhandelen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const signaalId = uuidFromPath(req, 'signaalId');
    const body = (await readJsonBody(req, res, s)) as { uitkomst: string };
    rejectInvalid(s.schemas.validateBody('api/afhandeling.json', body)); // 3
    const now = s.now().toISOString();
    const result = await s.store.transaction(async (tx) => {
      const signaal = await tx.signaal(signaalId);
      const regel = signaal && s.signaalregels.regels.find((r) => r.id === signaal.soort);
      if (signaal) p.trajectIds = [signaal.trajectId];
      // 4 decide: only the owning gemeente, under the rule's doel.
      if (!signaal || !regel || signaal.gemeente !== actor.partij.id) {
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'signaal-eigenaar', reden: 'Signaal niet gevonden, of niet van een traject van uw gemeente.', status: 404 }));
        return { status: 404 as const };
      }
      p.doel = s.policy.doel(regel.doel) ?? null;
      let gesloten;
      try {
        gesloten = afhandelen(signaal, body.uitkomst, now);
      } catch (e) {
        if (!(e instanceof AfhandelingError)) throw e;
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'signaal-al-afgehandeld', reden: e.message, status: 409 }));
        return { status: 409 as const, reden: e.message };
      }
      await tx.bewaarSignaal(gesloten);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'signaal-afhandelen-eigenaar', reden: `Signaal ${signaal.soort} afgehandeld met uitkomst ${gesloten.uitkomst}.`, status: 200, velden: ['/uitkomst'] }));
      return { status: 200 as const, view: signaalView(gesloten) };
    });
    p.geaudit = true;
    if (result.status === 404) throw new HttpProblem('niet-gevonden', 'Geen signaal met dit id dat u mag afhandelen.', { regel: 'signaal-eigenaar' });
    if (result.status === 409) throw new HttpProblem('conflict-toestand', `Dit signaal is al afgehandeld (${result.reden}).`, { regel: 'signaal-al-afgehandeld' });
    res.json(result.view);
  }));

  return router;
}
