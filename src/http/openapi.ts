/**
 * The OpenAPI 3.1 document of `GET /v1/openapi.json`, built from the same JSON Schema files that
 * validate requests (no second copy). It follows the Dutch API Design Rules: `/v1` in the server,
 * `API-Version` on every success response, problem+json (status, title, detail) on every error.
 */
import type { Config } from '../config.js';
import { rewriteRefs, sharedDefinitions } from '../schemas/bundle.js';
import type { JsonSchema, SchemaRegistry } from '../schemas/registry.js';
import { PROBLEMS, problemType, type ProblemKind } from './problem.js';

export const API_VERSION = '1.0.0';

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const versionHeader = { 'API-Version': { $ref: '#/components/headers/API-Version' } };

export function ok(description: string, schema: unknown, extraHeaders: Record<string, unknown> = {}, contentType = 'application/json') {
  return { description, headers: { ...versionHeader, ...extraHeaders }, content: { [contentType]: { schema } } };
}

const ERROR_RESPONSES: Record<string, ProblemKind> = {
  '400': 'ongeldige-invoer',
  '401': 'niet-geauthenticeerd',
  '403': 'geen-toegang',
  '404': 'niet-gevonden',
  '409': 'conflict',
  '410': 'verwijderd',
  '413': 'te-groot',
  '415': 'verkeerd-mediatype',
  '429': 'te-veel-verzoeken',
  '503': 'niet-beschikbaar',
};

/** Error responses of an operation; every authenticated one (401) can also be rate-limited (429). */
export function errors(...codes: (keyof typeof ERROR_RESPONSES)[]) {
  const all = codes.includes('401') && !codes.includes('429') ? [...codes, '429'].sort() : codes;
  return Object.fromEntries(all.map((c) => [c, { $ref: `#/components/responses/Probleem${c}` }]));
}

const retryAfterHeader = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } } };

const locationHeader = { description: 'Where the new resource can be read.', schema: { type: 'string' } };

export function trajectIdParam(where: 'path' | 'query') {
  return { name: 'trajectId', in: where, required: true, description: 'The trajectory, as the gateway gave it to the gemeente. / Het traject-id.', schema: { type: 'string', format: 'uuid' } };
}

function berichttypeParam(schemas: SchemaRegistry, where: 'path' | 'query') {
  return { name: 'berichttype', in: where, required: true, description: 'The message type. / Het berichttype.', schema: { type: 'string', enum: [...schemas.berichttypen] } };
}

export const doelParam = {
  name: 'doel', in: 'query', required: true,
  description: 'The purpose of this read (a processing activity id from /v1/verwerkingsactiviteiten). / Het doel van deze leesvraag.',
  schema: { type: 'string', examples: ['trajectbegeleiding'] },
};

/**
 * A concern's contribution to the document: its paths, component schemas and tags. Each route
 * module that adds endpoints adds one part to `buildOpenApi(…, parts)`; nothing else changes here.
 */
export interface OpenApiPart {
  paths: Record<string, unknown>;
  schemas?: Record<string, unknown>;
  tags?: { name: string; description: string }[];
}

/** The OpenAPI component name of a served major of a message type, e.g. `PlaatsingV1`. */
export const inhoudComponent = (berichttype: string, major: number) => `${pascal(berichttype)}V${major}`;

/** An envelope around a schema example, for the request examples of `POST /berichten`. */
function voorbeeldBericht(berichttype: string, schemaversie: string, inhoud: unknown, i: number) {
  return {
    berichtId: `0f8e3c52-6a4b-4f0e-9d6a-8c1b2e3f4a${(10 + i).toString(16).padStart(2, '0')}`,
    berichttype, schemaversie, trajectId: '5d0c9a3e-4f6b-4c8e-9a57-2f1e7b3c6d10', gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00', inhoud,
  };
}

/** The base paths with every part's paths; a part may add methods to a path the base has (e.g. GET beside POST). */
function mergePaths(base: Record<string, unknown>, parts: OpenApiPart[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const part of parts) {
    for (const [path, item] of Object.entries(part.paths)) out[path] = { ...(out[path] as object | undefined), ...(item as object) };
  }
  return out;
}

