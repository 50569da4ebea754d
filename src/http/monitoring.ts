/**
 * Routes of issue 13's monitoring part, each walking the one pipeline (authenticate → identify →
 * validate → decide → compute → commit the audit record → answer):
 *
 * - `GET /v1/monitoring/kwartalen/{kwartaal}?doel=monitoring`: a gemeente's quarter in aggregated
 *   figures about its own trajectories, every table suppressed (monitoring/onderdrukking.ts);
 * - `GET /v1/monitoring/kwartalen/{kwartaal}/export?formaat=csv`: the same figures as CSV;
 * - `GET /v1/cbs-verantwoording/kwartalen/{kwartaal}?doel=cbs-verantwoording[&formaat=csv]`: the
 *   person-level delivery to CBS, under its own doel, for the gemeente alone.
 *
 * Guarantees:
 * - Aggregates only under `monitoring`: the engine decides (`geaggregeerdLezen`), subject-level reads
 *   for that doel stay refused everywhere else (`alleen-geaggregeerd`); the record of an aggregate read
 *   names no data subject (it discloses nothing about one participant) — its doel, processing activity,
 *   quarter and tables are in the record.
 * - The CBS delivery is decided per trajectory by the policy (rule `lezen-cbs-verantwoording`, the
 *   register's `regimes`), and its ONE record names every trajectory it disclosed.
 * - Computed from the derived facts and the trajectories (store/monitoring-store.ts), read in the
 *   record's transaction: the figures are what the record says was disclosed.
 * - `doel` may be left out on these paths (the path names it); another doel is refused, audited.
 */
import { Router, type Request } from 'express';
import { AANWEZIGHEIDSROLLEN, weeknummer, cbsCsv, cbsLevering, cijfersCsv, codelijsten, kwartaal, kwartaalcijfers, plusDagen, wekenbereik, type Aanbieder, type Codelijsten, type Cijferinvoer, type Kwartaal, type Kwartaalcijfers } from '../monitoring/index.js';
import { grondslagText } from '../policy/engine.js';
import type { Doel, Doelgroep, Regime } from '../policy/types.js';
import type { LeesTx } from '../store/store.js';
import { apiComponent } from './api-component.js';
import { attempt, auditedRead, authenticate, type Poging } from './attempt.js';
import { errors, ok, ref, type OpenApiPart } from './openapi.js';
import { HttpProblem } from './problem.js';
import { dutchDate, type Services } from './services.js';

export const MONITORING_DOEL = 'monitoring';
export const CBS_DOEL = 'cbs-verantwoording';
/** What the CBS delivery discloses per trajectory (the record's `velden`). */
const CBS_VELDEN = ['/leerroute', '/peildatum', '/regime', '/status', '/trajectId', '/urenAanwezig', '/urenGeoorloofdAfwezig', '/urenOngeoorloofdAfwezig'];

const codes = new WeakMap<Services, Codelijsten>();
function codelijstenVan(s: Services): Codelijsten {
  let c = codes.get(s);
  if (!c) codes.set(s, (c = codelijsten(s.schemas)));
  return c;
}

