/**
 * Owns the provider's view of its work (issue 11):
 *
 * - `GET /v1/toewijzingen[?status=actief|beeindigd][&volgende=]`: a provider's own assignments with
 *   its own `kenmerk`; a gemeente's assignments on its trajectories (never a provider's kenmerk).
 * - `PUT /v1/trajecten/{trajectId}/kenmerk` `{ kenmerk }` / `DELETE …/kenmerk`: the provider's own
 *   reference (student or client number) for a trajectory it is actively assigned to.
 *
 * Guarantees:
 * - A kenmerk is visible to the provider that set it only: no other party's answer, error or logboek
 *   record contains it — the audit names the field (`/kenmerk`), never its value, and no refusal
 *   repeats the value.
 * - 1–40 printable characters, unique per provider (409 otherwise); a 9-digit value that passes the
 *   BSN eleven-test is refused (a BSN may not be used as a kenmerk).
 * - Every call is audited; unknown and not-assigned trajectories give the same 403.
 */
import { Router } from 'express';
import { GEEN_RELATIE } from '../policy/types.js';
import type { ToewijzingLijstRij } from '../store/kenmerk-store.js';
import { attempt, auditInput, authenticate, decimalInt, readJsonBody, rejectInvalid, trajectIdFromPath, type Actor, type Poging } from './attempt.js';
import { decodeCursor, encodeCursor } from './berichten.js';
import { errors, ok, ref, trajectIdParam, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import type { Tx } from '../store/store.js';

const PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

/** Whether a 9-digit string passes the BSN eleven-test (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11). */
export function isBsn(waarde: string): boolean {
  if (!/^[0-9]{9}$/.test(waarde)) return false;
  let som = 0;
  for (let i = 0; i < 8; i++) som += Number(waarde[i]) * (9 - i);
  som -= Number(waarde[8]);
  return som % 11 === 0 && waarde !== '000000000';
}

/** The errors of a kenmerk, in Dutch, never repeating the value. */
export function kenmerkFouten(kenmerk: unknown, name = '/kenmerk'): { name: string; code: string; reason: string }[] {
  if (typeof kenmerk !== 'string') return [{ name, code: 'type', reason: 'moet tekst zijn' }];
  const lengte = [...kenmerk].length;
  if (lengte < 1 || lengte > 40) return [{ name, code: 'length', reason: 'moet 1 tot en met 40 tekens lang zijn' }];
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(kenmerk) || kenmerk.trim() !== kenmerk) return [{ name, code: 'pattern', reason: 'mag geen stuurtekens of spaties aan begin of eind bevatten' }];
  if (/^[=+\-@]/.test(kenmerk)) return [{ name, code: 'pattern', reason: 'mag niet beginnen met =, +, - of @ (formule in een spreadsheet)' }];
  if (isBsn(kenmerk)) return [{ name, code: 'bsn', reason: 'lijkt een BSN (9 cijfers die de elfproef doorstaan); een BSN mag hier niet worden gebruikt' }];
  return [];
}

function toewijzingView(r: ToewijzingLijstRij, vandaag: string, alsAanbieder: boolean) {
  const actief = r.beeindigdOp === null && (r.tot === null || r.tot >= vandaag);
  return {
    trajectId: r.trajectId,
    gemeente: r.gemeente,
    ...(alsAanbieder ? {} : { partij: r.partij }),
    rol: r.rol,
    vanaf: r.vanaf,
    ...(r.tot ? { tot: r.tot } : {}),
    ...(r.beeindigdOp ? { beeindigdOp: r.beeindigdOp } : {}),
    status: actief ? 'actief' : 'beeindigd',
    ...(alsAanbieder && r.kenmerk !== null ? { kenmerk: r.kenmerk } : {}),
  };
}

/** Step 4 for a kenmerk: the caller must be a provider actively assigned to the trajectory. */
async function toegewezen(s: Services, tx: Tx, actor: Actor, p: Poging, trajectId: string): Promise<boolean> {
  const relatie = (await tx.relatie(trajectId, actor.partij.id, dutchDate(s.now()))) ?? GEEN_RELATIE;
  if (actor.partij.rol !== 'gemeente' && relatie.toewijzingen.length > 0) return true;
  await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'kenmerk-alleen-toegewezen', reden: 'Alleen een aanbieder die nu aan dit traject is toegewezen kan een eigen kenmerk vastleggen.', status: 403 }));
  return false;
}

