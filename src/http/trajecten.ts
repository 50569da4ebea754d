/**
 * Routes for trajectories: `POST /v1/trajecten` (a gemeente opens one, possibly with the route
 * `nog-te-bepalen`), `GET /v1/trajecten/{trajectId}` (its gemeente and actively assigned parties see
 * the current route, regime and target group) and `PATCH /v1/trajecten/{trajectId}` (its gemeente
 * changes route, regime or target group; every change audited with what it was and became).
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import type { InvalidParam } from '../schemas/registry.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { ToewijzingRow, TrajectRow, TrajectWijziging } from '../store/store.js';
import { GEEN_RELATIE, NAZORG_MAANDEN, type Doelgroep, type Regime } from '../policy/types.js';
import { attempt, auditedRead, auditInput, authenticate, readJsonBody, rejectInvalid, trajectIdFromPath } from './attempt.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { eigenTraject, nietAfgesloten } from './toewijzingen.js';


interface TrajectBody {
  leerroute: string;
  regime?: Regime;
  doelgroep?: Doelgroep;
  startdatum: string;
  toewijzingen: { partij: string; rol: ToewijzingRow['rol']; vanaf: string; tot?: string }[];
}

export const ROL_VOOR_TOEWIJZING: Record<ToewijzingRow['rol'], string[]> = {
  taal: ['taalaanbieder'],
  participatie: ['reintegratie'],
  begeleiding: ['taalaanbieder', 'reintegratie', 'maatschappelijke-begeleiding'],
  nazorg: ['reintegratie'],
};

/** The last day aftercare starting on `vanaf` may run: NAZORG_MAANDEN months on, less a day. */
export function laatsteNazorgdag(vanaf: string): string {
  const d = new Date(`${vanaf}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + NAZORG_MAANDEN);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Aftercare has its own end: `tot` is required and at most NAZORG_MAANDEN months after `vanaf`. */
export function nazorgPeriodeFouten(t: { rol: string; vanaf: string; tot?: string }, pad: string): InvalidParam[] {
  if (t.rol !== 'nazorg') return [];
  if (t.tot === undefined) return [{ name: `${pad}/tot`, code: 'nazorg', reason: `nazorg heeft een eigen einddatum (tot), hooguit ${NAZORG_MAANDEN} maanden na vanaf` }];
  const grens = laatsteNazorgdag(t.vanaf);
  return t.tot > grens ? [{ name: `${pad}/tot`, code: 'nazorg', reason: `nazorg duurt hooguit ${NAZORG_MAANDEN} maanden: uiterlijk ${grens}` }] : [];
}

/** Checks the schema cannot express: the party exists, fits the part it is given, dates in order. */
function checkToewijzingen(body: TrajectBody, policy: PolicyEngine): InvalidParam[] {
  const errors: InvalidParam[] = [];
  body.toewijzingen.forEach((t, i) => {
    const partij = policy.partij(t.partij);
    if (!partij) errors.push({ name: `/toewijzingen/${i}/partij`, code: 'partij', reason: `onbekende partij "${t.partij}"` });
    else if (!ROL_VOOR_TOEWIJZING[t.rol].includes(partij.rol)) {
      errors.push({ name: `/toewijzingen/${i}/rol`, code: 'rol', reason: `een ${partij.rol} kan niet als ${t.rol} worden toegewezen` });
    }
    if (t.tot !== undefined && t.tot < t.vanaf) errors.push({ name: `/toewijzingen/${i}/tot`, code: 'periode', reason: 'tot ligt voor vanaf' });
    else errors.push(...nazorgPeriodeFouten(t, `/toewijzingen/${i}`));
  });
  return errors;
}

export function trajectView(t: TrajectRow, toewijzingen: ToewijzingRow[]) {
  return {
    trajectId: t.trajectId,
    gemeente: t.gemeente,
    leerroute: t.leerroute,
    regime: t.regime ?? 'wi2021',
    doelgroep: t.doelgroep ?? 'onbekend',
    startdatum: t.startdatum,
    aangemaaktOp: t.aangemaaktOp,
    ...(t.afgeslotenOp ? { afgeslotenOp: t.afgeslotenOp, afsluitreden: t.afsluitreden } : {}),
    toewijzingen: toewijzingen.map((w) => ({
      partij: w.partij,
      rol: w.rol,
      vanaf: w.vanaf,
      ...(w.tot ? { tot: w.tot } : {}),
      ...(w.beeindigdOp ? { beeindigdOp: w.beeindigdOp } : {}),
    })),
  };
}

export function trajectenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/trajecten', attempt(s, 'traject-openen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const body = (await readJsonBody(req, res, s)) as TrajectBody;
    const schemaErrors = s.schemas.validateBody('api/traject.json', body); // 3
    rejectInvalid(schemaErrors.length ? schemaErrors : checkToewijzingen(body, s.policy));
    const besluit = s.policy.trajectOpenen(actor.partij); // 4
    if (!besluit.toegestaan) throw new HttpProblem('geen-toegang', besluit.reden, { regel: besluit.regel });

    const traject: TrajectRow = {
      trajectId: crypto.randomUUID(),
      gemeente: actor.partij.id,
      leerroute: body.leerroute,
      regime: body.regime ?? 'wi2021',
      doelgroep: body.doelgroep ?? 'onbekend',
      startdatum: body.startdatum,
      aangemaaktOp: s.now().toISOString(),
    };
    const toewijzingen: ToewijzingRow[] = body.toewijzingen.map((t) => ({
      trajectId: traject.trajectId, partij: t.partij, rol: t.rol, vanaf: t.vanaf, tot: t.tot ?? null, beeindigdOp: null,
    }));
    p.trajectIds = [traject.trajectId];
    await s.store.transaction(async (tx) => { // 6
      await tx.insertTraject(traject, toewijzingen);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: besluit.regel, reden: besluit.reden, status: 201, velden: ['/leerroute', '/regime', '/doelgroep', '/startdatum', '/toewijzingen'] }));
    });
    p.geaudit = true;
    res.status(201).location(`/v1/trajecten/${traject.trajectId}`).json(trajectView(traject, toewijzingen)); // 7
  }));

  router.get('/trajecten/:trajectId', attempt(s, 'traject-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const result = await auditedRead<{ regel: string; traject?: TrajectRow; toewijzingen?: ToewijzingRow[] }>(s, p, async (tx) => { // 4 decide and read in one snapshot, 6 its record
      const relatie = (await tx.relatie(trajectId, actor.partij.id, dutchDate(s.now()))) ?? GEEN_RELATIE;
      const besluit = s.policy.trajectInzien(actor.partij, relatie);
      const uitkomst = {
        besluit: besluit.toegestaan ? 'toegestaan' as const : 'geweigerd' as const, regel: besluit.regel, reden: besluit.reden, status: besluit.toegestaan ? 200 : 403,
        velden: besluit.toegestaan ? ['/leerroute', '/regime', '/doelgroep', '/startdatum', '/toewijzingen'] : [],
      };
      if (!besluit.toegestaan) return { uitkomst, waarde: { regel: besluit.regel } };
      return { uitkomst, waarde: { regel: besluit.regel, traject: (await tx.traject(trajectId))!, toewijzingen: await tx.toewijzingen(trajectId) } };
    });
    // The same 403 for "does not exist" and "not yours": no existence oracle.
    if (!result.traject) throw new HttpProblem('geen-toegang', 'U heeft geen relatie met dit traject (of het bestaat niet).', { regel: result.regel });
    res.json(trajectView(result.traject, result.toewijzingen!));
  }));

  router.patch('/trajecten/:trajectId', attempt(s, 'traject-wijzigen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const trajectId = trajectIdFromPath(req, p);
    const body = (await readJsonBody(req, res, s)) as TrajectWijziging;
    rejectInvalid(s.schemas.validateBody('api/trajectwijziging.json', body)); // 3
    const result = await s.store.transaction(async (tx) => {
      const traject = await eigenTraject(s, tx, actor, trajectId); // 4 decide: its gemeente only
      nietAfgesloten(traject);
      const velden = (['leerroute', 'regime', 'doelgroep'] as const).filter((k) => body[k] !== undefined);
      const wijzigingen = velden.map((k) => `${k} ${traject[k] ?? '(leeg)'} → ${body[k]}`);
      await tx.wijzigTraject(trajectId, body); // 6 commit, with its audit record
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: velden.map((k) => `/${k}`),
        reden: `Traject gewijzigd: ${wijzigingen.join('; ')}.`,
      }));
      return trajectView({ ...traject, ...body }, await tx.toewijzingen(trajectId));
    });
    p.geaudit = true;
    res.json(result); // 7
  }));

  return router;
}

