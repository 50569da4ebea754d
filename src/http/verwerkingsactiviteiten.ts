/**
 * The register of processing activities (AVG art. 30) as the running gateway applies it:
 * `GET /v1/verwerkingsactiviteiten` and `GET /v1/verwerkingsactiviteiten/{id}`. Public and not
 * audited — it holds no personal data — so that a privacy officer can hold the running
 * configuration (legal basis, data categories and the fields in them, recipients, retention, and
 * every rule that discloses data for the doel) against the organisation's own register. Beside the
 * doelen it serves the gateway's own processing activities (`eigenVerwerkingen`: trajectory
 * management, supervision of the logboek, …), each with the logboek actions that name it — every
 * logboek record's `verwerkingsactiviteit` is the `uri` of one entry here.
 */
import { Router } from 'express';
import { grondslagText, type PolicyEngine } from '../policy/engine.js';
import { ACTIE_ACTIVITEIT } from '../audit/verwerkingsactiviteiten.js';
import type { Doel, EigenVerwerking } from '../policy/types.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem, sendProblem } from './problem.js';
import type { Services } from './services.js';
import { traceOf } from './trace.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function beleidsversie(policy: PolicyEngine): string {
  return `${policy.set.versie}+${policy.set.hash.slice(0, 16)}`;
}

export function activiteitView(policy: PolicyEngine, doel: Doel) {
  return {
    id: doel.id,
    uri: doel.uri,
    naam: doel.naam,
    doel: doel.doel,
    verantwoordelijke: doel.verantwoordelijke ?? policy.set.verantwoordelijke,
    grondslag: { ...doel.grondslag, omschrijving: grondslagText(doel) },
    toestemmingVereist: doel.toestemmingVereist,
    bijzondereCategorieen: doel.bijzondereCategorieen,
    ...(doel.uitzonderingBijzondereCategorieen ? { uitzonderingBijzondereCategorieen: doel.uitzonderingBijzondereCategorieen } : {}),
    gegevenscategorieen: doel.gegevenscategorieen.map((id) => {
      const c = policy.categorie(id)!;
      return { id: c.id, naam: c.naam, omschrijving: c.omschrijving, bijzonder: c.bijzonder, velden: c.velden };
    }),
    ontvangers: doel.ontvangers,
    bewaartermijn: doel.bewaartermijn,
    bewaartermijnVanaf: doel.bewaartermijnVanaf ?? 'einde-traject',
    alleenGeaggregeerd: doel.alleenGeaggregeerd ?? false,
    regels: policy.set.regels
      .filter((r) => r.doel === doel.id)
      .map((r) => ({
        id: r.id,
        effect: r.effect,
        actie: r.actie,
        rol: r.rol,
        relatie: r.relatie === 'eigenaar' ? { eigenaar: true, toewijzing: [] } : { eigenaar: false, toewijzing: r.relatie.toewijzing },
        ...(r.projectie ? { velden: r.projectie } : { berichttypen: r.berichttypen ?? [] }),
        toestemming: r.toestemming ?? false,
        toelichting: r.toelichting,
      })),
  };
}

/** One of the gateway's own processing activities, with the logboek actions that name it. */
export function eigenVerwerkingView(policy: PolicyEngine, e: EigenVerwerking) {
  return {
    soort: 'eigen-verwerking' as const,
    id: e.id,
    uri: e.uri,
    naam: e.naam,
    doel: e.doel,
    verantwoordelijke: e.verantwoordelijke ?? policy.set.verantwoordelijke,
    grondslag: { ...e.grondslag, omschrijving: e.grondslag.wet ? `${e.grondslag.avg}; ${e.grondslag.wet}` : e.grondslag.avg },
    verantwoording: e.verantwoording,
    gegevens: e.gegevens,
    ...(e.teBevestigen ? { teBevestigen: e.teBevestigen } : {}),
    acties: Object.entries(ACTIE_ACTIVITEIT).filter(([, a]) => a.activiteit === e.id).map(([actie, a]) => ({ actie, alleenZonderDoel: a.doel === true })),
  };
}