/** The providers whose attendance reports the completeness tables count: every registered party that can be assigned taal or participatie. */
export function aanbieders(s: Services): Aanbieder[] {
  return s.policy.set.partijen.filter((p) => p.rol === 'taalaanbieder' || p.rol === 'reintegratie').map((p) => ({ id: p.id, naam: p.naam })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Step 3: `{kwartaal}` as `jjjj-Qn`, a quarter that has begun. */
export function kwartaalUitPad(waarde: string, vandaag: string): Kwartaal {
  const k = kwartaal(waarde);
  if (!k) {
    throw new HttpProblem('ongeldige-parameter', 'Het kwartaal heeft de vorm jjjj-Qn, bijvoorbeeld 2026-Q4.', {
      regel: 'kwartaal-ongeldig', invalidParams: [{ name: 'kwartaal', code: 'pattern', reason: 'moet de vorm jjjj-Qn hebben (Q1 tot en met Q4)' }],
    });
  }
  if (k.van > vandaag) {
    throw new HttpProblem('ongeldige-parameter', `Kwartaal ${k.id} is nog niet begonnen.`, {
      regel: 'kwartaal-ongeldig', invalidParams: [{ name: 'kwartaal', code: 'range', reason: 'mag niet in de toekomst liggen' }],
    });
  }
  return k;
}

/** Step 3: `?doel=` — absent: the doel the path names; unknown: 400; `?formaat=` one of `formaten`. */
function doelEnFormaat<F extends string>(req: Request, s: Services, p: Poging, standaard: string, formaten: readonly F[]): { doel: Doel; formaat: F } {
  const invalid = [];
  const id = req.query.doel === undefined ? standaard : req.query.doel;
  const doel = typeof id === 'string' ? s.policy.doel(id) : undefined;
  if (!doel) {
    const genoemd = typeof id === 'string' && /^[a-z0-9-]{1,64}$/.test(id) ? `"${id}"` : '(ongeldig)';
    invalid.push({ name: 'doel', code: 'enum', reason: `onbekend doel ${genoemd}; zie /v1/verwerkingsactiviteiten` });
  }
  const formaat = req.query.formaat === undefined ? formaten[0]! : req.query.formaat;
  if (typeof formaat !== 'string' || !(formaten as readonly string[]).includes(formaat)) invalid.push({ name: 'formaat', code: 'enum', reason: `moet ${formaten.join(' of ')} zijn` });
  if (invalid.length) throw new HttpProblem('ongeldige-parameter', 'Een of meer queryparameters zijn ongeldig; zie invalidParams.', { regel: doel ? 'invoer-ongeldig' : 'doel-onbekend', invalidParams: invalid });
  p.doel = doel!;
  return { doel: doel!, formaat: formaat as F };
}

/** The rows a gemeente's quarter is summed from, read in `tx` (one round trip on PostgreSQL: the reads go out together). */
export async function leesKwartaal(tx: LeesTx, gemeente: string, k: Kwartaal) {
  const weken = wekenbereik(k);
  // Instants are ISO text in UTC: a day earlier as text keeps every instant of that Dutch date; the domain filters exactly.
  const [trajecten, aanwezigheid, eersteDeelname, niveaus, examens, knelpunten, plaatsingen, toewijzingen, gemeldeWeken] = await Promise.all([
    tx.monitoringTrajecten({ gemeente, van: k.van, tot: k.tot, afgeslotenVanaf: plusDagen(k.van, -1) }),
    tx.monitoringAanwezigheid({ gemeente, kwartaal: k.id }),
    tx.monitoringEersteDeelname({ gemeente, van: k.van, tot: k.tot }),
    tx.monitoringNiveaus({ gemeente, tot: k.tot }),
    tx.monitoringExamens({ gemeente, tot: k.tot }),
    tx.monitoringKnelpunten({ gemeente, tot: k.tot }),
    tx.monitoringPlaatsingen({ gemeente, tot: k.tot }),
    tx.monitoringToewijzingen({ gemeente, ...weken, beeindigdVanaf: plusDagen(weken.van, -1), rollen: AANWEZIGHEIDSROLLEN }),
    tx.monitoringGemeldeWeken({ gemeente, eerste: weeknummer(k.weken[0]!.maandag), aantal: k.weken.length }),
  ]);
  return { trajecten, aanwezigheid, eersteDeelname, niveaus, examens, knelpunten, plaatsingen, toewijzingen, gemeldeWeken };
}

/** Everything the figures of one gemeente's quarter are computed from. */
export async function cijferinvoer(s: Services, tx: LeesTx, gemeente: string, k: Kwartaal): Promise<Cijferinvoer> {
  return {
    kwartaal: k, gemeente, vandaag: dutchDate(s.now()), drempel: s.config.monitoringDrempel, codes: codelijstenVan(s), aanbieders: aanbieders(s),
    datum: (t) => dutchDate(new Date(t)), ...(await leesKwartaal(tx, gemeente, k)),
  };
}

/** The audit record's reason and fields for a quarter's figures. */
export function cijferRecord(c: Kwartaalcijfers, formaat: 'json' | 'csv') {
  const onderdrukt = c.tabellen.reduce((n, t) => n + t.onderdrukt, 0);
  return {
    reden: `Kwartaalcijfers ${c.kwartaal} van ${c.gemeente} verstrekt${formaat === 'csv' ? ' als CSV' : ''} voor doel ${c.doel}: ${c.tabellen.length} tabellen, `
      + `${onderdrukt} cellen onderdrukt (drempel ${c.drempel}); alleen totalen, geen gegevens over één deelnemer.`,
    velden: c.tabellen.map((t) => `/tabellen/${t.id}`),
  };
}

export function monitoringRouter(s: Services): Router {
  const router = Router({ strict: true, caseSensitive: true });

  const cijfers = (formaten: readonly ('json' | 'csv')[]) => async (req: Request, p: Poging) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const { doel, formaat } = doelEnFormaat(req, s, p, MONITORING_DOEL, formaten); // 3
    const k = kwartaalUitPad(String(req.params.kwartaal), dutchDate(s.now()));
    const besluit = s.policy.geaggregeerdLezen(actor.partij, doel); // 4
    if (!besluit.toegestaan) throw new HttpProblem('geen-toegang', besluit.reden, { regel: besluit.regel });
    // In a snapshot, then the record through the group commit (6): the figures leave after it committed.
    const c = await auditedRead(s, p, async (tx) => {
      const uit = kwartaalcijfers(await cijferinvoer(s, tx, actor.partij.id, k)); // 5 aggregate and suppress
      return { uitkomst: { besluit: 'toegestaan' as const, regel: besluit.regel, status: 200, grondslag: besluit.grondslag, ...cijferRecord(uit, formaat) }, waarde: uit };
    });
    return { c, formaat };
  };

  router.get('/monitoring/kwartalen/:kwartaal', attempt(s, 'monitoring-lezen', async (req, res, p) => {
    const { c } = await cijfers(['json'])(req, p);
    res.json(c); // 7
  }));

  router.get('/monitoring/kwartalen/:kwartaal/export', attempt(s, 'monitoring-exporteren', async (req, res, p) => {
    const { c } = await cijfers(['csv'])(req, p);
    res.type('text/csv; charset=utf-8').attachment(`monitoring-${c.kwartaal}-${c.gemeente}.csv`).send(cijfersCsv(c)); // 7
  }));

  router.get('/cbs-verantwoording/kwartalen/:kwartaal', attempt(s, 'cbs-levering-opstellen', async (req, res, p) => {
    const actor = await authenticate(req, s, p); // 1, 2
    const { doel, formaat } = doelEnFormaat(req, s, p, CBS_DOEL, ['json', 'csv'] as const); // 3
    const vandaag = dutchDate(s.now());
    const k = kwartaalUitPad(String(req.params.kwartaal), vandaag);
    if (doel.id !== CBS_DOEL) throw new HttpProblem('geen-toegang', `De kwartaallevering per traject hoort bij doel ${CBS_DOEL}, niet bij ${doel.id}.`, { regel: 'cbs-doel' }); // 4
    if (!s.policy.leesbareTypen(actor.partij.rol, doel.id).includes('aanwezigheid')) {
      throw new HttpProblem('geen-toegang', `Geen regel staat een ${actor.partij.rol} toe om aanwezigheid te lezen voor doel ${doel.id}.`, { regel: 'standaard-weigeren' });
    }
    const uit = await auditedRead(s, p, async (tx) => {
      const invoer = await cijferinvoer(s, tx, actor.partij.id, k);
      const regels = new Set<string>();
      let buiten = 0;
      // 4 per trajectory: the gemeente owns every trajectory read here; the rule and the register's regimes decide.
      const levering = cbsLevering(invoer, (t) => {
        const b = s.policy.decide({
          partij: actor.partij, actie: 'lezen', berichttype: 'aanwezigheid', doel: doel.id,
          relatie: { eigenaar: true, toewijzingen: [], regime: t.regime as Regime, doelgroep: t.doelgroep as Doelgroep },
        });
        // The hours are derived from the periods' totals: the rule must disclose both.
        const mag = b.toegestaan && ['/periode', '/totalen'].every((v) => b.projectie?.includes(v));
        if (mag) regels.add(b.regel);
        else buiten++;
        return mag;
      });
      p.trajectIds = levering.trajecten.map((t) => t.trajectId);
      p.berichttype = 'aanwezigheid';
      return {
        uitkomst: { // 6, after the snapshot
          besluit: 'toegestaan' as const, regel: [...regels].join(',') || 'lezen-cbs-verantwoording', status: 200, grondslag: levering.trajecten.length ? grondslagText(doel) : null,
          reden: `Kwartaallevering ${k.id} voor het CBS (peildatum ${levering.peildatum}): ${levering.trajecten.length} traject(en)`
            + `${buiten ? `; ${buiten} traject(en) niet opgenomen (de regel of het register staat het voor hun regime niet toe)` : ''}.`,
          velden: levering.trajecten.length ? CBS_VELDEN : [], gegevenscategorieen: levering.trajecten.length ? ['deelname'] : [],
        },
        waarde: levering,
      };
    });
    if (formaat === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`cbs-${k.id}-${actor.partij.id}.csv`).send(cbsCsv(uit.trajecten)); // 7
      return;
    }
    res.json({ kwartaal: k.id, gemeente: actor.partij.id, doel: doel.id, peildatum: uit.peildatum, aantal: uit.trajecten.length, trajecten: uit.trajecten });
  }));

  return router;
}

