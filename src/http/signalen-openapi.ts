/**
 * The OpenAPI part of issue 10: the trajectory list, a trajectory's state, the signals worklist and
 * closing a signal (and, where wired, subscriptions). Shapes mirror `stand.ts` and `signalen.ts`.
 */
import { AFHANDELUITKOMSTEN, OPGEHEVEN, SOORTEN } from '../signalen/types.js';
import { apiComponent } from './api-component.js';
import { doelParam, errors, ok, ref, trajectIdParam, type OpenApiPart } from './openapi.js';

const cursorParam = (wat: string) => ({ name: 'volgende', in: 'query', required: false, description: `Cursor from a previous answer: the next page of ${wat}. / Cursor uit een eerder antwoord.`, schema: { type: 'string' } });
const signaalIdParam = { name: 'signaalId', in: 'path', required: true, description: 'The signal. / Het signaal-id.', schema: { type: 'string', format: 'uuid' } };
const abonnementIdParam = { name: 'abonnementId', in: 'path', required: true, description: 'The subscription, as the gateway gave it. / Het abonnement-id.', schema: { type: 'string', format: 'uuid' } };
const locationHeader = { description: 'Where the new resource can be read.', schema: { type: 'string' } };
const limietParam = { name: 'limiet', in: 'query', required: false, description: 'Page size (default 50). / Paginagrootte.', schema: { type: 'integer', minimum: 1, maximum: 200 } };