export function verwerkingsactiviteitenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.use(['/verwerkingsactiviteiten', '/verwerkingsactiviteiten/:id'], (_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    next();
  });
  router.get('/verwerkingsactiviteiten', (_req, res) => {
    res.json({
      beleidsversie: beleidsversie(s.policy),
      verantwoordelijke: s.policy.set.verantwoordelijke,
      resultaten: s.policy.set.doelen.map((d) => activiteitView(s.policy, d)),
      eigenVerwerkingen: s.policy.set.eigenVerwerkingen.map((e) => eigenVerwerkingView(s.policy, e)),
    });
  });
  router.get('/verwerkingsactiviteiten/:id', (req, res) => {
    const id = String(req.params.id);
    if (!ID.test(id)) {
      sendProblem(res, new HttpProblem('ongeldige-parameter', 'Een doel-id bestaat uit kleine letters, cijfers en koppeltekens.', {
        invalidParams: [{ name: 'id', code: 'pattern', reason: 'moet voldoen aan ^[a-z0-9]+(-[a-z0-9]+)*$' }],
      }), traceOf(res).traceId);
      return;
    }
    const doel = s.policy.doel(id);
    const eigen = doel ? undefined : s.policy.set.eigenVerwerkingen.find((e) => e.id === id);
    if (!doel && !eigen) {
      const bekend = [...s.policy.set.doelen, ...s.policy.set.eigenVerwerkingen].map((d) => d.id).join(', ');
      sendProblem(res, new HttpProblem('niet-gevonden', `Geen verwerkingsactiviteit "${id}"; bekend zijn: ${bekend}.`), traceOf(res).traceId);
      return;
    }
    res.json({ beleidsversie: beleidsversie(s.policy), ...(doel ? activiteitView(s.policy, doel) : eigenVerwerkingView(s.policy, eigen!)) });
  });
  return router;
}

const stringList = { type: 'array', items: { type: 'string' } };