const kwartaalParam = {
  name: 'kwartaal', in: 'path', required: true, description: 'The quarter, jjjj-Qn (a quarter that has begun). / Het kwartaal.',
  schema: { type: 'string', pattern: '^[12][0-9]{3}-Q[1-4]$', examples: ['2026-Q4'] },
};
const doelOptioneel = (doel: string) => ({
  name: 'doel', in: 'query', required: false, description: `The purpose of this read; the path names it, so it may be left out (default ${doel}); another doel is refused. / Het doel.`,
  schema: { type: 'string', default: doel },
});
const formaatParam = (formaten: string[]) => ({
  name: 'formaat', in: 'query', required: false, description: `Answer format (default ${formaten[0]}). / Het formaat.`, schema: { type: 'string', enum: formaten, default: formaten[0] },
});
const csvBody = { type: 'string', description: 'CSV (comma-separated, CRLF, UTF-8); every cell defused against formula injection.' };
const bijlage = { 'Content-Disposition': { description: 'attachment, with a file name naming the quarter and the gemeente.', schema: { type: 'string' } } };

export const monitoringOpenApi: OpenApiPart = {
  tags: [
    { name: 'Monitoring', description: 'A gemeente\'s quarter in aggregated figures (doel monitoring, small cells suppressed), and the quarterly delivery per trajectory for CBS (doel cbs-verantwoording)' },
  ],
  schemas: { Kwartaalcijfers: apiComponent('kwartaalcijfers.json'), CbsLevering: apiComponent('cbs-levering.json') },
  paths: {
    '/monitoring/kwartalen/{kwartaal}': {
      get: {
        operationId: 'kwartaalcijfersLezen', tags: ['Monitoring'], summary: 'A quarter in aggregated figures about your own trajectories (gemeente)',
        description: [
          'Trajectories by route, status and regime; started within three months; attendance per activity in minutes; levels per skill; exam results; placements by form and status, started, ended with end reasons; closing outcomes; completeness of the attendance registration per provider.',
          'Every cell with fewer contributors than the threshold (default 10) is null, and so are enough others that no suppressed cell can be worked out from the published totals. "Not registered" is a cell of its own, never folded into 0.',
          'Only for a doel that allows aggregates only (monitoring) and a gemeente; nothing about one participant; the logboek record names no data subject.',
        ].join(' '),
        parameters: [kwartaalParam, doelOptioneel(MONITORING_DOEL)],
        responses: { '200': ok('The figures', ref('Kwartaalcijfers')), ...errors('400', '401', '403', '503') },
      },
    },
    '/monitoring/kwartalen/{kwartaal}/export': {
      get: {
        operationId: 'kwartaalcijfersExporteren', tags: ['Monitoring'], summary: 'The same figures as CSV, one line per cell (totals included)',
        description: 'Columns kwartaal, gemeente, tabel, titel, eenheid, rijdimensie, rij, kolomdimensie, kolom, waarde, onderdrukt; a suppressed cell has an empty waarde and onderdrukt = ja.',
        parameters: [kwartaalParam, doelOptioneel(MONITORING_DOEL), formaatParam(['csv'])],
        responses: { '200': ok('The figures as CSV', csvBody, bijlage, 'text/csv'), ...errors('400', '401', '403', '503') },
      },
    },
    '/cbs-verantwoording/kwartalen/{kwartaal}': {
      get: {
        operationId: 'cbsLeveringOpstellen', tags: ['Monitoring'], summary: 'The quarterly delivery per trajectory for CBS (gemeente, its own trajectories)',
        description: 'Person-level, under its own doel cbs-verantwoording (wettelijke verplichting); the policy decides per trajectory (the register: regime wi2021). One logboek record names every trajectory disclosed; each appears in the participant\'s access report. Hours are null, not 0, when nothing was reported.',
        parameters: [kwartaalParam, doelOptioneel(CBS_DOEL), formaatParam(['json', 'csv'])],
        responses: {
          '200': { ...ok('The delivery', ref('CbsLevering')), content: { 'application/json': { schema: ref('CbsLevering') }, 'text/csv': { schema: csvBody } } },
          ...errors('400', '401', '403', '503'),
        },
      },
    },
  },
};
