/**
 * Routes that change who is involved in a trajectory — its gemeente only:
 *
 * - `POST /v1/trajecten/{trajectId}/toewijzingen`: assign a party for a part (a new period; the
 *   history of earlier periods stays).
 * - `DELETE /v1/trajecten/{trajectId}/toewijzingen/{partij}[?rol=]`: end that party's running
 *   assignments now (`beeindigdOp`); publishing and reading by it stop with the next request.
 * - `POST /v1/trajecten/{trajectId}/afsluiting`: close the trajectory; every assignment ends.
 *
 * Each walks the pipeline: authenticate → identify → validate → decide (owner?) → commit the change
 * and its audit record in one transaction → answer with the trajectory as it now stands.
 */
import { Router } from 'express';
import { GEEN_RELATIE, ROLLEN_NA_AFSLUITING, type ToewijzingRol } from '../policy/types.js';
import type { InvalidParam } from '../schemas/registry.js';
import type { ToewijzingRow, TrajectRow, Tx } from '../store/store.js';
import { apiComponent } from './api-component.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid, trajectIdFromPath, type Actor, type Poging } from './attempt.js';
import { errors, ok, ref, trajectIdParam, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { nazorgPeriodeFouten, ROL_VOOR_TOEWIJZING, trajectView } from './trajecten.js';

const PARTIJ_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ROLLEN: readonly ToewijzingRol[] = ['taal', 'participatie', 'begeleiding', 'nazorg'];

/**
 * Step 4 for a change to a trajectory: only its gemeente. Unknown and not-yours give the same 403
 * (no existence oracle); the wrapper audits the refusal.
 */
export async function eigenTraject(s: Services, tx: Tx, actor: Actor, trajectId: string): Promise<TrajectRow> {
  const relatie = (await tx.relatie(trajectId, actor.partij.id, dutchDate(s.now()))) ?? GEEN_RELATIE;
  const besluit = s.policy.trajectBeheren(actor.partij, relatie);
  if (!besluit.toegestaan) throw new HttpProblem('geen-toegang', besluit.reden, { regel: besluit.regel });
  return (await tx.traject(trajectId))!;
}

export function nietAfgesloten(traject: TrajectRow): void {
  if (traject.afgeslotenOp) {
    throw new HttpProblem('conflict-toestand', `Het traject is afgesloten op ${traject.afgeslotenOp}; er kan niets meer aan worden toegevoegd.`, { regel: 'traject-afgesloten' });
  }
}

interface ToewijzingBody {
  partij: string;
  rol: ToewijzingRol;
  vanaf: string;
  tot?: string;
}

function overlaps(a: { vanaf: string; tot: string | null }, b: { vanaf: string; tot: string | null }): boolean {
  return (a.tot === null || b.vanaf <= a.tot) && (b.tot === null || a.vanaf <= b.tot);
}

export function toewijzingenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/trajecten/:trajectId/toewijzingen', attempt(s, 'toewijzing-toevoegen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const trajectId = trajectIdFromPath(req, p);
    const body = (await readJsonBody(req, res, s)) as ToewijzingBody;
    const schemaErrors = s.schemas.validateBody('api/toewijzing.json', body); // 3
    rejectInvalid(schemaErrors);
    const semantic: InvalidParam[] = [];
    const partij = s.policy.partij(body.partij);
    if (!partij) semantic.push({ name: '/partij', code: 'partij', reason: `onbekende partij "${body.partij}"` });
    else if (!ROL_VOOR_TOEWIJZING[body.rol].includes(partij.rol)) semantic.push({ name: '/rol', code: 'rol', reason: `een ${partij.rol} kan niet als ${body.rol} worden toegewezen` });
    if (body.tot !== undefined && body.tot < body.vanaf) semantic.push({ name: '/tot', code: 'periode', reason: 'tot ligt voor vanaf' });
    else semantic.push(...nazorgPeriodeFouten(body, ''));
    rejectInvalid(semantic);

    const result = await s.store.transaction(async (tx) => { // 6 commit
      const traject = await eigenTraject(s, tx, actor, trajectId); // 4 decide
      nietAfgesloten(traject);
      const row: ToewijzingRow = { trajectId, partij: body.partij, rol: body.rol, vanaf: body.vanaf, tot: body.tot ?? null, beeindigdOp: null };
      const clash = (await tx.toewijzingen(trajectId)).find((w) => w.partij === row.partij && w.rol === row.rol && w.beeindigdOp === null && overlaps(w, row));
      if (clash) {
        throw new HttpProblem('conflict-toestand', `${row.partij} is al als ${row.rol} toegewezen vanaf ${clash.vanaf}${clash.tot ? ` tot ${clash.tot}` : ''}; beëindig die toewijzing eerst of kies een periode die er niet mee overlapt.`, { regel: 'toewijzing-overlapt' });
      }
      await tx.insertToewijzing(row);
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 201, velden: ['/partij', '/rol', '/vanaf', ...(row.tot ? ['/tot'] : [])],
        reden: `${row.partij} toegewezen als ${row.rol} vanaf ${row.vanaf}${row.tot ? ` tot en met ${row.tot}` : ''}.`,
      }));
      return trajectView(traject, await tx.toewijzingen(trajectId));
    });
    p.geaudit = true;
    res.status(201).location(`/v1/trajecten/${trajectId}`).json(result); // 7
  }));

  router.delete('/trajecten/:trajectId/toewijzingen/:partij', attempt(s, 'toewijzing-beeindigen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const partijId = String(req.params.partij);
    const rol = req.query.rol;
    const invalid: InvalidParam[] = [];
    if (!PARTIJ_ID.test(partijId) || !s.policy.partij(partijId)) invalid.push({ name: 'partij', code: 'partij', reason: 'moet een geregistreerde partij zijn' });
    if (rol !== undefined && (typeof rol !== 'string' || !ROLLEN.includes(rol as ToewijzingRol))) invalid.push({ name: 'rol', code: 'enum', reason: `moet een van ${ROLLEN.join(', ')} zijn` });
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer parameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });

    const tijdstip = s.now().toISOString();
    const result = await s.store.transaction(async (tx) => {
      const traject = await eigenTraject(s, tx, actor, trajectId);
      const ended = await tx.beeindigToewijzingen(trajectId, partijId, (rol as ToewijzingRol | undefined) ?? null, tijdstip);
      if (ended === 0) {
        throw new HttpProblem('niet-gevonden', `${partijId} heeft op dit traject geen lopende toewijzing${rol ? ` als ${rol}` : ''}.`, { regel: 'geen-lopende-toewijzing' });
      }
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [],
        reden: `${ended} toewijzing(en) van ${partijId}${rol ? ` als ${rol}` : ''} beëindigd op ${tijdstip}; publiceren en lezen door ${partijId} stoppen direct.`,
      }));
      return trajectView(traject, await tx.toewijzingen(trajectId));
    });
    p.geaudit = true;
    res.json(result);
  }));

  router.post('/trajecten/:trajectId/afsluiting', attempt(s, 'traject-afsluiten', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const body = (await readJsonBody(req, res, s)) as { reden: string; uitkomst?: unknown };
    rejectInvalid(s.schemas.validateBody('api/afsluiting.json', body));
    const tijdstip = s.now().toISOString();
    const result = await s.store.transaction(async (tx) => {
      const traject = await eigenTraject(s, tx, actor, trajectId);
      nietAfgesloten(traject);
      // Every assignment ends, except the roles that outlive closing (nazorg: its own `tot`).
      let ended = 0;
      for (const rol of ROLLEN.filter((r) => !ROLLEN_NA_AFSLUITING.includes(r))) ended += await tx.beeindigToewijzingen(trajectId, null, rol, tijdstip);
      await tx.sluitTraject(trajectId, tijdstip, body.reden);
      if (body.uitkomst !== undefined) await tx.legAfsluituitkomstVast(trajectId, JSON.stringify(body.uitkomst));
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: ['/reden', ...(body.uitkomst !== undefined ? ['/uitkomst'] : [])],
        reden: `Traject afgesloten (${body.reden}); ${ended} lopende toewijzing(en) beëindigd; nazorg loopt door tot haar eigen einddatum.`,
      }));
      return trajectView({ ...traject, afgeslotenOp: tijdstip, afsluitreden: body.reden }, await tx.toewijzingen(trajectId));
    });
    p.geaudit = true;
    res.json(result);
  }));

  return router;
}