export function buildOpenApi(config: Config, schemas: SchemaRegistry, parts: OpenApiPart[] = [], tokenUrl = `${config.issuer}/token`): Record<string, unknown> {
  const componentSchemas: Record<string, unknown> = {};
  const target = (n: string) => `#/components/schemas/${n}`;
  const toComponent = (file: string) => {
    const { $id: _id, $schema: _s, ...rest } = schemas.files.get(file) as JsonSchema;
    return rewriteRefs(rest, target, new Set()) as JsonSchema;
  };
  for (const [name, def] of sharedDefinitions(schemas)) componentSchemas[name] = rewriteRefs(def.schema, target, new Set(), def.major);
  const inhoudRefs: unknown[] = [];
  const voorbeelden: Record<string, { summary: string; value: unknown }> = {};
  for (const type of schemas.berichttypen) {
    for (const v of schemas.versies(type)) {
      const name = inhoudComponent(type, v.major);
      componentSchemas[name] = toComponent(v.file);
      inhoudRefs.push(ref(name));
      const example = (v.schema.examples as unknown[] | undefined)?.[0];
      if (example) voorbeelden[name] = { summary: `${type} ${v.major}.${v.minor}`, value: voorbeeldBericht(type, `${v.major}.${v.minor}`, example, inhoudRefs.length) };
    }
  }
  // The envelope as validated, with `inhoud` narrowed to the served content schemas for readers and generators.
  const envelop = toComponent('api/envelop.json');
  const envelopProps = envelop.properties as Record<string, JsonSchema>;
  envelopProps.inhoud = { ...envelopProps.inhoud, anyOf: inhoudRefs };
  componentSchemas.Envelop = envelop;
  componentSchemas.NieuwTraject = toComponent('api/traject.json');
  componentSchemas.Trajectwijziging = toComponent('api/trajectwijziging.json');

  componentSchemas.Toewijzing = {
    type: 'object', required: ['partij', 'rol', 'vanaf'],
    properties: {
      partij: { type: 'string' }, rol: ref('Toewijzingsrol'),
      vanaf: ref('Datum'), tot: ref('Datum'), beeindigdOp: ref('Tijdstip'),
    },
  };
  componentSchemas.Traject = {
    type: 'object', required: ['trajectId', 'gemeente', 'leerroute', 'startdatum', 'aangemaaktOp', 'toewijzingen'],
    properties: {
      trajectId: { type: 'string', format: 'uuid' }, gemeente: { type: 'string' }, leerroute: ref('Trajectleerroute'),
      regime: ref('Regime'), doelgroep: ref('Doelgroep'),
      startdatum: ref('Datum'), aangemaaktOp: ref('Tijdstip'), toewijzingen: { type: 'array', items: ref('Toewijzing') },
      afgeslotenOp: ref('Tijdstip'), afsluitreden: ref('Afsluitreden'),
    },
  };
  componentSchemas.Ontvangstbewijs = {
    type: 'object',
    description: 'Receipt: the message and its audit record are durably stored. / Ontvangstbewijs.',
    required: ['berichtId', 'berichttype', 'trajectId', 'ontvangenOp', 'logboek'],
    properties: {
      berichtId: { type: 'string', format: 'uuid' }, berichttype: { type: 'string' }, trajectId: { type: 'string', format: 'uuid' },
      ontvangenOp: ref('Tijdstip'),
      logboek: ref('LogboekVerwijzing'),
    },
  };
  componentSchemas.LogboekVerwijzing = {
    type: 'object',
    description: 'The audit record written in the same transaction: its position in the chain and its hash. / Het logboekrecord van deze handeling.',
    required: ['id', 'hash'],
    properties: { id: { type: 'integer' }, hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
  };
  componentSchemas.Bericht = {
    type: 'object',
    description: 'A message as disclosed: `inhoud` holds only the fields the declared doel allows. / Een bericht, geminimaliseerd naar het doel.',
    required: ['berichtId', 'berichttype', 'schemaversie', 'trajectId', 'afzender', 'gebeurtenisTijdstip', 'ontvangenOp', 'versie', 'inhoud'],
    properties: {
      versie: { type: 'integer', minimum: 1, description: 'Which version this is: 1 for a first message, one more for each correction (`vervangt`). / Welke versie dit is.' },
      vervangt: { type: 'string', format: 'uuid', description: 'The message this correction replaces. / Het bericht dat deze correctie vervangt.' },
      vervangenDoor: { type: 'string', format: 'uuid', description: 'Set when a later version replaced this one: it no longer counts, but stays readable. / Vervangen door dit bericht.' },
      ingetrokken: {
        type: 'object', required: ['op', 'reden'], description: 'Set when the sender withdrew the message: it no longer counts and `inhoud` is null. / Ingetrokken door de afzender.',
        properties: { op: ref('Tijdstip'), reden: { type: 'string', enum: ['onjuist-traject', 'dubbel-verzonden', 'onjuiste-gegevens', 'overig'] } },
      },
      berichtId: { type: 'string', format: 'uuid' }, berichttype: { type: 'string' }, schemaversie: { type: 'string', description: 'The schema version (MAJOR.MINOR) the sender named. / De schemaversie die de afzender noemde.' },
      trajectId: { type: 'string', format: 'uuid' }, afzender: { type: 'string' }, gebeurtenisTijdstip: ref('Tijdstip'), ontvangenOp: ref('Tijdstip'),
      inhoud: { type: ['object', 'null'], description: 'The content, projected: only the fields the doel allows (so it may not validate against the full schema); null for a withdrawn message and for one whose content was removed (`verwijderd`). / De inhoud, beperkt tot wat het doel toestaat.' },
      verwijderd: { ...ref('Verwijdering'), description: 'Set when the content was removed (retention or erasure): the list shows the message without content; reading it by id answers 410. / Inhoud verwijderd.' },
    },
  };
  componentSchemas.Berichtenlijst = {
    type: 'object', required: ['resultaten', 'volgende'],
    properties: {
      resultaten: { type: 'array', items: ref('Bericht') },
      volgende: {
        type: ['string', 'null'],
        description: 'Opaque cursor after the last message considered; pass it as `volgende` to continue or, later, to get what is new. Null only when nothing was ever found.',
      },
    },
  };
  componentSchemas.Schemaoverzicht = {
    type: 'object', required: ['berichttypen'],
    description: 'The served message types and schema versions. / De berichttypen en hun schemaversies.',
    properties: {
      berichttypen: {
        type: 'array',
        items: {
          type: 'object', required: ['berichttype', 'versies'],
          properties: {
            berichttype: { type: 'string' },
            versies: {
              type: 'array',
              items: {
                type: 'object', required: ['versie', 'schemaversie', 'deprecated', 'href'],
                properties: {
                  versie: { type: 'string', description: 'The semver of the served file.' },
                  schemaversie: { type: 'string', description: 'The newest MAJOR.MINOR a message may name for this major.' },
                  deprecated: { type: 'boolean', description: 'To be withdrawn after the transition period.' },
                  href: { type: 'string', description: 'Where the schema is served.' },
                },
              },
            },
          },
        },
      },
    },
  };
  componentSchemas.Probleem = {
    type: 'object', required: ['type', 'title', 'status', 'detail'],
    description: 'RFC 9457 problem details.',
    properties: {
      type: { type: 'string', description: 'Stable URI per kind of problem.', enum: Object.keys(PROBLEMS).map((k) => problemType(k as ProblemKind)) },
      title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
      instance: { type: 'string' }, traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
      invalidParams: {
        type: 'array',
        items: { type: 'object', required: ['name', 'code', 'reason'], properties: { name: { type: 'string', description: 'JSON pointer or parameter name' }, code: { type: 'string' }, reason: { type: 'string' } } },
      },
      verwijderd: { ...ref('Verwijdering'), description: 'With 410: when and why the content of the message was removed. / Wanneer en waarom de inhoud is verwijderd.' },
    },
  };
  componentSchemas.Verwijdering = {
    type: 'object', required: ['op', 'grond', 'toelichting', 'logboek'],
    description: 'The content of the message was removed: under a retention term of the register (`bewaartermijn`) or by an erasure of its gemeente (`wissing`, AVG art. 17). The message\'s id, type, trajectory, sender and dates stay; see docs/bewaring.md. / De inhoud is verwijderd.',
    properties: {
      op: ref('Tijdstip'),
      grond: { type: 'string', enum: ['bewaartermijn', 'wissing'] },
      toelichting: { type: 'string', description: 'Why, in Dutch: the terms that passed, or the erasure reason.' },
      reden: { type: 'string', description: 'With `wissing`: the coded reason (policies/bewaring.json).' },
      logboek: { type: 'integer', description: 'The logboek record of the removal.' },
    },
  };

  const responses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([code, kind]) => [
      `Probleem${code}`,
      {
        description: PROBLEMS[kind].title,
        headers: code === '401' ? { 'WWW-Authenticate': { schema: { type: 'string' } }, ...versionHeader }
          : code === '429' || code === '503' ? { ...retryAfterHeader, ...versionHeader }
          : versionHeader,
        content: { 'application/problem+json': { schema: ref('Probleem') } },
      },
    ]),
  );

  const secured = [{ oauth2: [] }];
  for (const part of parts) Object.assign(componentSchemas, part.schemas ?? {});
  return {
    openapi: '3.1.0',
    info: {
      title: 'Doelpoort',
      version: API_VERSION,
      description:
        'Purpose-bound exchange gateway for civic-integration trajectories (Wet inburgering 2021). Every call is authenticated (OAuth 2 client credentials, private_key_jwt), bound to a doel, minimised and recorded in a tamper-evident logboek. / Doelgebonden uitwisseling voor inburgeringstrajecten.',
      contact: { name: 'Doelpoort', email: 'beheer@doelpoort.example', url: 'https://doelpoort.example' },
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: `${config.publicUrl}/v1`, description: 'This gateway' }],
    tags: [
      { name: 'Trajecten', description: 'Trajectories and assignments' },
      { name: 'Berichten', description: 'Publishing and reading messages' },
      { name: 'Documentatie', description: 'This document and the message schemas' },
      ...parts.flatMap((p) => p.tags ?? []),
    ],
    security: secured,
    paths: mergePaths({
      '/trajecten': {
        post: {
          operationId: 'trajectOpenen', tags: ['Trajecten'], summary: 'Open a trajectory (gemeente only)',
          description: 'Opens a trajectory for one participant with its assignments. No BSN or name: the returned `trajectId` is the only key.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('NieuwTraject') } } },
          responses: { '201': ok('Trajectory opened', ref('Traject'), { Location: locationHeader }), ...errors('400', '401', '403', '413', '415', '503') },
        },
      },
      '/trajecten/{trajectId}': {
        get: {
          operationId: 'trajectLezen', tags: ['Trajecten'], summary: 'Read a trajectory (its gemeente and assigned parties)',
          description: 'A trajectory that does not exist and one you have no relation with give the same 403.',
          parameters: [trajectIdParam('path')],
          responses: { '200': ok('The trajectory', ref('Traject')), ...errors('400', '401', '403', '503') },
        },
        patch: {
          operationId: 'trajectWijzigen', tags: ['Trajecten'], summary: 'Change route, regime or target group (its gemeente only)',
          description: 'Sets the leerroute (also from `nog-te-bepalen`), the regime or the doelgroep; only the fields given change. Audited with what each field was and became. A closed trajectory is a 409.',
          parameters: [trajectIdParam('path')],
          requestBody: { required: true, content: { 'application/json': { schema: ref('Trajectwijziging') } } },
          responses: { '200': ok('The changed trajectory', ref('Traject')), ...errors('400', '401', '403', '409', '413', '415', '503') },
        },
      },
      '/berichten': {
        post: {
          operationId: 'berichtPubliceren', tags: ['Berichten'], summary: 'Publish a message (assigned providers)',
          description: [
            'The envelope names the `berichttype` and the `schemaversie` its `inhoud` follows; every error of envelope and content is listed in `invalidParams` (400).',
            'Idempotent on sender + `berichtId`: the same message again returns the same receipt (200); other content under the same id from the same sender is a 409 (`conflict`). Another sender may use the same `berichtId` for its own message.',
            'A correction names `vervangt` (envelope 1.1): the sender\'s own current message of the same type about the same trajectory; anything else is a 409 (`conflict`, regel `vervanging-ongeldig`). The replaced message stays readable with `vervangenDoor` and no longer counts in lists, the trajectory state or the signals.',
            'A `plaatsing` whose status may not follow the status of the latest version of the previous message about the same `plaatsingId` from the same sender is a 409 (`ongeldige-statusovergang`); the allowed transitions are `statusovergangen` in its schema.',
            'A message whose content was removed (retention or erasure, docs/bewaring.md) can be neither sent again under its id nor corrected: 409 (`conflict`, regel `bericht-verwijderd`).',
          ].join(' '),
          requestBody: { required: true, content: { 'application/json': { schema: ref('Envelop'), examples: voorbeelden } } },
          responses: {
            '201': ok('Stored with its audit record', ref('Ontvangstbewijs'), { Location: locationHeader }),
            '200': ok('A replay of a message already received', ref('Ontvangstbewijs')),
            ...errors('400', '401', '403', '409', '413', '415', '503'),
          },
        },
        get: {
          operationId: 'berichtenLezen', tags: ['Berichten'], summary: 'Read messages for a declared doel, oldest first',
          description: 'Without `trajectId`: the caller\'s feed over every trajectory it may read for this doel. Each message is projected to the fields the doel allows; types the doel does not cover are left out. A message whose content was removed (retention or erasure) is listed with `inhoud: null` and `verwijderd` (when, why); under a rule that decides per message it is left out, since without content that cannot be decided.',
          parameters: [
            doelParam,
            { ...trajectIdParam('query'), required: false, description: 'Only this trajectory; without it, every trajectory the caller may read. / Alleen dit traject.' },
            { ...berichttypeParam(schemas, 'query'), required: false },
            { name: 'volgende', in: 'query', required: false, description: 'Cursor from a previous answer: continue after it, or later ask what is new since. / Cursor uit een eerder antwoord.', schema: { type: 'string' } },
            { name: 'limiet', in: 'query', required: false, description: 'Page size (default 100). / Paginagrootte.', schema: { type: 'integer', minimum: 1, maximum: 500 } },
          ],
          responses: { '200': ok('A page of messages', ref('Berichtenlijst')), ...errors('400', '401', '403', '503') },
        },
      },
      '/berichten/{berichtId}': {
        get: {
          operationId: 'berichtLezen', tags: ['Berichten'], summary: 'Read one message for a declared doel',
          parameters: [{ name: 'berichtId', in: 'path', required: true, description: 'The id the sender gave the message; ids are unique per sender: you get your own message with this id if you sent one, else the one you may read. / Het bericht-id.', schema: { type: 'string', format: 'uuid' } }, doelParam],
          description: 'A message whose content was removed (retention or erasure, docs/bewaring.md) answers 410 with `verwijderd`: when and why; the relation and the doel are checked first, as for any read.',
          responses: { '200': ok('The message, minimised to the doel', ref('Bericht')), ...errors('400', '401', '403', '404', '410', '503') },
        },
      },
      '/schemas': {
        get: {
          operationId: 'schemasOverzicht', tags: ['Documentatie'], summary: 'The message types and the schema versions served', security: [],
          description: 'During a transition period two majors of a type are served side by side; the older one is marked `deprecated`.',
          responses: { '200': ok('Message types and their versions', ref('Schemaoverzicht')) },
        },
      },
      '/schemas/{berichttype}': {
        get: {
          operationId: 'schemaLezen', tags: ['Documentatie'], summary: 'The JSON Schema of a message type (newest major)', security: [],
          parameters: [berichttypeParam(schemas, 'path')],
          responses: { '200': ok('JSON Schema 2020-12, self-contained', { type: 'object' }, {}, 'application/schema+json'), ...errors('400', '404') },
        },
      },
      '/schemas/{berichttype}/{versie}': {
        get: {
          operationId: 'schemaversieLezen', tags: ['Documentatie'], summary: 'The JSON Schema of one major of a message type', security: [],
          parameters: [
            berichttypeParam(schemas, 'path'),
            { name: 'versie', in: 'path', required: true, description: 'The major, as `v1`, `v2`… / De hoofdversie.', schema: { type: 'string', pattern: '^v[1-9][0-9]*$', examples: ['v1'] } },
          ],
          responses: { '200': ok('JSON Schema 2020-12, self-contained', { type: 'object' }, {}, 'application/schema+json'), ...errors('400', '404') },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapiLezen', tags: ['Documentatie'], summary: 'This document', security: [],
          responses: { '200': ok('OpenAPI 3.1', { type: 'object' }) },
        },
      },
    }, parts),
    components: {
      schemas: componentSchemas,
      responses,
      headers: {
        'API-Version': { description: 'The full version of this API.', required: true, schema: { type: 'string', examples: [API_VERSION] } },
      },
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'Client credentials with private_key_jwt (NL GOV Assurance profile); the access token is an RFC 9068 JWT whose audience is this gateway.',
          flows: { clientCredentials: { tokenUrl, scopes: {} } },
        },
      },
    },
  };
}
