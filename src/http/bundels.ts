/**
 * Owns `POST /v1/berichten/bundels` (issue 11): many messages in one request.
 *
 * - `application/json` `{ berichten: [ ≤ 1,000 envelopes ] }` → 200 with one result per message, in order.
 * - `text/csv` (see `src/aanlevering/csv.ts`): rows grouped into one `aanwezigheid` message per trajectory.
 *
 * Guarantees:
 * - Every message walks the one publish pipeline (`publiceer`, publicatie.ts) with its own audit
 *   record; a refused message (400/403/409) does not stop the others.
 * - Durable when answered: every stored message's transaction committed before the answer is sent.
 * - A resent bundle gives the same results and stores nothing twice (idempotency on sender + berichtId).
 * - Messages about one trajectory are published one after another in bundle order (so a correction
 *   may follow the message it replaces); different trajectories run side by side, which lets the
 *   group commit share a sync between them.
 * - Bodies up to `BUNDEL_LIMIET` (10 MiB) for this route only; every other route keeps its limit.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { InvalidParam } from '../schemas/registry.js';
import { stuurtekens } from '../schemas/tekst.js';
import { attempt, auditInput, authenticate, rejectInvalid, type Actor, type Poging } from './attempt.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem, PROBLEMS } from './problem.js';
import { publiceer, receipt, type Ontvangstbewijs } from './publicatie.js';
import type { Services } from './services.js';
import { csvBundel } from './csv-bundel.js';
import { childSpan } from './trace.js';

export const BUNDEL_LIMIET = 10 * 1024 * 1024;
export const MAX_BERICHTEN = 1000;

export interface BundelResultaat {
  index: number;
  status: 200 | 201 | 400 | 403 | 404 | 409 | 413 | 415;
  berichtId?: string;
  ontvangstbewijs?: Ontvangstbewijs;
  probleem?: { type: string; title: string; detail: string; invalidParams?: InvalidParam[] };
}

/** One message of a bundle through the pipeline; a refusal becomes its result (audited), never an exception. */
export async function publiceerItem(s: Services, actor: Actor, ouder: Poging, body: unknown, index: number): Promise<BundelResultaat> {
  // Each message is its own unit of work: a child span of the bundle's request, with its own start.
  const p: Poging = { actie: 'bericht-publiceren', trace: childSpan(ouder.trace), start: s.now().toISOString(), actor, trajectIds: [], berichttype: null, berichtIds: [], doel: null, geaudit: false };
  const berichtId = body && typeof body === 'object' && typeof (body as { berichtId?: unknown }).berichtId === 'string' ? (body as { berichtId: string }).berichtId : undefined;
  try {
    rejectInvalid(stuurtekens(body));
    const { status, row } = await publiceer(s, actor, p, body);
    return { index, status, berichtId: row.berichtId, ontvangstbewijs: receipt(row) };
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    if (!p.geaudit) {
      await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: err.extra.regel ?? err.kind, reden: err.detail, status: err.status })));
    }
    return {
      index, status: err.status as BundelResultaat['status'], ...(berichtId ? { berichtId } : {}),
      probleem: { type: `urn:doelpoort:probleem:${err.kind}`, title: PROBLEMS[err.kind].title, detail: err.detail, ...(err.extra.invalidParams ? { invalidParams: err.extra.invalidParams } : {}) },
    };
  }
}

/** All items, per trajectory in order, trajectories side by side; results in the items' order. */
export async function publiceerAlle(s: Services, actor: Actor, p: Poging, items: readonly unknown[]): Promise<BundelResultaat[]> {
  const groepen = new Map<string, number[]>();
  items.forEach((item, i) => {
    const t = item && typeof item === 'object' && typeof (item as { trajectId?: unknown }).trajectId === 'string' ? (item as { trajectId: string }).trajectId : `#${i}`;
    groepen.set(t, [...(groepen.get(t) ?? []), i]);
  });
  const resultaten: BundelResultaat[] = new Array(items.length);
  const rij = [...groepen.values()];
  const GELIJKTIJDIG = 16;
  let volgende = 0;
  const werker = async () => {
    while (volgende < rij.length) {
      const groep = rij[volgende++]!;
      for (const i of groep) resultaten[i] = await publiceerItem(s, actor, p, items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(GELIJKTIJDIG, rij.length) }, werker));
  return resultaten;
}

const jsonParser = express.json({ limit: BUNDEL_LIMIET, strict: true });
const tekstParser = express.raw({ limit: BUNDEL_LIMIET, type: 'text/csv' });

function lees(parser: express.RequestHandler, req: Request, res: Response): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => parser(req, res, ((err?: unknown) => (err ? reject(err) : resolve(req.body))) as NextFunction))
    .catch((err: { type?: string }) => {
      if (err?.type === 'entity.too.large') throw new HttpProblem('te-groot', `Een bundel is ten hoogste ${BUNDEL_LIMIET / 1024 / 1024} MiB.`, { regel: 'invoer-te-groot' });
      if (err?.type === 'entity.parse.failed') throw new HttpProblem('ongeldige-json', 'De body kon niet als JSON worden gelezen.', { regel: 'invoer-ongeldig' });
      throw err;
    });
}

