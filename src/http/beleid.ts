/**
 * `POST /v1/beleid/toets` — "why was I refused?" Given a party, an action, a message type, a doel
 * and a trajectory, answers what the policy decides and walks every rule: which conditions held,
 * which did not, and which rule decided. It discloses no message data and changes nothing; the
 * question itself is audited.
 *
 * Who may ask about whom: a party about itself; the gemeente that runs a trajectory about any party
 * on it. For a trajectory the party asked about has never had a relation with — or that does not
 * exist — the answer is the same, and consent is not looked up (no existence oracle).
 */
import { Router } from 'express';
import { explain } from '../policy/explain.js';
import { GEEN_RELATIE, type Actie, type Partij } from '../policy/types.js';
import type { InvalidParam } from '../schemas/registry.js';
import type { ToestemmingRow, ToewijzingRow } from '../store/store.js';
import { apiComponent } from './api-component.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid } from './attempt.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { beleidsversie } from './verwerkingsactiviteiten.js';

interface ToetsBody {
  partij?: string;
  actie?: Actie;
  berichttype: string;
  doel?: string;
  trajectId: string;
}

export function beleidRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/beleid/toets', attempt(s, 'beleid-toetsen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const body = (await readJsonBody(req, res, s)) as ToetsBody;
    rejectInvalid(s.schemas.validateBody('api/toets.json', body)); // 3
    p.trajectIds = [body.trajectId];
    const actie: Actie = body.actie ?? 'lezen';
    const invalid: InvalidParam[] = [];
    const subject: Partij | undefined = body.partij === undefined ? actor.partij : s.policy.partij(body.partij);
    if (!subject) invalid.push({ name: '/partij', code: 'partij', reason: `onbekende partij "${body.partij}"` });
    if (!s.schemas.schema(body.berichttype)) invalid.push({ name: '/berichttype', code: 'enum', reason: `moet een van ${s.schemas.berichttypen.join(', ')} zijn` });
    else p.berichttype = body.berichttype;
    const doel = body.doel === undefined ? undefined : s.policy.doel(body.doel);
    if (actie === 'lezen' && body.doel === undefined) invalid.push({ name: '/doel', code: 'required', reason: 'is verplicht bij lezen' });
    if (body.doel !== undefined && !doel) invalid.push({ name: '/doel', code: 'enum', reason: `moet een van ${s.policy.set.doelen.map((d) => d.id).join(', ')} zijn` });
    rejectInvalid(invalid);
    p.doel = doel ?? null;
    const self = subject!.id === actor.partij.id;
    if (!self && actor.partij.rol !== 'gemeente') {
      throw new HttpProblem('geen-toegang', 'U kunt alleen toetsen wat het beleid voor uw eigen partij beslist; een gemeente ook voor partijen op haar eigen trajecten.', { regel: 'toets-eigen-partij' });
    }

    const now = s.now();
    const moment = { tijdstip: now.toISOString(), datum: dutchDate(now) };
    const outcome = await s.store.transaction(async (tx) => { // 4 decide (and explain), 6 audit — nothing else is written
      if (!self) {
        const askerRelatie = await tx.relatie(body.trajectId, actor.partij.id, moment.datum);
        if (!askerRelatie?.eigenaar) {
          throw new HttpProblem('geen-toegang', 'Over een andere partij kunt u alleen toetsen op een traject dat uw gemeente voert (of het traject bestaat niet).', { regel: 'toets-eigen-traject' });
        }
      }
      const relatie = (await tx.relatie(body.trajectId, subject!.id, moment.datum)) ?? GEEN_RELATIE;
      const perioden: ToewijzingRow[] = (await tx.traject(body.trajectId)) ? (await tx.toewijzingen(body.trajectId)).filter((w) => w.partij === subject!.id) : [];
      // A party asking about itself knows this trajectory if it runs it or ever had an assignment on
      // it; otherwise the answer must look exactly like the one for a trajectory that does not exist.
      // The gemeente asking about a party on its own trajectory knows everything about it already.
      const bekend = !self || relatie.eigenaar || perioden.length > 0;
      let toestemmingen: ToestemmingRow[] | undefined;
      if (bekend && doel?.toestemmingVereist && actie === 'lezen') {
        toestemmingen = await tx.toestemmingen(body.trajectId, { ontvanger: subject!.id, doel: doel.id });
      }
      const uitleg = explain(s.policy, {
        partij: subject!, actie, berichttype: body.berichttype, doel: doel?.id, relatie: bekend ? relatie : GEEN_RELATIE, toestemmingen, moment,
      }, { toestemmingNagegaan: bekend });
      const b = uitleg.besluit;
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: self ? 'toets-eigen-partij' : 'toets-eigen-traject', status: 200, velden: [],
        reden: `Toets voor ${subject!.id} (${actie} ${body.berichttype}${doel ? ` voor ${doel.id}` : ''}): ${b.toegestaan ? 'toegestaan' : 'geweigerd'} volgens ${b.regel}. Geen gegevens verstrekt.`,
      }));
      return { uitleg, relatie, perioden, bekend, record };
    });
    p.geaudit = true;

    const { uitleg, relatie, perioden, bekend, record } = outcome;
    const b = uitleg.besluit;
    res.json({ // 7
      vraag: { partij: subject!.id, rol: subject!.rol, actie, berichttype: body.berichttype, doel: doel?.id ?? null, trajectId: body.trajectId, tijdstip: moment.tijdstip },
      besluit: b.toegestaan ? 'toegestaan' : 'geweigerd',
      regel: b.regel,
      reden: b.reden,
      grondslag: b.grondslag,
      projectie: b.projectie,
      relatie: bekend
        ? {
            eigenaar: relatie.eigenaar,
            actieveToewijzingen: relatie.toewijzingen,
            toewijzingen: perioden.map((w) => ({ rol: w.rol, vanaf: w.vanaf, tot: w.tot, beeindigdOp: w.beeindigdOp })),
            toelichting: relatie.eigenaar ? 'U voert dit traject.' : relatie.toewijzingen.length ? `Actief toegewezen als ${relatie.toewijzingen.join(' en ')}.` : 'Geen actieve toewijzing (meer of nog niet).',
          }
        : { eigenaar: false, actieveToewijzingen: [], toewijzingen: [], toelichting: 'Geen relatie met dit traject (of het bestaat niet).' },
      toestemming: {
        nagegaan: uitleg.toestemming.nagegaan,
        status: uitleg.toestemming.nagegaan ? uitleg.toestemming.status : 'niet-nagegaan',
        toestemmingIds: uitleg.toestemming.toestemmingIds,
        gegevenscategorieen: uitleg.toestemming.gegevenscategorieen,
      },
      overwegingen: uitleg.overwegingen,
      beleidsversie: beleidsversie(s.policy),
      logboek: { id: record.id, hash: record.hash },
    });
  }));

  return router;
}