export function kenmerkenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  router.get('/toewijzingen', attempt(s, 'toewijzingen-lezen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const { status, volgende, limiet } = req.query;
    const invalid = [];
    if (status !== undefined && status !== 'actief' && status !== 'beeindigd') invalid.push({ name: 'status', code: 'enum', reason: 'moet actief of beeindigd zijn' });
    const na = volgende === undefined ? 0 : typeof volgende === 'string' ? decodeCursor(volgende) : null;
    if (na === null) invalid.push({ name: 'volgende', code: 'format', reason: 'is geen cursor die deze gateway uitgaf' });
    const limit = limiet === undefined ? PAGE_SIZE : decimalInt(limiet);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) invalid.push({ name: 'limiet', code: 'range', reason: `moet een geheel getal van 1 tot ${MAX_PAGE_SIZE} zijn` });
    if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: 'invoer-ongeldig', invalidParams: invalid });
    const alsAanbieder = actor.partij.rol !== 'gemeente';
    const vandaag = dutchDate(s.now());
    const result = await s.store.transaction(async (tx) => {
      const rows = await tx.toewijzingenLijst({ partij: actor.partij.id, als: alsAanbieder ? 'aanbieder' : 'gemeente', status: status as 'actief' | 'beeindigd' | undefined, vandaag, na: na!, limit });
      p.trajectIds = [...new Set(rows.map((r) => r.trajectId))];
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: alsAanbieder ? 'eigen-toewijzingen' : 'toewijzingen-eigen-trajecten', status: 200,
        reden: `${rows.length} toewijzing(en) verstrekt${alsAanbieder ? ' met het eigen kenmerk' : ''}.`,
        velden: ['/trajectId', '/gemeente', '/rol', '/vanaf', '/tot', ...(alsAanbieder ? ['/kenmerk'] : ['/partij'])].sort(),
      }));
      return { resultaten: rows.map((r) => toewijzingView(r, vandaag, alsAanbieder)), volgende: rows.length === limit ? encodeCursor(rows.at(-1)!.id) : null };
    });
    p.geaudit = true;
    res.json(result);
  }));

  router.put('/trajecten/:trajectId/kenmerk', attempt(s, 'kenmerk-vastleggen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const body = (await readJsonBody(req, res, s)) as { kenmerk?: unknown } | null;
    if (!body || typeof body !== 'object' || Array.isArray(body)) rejectInvalid([{ name: '/', code: 'type', reason: 'moet een object zijn met kenmerk' }]);
    rejectInvalid([
      ...kenmerkFouten(body!.kenmerk),
      ...Object.keys(body!).filter((k) => k !== 'kenmerk').map((k) => ({ name: `/${k}`, code: 'additionalProperties', reason: 'is geen veld van een kenmerk' })),
    ]);
    const kenmerk = body!.kenmerk as string;
    const uitkomst = await s.store.transaction(async (tx) => {
      if (!(await toegewezen(s, tx, actor, p, trajectId))) return 'geweigerd' as const;
      const r = await tx.zetKenmerk(actor.partij.id, trajectId, kenmerk, s.now().toISOString());
      await tx.appendAudit(auditInput(s, p, r === 'ok'
        ? { besluit: 'toegestaan', regel: 'kenmerk-eigen-referentie', reden: 'Eigen kenmerk vastgelegd (de waarde staat niet in het logboek).', status: 200, velden: ['/kenmerk'] }
        : { besluit: 'geweigerd', regel: 'kenmerk-uniek', reden: 'Dit kenmerk hoort al bij een ander traject van deze aanbieder.', status: 409 }));
      return r;
    });
    p.geaudit = true;
    if (uitkomst === 'geweigerd') throw new HttpProblem('geen-toegang', 'Alleen een aanbieder die nu aan dit traject is toegewezen kan een eigen kenmerk vastleggen. (Een onbekend traject geeft hetzelfde antwoord.)', { regel: 'kenmerk-alleen-toegewezen' });
    if (uitkomst === 'bezet') throw new HttpProblem('conflict-toestand', 'U gebruikt dit kenmerk al voor een ander traject; een kenmerk is uniek per aanbieder.', { regel: 'kenmerk-uniek' });
    res.json({ trajectId, kenmerk });
  }));

  router.delete('/trajecten/:trajectId/kenmerk', attempt(s, 'kenmerk-verwijderen', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const trajectId = trajectIdFromPath(req, p);
    const uitkomst = await s.store.transaction(async (tx) => {
      if (!(await toegewezen(s, tx, actor, p, trajectId))) return 'geweigerd' as const;
      const weg = await tx.verwijderKenmerk(actor.partij.id, trajectId);
      await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: 'kenmerk-eigen-referentie', reden: weg ? 'Eigen kenmerk verwijderd.' : 'Er was geen kenmerk; niets verwijderd.', status: 204 }));
      return 'ok' as const;
    });
    p.geaudit = true;
    if (uitkomst === 'geweigerd') throw new HttpProblem('geen-toegang', 'Alleen een aanbieder die nu aan dit traject is toegewezen kan een eigen kenmerk verwijderen. (Een onbekend traject geeft hetzelfde antwoord.)', { regel: 'kenmerk-alleen-toegewezen' });
    res.status(204).end();
  }));

  return router;
}