/** The `{trajectId}` path parameter in the OpenAPI document (one description for every route under a trajectory). */
export const trajectIdPath = trajectIdParam('path');

export const toewijzingenOpenApi: OpenApiPart = {
  schemas: { NieuweToewijzing: apiComponent('toewijzing.json'), Afsluiting: apiComponent('afsluiting.json') },
  paths: {
    '/trajecten/{trajectId}/toewijzingen': {
      post: {
        operationId: 'toewijzingToevoegen', tags: ['Trajecten'], summary: 'Assign a party to a trajectory (its gemeente only)',
        description: 'Adds an assignment period. A period overlapping a running assignment of the same party and part is a 409; after ending one, assigning again creates a new period and the old one stays in the history.',
        parameters: [trajectIdPath],
        requestBody: { required: true, content: { 'application/json': { schema: ref('NieuweToewijzing') } } },
        responses: { '201': ok('Assigned; the trajectory as it now stands', ref('Traject'), { Location: { schema: { type: 'string' } } }), ...errors('400', '401', '403', '409', '413', '415', '503') },
      },
    },
    '/trajecten/{trajectId}/toewijzingen/{partij}': {
      delete: {
        operationId: 'toewijzingBeeindigen', tags: ['Trajecten'], summary: 'End a party\'s assignments on a trajectory (its gemeente only)',
        description: 'Sets `beeindigdOp` on the party\'s running (or future) assignments; the history is kept. Publishing and reading by that party stop with the next request.',
        parameters: [
          trajectIdPath,
          { name: 'partij', in: 'path', required: true, description: 'The id of the assigned party (from the party registry). / Het id van de toegewezen partij.', schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' } },
          { name: 'rol', in: 'query', required: false, description: 'End only the assignment in this part; without it, every running assignment of the party. / Beëindig alleen de toewijzing in deze rol.', schema: ref('Toewijzingsrol') },
        ],
        responses: { '200': ok('Ended; the trajectory as it now stands', ref('Traject')), ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/trajecten/{trajectId}/afsluiting': {
      post: {
        operationId: 'trajectAfsluiten', tags: ['Trajecten'], summary: 'Close a trajectory (its gemeente only)',
        description: 'Records the closure and ends every assignment at once. A closed trajectory takes no new assignments or consents (409).',
        parameters: [trajectIdPath],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Afsluiting') } } },
        responses: { '200': ok('Closed; the trajectory as it now stands', ref('Traject')), ...errors('400', '401', '403', '409', '413', '415', '503') },
      },
    },
  },
};