export const verwerkingsactiviteitenOpenApi: OpenApiPart = {
  tags: [{ name: 'Verwerkingsactiviteiten', description: 'The register of processing activities (AVG art. 30) as the gateway applies it' }],
  schemas: {
    Verwerkingsactiviteit: {
      type: 'object',
      description: 'A processing activity (doel) of the register, with its data categories and every rule that discloses data for it. / Een verwerkingsactiviteit.',
      required: ['id', 'uri', 'naam', 'doel', 'verantwoordelijke', 'grondslag', 'toestemmingVereist', 'bijzondereCategorieen', 'gegevenscategorieen', 'ontvangers', 'bewaartermijn', 'bewaartermijnVanaf', 'alleenGeaggregeerd', 'regels'],
      properties: {
        id: { type: 'string', description: 'Short id, used as `doel` in requests.' },
        uri: { type: 'string', description: 'Stable URI; the processing activity id in the logboek.' },
        naam: { type: 'string' },
        doel: { type: 'string', description: 'The purpose, in words.' },
        verantwoordelijke: { type: 'string', description: 'The controller.' },
        grondslag: {
          type: 'object', required: ['soort', 'avg', 'wet', 'omschrijving'],
          properties: {
            soort: { type: 'string', enum: ['toestemming', 'overeenkomst', 'wettelijke-verplichting', 'vitaal-belang', 'publieke-taak', 'gerechtvaardigd-belang'] },
            avg: { type: 'string', examples: ['AVG art. 6 lid 1 sub e'] },
            wet: { type: ['string', 'null'], examples: ['Wet inburgering 2021'] },
            omschrijving: { type: 'string' },
          },
        },
        toestemmingVereist: { type: 'boolean' },
        bijzondereCategorieen: { type: 'boolean', description: 'Special categories of personal data (AVG art. 9) are involved.' },
        uitzonderingBijzondereCategorieen: { type: 'string' },
        gegevenscategorieen: {
          type: 'array',
          items: {
            type: 'object', required: ['id', 'naam', 'omschrijving', 'bijzonder', 'velden'],
            properties: {
              id: { type: 'string' }, naam: { type: 'string' }, omschrijving: { type: 'string' }, bijzonder: { type: 'boolean' },
              velden: { type: 'object', description: 'Per message type, the JSON pointers of the fields in this category.', additionalProperties: stringList },
            },
          },
        },
        ontvangers: { type: 'array', items: { type: 'string', enum: ['gemeente', 'taalaanbieder', 'reintegratie'] } },
        bewaartermijn: { type: 'string', description: 'ISO 8601 duration.', examples: ['P5Y'] },
        bewaartermijnVanaf: {
          type: 'string', enum: ['einde-traject', 'ontvangst'],
          description: 'From when the term runs for message content read under this doel: the end of the trajectory (a message received later: its receipt) or the receipt of the message. Content goes once every doel that can read it has passed its term (docs/bewaring.md). / Vanaf wanneer de bewaartermijn loopt.',
        },
        alleenGeaggregeerd: { type: 'boolean', description: 'Only aggregates; never data about one participant.' },
        regels: {
          type: 'array',
          items: {
            type: 'object', required: ['id', 'effect', 'actie', 'rol', 'relatie', 'toestemming', 'toelichting'],
            properties: {
              id: { type: 'string' }, effect: { type: 'string', enum: ['toestaan', 'verbieden'] }, actie: { type: 'string', enum: ['publiceren', 'lezen'] },
              rol: { type: 'string' },
              relatie: { type: 'object', properties: { eigenaar: { type: 'boolean' }, toewijzing: stringList } },
              velden: { type: 'object', description: 'Per message type, the JSON pointers disclosed ("" = the whole message).', additionalProperties: stringList },
              berichttypen: stringList,
              toestemming: { type: 'boolean' },
              toelichting: { type: 'string' },
            },
          },
        },
      },
    },
    EigenVerwerking: {
      type: 'object',
      description: 'One of the gateway\'s own processing activities (trajectory management, consent administration, supervision of the logboek, access requests, retention, access control, notifications), with the logboek actions that name it. / Een eigen verwerking van Doelpoort.',
      required: ['soort', 'id', 'uri', 'naam', 'doel', 'verantwoordelijke', 'grondslag', 'verantwoording', 'gegevens', 'acties'],
      properties: {
        soort: { type: 'string', const: 'eigen-verwerking' },
        id: { type: 'string' },
        uri: { type: 'string', description: 'The processing activity id in the logboek (LDV dpl.core.processing_activity_id).', examples: ['urn:doelpoort:verwerkingsactiviteit:trajectbeheer'] },
        naam: { type: 'string' },
        doel: { type: 'string', description: 'The purpose, in words.' },
        verantwoordelijke: { type: 'string' },
        grondslag: {
          type: 'object', required: ['soort', 'avg', 'wet', 'omschrijving'],
          properties: {
            soort: { type: 'string', enum: ['toestemming', 'overeenkomst', 'wettelijke-verplichting', 'vitaal-belang', 'publieke-taak', 'gerechtvaardigd-belang'] },
            avg: { type: 'string' }, wet: { type: ['string', 'null'] }, omschrijving: { type: 'string' },
          },
        },
        verantwoording: { type: 'string', description: 'The provisions the activity serves, in words.' },
        gegevens: { type: 'array', items: { type: 'string' }, description: 'What it processes, in words.' },
        teBevestigen: { type: 'string', description: 'What the privacy officer still has to confirm.' },
        acties: {
          type: 'array', description: 'The logboek actions whose records name this activity; alleenZonderDoel: only when no doel was known (a read refused before its doel was established).',
          items: { type: 'object', required: ['actie', 'alleenZonderDoel'], properties: { actie: { type: 'string' }, alleenZonderDoel: { type: 'boolean' } } },
        },
      },
    },
    Verwerkingsregister: {
      type: 'object', required: ['beleidsversie', 'verantwoordelijke', 'resultaten', 'eigenVerwerkingen'],
      properties: {
        beleidsversie: { type: 'string' }, verantwoordelijke: { type: 'string' }, resultaten: { type: 'array', items: ref('Verwerkingsactiviteit') },
        eigenVerwerkingen: { type: 'array', items: ref('EigenVerwerking') },
      },
    },
  },
  paths: {
    '/verwerkingsactiviteiten': {
      get: {
        operationId: 'verwerkingsactiviteitenLezen', tags: ['Verwerkingsactiviteiten'], summary: 'The register of processing activities', security: [],
        responses: { '200': ok('Every processing activity', ref('Verwerkingsregister')) },
      },
    },
    '/verwerkingsactiviteiten/{id}': {
      get: {
        operationId: 'verwerkingsactiviteitLezen', tags: ['Verwerkingsactiviteiten'], summary: 'One processing activity', security: [],
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The id of the processing activity (a doel, e.g. trajectbegeleiding, or an own one, e.g. trajectbeheer). / Het id van de verwerkingsactiviteit.', schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', examples: ['trajectbegeleiding'] } }],
        responses: {
          '200': ok('The processing activity: a doel, or one of the gateway\'s own', {
            oneOf: [
              { allOf: [ref('Verwerkingsactiviteit'), { type: 'object', properties: { beleidsversie: { type: 'string' } } }] },
              { allOf: [ref('EigenVerwerking'), { type: 'object', properties: { beleidsversie: { type: 'string' } } }] },
            ],
          }),
          ...errors('400', '404'),
        },
      },
    },
  },
};
