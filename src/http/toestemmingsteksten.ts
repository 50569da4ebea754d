/**
 * The consent texts (toestemmingsteksten) as the running gateway offers them:
 * `GET /v1/toestemmingsteksten` and `GET /v1/toestemmingsteksten/{id}`. Public and not audited, like
 * the register of processing activities — they hold no personal data — so that anyone holding a
 * consent receipt can fetch the words its `privacyNotice` names and check their SHA-256. Every
 * version stays listed: a receipt names the version that was agreed to, not the newest.
 */
import { Router } from 'express';
import { huidigeTekst } from '../consent/teksten.js';
import type { Toestemmingstekst } from '../policy/types.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem, sendProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';
import { traceOf } from './trace.js';
import { beleidsversie } from './verwerkingsactiviteiten.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** One text id with every version and translation, oldest first; `geldend` marks the ones offered today. */
function tekstView(s: Services, versies: readonly Toestemmingstekst[]) {
  const vandaag = dutchDate(s.now());
  const eerste = versies[0]!;
  return {
    id: eerste.id,
    doel: eerste.doel,
    versies: [...versies].sort((a, b) => a.geldigVanaf.localeCompare(b.geldigVanaf) || a.versie.localeCompare(b.versie) || a.taal.localeCompare(b.taal)).map((t) => ({
      versie: t.versie,
      taal: t.taal,
      geldigVanaf: t.geldigVanaf,
      geldend: huidigeTekst(versies, t.doel, t.taal, vandaag) === t,
      sha256: t.sha256,
      tekst: t.tekst,
    })),
  };
}

function perId(teksten: readonly Toestemmingstekst[]): Map<string, Toestemmingstekst[]> {
  const out = new Map<string, Toestemmingstekst[]>();
  for (const t of teksten) out.set(t.id, [...(out.get(t.id) ?? []), t]);
  return out;
}

export function toestemmingstekstenRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });
  const teksten = perId(s.policy.set.toestemmingsteksten);
  router.use(['/toestemmingsteksten', '/toestemmingsteksten/:id'], (_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    next();
  });
  router.get('/toestemmingsteksten', (_req, res) => {
    res.json({ beleidsversie: beleidsversie(s.policy), resultaten: [...teksten.values()].map((v) => tekstView(s, v)) });
  });
  router.get('/toestemmingsteksten/:id', (req, res) => {
    const id = String(req.params.id);
    if (!ID.test(id)) {
      sendProblem(res, new HttpProblem('ongeldige-parameter', 'Een tekst-id bestaat uit kleine letters, cijfers en koppeltekens.', {
        invalidParams: [{ name: 'id', code: 'pattern', reason: 'moet voldoen aan ^[a-z0-9]+(-[a-z0-9]+)*$' }],
      }), traceOf(res).traceId);
      return;
    }
    const versies = teksten.get(id);
    if (!versies) {
      sendProblem(res, new HttpProblem('niet-gevonden', `Geen toestemmingstekst "${id}"; bekend zijn: ${[...teksten.keys()].join(', ') || 'geen'}.`), traceOf(res).traceId);
      return;
    }
    res.json({ beleidsversie: beleidsversie(s.policy), ...tekstView(s, versies) });
  });
  return router;
}

export const toestemmingstekstenOpenApi: OpenApiPart = {
  tags: [{ name: 'Toestemmingsteksten', description: 'The versioned consent texts a participant agrees to, with the SHA-256 a consent receipt names' }],
  schemas: {
    Toestemmingstekst: {
      type: 'object',
      description: 'A consent text with every version and translation. / Een toestemmingstekst met al zijn versies.',
      required: ['id', 'doel', 'versies'],
      properties: {
        id: { type: 'string' },
        doel: { type: 'string', description: 'The consent-based doel it asks consent for. / Het doel.' },
        versies: {
          type: 'array',
          items: {
            type: 'object',
            required: ['versie', 'taal', 'geldigVanaf', 'geldend', 'sha256', 'tekst'],
            properties: {
              versie: { type: 'string', examples: ['1.0'] },
              taal: { type: 'string', examples: ['nl'] },
              geldigVanaf: ref('Datum'),
              geldend: { type: 'boolean', description: 'The version offered today for its doel in its language. / De versie die vandaag geldt.' },
              sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the UTF-8 bytes of `tekst`. / De hash van de tekst.' },
              tekst: { type: 'string' },
            },
          },
        },
      },
    },
    Toestemmingstekstenlijst: {
      type: 'object', required: ['beleidsversie', 'resultaten'],
      properties: { beleidsversie: { type: 'string' }, resultaten: { type: 'array', items: ref('Toestemmingstekst') } },
    },
  },
  paths: {
    '/toestemmingsteksten': {
      get: {
        operationId: 'toestemmingstekstenLezen', tags: ['Toestemmingsteksten'], summary: 'Every consent text, every version and translation', security: [],
        responses: { '200': ok('The texts', ref('Toestemmingstekstenlijst')) },
      },
    },
    '/toestemmingsteksten/{id}': {
      get: {
        operationId: 'toestemmingstekstLezen', tags: ['Toestemmingsteksten'], summary: 'One consent text with its versions', security: [],
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The text\'s id, as a receipt\'s privacyNotice names it. / Het id van de tekst.', schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', examples: ['toestemming-lesafstemming'] } }],
        responses: { '200': ok('The text', { allOf: [ref('Toestemmingstekst'), { type: 'object', required: ['beleidsversie'], properties: { beleidsversie: { type: 'string' } } }] }), ...errors('400', '404') },
      },
    },
  },
};
