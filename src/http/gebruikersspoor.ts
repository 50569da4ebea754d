/**
 * `GET /v1/gebruikersspoor?traceId=`: the user audit trail for a privacy officer — which employee of
 * the officer's own party did the step whose logboek record carries this trace id (the klantmanager's
 * pages record the gemeente in the logboek and the employee only here, as LDV prescribes). Officers
 * only; another party's steps are never shown; the look-up is itself recorded (`logboek-lezen`).
 */
import { Router } from 'express';
import { attempt, auditInput } from './attempt.js';
import { identifyOfficer } from './logboek.js';
import { errors, ok, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import type { Services } from './services.js';

export function gebruikersspoorRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.get('/gebruikersspoor', attempt(s, 'logboek-lezen', async (req, res, p) => {
    const officer = await identifyOfficer(req, s, p); // 1, 2
    const traceId = req.query.traceId;
    if (typeof traceId !== 'string' || !/^[0-9a-f]{32}$/.test(traceId)) { // 3
      throw new HttpProblem('ongeldige-parameter', 'Noem het trace-id van een logboekrecord: ?traceId=<32 hexadecimale tekens>.', {
        regel: 'invoer-ongeldig', invalidParams: [{ name: 'traceId', code: 'format', reason: 'moet 32 hexadecimale tekens zijn' }],
      });
    }
    const stappen = await s.store.transaction(async (tx) => {
      const rows = await tx.gebruikersspoor(officer.partij, traceId); // 4: only the officer's own party
      await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: 'alleen-functionaris', status: 200, velden: rows.length ? ['/medewerker', '/actie', '/tijdstip'] : [],
        reden: `Gebruikersspoor bij trace ${traceId}: ${rows.length} stap(pen) van ${officer.partij} getoond aan ${officer.naam}.`,
      }));
      return rows;
    });
    p.geaudit = true;
    res.json({ resultaten: stappen.map((r) => ({ traceId: r.traceId, partij: r.partij, medewerker: r.medewerker, actie: r.actie, tijdstip: r.tijdstip })) });
  }));
  return router;
}

export const gebruikersspoorOpenApi: OpenApiPart = {
  paths: {
    '/gebruikersspoor': {
      get: {
        operationId: 'gebruikersspoorLezen', tags: ['Logboek'], summary: 'Which employee of your party did the step of a logboek record (privacy officers)',
        description: 'The logboek records the party; the employee who used the klantmanager\'s pages is kept apart, linked by the trace id. Only steps of the officer\'s own party are shown.',
        parameters: [{ name: 'traceId', in: 'query', required: true, description: 'The trace id of a logboek record. / Het trace-id van een logboekrecord.', schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } }],
        responses: {
          '200': ok('The steps', {
            type: 'object', required: ['resultaten'],
            properties: {
              resultaten: {
                type: 'array',
                items: {
                  type: 'object', required: ['traceId', 'partij', 'medewerker', 'actie', 'tijdstip'],
                  properties: { traceId: { type: 'string' }, partij: { type: 'string' }, medewerker: { type: 'string' }, actie: { type: 'string' }, tijdstip: { type: 'string', format: 'date-time' } },
                },
              },
            },
          }),
          ...errors('400', '401', '403', '503'),
        },
      },
    },
  },
};
