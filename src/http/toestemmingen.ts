/**
 * Routes for the participant's consent (toestemming), recorded and withdrawn by the gemeente that
 * runs the trajectory:
 *
 * - `POST /v1/trajecten/{trajectId}/toestemmingen` → 201 with the record and its receipt;
 * - `GET /v1/trajecten/{trajectId}/toestemmingen` → every record, withdrawn and expired included;
 * - `GET /v1/trajecten/{trajectId}/toestemmingen/{toestemmingId}` → one record;
 * - `DELETE /v1/trajecten/{trajectId}/toestemmingen/{toestemmingId}` → withdrawn: the record stays
 *   with its withdrawal time, and the next read that relied on it is refused.
 *
 * Every attempt, allowed or refused, leaves one logboek record.
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import { statusOp } from '../consent/geldigheid.js';
import { ontvangstbewijs } from '../consent/ontvangstbewijs.js';
import type { Doel } from '../policy/types.js';
import type { InvalidParam } from '../schemas/registry.js';
import type { ToestemmingRow } from '../store/store.js';
import { apiComponent } from './api-component.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid, trajectIdFromPath, uuidFromPath } from './attempt.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { eigenTraject, nietAfgesloten, trajectIdPath } from './toewijzingen.js';
import { beleidsversie } from './verwerkingsactiviteiten.js';

interface ToestemmingBody {
  ontvanger: string;
  doel: string;
  gegevenscategorieen?: string[];
  geldigTot: string;
  bewijs?: { vorm: string; kenmerk?: string };
}

/** A consent record as answered: its state now, and the receipt. */
export function toestemmingView(s: Services, row: ToestemmingRow) {
  const now = s.now();
  const doel = s.policy.doel(row.doel)!;
  return {
    toestemmingId: row.toestemmingId,
    trajectId: row.trajectId,
    ontvanger: row.ontvanger,
    doel: row.doel,
    gegevenscategorieen: row.gegevenscategorieen,
    gegevenOp: row.gegevenOp,
    geldigTot: row.geldigTot,
    ingetrokkenOp: row.ingetrokkenOp,
    status: statusOp(row, { tijdstip: now.toISOString(), datum: dutchDate(now) }),
    ...(row.bewijs ? { bewijs: row.bewijs } : {}),
    vastgelegdDoor: row.vastgelegdDoor,
    ontvangstbewijs: ontvangstbewijs(row, {
      doel,
      verantwoordelijke: s.policy.partij(row.vastgelegdDoor)!,
      ontvanger: s.policy.partij(row.ontvanger)!,
      categorieen: row.gegevenscategorieen.map((c) => s.policy.categorie(c)!),
      policyUrl: `${s.config.publicUrl}/v1/verwerkingsactiviteiten/${doel.id}`,
    }),
  };
}

/** Checks the schema cannot express, against the register: who, which doel, which categories, until when. */
function checkBody(s: Services, body: ToestemmingBody): { doel: Doel | undefined; errors: InvalidParam[] } {
  const errors: InvalidParam[] = [];
  const ontvanger = s.policy.partij(body.ontvanger);
  const doel = s.policy.doel(body.doel);
  if (!ontvanger) errors.push({ name: '/ontvanger', code: 'partij', reason: `onbekende partij "${body.ontvanger}"` });
  if (!doel) {
    errors.push({ name: '/doel', code: 'enum', reason: `onbekend doel; zie /v1/verwerkingsactiviteiten` });
  } else if (!doel.toestemmingVereist) {
    errors.push({ name: '/doel', code: 'grondslag', reason: `doel ${doel.id} heeft als grondslag ${doel.grondslag.soort}, niet toestemming; toestemming vastleggen kan alleen voor ${s.policy.set.doelen.filter((d) => d.toestemmingVereist).map((d) => d.id).join(', ')}` });
  } else {
    if (ontvanger && !doel.ontvangers.includes(ontvanger.rol)) {
      errors.push({ name: '/ontvanger', code: 'ontvanger', reason: `een ${ontvanger.rol} is geen ontvanger van doel ${doel.id} (ontvangers: ${doel.ontvangers.join(', ')})` });
    }
    (body.gegevenscategorieen ?? []).forEach((c, i) => {
      if (!doel.gegevenscategorieen.includes(c)) errors.push({ name: `/gegevenscategorieen/${i}`, code: 'categorie', reason: `hoort niet bij doel ${doel.id} (wel: ${doel.gegevenscategorieen.join(', ')})` });
    });
  }
  if (body.geldigTot < dutchDate(s.now())) errors.push({ name: '/geldigTot', code: 'periode', reason: 'ligt in het verleden' });
  return { doel, errors };
}