export function bundelsRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.post('/berichten/bundels', attempt(s, 'bundel-aanleveren', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    if (req.is('text/csv')) {
      res.json(await csvBundel(s, actor, p, req.query, await lees(tekstParser, req, res)));
      return;
    }
    if (!req.is('application/json')) {
      throw new HttpProblem('verkeerd-mediatype', 'Een bundel is application/json ({ berichten: [...] }) of text/csv.', { regel: 'invoer-ongeldig' });
    }
    const body = (await lees(jsonParser, req, res)) as { berichten?: unknown } | null;
    const fouten: InvalidParam[] = [];
    if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.berichten)) fouten.push({ name: '/berichten', code: 'required', reason: 'is verplicht: een lijst van berichten' });
    else if (body.berichten.length < 1 || body.berichten.length > MAX_BERICHTEN) fouten.push({ name: '/berichten', code: 'length', reason: `moet 1 tot en met ${MAX_BERICHTEN} berichten bevatten` });
    else for (const k of Object.keys(body)) if (k !== 'berichten') fouten.push({ name: `/${k}`, code: 'additionalProperties', reason: 'is geen veld van een bundel' });
    rejectInvalid(fouten);
    const berichten = (body as { berichten: unknown[] }).berichten;
    const resultaten = await publiceerAlle(s, actor, p, berichten);
    // The bundle itself is a record too (the items each have their own): how many, with what outcome.
    const telling = resultaten.reduce<Record<number, number>>((t, r) => ({ ...t, [r.status]: (t[r.status] ?? 0) + 1 }), {});
    p.trajectIds = [];
    await s.store.transaction((tx) => tx.appendAudit(auditInput(s, p, {
      besluit: 'toegestaan', regel: 'bundel', status: 200,
      reden: `Bundel van ${berichten.length} bericht(en): ${Object.entries(telling).map(([st, n]) => `${n}× ${st}`).join(', ')}; elk bericht heeft een eigen logboekrecord.`,
    })));
    p.geaudit = true;
    res.json({ resultaten });
  }));
  return router;
}

export const bundelsOpenApi: OpenApiPart = {
  schemas: {
    Bundel: {
      type: 'object', additionalProperties: false, required: ['berichten'],
      properties: { berichten: { type: 'array', minItems: 1, maxItems: MAX_BERICHTEN, items: ref('Envelop') } },
    },
    BundelResultaat: {
      type: 'object', required: ['index', 'status'],
      properties: {
        index: { type: 'integer', minimum: 0 }, status: { type: 'integer', enum: [200, 201, 400, 403, 404, 409, 413, 415] },
        berichtId: { type: 'string' }, ontvangstbewijs: ref('Ontvangstbewijs'),
        probleem: { type: 'object', required: ['type', 'title', 'detail'], properties: { type: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' }, invalidParams: { type: 'array', items: { type: 'object' } } } },
        trajectId: { type: 'string', format: 'uuid', description: 'CSV: the trajectory of this message.' },
        rijen: { type: 'array', items: { type: 'integer' }, description: 'CSV: the rows that went into this message.' },
        vervangt: { type: 'string', format: 'uuid', description: 'CSV: the earlier message for this period that this one corrects.' },
      },
    },
    Bundelantwoord: {
      type: 'object',
      description: 'JSON: `resultaten`, one per message in order. CSV: `periode`, `berichten` (one per trajectory) and `rijen` (one per row, with its errors per column in Dutch).',
      properties: {
        resultaten: { type: 'array', items: ref('BundelResultaat') },
        periode: { type: 'object', properties: { van: { type: 'string', format: 'date' }, tot: { type: 'string', format: 'date' } } },
        berichten: { type: 'array', items: ref('BundelResultaat') },
        rijen: {
          type: 'array',
          items: {
            type: 'object', required: ['rij', 'status', 'fouten'],
            properties: {
              rij: { type: 'integer', description: 'Line number in the file (header = 1).' },
              status: { type: 'string', enum: ['opgeslagen', 'ongewijzigd', 'geweigerd', 'niet-opgeslagen'] },
              berichtId: { type: 'string', format: 'uuid' },
              fouten: { type: 'array', items: { type: 'object', required: ['kolom', 'melding'], properties: { kolom: { type: ['string', 'null'] }, melding: { type: 'string' } } } },
            },
          },
        },
      },
    },
  },
  paths: {
    '/berichten/bundels': {
      post: {
        operationId: 'bundelAanleveren', tags: ['Aanlevering'], summary: 'Publish many messages at once: a JSON bundle or an attendance CSV',
        description: [
          `JSON: \`{ berichten: [ ≤ ${MAX_BERICHTEN} envelopes ] }\` → one result per message in order; each walks the same pipeline as POST /berichten with its own audit record; a refused one does not stop the others; resending stores nothing twice.`,
          'CSV (`text/csv`, UTF-8, `;` or `,`, header row; columns kenmerk or trajectId, datum, activiteit, geplandeMinuten, aanwezigeMinuten, status) for the period `?van=&tot=`: one aanwezigheid message per trajectory with its lessons and computed totals; answered per row. A trajectory with any row error stores nothing; formula cells are refused. The same delivery gives the same receipt; changed content for the same period becomes a correction.',
          `Bodies up to ${BUNDEL_LIMIET / 1024 / 1024} MiB on this route only.`,
        ].join(' '),
        parameters: [
          { name: 'van', in: 'query', required: false, description: 'CSV only: the first day of the period. / Eerste dag van de periode.', schema: { type: 'string', format: 'date' } },
          { name: 'tot', in: 'query', required: false, description: 'CSV only: the last day of the period (≤ 31 days). / Laatste dag van de periode.', schema: { type: 'string', format: 'date' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Bundel') }, 'text/csv': { schema: { type: 'string' } } } },
        responses: { '200': ok('One result per message (and per row for CSV)', ref('Bundelantwoord')), ...errors('400', '401', '413', '415', '503') },
      },
    },
  },
};
