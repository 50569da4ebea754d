/**
 * Routes for the participant's consent (toestemming), recorded and withdrawn by the gemeente that
 * runs the trajectory:
 *
 * - `POST /v1/trajecten/{trajectId}/toestemmingen` → 201 with the record and its signed receipt;
 * - `GET /v1/trajecten/{trajectId}/toestemmingen` → every record, withdrawn and expired included;
 * - `GET /v1/trajecten/{trajectId}/toestemmingen/{toestemmingId}` → one record;
 * - `DELETE /v1/trajecten/{trajectId}/toestemmingen/{toestemmingId}` → withdrawn: the record stays
 *   with its withdrawal time, the next read that relied on it is refused, and a withdrawal receipt
 *   is issued;
 * - `GET /v1/trajecten/{trajectId}/toestemmingen/{toestemmingId}/ontvangstbewijzen` → the signed
 *   receipts of the consent (given, and withdrawn if so), exactly as issued.
 *
 * Every attempt, allowed or refused, leaves one logboek record, under the processing activity
 * consent management. A receipt is signed (`consent/ontvangstbewijs.ts`) inside the transaction of
 * its event, after that event's logboek record (the receipt names the record), and stored with it.
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import type { AuditRecord } from '../audit/record.js';
import { statusOp } from '../consent/geldigheid.js';
import { inhoudVan, jwsHash, ondertekenOntvangstbewijs, ontvangstbewijs, type Gebeurtenis } from '../consent/ontvangstbewijs.js';
import { kiesTekst, tekstVersie, type GenoemdeTekst } from '../consent/teksten.js';
import type { Doel, Toestemmingstekst } from '../policy/types.js';
import type { InvalidParam } from '../schemas/registry.js';
import type { OntvangstbewijsRow, ToestemmingRow, Tx } from '../store/store.js';
import { apiComponent } from './api-component.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid, trajectIdFromPath, uuidFromPath, type Actor, type Poging } from './attempt.js';
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
  toestemmingstekst?: GenoemdeTekst;
}

/** A signed receipt as answered: the compact JWS (the proof) and its content decoded for reading. */
export function ontvangstbewijsView(row: OntvangstbewijsRow) {
  return {
    ontvangstbewijsId: row.ontvangstbewijsId,
    gebeurtenis: row.gebeurtenis,
    uitgegevenOp: row.uitgegevenOp,
    sleutel: row.sleutel,
    jws: row.jws,
    inhoud: inhoudVan(row.jws),
  };
}

/** A consent record as answered: its state now, the text agreed to, and its newest signed receipt. */
export function toestemmingView(s: Services, row: ToestemmingRow, bewijzen: readonly OntvangstbewijsRow[]) {
  const now = s.now();
  const eigen = bewijzen.filter((b) => b.toestemmingId === row.toestemmingId);
  const laatste = eigen.find((b) => b.gebeurtenis === 'ingetrokken') ?? eigen.find((b) => b.gebeurtenis === 'gegeven');
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
    toestemmingstekst: row.toestemmingstekst,
    ontvangstbewijs: laatste ? ontvangstbewijsView(laatste) : null,
  };
}

/** Checks the schema cannot express, against the register: who, which doel, which categories, until when, which text. */
function checkBody(s: Services, body: ToestemmingBody): { doel: Doel | undefined; tekst: Toestemmingstekst | undefined; errors: InvalidParam[] } {
  const errors: InvalidParam[] = [];
  const ontvanger = s.policy.partij(body.ontvanger);
  const doel = s.policy.doel(body.doel);
  let tekst: Toestemmingstekst | undefined;
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
    const keuze = kiesTekst(s.policy.set.toestemmingsteksten, doel, body.toestemmingstekst, dutchDate(s.now()));
    if ('tekst' in keuze) tekst = keuze.tekst;
    else errors.push({ name: keuze.veld, code: 'toestemmingstekst', reason: keuze.reden });
  }
  if (body.geldigTot < dutchDate(s.now())) errors.push({ name: '/geldigTot', code: 'periode', reason: 'ligt in het verleden' });
  return { doel, tekst, errors };
}