export const signalenOpenApi: OpenApiPart = {
  tags: [
    { name: 'Stand', description: 'The trajectory list and a trajectory\'s current state, derived from its messages' },
    { name: 'Signalen', description: 'Signals (the gemeente\'s worklist) and closing them with a coded outcome' },
    { name: 'Abonnementen', description: 'Webhook subscriptions: signed, content-free CloudEvents about messages and signals you may read' },
  ],
  schemas: {
    Afhandeling: apiComponent('afhandeling.json'),
    NieuwAbonnement: apiComponent('abonnement.json'),
    Abonnement: {
      type: 'object', required: ['abonnementId', 'url', 'soorten', 'status', 'aangemaaktOp', 'gewijzigdOp'],
      description: 'A webhook subscription of your party. / Een abonnement op meldingen.',
      properties: {
        abonnementId: { type: 'string', format: 'uuid' }, url: { type: 'string' },
        soorten: { type: 'array', items: { type: 'string', enum: ['bericht', 'signaal'] } },
        berichttypen: { type: 'array', items: { type: 'string' } },
        status: { type: 'string', enum: ['actief', 'gepauzeerd'], description: '`gepauzeerd` after the retry schedule ran out or a 410: resume it with POST …/hervatting.' },
        aangemaaktOp: ref('Tijdstip'), gewijzigdOp: ref('Tijdstip'),
      },
    },
    NieuwAbonnementAntwoord: {
      allOf: [ref('Abonnement'), {
        type: 'object', required: ['geheim'],
        properties: { geheim: { type: 'string', description: 'The Standard Webhooks secret (whsec_…), shown this once: verify `webhook-signature` with it.' } },
      }],
    },
    Abonnementenlijst: { type: 'object', required: ['resultaten'], properties: { resultaten: { type: 'array', items: ref('Abonnement') } } },
    Afleveringenlijst: {
      type: 'object', required: ['resultaten'],
      properties: {
        resultaten: {
          type: 'array', description: 'Attempts, newest first (never a payload).',
          items: {
            type: 'object', required: ['eventId', 'tijdstip', 'statuscode', 'duurMs'],
            properties: {
              eventId: { type: 'string', format: 'uuid' }, tijdstip: ref('Tijdstip'),
              statuscode: { type: ['integer', 'null'], description: 'The receiver\'s HTTP status; null without one (timeout, refused, network).' },
              duurMs: { type: 'integer' }, fout: { type: 'string' },
            },
          },
        },
      },
    },
    Signaalsoort: { type: 'string', enum: [...SOORTEN], description: 'The kind of signal, a rule of policies/signalen.json. / De soort signaal.' },
    Signaal: {
      type: 'object', required: ['signaalId', 'soort', 'trajectId', 'status', 'geopendOp', 'bijgewerktOp', 'berichtIds', 'codes'],
      description: 'A signal: its kind, trajectory, provider, dates, the messages it is derived from and only its kind\'s own codes — never message content. / Een signaal.',
      properties: {
        signaalId: { type: 'string', format: 'uuid' }, soort: ref('Signaalsoort'), trajectId: { type: 'string', format: 'uuid' },
        aanbieder: { type: 'string', description: 'The provider it is about (kinds per provider), or of the latest occurrence.' },
        status: { type: 'string', enum: ['open', 'afgehandeld'] }, geopendOp: ref('Tijdstip'), bijgewerktOp: ref('Tijdstip'),
        berichtIds: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'The messages it is derived from (at most 20, the newest).' },
        codes: {
          type: 'object', additionalProperties: false, description: 'Only the codes of the kind\'s rule.',
          properties: { niveau: { type: 'string' }, vaardigheden: { type: 'array', items: { type: 'string' } }, plaatsingId: { type: 'string' }, eindreden: ref('Eindreden') },
        },
        afgehandeldOp: ref('Tijdstip'),
        uitkomst: { type: 'string', enum: [...AFHANDELUITKOMSTEN, OPGEHEVEN], description: '`opgeheven`: the gateway closed it because its condition no longer holds.' },
      },
    },
    Signalenlijst: {
      type: 'object', required: ['resultaten', 'volgende'],
      properties: { resultaten: { type: 'array', items: ref('Signaal') }, volgende: { type: ['string', 'null'], description: 'Cursor to the next (older) page; null on the last page.' } },
    },
    Trajectstand: {
      type: 'object', required: ['trajectId', 'gemeente', 'leerroute', 'startdatum', 'toewijzingen', 'doel', 'stand', 'signalen'],
      description: 'Route and assignments, the state projected by the doel (a part the doel may not read is absent), and the open signals the reader may see. / De stand van een traject.',
      properties: {
        trajectId: { type: 'string', format: 'uuid' }, gemeente: { type: 'string' }, leerroute: ref('Leerroute'), startdatum: ref('Datum'),
        toewijzingen: { type: 'array', items: ref('Toewijzing') }, doel: { type: 'string' },
        bijgewerktOp: { type: ['string', 'null'], description: 'When the state last changed.' },
        stand: {
          type: 'object', required: ['versie', 'aanbieders'],
          description: 'Parts: `taal` and `mijlpalen` (taalniveau), `examens` (examenresultaten), `aanwezigheid` per provider (deelname; unexcused lessons: verzuim), `plaatsingen` (participatievorm / participatierooster), `aanbieders` (per provider the date of its last message of each readable type).',
          properties: {
            versie: { type: 'integer' }, taal: { type: 'object' }, mijlpalen: { type: 'array', items: { type: 'object' } }, examens: { type: 'object' },
            aanwezigheid: { type: 'object' }, plaatsingen: { type: 'array', items: { type: 'object' } }, aanbieders: { type: 'object' },
          },
        },
        signalen: { type: 'array', items: ref('Signaal') },
      },
    },
    Trajectenlijst: {
      type: 'object', required: ['resultaten', 'volgende'],
      properties: {
        resultaten: {
          type: 'array',
          items: {
            type: 'object', required: ['trajectId', 'gemeente', 'leerroute', 'startdatum', 'status', 'samenvatting'],
            properties: {
              trajectId: { type: 'string', format: 'uuid' }, gemeente: { type: 'string' }, leerroute: ref('Leerroute'), startdatum: ref('Datum'),
              status: { type: 'string', enum: ['lopend', 'afgesloten'] }, afgeslotenOp: ref('Tijdstip'),
              samenvatting: {
                type: 'object', required: ['laatsteBericht', 'openSignalen'],
                description: 'Projected by the doel: levels per skill, attendance rate per provider over the last 4 reported weeks, running placements, last message dates, readable open signals.',
                properties: {
                  niveaus: { type: 'object' }, aanwezigheid: { type: 'object' }, lopendePlaatsingen: { type: 'integer' },
                  laatsteBericht: { type: 'object' }, openSignalen: { type: 'integer' },
                },
              },
            },
          },
        },
        volgende: { type: ['string', 'null'], description: 'Cursor to the next page; null on the last page.' },
      },
    },
  },
  paths: {
    '/trajecten': {
      get: {
        operationId: 'trajectenLezen', tags: ['Stand'], summary: 'The trajectories you own or are assigned to, with a state summary',
        description: 'A gemeente gets its trajectories, a provider those it is actively assigned to. The summary is projected by the doel like any read.',
        parameters: [
          doelParam,
          { name: 'status', in: 'query', required: false, description: 'Only running or closed trajectories. / Alleen lopende of afgesloten trajecten.', schema: { type: 'string', enum: ['lopend', 'afgesloten'] } },
          cursorParam('trajectories'), limietParam,
        ],
        responses: { '200': ok('A page of trajectories', ref('Trajectenlijst')), ...errors('400', '401', '403', '503') },
      },
    },
    '/trajecten/{trajectId}/stand': {
      get: {
        operationId: 'trajectstandLezen', tags: ['Stand'], summary: 'The current state of a trajectory, projected by the doel',
        description: 'Derived from the messages as they arrive (not replayed per read). A doel that may read only part of the state (e.g. `handhaving`: attendance) gets only that part. Unknown and unrelated trajectories give the same 403.',
        parameters: [trajectIdParam('path'), doelParam],
        responses: { '200': ok('The state', ref('Trajectstand')), ...errors('400', '401', '403', '503') },
      },
    },
    '/signalen': {
      get: {
        operationId: 'signalenLezen', tags: ['Signalen'], summary: 'The gemeente\'s worklist of signals, newest first',
        description: 'Signals on the gemeente\'s trajectories of the kinds whose rule is read under the declared doel. Providers see the signals a rule lets them see in the state of a trajectory.',
        parameters: [
          doelParam,
          { name: 'status', in: 'query', required: false, description: 'Only open or closed signals. / Alleen open of afgehandelde signalen.', schema: { type: 'string', enum: ['open', 'afgehandeld'] } },
          { name: 'soort', in: 'query', required: false, description: 'Only this kind. / Alleen deze soort.', schema: ref('Signaalsoort') },
          cursorParam('older signals'), limietParam,
        ],
        responses: { '200': ok('A page of signals', ref('Signalenlijst')), ...errors('400', '401', '403', '503') },
      },
    },
    '/signalen/{signaalId}': {
      get: {
        operationId: 'signaalLezen', tags: ['Signalen'], summary: 'One signal, for a reader its rule allows under the declared doel',
        description: 'The `dataref` of a signal event. Unknown and unreadable signals give the same 404.',
        parameters: [signaalIdParam, doelParam],
        responses: { '200': ok('The signal', ref('Signaal')), ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/abonnementen': {
      post: {
        operationId: 'abonnementAanmaken', tags: ['Abonnementen'], summary: 'Subscribe your party to events',
        description: 'Events are CloudEvents 1.0 (structured JSON, NL GOV profile) holding ids and the type or kind only, signed as Standard Webhooks do, delivered at least once and in order per subscription, for messages and signals your party may read at the moment they happen. Fetch the content through `dataref`. The URL must be https (embedded mode: also http://127.0.0.1 or localhost); private, loopback and link-local targets are refused unless the operator allows them.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('NieuwAbonnement') } } },
        responses: { '201': ok('Subscribed; the secret is shown this once', ref('NieuwAbonnementAntwoord'), { Location: locationHeader }), ...errors('400', '401', '403', '413', '415', '503') },
      },
      get: {
        operationId: 'abonnementenLezen', tags: ['Abonnementen'], summary: 'Your party\'s subscriptions',
        responses: { '200': ok('The subscriptions', ref('Abonnementenlijst')), ...errors('401', '403', '503') },
      },
    },
    '/abonnementen/{abonnementId}': {
      get: {
        operationId: 'abonnementLezen', tags: ['Abonnementen'], summary: 'One of your subscriptions',
        parameters: [abonnementIdParam],
        responses: { '200': ok('The subscription', ref('Abonnement')), ...errors('400', '401', '403', '404', '503') },
      },
      delete: {
        operationId: 'abonnementVerwijderen', tags: ['Abonnementen'], summary: 'Remove a subscription (its waiting events lapse)',
        parameters: [abonnementIdParam],
        responses: { '204': { description: 'Removed', headers: { 'API-Version': { $ref: '#/components/headers/API-Version' } } }, ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/abonnementen/{abonnementId}/hervatting': {
      post: {
        operationId: 'abonnementHervatten', tags: ['Abonnementen'], summary: 'Resume a paused subscription: its waiting events go out in order',
        parameters: [abonnementIdParam],
        responses: { '200': ok('Resumed', ref('Abonnement')), ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/abonnementen/{abonnementId}/afleveringen': {
      get: {
        operationId: 'afleveringenLezen', tags: ['Abonnementen'], summary: 'Delivery attempts of a subscription (time, status, latency, error)',
        parameters: [abonnementIdParam],
        responses: { '200': ok('The attempts, newest first', ref('Afleveringenlijst')), ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/signalen/{signaalId}/afhandeling': {
      post: {
        operationId: 'signaalAfhandelen', tags: ['Signalen'], summary: 'Close an open signal with a coded outcome (its gemeente)',
        description: 'No free text. A signal that is already closed is a 409; an unknown signal and another gemeente\'s signal give the same 404.',
        parameters: [signaalIdParam],
        requestBody: { required: true, content: { 'application/json': { schema: ref('Afhandeling') } } },
        responses: { '200': ok('The closed signal', ref('Signaal')), ...errors('400', '401', '403', '404', '409', '413', '415', '503') },
      },
    },
  },
};