const voorwaarde = { type: 'object', required: ['voorwaarde', 'vervuld', 'toelichting'], properties: { voorwaarde: { type: 'string', enum: ['actie', 'rol', 'berichttype', 'doel', 'relatie', 'regime', 'bericht', 'toestemming'] }, vervuld: { type: 'boolean' }, toelichting: { type: 'string' } } };

export const beleidOpenApi: OpenApiPart = {
  tags: [{ name: 'Beleid', description: 'Asking the policy why: every rule considered, nothing disclosed' }],
  schemas: {
    Beleidstoets: apiComponent('toets.json'),
    Toetsuitslag: {
      type: 'object',
      description: 'The decision with every rule considered and why it did or did not apply. Contains no message data. / De uitslag van een beleidstoets.',
      required: ['vraag', 'besluit', 'regel', 'reden', 'grondslag', 'projectie', 'relatie', 'toestemming', 'overwegingen', 'beleidsversie', 'logboek'],
      properties: {
        vraag: { type: 'object' },
        besluit: { type: 'string', enum: ['toegestaan', 'geweigerd'] },
        regel: { type: 'string', description: 'The rule that decided (a rule id, `standaard-weigeren` or `alleen-geaggregeerd`).' },
        reden: { type: 'string' },
        grondslag: { type: ['string', 'null'] },
        projectie: { type: ['array', 'null'], items: { type: 'string' }, description: 'The JSON pointers that would be disclosed (names, never values).' },
        relatie: { type: 'object' },
        toestemming: { type: 'object', properties: { nagegaan: { type: 'boolean' }, status: { type: 'string', enum: ['geldig', 'ingetrokken', 'verlopen', 'nog-niet-geldig', 'geen', 'niet-nagegaan'] } } },
        overwegingen: {
          type: 'array',
          items: {
            type: 'object', required: ['regel', 'effect', 'ingebouwd', 'toelichting', 'vanToepassing', 'doorslaggevend', 'voorwaarden'],
            properties: {
              regel: { type: 'string' }, effect: { type: 'string', enum: ['toestaan', 'verbieden'] }, ingebouwd: { type: 'boolean' }, toelichting: { type: 'string' },
              vanToepassing: { type: 'boolean' }, doorslaggevend: { type: 'boolean' }, voorwaarden: { type: 'array', items: voorwaarde },
            },
          },
        },
        beleidsversie: { type: 'string' },
        logboek: { type: 'object', properties: { id: { type: 'integer' }, hash: { type: 'string' } } },
      },
    },
  },
  paths: {
    '/beleid/toets': {
      post: {
        operationId: 'beleidToetsen', tags: ['Beleid'], summary: 'Explain a policy decision (why allowed, why refused)',
        description: 'A party may ask about itself; the gemeente that runs a trajectory may ask about any party on it. Nothing is disclosed or changed; the question is audited. A trajectory the party has no relation with gets the same answer as one that does not exist.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('Beleidstoets') } } },
        responses: { '200': ok('The decision and every rule considered', ref('Toetsuitslag')), ...errors('400', '401', '403', '413', '415', '503') },
      },
    },
  },
};