/** Build, sign and store the receipt of an event, after that event's logboek record in the same transaction. */
async function geefOntvangstbewijs(s: Services, tx: Tx, row: ToestemmingRow, gebeurtenis: Gebeurtenis, ontvangstbewijsId: string, record: AuditRecord,
  vorige: OntvangstbewijsRow | undefined): Promise<OntvangstbewijsRow> {
  const uitgegevenOp = s.now().toISOString();
  const inhoud = ontvangstbewijs(row, {
    doel: s.policy.doel(row.doel)!,
    verantwoordelijke: s.policy.partij(row.vastgelegdDoor)!,
    ontvanger: s.policy.partij(row.ontvanger)!,
    categorieen: row.gegevenscategorieen.map((c) => s.policy.categorie(c)!),
    basisUrl: s.config.publicUrl,
    gebeurtenis, ontvangstbewijsId, uitgegevenOp,
    logboek: { id: record.id, hash: record.hash },
    vorige: vorige ? { consentReceiptID: vorige.ontvangstbewijsId, sha256: jwsHash(vorige.jws) } : null,
  });
  const { jws, sleutel } = await ondertekenOntvangstbewijs(s.logboek.sleutels, inhoud);
  const bewijs: OntvangstbewijsRow = { ontvangstbewijsId, toestemmingId: row.toestemmingId, gebeurtenis, uitgegevenOp, sleutel, jws };
  await tx.insertOntvangstbewijs(bewijs);
  return bewijs;
}

/** The consent named in the path, on a trajectory of the caller's own; 404 when the trajectory has no such consent. */
async function eigenToestemming(s: Services, tx: Tx, p: Poging, actor: Actor, trajectId: string, toestemmingId: string): Promise<ToestemmingRow> {
  await eigenTraject(s, tx, actor, trajectId);
  const found = await tx.toestemming(trajectId, toestemmingId);
  if (!found) throw new HttpProblem('niet-gevonden', 'Geen toestemming met dit id op dit traject.', { regel: 'toestemming-onbekend' });
  p.doel = s.policy.doel(found.doel) ?? null;
  return found;
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
    const tekst = checked.tekst!;

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
        toestemmingstekst: tekstVersie(tekst),
      };
      await tx.insertToestemming(row);
      const ontvangstbewijsId = crypto.randomUUID();
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 201, grondslag: doel.grondslag.avg,
        velden: ['/ontvanger', '/doel', '/gegevenscategorieen', '/geldigTot', ...(row.bewijs ? ['/bewijs'] : []), '/toestemmingstekst'],
        reden: `Toestemming ${row.toestemmingId} vastgelegd: ${row.ontvanger} voor doel ${doel.id} (${row.gegevenscategorieen.join(', ')}) tot en met ${row.geldigTot}, `
          + `op tekst ${tekst.id} versie ${tekst.versie} (${tekst.taal}); ontvangstbewijs ${ontvangstbewijsId} uitgegeven.`,
      }));
      const bewijs = await geefOntvangstbewijs(s, tx, row, 'gegeven', ontvangstbewijsId, record, undefined);
      return { row, record, bewijs };
    });
    p.geaudit = true;
    res.status(201).location(`/v1/trajecten/${trajectId}/toestemmingen/${outcome.row.toestemmingId}`)
      .json({ ...toestemmingView(s, outcome.row, [outcome.bewijs]), logboek: { id: outcome.record.id, hash: outcome.record.hash } });
  }));

  router.get('/trajecten/:trajectId/toestemmingen', attempt(s, 'toestemmingen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const { rows, bewijzen } = await s.store.transaction(async (tx) => {
      await eigenTraject(s, tx, actor, trajectId);
      const [all, bewijzen] = await Promise.all([tx.toestemmingen(trajectId), tx.ontvangstbewijzen(trajectId)]);
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [],
        reden: `${all.length} toestemming(en) getoond.`,
      }));
      return { rows: all, bewijzen };
    });
    p.geaudit = true;
    res.json({ resultaten: rows.map((r) => toestemmingView(s, r, bewijzen)) });
  }));

  router.get('/trajecten/:trajectId/toestemmingen/:toestemmingId', attempt(s, 'toestemmingen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const toestemmingId = uuidFromPath(req, 'toestemmingId');
    const { row, bewijzen } = await s.store.transaction(async (tx) => {
      const found = await eigenToestemming(s, tx, p, actor, trajectId, toestemmingId);
      const bewijzen = await tx.ontvangstbewijzen(trajectId, toestemmingId);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [], reden: `Toestemming ${toestemmingId} getoond.` }));
      return { row: found, bewijzen };
    });
    p.geaudit = true;
    res.json(toestemmingView(s, row, bewijzen));
  }));

  router.get('/trajecten/:trajectId/toestemmingen/:toestemmingId/ontvangstbewijzen', attempt(s, 'ontvangstbewijzen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const toestemmingId = uuidFromPath(req, 'toestemmingId');
    const bewijzen = await s.store.transaction(async (tx) => {
      await eigenToestemming(s, tx, p, actor, trajectId, toestemmingId);
      const bewijzen = await tx.ontvangstbewijzen(trajectId, toestemmingId);
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [],
        reden: bewijzen.length
          ? `${bewijzen.length} ondertekend(e) ontvangstbewijs(zen) van toestemming ${toestemmingId} getoond: ${bewijzen.map((b) => `${b.ontvangstbewijsId} (${b.gebeurtenis})`).join(', ')}.`
          : `Toestemming ${toestemmingId} is vastgelegd vóór ondertekende ontvangstbewijzen bestonden; er is er geen.`,
      }));
      return bewijzen;
    });
    p.geaudit = true;
    res.json({ toestemmingId, sleutels: `${s.config.publicUrl}/v1/logboek/sleutels`, resultaten: bewijzen.map(ontvangstbewijsView) });
  }));

  router.delete('/trajecten/:trajectId/toestemmingen/:toestemmingId', attempt(s, 'toestemming-intrekken', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const toestemmingId = uuidFromPath(req, 'toestemmingId');
    const tijdstip = s.now().toISOString();
    const outcome = await s.store.transaction(async (tx) => {
      const found = await eigenToestemming(s, tx, p, actor, trajectId, toestemmingId);
      // Only the request that actually withdraws it issues the withdrawal receipt (also under a concurrent one).
      const ingetrokken = found.ingetrokkenOp === null && await tx.trekToestemmingIn(toestemmingId, tijdstip);
      const row = ingetrokken ? { ...found, ingetrokkenOp: tijdstip } : found.ingetrokkenOp !== null ? found : (await tx.toestemming(trajectId, toestemmingId))!;
      const ontvangstbewijsId = crypto.randomUUID();
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'traject-beheren-eigenaar', status: 200, velden: [],
        reden: ingetrokken
          ? `Toestemming ${toestemmingId} ingetrokken; ${found.ontvanger} ontvangt vanaf nu niets meer voor doel ${found.doel} op grond van deze toestemming; ontvangstbewijs ${ontvangstbewijsId} uitgegeven.`
          : `Toestemming ${toestemmingId} was al ingetrokken op ${row.ingetrokkenOp}; niets gewijzigd.`,
      }));
      const eerder = await tx.ontvangstbewijzen(trajectId, toestemmingId);
      const bewijzen = ingetrokken
        ? [...eerder, await geefOntvangstbewijs(s, tx, row, 'ingetrokken', ontvangstbewijsId, record, eerder.find((b) => b.gebeurtenis === 'gegeven'))]
        : eerder;
      return { row, record, bewijzen };
    });
    p.geaudit = true;
    res.json({ ...toestemmingView(s, outcome.row, outcome.bewijzen), logboek: { id: outcome.record.id, hash: outcome.record.hash } });
  }));

  return router;
}

