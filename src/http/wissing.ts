/**
 * Owns `POST /v1/trajecten/{trajectId}/wissing` `{ reden }` (issue 13, AVG art. 17): the gemeente that
 * runs a trajectory erases the content of all its messages now, with a coded reason from
 * `policies/bewaring.json` (docs/bewaring.md).
 *
 * Guarantees:
 * - Only the owning gemeente; another party and an unknown id get the same 403 (no existence oracle),
 *   and every refusal is audited — as every other change to a trajectory (`eigenTraject`).
 * - In one transaction: the logboek record (`traject-wissen`, processing activity
 *   `…:bewaartermijnen`, naming every message erased), the content removed (each row stays as a
 *   tombstone naming this record and the reason), the trajectory's state rebuilt from what is left
 *   (nothing), and its signals deleted — so nothing derived lets anyone reconstruct the content.
 * - Idempotent: asking again erases what arrived since (usually nothing) and answers the same way,
 *   with the counts of now and before. Consent records, the assignments and the logboek stay.
 */
import { Router } from 'express';
import type { Verwijdering } from '../bewaring/termijnen.js';
import type { BewaringBericht } from '../store/bewaring-store.js';
import { verwerkVerwijdering } from '../verwerking/stand-en-signalen.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid, trajectIdFromPath } from './attempt.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import type { InvalidParam } from '../schemas/registry.js';
import { dutchDate, type Services } from './services.js';
import { eigenTraject, trajectIdPath } from './toewijzingen.js';

const PAGINA = 1000;

export function wissingRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/trajecten/:trajectId/wissing', attempt(s, 'traject-wissen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const trajectId = trajectIdFromPath(req, p);
    const body = (await readJsonBody(req, res, s)) as { reden?: unknown } | null; // 3
    const codes = s.policy.set.wisredenen.map((w) => w.code);
    const fouten: InvalidParam[] = [];
    if (!body || typeof body !== 'object' || Array.isArray(body)) fouten.push({ name: '/', code: 'type', reason: 'moet een object zijn met reden' });
    else {
      if (!codes.includes(body.reden as string)) {
        fouten.push({ name: '/reden', code: 'enum', reason: codes.length ? `moet een van ${codes.join(', ')} zijn` : 'er zijn geen redenen voor wissing vastgelegd (policies/bewaring.json)' });
      }
      for (const k of Object.keys(body)) if (k !== 'reden') fouten.push({ name: `/${k}`, code: 'additionalProperties', reason: 'is geen veld van een wissing' });
    }
    rejectInvalid(fouten);
    const reden = s.policy.set.wisredenen.find((w) => w.code === (body as { reden: string }).reden)!;

    const op = s.now().toISOString();
    const uitkomst = await s.store.transaction(async (tx) => { // 6 commit
      await eigenTraject(s, tx, actor, trajectId); // 4 decide: its gemeente only
      const rijen: BewaringBericht[] = [];
      for (let na = 0; ;) {
        const pagina = await tx.berichtenVoorBewaring(trajectId, na, PAGINA);
        rijen.push(...pagina);
        if (pagina.length < PAGINA) break;
        na = pagina.at(-1)!.volgnummer;
      }
      const weg = rijen.filter((r) => !r.verwijderdOp);
      p.berichtIds = weg.map((r) => r.berichtId);
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'wissing', status: 200, grondslag: reden.avg, velden: weg.length ? ['/inhoud'] : [],
        reden: `Inhoud van ${weg.length} bericht(en) gewist door de gemeente (reden ${reden.code}: ${reden.naam}; ${reden.avg}); `
          + `${rijen.length - weg.length} bericht(en) waren al zonder inhoud. Bewaard blijven het logboek, de toestemmingen en per bericht het id, het type, het traject en de data.`,
      }));
      const v: Verwijdering = { grond: 'wissing', logboek: record.id, reden: reden.code, avg: reden.avg };
      const gedaan = await tx.verwijderInhoud(weg.map((r) => r.volgnummer), op, JSON.stringify(v));
      if (gedaan.length !== weg.length) throw new Error('content changed inside the erasure transaction');
      const signalen = weg.length ? await verwerkVerwijdering(tx, { vandaag: dutchDate(s.now()) }, trajectId, op, new Set(p.berichtIds)) : 0;
      if (rijen.length) await tx.zetBewaringVolgnummer(trajectId, rijen.at(-1)!.volgnummer);
      return { gewist: weg.length, eerder: rijen.length - weg.length, signalen, logboek: { id: record.id, hash: record.hash } };
    });
    p.geaudit = true;
    res.json({ // 7 answer
      trajectId, reden: reden.code, gewistOp: op,
      berichten: { gewist: uitkomst.gewist, eerderVerwijderd: uitkomst.eerder }, signalenVerwijderd: uitkomst.signalen, logboek: uitkomst.logboek,
    });
  }));

  return router;
}

export const wissingOpenApi: OpenApiPart = {
  schemas: {
    Wissing: {
      type: 'object', additionalProperties: false, required: ['reden'],
      description: 'Why the gemeente erases the content of the trajectory\'s messages (AVG art. 17). The codes are the deployment\'s (policies/bewaring.json); the shipped ones are listed. / Waarom de gemeente de inhoud wist.',
      properties: {
        reden: {
          type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
          examples: ['niet-meer-nodig', 'toestemming-ingetrokken', 'bezwaar-toegewezen', 'onrechtmatig-verwerkt', 'verkeerde-deelnemer', 'wettelijke-plicht'],
        },
      },
    },
    Wissingsbewijs: {
      type: 'object', required: ['trajectId', 'reden', 'gewistOp', 'berichten', 'signalenVerwijderd', 'logboek'],
      description: 'What this erasure did. / Wat deze wissing deed.',
      properties: {
        trajectId: { type: 'string', format: 'uuid' }, reden: { type: 'string' }, gewistOp: ref('Tijdstip'),
        berichten: {
          type: 'object', required: ['gewist', 'eerderVerwijderd'],
          properties: {
            gewist: { type: 'integer', minimum: 0, description: 'Messages whose content this request removed.' },
            eerderVerwijderd: { type: 'integer', minimum: 0, description: 'Messages whose content was already gone (an earlier erasure or the retention term).' },
          },
        },
        signalenVerwijderd: { type: 'integer', minimum: 0, description: 'Signals deleted because they were derived from the erased content.' },
        logboek: ref('LogboekVerwijzing'),
      },
    },
  },
  paths: {
    '/trajecten/{trajectId}/wissing': {
      post: {
        operationId: 'trajectWissen', tags: ['Trajecten'], summary: 'Erase the content of every message of a trajectory (its gemeente only)',
        description: [
          'AVG art. 17, where it applies: removes the content of all messages of the trajectory now. Each message stays as a tombstone (id, type, trajectory, sender, dates, when and why); reads by id answer 410, lists show it without content.',
          'The trajectory\'s state is rebuilt without the content and its signals are deleted. Consent records, assignments and the logboek stay; the logboek verifies unchanged.',
          'Idempotent: asking again removes only what arrived since and answers the same way. Another party, or an unknown trajectory, gets 403.',
        ].join(' '),
        parameters: [trajectIdPath],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Wissing') } } },
        responses: { '200': ok('Erased (now or before)', ref('Wissingsbewijs')), ...errors('400', '401', '403', '413', '415', '503') },
      },
    },
  },
};
