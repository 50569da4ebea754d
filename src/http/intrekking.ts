/**
 * Owns `POST /v1/berichten/{berichtId}/intrekking` `{ reden }` (issue 11, AVG art. 16): the sender
 * withdraws its own message sent in error.
 *
 * Guarantees:
 * - Only the sender, and only while the policy still lets it publish that type on the trajectory;
 *   another party's message and an unknown id look the same (404, no existence oracle).
 * - In one transaction: the mark, its audit record, the trajectory's state rebuilt without the
 *   message (so it no longer counts anywhere), the signals that follow, and the subscribers' events.
 * - The message itself stays stored (write-once); reads then show that, when and why it was withdrawn,
 *   never its content. The logboek keeps both the publication and the withdrawal.
 * - Withdrawing again returns the same answer (200); a replaced message is refused (409: withdraw
 *   the latest version); a message whose content was removed (issue 13) answers 410 with when and why.
 */
import type { RequestHandler } from 'express';
import { grafsteen, verwijderdTekst } from '../bewaring/grafsteen.js';
import { GEEN_RELATIE } from '../policy/types.js';
import { verwerkVersiewijziging } from '../verwerking/stand-en-signalen.js';
import { uitgaandVoorBericht, uitgaandVoorSignalen } from '../verwerking/uitgaand.js';
import { attempt, auditInput, authenticate, readJsonBody, rejectInvalid, uuidFromPath } from './attempt.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';

export const INTREKKINGSREDENEN = ['onjuist-traject', 'dubbel-verzonden', 'onjuiste-gegevens', 'overig'] as const;

export function intrekkingHandler(s: Services): RequestHandler {
  return attempt(s, 'bericht-intrekken', async (req, res, p) => {
    const actor = await authenticate(req, s, p);
    const berichtId = uuidFromPath(req, 'berichtId');
    p.berichtIds = [berichtId];
    const body = (await readJsonBody(req, res, s)) as { reden?: unknown } | null;
    const fouten = [];
    if (!body || typeof body !== 'object' || Array.isArray(body)) fouten.push({ name: '/', code: 'type', reason: 'moet een object zijn met reden' });
    else {
      if (!INTREKKINGSREDENEN.includes(body.reden as never)) fouten.push({ name: '/reden', code: 'enum', reason: `moet een van ${INTREKKINGSREDENEN.join(', ')} zijn` });
      for (const k of Object.keys(body)) if (k !== 'reden') fouten.push({ name: `/${k}`, code: 'additionalProperties', reason: 'is geen veld van een intrekking' });
    }
    rejectInvalid(fouten);
    const reden = (body as { reden: string }).reden;
    const vandaag = dutchDate(s.now());

    const outcome = await s.store.transaction(async (tx) => {
      const row = await tx.bericht(actor.partij.id, berichtId);
      if (!row) {
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'geen-relatie', reden: 'Geen eigen bericht met dit id.', status: 404 }));
        return { kind: 'onbekend' as const };
      }
      p.trajectIds = [row.trajectId];
      p.berichttype = row.berichttype;
      const relatie = (await tx.relatie(row.trajectId, actor.partij.id, vandaag)) ?? GEEN_RELATIE;
      const besluit = s.policy.decide({ partij: actor.partij, actie: 'publiceren', berichttype: row.berichttype, relatie });
      p.doel = besluit.doel;
      if (!besluit.toegestaan) {
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: besluit.regel, reden: besluit.reden, status: 403 }));
        return { kind: 'geweigerd' as const, besluit };
      }
      if (row.verwijderdOp) {
        const g = grafsteen(row, s.policy.set.wisredenen);
        const uitleg = `${verwijderdTekst(berichtId, g)} Intrekken is niet meer nodig: het bericht telt nergens meer mee met zijn inhoud.`;
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'bericht-verwijderd', reden: uitleg, status: 410, grondslag: besluit.grondslag }));
        return { kind: 'verwijderd' as const, uitleg, g };
      }
      const tijdstip = s.now().toISOString();
      if (!(await tx.trekBerichtIn(actor.partij.id, berichtId, tijdstip, reden))) {
        const [versie] = await tx.berichtVersies(actor.partij.id, [berichtId]);
        if (versie?.ingetrokkenOp) {
          await tx.appendAudit(auditInput(s, p, { besluit: 'toegestaan', regel: besluit.regel, reden: 'Het bericht was al ingetrokken; de bestaande intrekking is teruggegeven.', status: 200, grondslag: besluit.grondslag }));
          return { kind: 'al' as const, row, versie: versie.versie, op: versie.ingetrokkenOp, reden: versie.intrekkingReden ?? reden };
        }
        const door = versie?.vervangenDoor ?? '';
        const uitleg = `Dit bericht is vervangen door bericht ${door}; trek de nieuwste versie in.`;
        await tx.appendAudit(auditInput(s, p, { besluit: 'geweigerd', regel: 'intrekking-ongeldig', reden: uitleg, status: 409, grondslag: besluit.grondslag }));
        return { kind: 'vervangen' as const, uitleg };
      }
      const record = await tx.appendAudit(auditInput(s, p, {
        besluit: 'toegestaan', regel: besluit.regel, reden: `Bericht ingetrokken door de afzender (reden: ${reden}); het telt niet meer mee en de inhoud wordt niet meer verstrekt.`,
        status: 200, grondslag: besluit.grondslag,
      }));
      const v = { regels: s.signaalregels.regels, vandaag };
      const besluiten = await verwerkVersiewijziging(tx, v, row.trajectId, tijdstip);
      const meldingen = { policy: s.policy, regels: s.signaalregels.regels, bron: s.config.publicUrl, vandaag, tijdstip };
      const events = (await uitgaandVoorBericht(tx, meldingen, row, 'ingetrokken')) + (await uitgaandVoorSignalen(tx, meldingen, besluiten));
      const [versie] = await tx.berichtVersies(actor.partij.id, [berichtId]);
      return { kind: 'ingetrokken' as const, row, versie: versie?.versie ?? 1, op: tijdstip, reden, events, logboek: { id: record.id, hash: record.hash } };
    });
    p.geaudit = true;

    switch (outcome.kind) {
      case 'onbekend':
        throw new HttpProblem('niet-gevonden', 'Geen eigen bericht met dit id; alleen de afzender kan een bericht intrekken.');
      case 'geweigerd':
        throw new HttpProblem('geen-toegang', outcome.besluit.reden, { regel: outcome.besluit.regel });
      case 'vervangen':
        throw new HttpProblem('conflict', outcome.uitleg, { regel: 'intrekking-ongeldig' });
      case 'verwijderd':
        throw new HttpProblem('verwijderd', outcome.uitleg, { regel: 'bericht-verwijderd', verwijderd: outcome.g });
      case 'al':
      case 'ingetrokken': {
        if (outcome.kind === 'ingetrokken' && outcome.events > 0) s.bezorger.wek();
        const { row } = outcome;
        res.status(200).location(`/v1/berichten/${row.berichtId}`).json({
          berichtId: row.berichtId, berichttype: row.berichttype, trajectId: row.trajectId, versie: outcome.versie,
          ingetrokken: { op: outcome.op, reden: outcome.reden },
        });
      }
    }
  });
}