const toestemmingIdPath = { name: 'toestemmingId', in: 'path', required: true, description: 'The id the gateway gave the consent record when it was recorded. / Het id van de vastgelegde toestemming.', schema: { type: 'string', format: 'uuid' } };

export const toestemmingenOpenApi: OpenApiPart = {
  tags: [{ name: 'Toestemmingen', description: 'The participant\'s consent, recorded and withdrawn by the gemeente, with signed receipts' }],
  schemas: {
    NieuweToestemming: apiComponent('toestemming.json'),
    ToestemmingOntvangstbewijsInhoud: apiComponent('toestemming-ontvangstbewijs.json'),
    ToestemmingOntvangstbewijs: {
      type: 'object',
      description: 'A signed consent receipt: `jws` is the proof — a compact JWS (ES256) over the RFC 8785 canonical JSON of `inhoud`, signed with the logboek key `sleutel` (verify it with the key set of GET /v1/logboek/sleutels); `inhoud` is that content decoded, for reading. / Een ondertekend ontvangstbewijs.',
      required: ['ontvangstbewijsId', 'gebeurtenis', 'uitgegevenOp', 'sleutel', 'jws', 'inhoud'],
      properties: {
        ontvangstbewijsId: { type: 'string', format: 'uuid', description: 'Also the receipt\'s consentReceiptID.' },
        gebeurtenis: { type: 'string', enum: ['gegeven', 'ingetrokken'], description: 'The event it is a receipt of. / Van welke gebeurtenis.' },
        uitgegevenOp: ref('Tijdstip'),
        sleutel: { type: 'string', description: 'The `kid` of the logboek key that signed it. / De sleutel.' },
        jws: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description: 'Compact JWS, `typ: doelpoort-ontvangstbewijs`.' },
        inhoud: ref('ToestemmingOntvangstbewijsInhoud'),
      },
    },
    Toestemming: {
      type: 'object',
      description: 'A consent record with its state now, the consent text agreed to, and its newest signed receipt (of the withdrawal once withdrawn). / Een vastgelegde toestemming.',
      required: ['toestemmingId', 'trajectId', 'ontvanger', 'doel', 'gegevenscategorieen', 'gegevenOp', 'geldigTot', 'ingetrokkenOp', 'status', 'vastgelegdDoor', 'toestemmingstekst', 'ontvangstbewijs'],
      properties: {
        toestemmingId: { type: 'string', format: 'uuid' }, trajectId: { type: 'string', format: 'uuid' },
        ontvanger: { type: 'string' }, doel: { type: 'string' }, gegevenscategorieen: { type: 'array', items: { type: 'string' } },
        gegevenOp: ref('Tijdstip'), geldigTot: ref('Datum'), ingetrokkenOp: { type: ['string', 'null'], format: 'date-time' },
        status: { type: 'string', enum: ['geldig', 'ingetrokken', 'verlopen', 'nog-niet-geldig'] },
        bewijs: { type: 'object', properties: { vorm: ref('Toestemmingsvorm'), kenmerk: { type: 'string' } } },
        vastgelegdDoor: { type: 'string' },
        toestemmingstekst: {
          type: ['object', 'null'], description: 'The consent text agreed to; null for a consent recorded before texts were versioned. / De tekst waarmee is ingestemd.',
          required: ['id', 'versie', 'taal', 'sha256'],
          properties: { id: { type: 'string' }, versie: { type: 'string' }, taal: { type: 'string' }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
        },
        ontvangstbewijs: { oneOf: [ref('ToestemmingOntvangstbewijs'), { type: 'null' }], description: 'The newest signed receipt; null for a consent recorded before receipts were signed. / Het nieuwste ontvangstbewijs.' },
        logboek: ref('LogboekVerwijzing'),
      },
    },
    Toestemmingenlijst: { type: 'object', required: ['resultaten'], properties: { resultaten: { type: 'array', items: ref('Toestemming') } } },
    Ontvangstbewijzenlijst: {
      type: 'object', required: ['toestemmingId', 'sleutels', 'resultaten'],
      properties: {
        toestemmingId: { type: 'string', format: 'uuid' },
        sleutels: { type: 'string', format: 'uri', description: 'The key set that verifies them. / Waar de sleutels staan.' },
        resultaten: { type: 'array', items: ref('ToestemmingOntvangstbewijs'), description: 'Oldest first: given, then withdrawn. / Oudste eerst.' },
      },
    },
  },
  paths: {
    '/trajecten/{trajectId}/toestemmingen': {
      post: {
        operationId: 'toestemmingVastleggen', tags: ['Toestemmingen'], summary: 'Record the participant\'s consent (the trajectory\'s gemeente only)',
        description: 'For a consent-based doel only (400 otherwise). Without `gegevenscategorieen` the consent covers all of the doel\'s categories; with fewer, reads are narrowed to the fields of those categories. Without `toestemmingstekst` the current Dutch text of the doel is recorded. The answer carries a signed receipt.',
        parameters: [trajectIdPath],
        requestBody: { required: true, content: { 'application/json': { schema: ref('NieuweToestemming') } } },
        responses: { '201': ok('Recorded, with its signed receipt', ref('Toestemming'), { Location: { schema: { type: 'string' } } }), ...errors('400', '401', '403', '409', '413', '415', '503') },
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
        description: 'The record stays, with `ingetrokkenOp`; the next read that relied on it is refused; a signed withdrawal receipt is issued. Withdrawing again changes nothing and issues no second receipt.',
        parameters: [trajectIdPath, toestemmingIdPath],
        responses: { '200': ok('Withdrawn, with the signed withdrawal receipt', ref('Toestemming')), ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/trajecten/{trajectId}/toestemmingen/{toestemmingId}/ontvangstbewijzen': {
      get: {
        operationId: 'ontvangstbewijzenLezen', tags: ['Toestemmingen'], summary: 'The signed receipts of a consent, exactly as issued (the trajectory\'s gemeente only)',
        description: 'The receipt of the consent and, once withdrawn, of the withdrawal; each a compact JWS that verifies with the key set of GET /v1/logboek/sleutels, also after the key was rotated. Audited.',
        parameters: [trajectIdPath, toestemmingIdPath],
        responses: { '200': ok('The receipts, oldest first', ref('Ontvangstbewijzenlijst')), ...errors('400', '401', '403', '404', '503') },
      },
    },
  },
};