export const kenmerkenOpenApi: OpenApiPart = {
  tags: [{ name: 'Aanlevering', description: 'A provider\'s assignments with its own references (kenmerk), batches and CSV uploads' }],
  schemas: {
    Toewijzing: {
      type: 'object', required: ['trajectId', 'gemeente', 'rol', 'vanaf', 'status'],
      properties: {
        trajectId: { type: 'string', format: 'uuid' }, gemeente: { type: 'string' },
        partij: { type: 'string', description: 'The assigned party (in a gemeente\'s list only).' },
        rol: { type: 'string', enum: ['taal', 'participatie', 'begeleiding'] }, vanaf: { type: 'string', format: 'date' }, tot: { type: 'string', format: 'date' },
        beeindigdOp: ref('Tijdstip'), status: { type: 'string', enum: ['actief', 'beeindigd'] },
        kenmerk: { type: 'string', description: 'Your own reference for this trajectory (in your own list only; never shown to another party).' },
      },
    },
    Toewijzingenlijst: {
      type: 'object', required: ['resultaten', 'volgende'],
      properties: { resultaten: { type: 'array', items: ref('Toewijzing') }, volgende: { type: ['string', 'null'], description: 'Cursor for the next page; null when this was the last.' } },
    },
    Kenmerk: {
      type: 'object', additionalProperties: false, required: ['kenmerk'],
      properties: { kenmerk: { type: 'string', minLength: 1, maxLength: 40, description: 'Your student or client number; unique per provider; never a BSN. / Uw eigen kenmerk.' } },
    },
    KenmerkAntwoord: { type: 'object', required: ['trajectId', 'kenmerk'], properties: { trajectId: { type: 'string', format: 'uuid' }, kenmerk: { type: 'string' } } },
  },
  paths: {
    '/toewijzingen': {
      get: {
        operationId: 'toewijzingenLezen', tags: ['Aanlevering'], summary: 'Your assignments (provider, with your kenmerk) or the assignments on your trajectories (gemeente)',
        parameters: [
          { name: 'status', in: 'query', required: false, description: 'actief or beeindigd. / Alleen lopende of beëindigde toewijzingen.', schema: { type: 'string', enum: ['actief', 'beeindigd'] } },
          { name: 'volgende', in: 'query', required: false, description: 'Cursor from a previous answer. / Cursor uit een eerder antwoord.', schema: { type: 'string' } },
          { name: 'limiet', in: 'query', required: false, description: 'Page size (default 100). / Paginagrootte.', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE } },
        ],
        responses: { '200': ok('A page of assignments', ref('Toewijzingenlijst')), ...errors('400', '401', '503') },
      },
    },
    '/trajecten/{trajectId}/kenmerk': {
      put: {
        operationId: 'kenmerkVastleggen', tags: ['Aanlevering'], summary: 'Set your own reference for a trajectory you are assigned to',
        description: '1–40 characters, unique per provider (409 otherwise). A 9-digit value that passes the BSN eleven-test is refused. Visible to you only; the logboek records that it was set, never its value.',
        parameters: [trajectIdParam('path')],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Kenmerk') } } },
        responses: { '200': ok('Set', ref('KenmerkAntwoord')), ...errors('400', '401', '403', '409', '413', '415', '503') },
      },
      delete: {
        operationId: 'kenmerkVerwijderen', tags: ['Aanlevering'], summary: 'Remove your own reference for a trajectory',
        parameters: [trajectIdParam('path')],
        responses: { '204': { description: 'Removed (or there was none)', headers: { 'API-Version': { $ref: '#/components/headers/API-Version' } } }, ...errors('400', '401', '403', '503') },
      },
    },
  },
};