export const intrekkingOpenApi: OpenApiPart = {
  schemas: {
    Intrekking: {
      type: 'object', additionalProperties: false, required: ['reden'], description: 'Why the sender withdraws its message. / Waarom de afzender het bericht intrekt.',
      properties: { reden: { type: 'string', enum: [...INTREKKINGSREDENEN] } },
    },
    Intrekkingsbewijs: {
      type: 'object', required: ['berichtId', 'berichttype', 'trajectId', 'versie', 'ingetrokken'],
      properties: {
        berichtId: { type: 'string', format: 'uuid' }, berichttype: { type: 'string' }, trajectId: { type: 'string', format: 'uuid' }, versie: { type: 'integer', minimum: 1 },
        ingetrokken: { type: 'object', required: ['op', 'reden'], properties: { op: ref('Tijdstip'), reden: { type: 'string', enum: [...INTREKKINGSREDENEN] } } },
      },
    },
  },
  paths: {
    '/berichten/{berichtId}/intrekking': {
      post: {
        operationId: 'berichtIntrekken', tags: ['Berichten'], summary: 'Withdraw your own message sent in error',
        description: [
          'Only the sender. The message no longer counts in lists, the trajectory state or the signals; a read shows that, when and why it was withdrawn, never its content.',
          'The logboek keeps the publication and the withdrawal. Withdrawing again returns the same answer; a replaced message is a 409 (withdraw the latest version). Subscribers get `nl.doelpoort.bericht.ingetrokken`.',
        ].join(' '),
        parameters: [{ name: 'berichtId', in: 'path', required: true, description: 'Your message\'s id. / Het bericht-id.', schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Intrekking') } } },
        responses: { '200': ok('Withdrawn (now or before)', ref('Intrekkingsbewijs')), ...errors('400', '401', '403', '404', '409', '410', '413', '415', '503') },
      },
    },
  },
};