export function toestemmingenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.post('/trajecten/:trajectId/toestemmingen', attempt(s, 'toestemming-vastleggen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const trajectId = trajectIdFromPath(req, p);
    const body = (await readJsonBody(req, res, s)) as ToestemmingBody;
    rejectInvalid(s.schemas.validateBody('api/toestemming.json', body)); // 3
    const checked = checkBody(s, body);
    if (checked.doel) p.doel = checked.doel;
    rejectInvalid(checked.errors);
    const doel = checked.doel!;

    const outcome = await s.store.transaction(async (tx) => { // 6
      const traject = await eigenTraject(s, tx, actor, trajectId); // 4
      nietAfgesloten(traject);
      const row: ToestemmingRow = {
        toestemmingId: crypto.randomUUID(),
        trajectId,
        ontvanger: body.ontvanger,
        doel: doel.id,
        gegevenscategorieen: body.gegevenscategorieen ?? [...doel.gegevenscategorieen],
        gegevenOp: s.now().toISOString(),
        geldigTot: body.geldigTot,
        ingetrokkenOp: null,
        bewijs: body.bewijs ?? null,
        vastgelegdDoor: actor.partij.id,
        beleidsversie: beleidsversie(s.policy),
      };
      await tx.insertToestemming(row);
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 201, grondslag: doel.grondslag.avg,
        velden: ['/ontvanger', '/doel', '/gegevenscategorieen', '/geldigTot', ...(row.bewijs ? ['/bewijs'] : [])],
        reden: `Toestemming ${row.toestemmingId} vastgelegd: ${row.ontvanger} voor doel ${doel.id} (${row.gegevenscategorieen.join(', ')}) tot en met ${row.geldigTot}.`,
      }));
      return { row, record };
    });
    p.geaudit = true;
    res.status(201).location(`/v1/trajecten/${trajectId}/toestemmingen/${outcome.row.toestemmingId}`)
      .json({ ...toestemmingView(s, outcome.row), logboek: { id: outcome.record.id, hash: outcome.record.hash } });
  }));

  router.get('/trajecten/:trajectId/toestemmingen', attempt(s, 'toestemmingen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const rows = await s.store.transaction(async (tx) => {
      await eigenTraject(s, tx, actor, trajectId);
      const all = await tx.toestemmingen(trajectId);
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [],
        reden: `${all.length} toestemming(en) getoond.`,
      }));
      return all;
    });
    p.geaudit = true;
    res.json({ resultaten: rows.map((r) => toestemmingView(s, r)) });
  }));

  router.get('/trajecten/:trajectId/toestemmingen/:toestemmingId', attempt(s, 'toestemmingen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const toestemmingId = uuidFromPath(req, 'toestemmingId');
    const row = await s.store.transaction(async (tx) => {
      await eigenTraject(s, tx, actor, trajectId);
      const found = await tx.toestemming(trajectId, toestemmingId);
      if (!found) throw new HttpProblem('niet-gevonden', 'Geen toestemming met dit id op dit traject.', { regel: 'toestemming-onbekend' });
      p.doel = s.policy.doel(found.doel) ?? null;
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [], reden: `Toestemming ${toestemmingId} getoond.` }));
      return found;
    });
    p.geaudit = true;
    res.json(toestemmingView(s, row));
  }));

  router.delete('/trajecten/:trajectId/toestemmingen/:toestemmingId', attempt(s, 'toestemming-intrekken', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const toestemmingId = uuidFromPath(req, 'toestemmingId');
    const tijdstip = s.now().toISOString();
    const outcome = await s.store.transaction(async (tx) => {
      await eigenTraject(s, tx, actor, trajectId);
      const found = await tx.toestemming(trajectId, toestemmingId);
      if (!found) throw new HttpProblem('niet-gevonden', 'Geen toestemming met dit id op dit traject.', { regel: 'toestemming-onbekend' });
      p.doel = s.policy.doel(found.doel) ?? null;
      const already = found.ingetrokkenOp !== null;
      if (!already) await tx.trekToestemmingIn(toestemmingId, tijdstip);
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [],
        reden: already
          ? `Toestemming ${toestemmingId} was al ingetrokken op ${found.ingetrokkenOp}; niets gewijzigd.`
          : `Toestemming ${toestemmingId} ingetrokken; ${found.ontvanger} ontvangt vanaf nu niets meer voor doel ${found.doel} op grond van deze toestemming.`,
      }));
      return { row: { ...found, ingetrokkenOp: found.ingetrokkenOp ?? tijdstip }, record };
    });
    p.geaudit = true;
    res.json({ ...toestemmingView(s, outcome.row), logboek: { id: outcome.record.id, hash: outcome.record.hash } });
  }));

  return router;
}

const toestemmingIdPath = { name: 'toestemmingId', in: 'path', required: true, description: 'The id the gateway gave the consent record when it was recorded. / Het id van de vastgelegde toestemming.', schema: { type: 'string', format: 'uuid' } };

export const toestemmingenOpenApi: OpenApiPart = {
  tags: [{ name: 'Toestemmingen', description: 'The participant\'s consent, recorded and withdrawn by the gemeente' }],
  schemas: {
    NieuweToestemming: apiComponent('toestemming.json'),
    Toestemming: {
      type: 'object',
      description: 'A consent record with its state now and a receipt following the Kantara Consent Receipt v1.1 fields (with the ISO/IEC TS 27560 additions). / Een vastgelegde toestemming.',
      required: ['toestemmingId', 'trajectId', 'ontvanger', 'doel', 'gegevenscategorieen', 'gegevenOp', 'geldigTot', 'ingetrokkenOp', 'status', 'vastgelegdDoor', 'ontvangstbewijs'],
      properties: {
        toestemmingId: { type: 'string', format: 'uuid' }, trajectId: { type: 'string', format: 'uuid' },
        ontvanger: { type: 'string' }, doel: { type: 'string' }, gegevenscategorieen: { type: 'array', items: { type: 'string' } },
        gegevenOp: ref('Tijdstip'), geldigTot: ref('Datum'), ingetrokkenOp: { type: ['string', 'null'], format: 'date-time' },
        status: { type: 'string', enum: ['geldig', 'ingetrokken', 'verlopen', 'nog-niet-geldig'] },
        bewijs: { type: 'object', properties: { vorm: ref('Toestemmingsvorm'), kenmerk: { type: 'string' } } },
        vastgelegdDoor: { type: 'string' },
        ontvangstbewijs: { type: 'object', description: 'Consent receipt: version, jurisdiction, consentTimestamp, collectionMethod, consentReceiptID, language, piiPrincipalId, piiControllers, policyUrl, services, sensitive, spiCat, legalBasis, recipients, expiry, withdrawalTimestamp, policyVersion.' },
        logboek: ref('LogboekVerwijzing'),
      },
    },
    Toestemmingenlijst: { type: 'object', required: ['resultaten'], properties: { resultaten: { type: 'array', items: ref('Toestemming') } } },
  },
  paths: {
    '/trajecten/{trajectId}/toestemmingen': {
      post: {
        operationId: 'toestemmingVastleggen', tags: ['Toestemmingen'], summary: 'Record the participant\'s consent (the trajectory\'s gemeente only)',
        description: 'For a consent-based doel only (400 otherwise). Without `gegevenscategorieen` the consent covers all of the doel\'s categories; with fewer, reads are narrowed to the fields of those categories.',
        parameters: [trajectIdPath],
        requestBody: { required: true, content: { 'application/json': { schema: ref('NieuweToestemming') } } },
        responses: { '201': ok('Recorded, with its receipt', ref('Toestemming'), { Location: { schema: { type: 'string' } } }), ...errors('400', '401', '403', '409', '413', '415', '503') },
      },
      get: {
        operationId: 'toestemmingenLezen', tags: ['Toestemmingen'], summary: 'Every consent of a trajectory, withdrawn and expired included',
        parameters: [trajectIdPath],
        responses: { '200': ok('The consents, oldest first', ref('Toestemmingenlijst')), ...errors('400', '401', '403', '503') },
      },
    },
    '/trajecten/{trajectId}/toestemmingen/{toestemmingId}': {
      get: {
        operationId: 'toestemmingLezen', tags: ['Toestemmingen'], summary: 'One consent record',
        parameters: [trajectIdPath, toestemmingIdPath],
        responses: { '200': ok('The consent', ref('Toestemming')), ...errors('400', '401', '403', '404', '503') },
      },
      delete: {
        operationId: 'toestemmingIntrekken', tags: ['Toestemmingen'], summary: 'Withdraw a consent',
        description: 'The record stays, with `ingetrokkenOp`; the next read that relied on it is refused. Withdrawing again changes nothing.',
        parameters: [trajectIdPath, toestemmingIdPath],
        responses: { '200': ok('Withdrawn', ref('Toestemming')), ...errors('400', '401', '403', '404', '503') },
      },
    },
  },
};
