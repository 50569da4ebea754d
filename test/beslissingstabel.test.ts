/**
 * The decision table: every combination of action × role × message type × doel × relation × consent
 * state, compared row by row with the expected decision checked into `test/beslissingstabel.csv`.
 *
 * The table was written once from the rules table in the README and reviewed by hand; it is NEVER
 * regenerated from the engine. When a rule changes on purpose, change the rows it changes by hand,
 * and the diff of the CSV is the review of the policy change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Toestemmingsfeit } from '../src/consent/geldigheid.js';
import { projectRoot } from '../src/config.js';
import { createPolicyEngine } from '../src/policy/engine.js';
import { explain } from '../src/policy/explain.js';
import { loadPolicies } from '../src/policy/load.js';
import type { Actie, BesluitVraag, Partij, Relatie } from '../src/policy/types.js';
import { loadSchemas } from '../src/schemas/registry.js';

const root = projectRoot();
const schemas = loadSchemas(path.join(root, 'schemas'));
const set = loadPolicies(path.join(root, 'policies'), schemas);
const engine = createPolicyEngine(set);

const MOMENT = { tijdstip: '2026-11-23T12:00:00.000Z', datum: '2026-11-23' };
const feit = (over: Partial<Toestemmingsfeit>): Toestemmingsfeit => ({
  toestemmingId: 't', gegevenscategorieen: ['participatievorm', 'participatierooster'], gegevenOp: '2026-11-01T09:00:00.000Z', geldigTot: '2027-06-30', ingetrokkenOp: null, ...over,
});

/** The consent states of the table, as the records the store would return. */
const TOESTEMMING: Record<string, Toestemmingsfeit[]> = {
  geen: [],
  geldig: [feit({})],
  deels: [feit({ gegevenscategorieen: ['participatievorm'] })],
  ingetrokken: [feit({ ingetrokkenOp: '2026-11-23T11:00:00.000Z' })],
  verlopen: [feit({ geldigTot: '2026-11-22' })],
};
/** Every trajectory of this table has the default regime and target group (as every trajectory from before issue 12); regimes and target groups have their own table below. */
const STANDAARD = { regime: 'wi2021', doelgroep: 'onbekend' } as const;
const RELATIE: Record<string, Relatie> = {
  geen: { eigenaar: false, toewijzingen: [], ...STANDAARD },
  eigenaar: { eigenaar: true, toewijzingen: [], ...STANDAARD },
  taal: { eigenaar: false, toewijzingen: ['taal'], ...STANDAARD },
  participatie: { eigenaar: false, toewijzingen: ['participatie'], ...STANDAARD },
  begeleiding: { eigenaar: false, toewijzingen: ['begeleiding'], ...STANDAARD },
  nazorg: { eigenaar: false, toewijzingen: ['nazorg'], ...STANDAARD },
};
const PARTIJ_VOOR_ROL: Record<string, Partij> = Object.fromEntries(
  (['gemeente', 'taalaanbieder', 'reintegratie'] as const).map((rol) => [rol, set.partijen.find((p) => p.rol === rol)!]),
);

interface Rij { actie: Actie; rol: string; berichttype: string; doel: string; relatie: string; toestemming: string; besluit: string; regel: string; projectie: string }

const lines = fs.readFileSync(path.join(root, 'test/beslissingstabel.csv'), 'utf8').trim().split('\n');
const header = lines[0]!.split(',');
const rijen: Rij[] = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])) as unknown as Rij);

function vraag(r: Rij): BesluitVraag {
  return {
    partij: PARTIJ_VOOR_ROL[r.rol]!, actie: r.actie, berichttype: r.berichttype, relatie: RELATIE[r.relatie]!, moment: MOMENT,
    ...(r.actie === 'lezen' ? { doel: r.doel, toestemmingen: TOESTEMMING[r.toestemming] } : {}),
  };
}
const formatProjectie = (p: readonly string[] | null) => (p === null ? '-' : p.includes('') ? '(geheel)' : [...p].sort().join(' '));

describe('the decision table', () => {
  it('has every combination exactly once', () => {
    const rollen = Object.keys(PARTIJ_VOOR_ROL);
    const keys = new Set(rijen.map((r) => [r.actie, r.rol, r.berichttype, r.doel, r.relatie, r.toestemming].join('|')));
    expect(keys.size).toBe(rijen.length);
    const expected: string[] = [];
    for (const rol of rollen) for (const type of schemas.berichttypen) for (const rel of Object.keys(RELATIE)) {
      expected.push(['publiceren', rol, type, '-', rel, '-'].join('|'));
      for (const doel of set.doelen.map((d) => d.id)) for (const ts of Object.keys(TOESTEMMING)) expected.push(['lezen', rol, type, doel, rel, ts].join('|'));
    }
    expect([...keys].sort()).toEqual(expected.sort());
  });

  it.each(rijen.map((r) => [`${r.actie} ${r.rol} ${r.berichttype} ${r.doel} relatie=${r.relatie} toestemming=${r.toestemming}`, r] as const))('%s', (_name, r) => {
    const b = engine.decide(vraag(r));
    expect({ besluit: b.toegestaan ? 'toegestaan' : 'geweigerd', regel: b.regel, projectie: formatProjectie(b.projectie) })
      .toEqual({ besluit: r.besluit, regel: r.regel, projectie: r.projectie });
  });

  it('the explanation agrees with the decision on every row: the deciding rule is the one marked, and applies', () => {
    for (const r of rijen) {
      const u = explain(engine, vraag(r));
      const decisive = u.overwegingen.filter((o) => o.doorslaggevend);
      expect(decisive.map((o) => o.regel), JSON.stringify(r)).toEqual([r.regel]);
      if (r.besluit === 'toegestaan') expect(decisive[0]!.vanToepassing).toBe(true);
      // Refused by default means: no allowing rule applied.
      if (r.regel === 'standaard-weigeren') expect(u.overwegingen.some((o) => o.effect === 'toestaan' && o.vanToepassing), JSON.stringify(r)).toBe(false);
    }
  });
});

/**
 * Issue 12: regimes, target groups and nazorg, in a table of its own (test/beslissingstabel-regime.csv,
 * written by hand from the rules and the register's `regimes`, never from the engine): the register
 * refuses a doel outside its regimes (doel-regime), handhaving is forbidden for gezin, under wi2013 the
 * gemeente reads provider data only with consent and only the consented categories, nazorg publishes
 * placements and reads what bemiddeling allows.
 */
describe('the decision table for regimes, target groups and nazorg', () => {
  interface RegimeRij extends Rij { regime: string; doelgroep: string }
  const regels = fs.readFileSync(path.join(root, 'test/beslissingstabel-regime.csv'), 'utf8').trim().split('\n');
  const kop = regels[0]!.split(',');
  const regimeRijen = regels.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [kop[i], v])) as unknown as RegimeRij);
  const regimeVraag = (r: RegimeRij): BesluitVraag => {
    // Roles outside the full table (maatschappelijke-begeleiding) take their demo party.
    const basis = { ...vraag({ ...r, relatie: r.relatie }), partij: set.partijen.find((p) => p.rol === r.rol)! };
    return { ...basis, relatie: { ...RELATIE[r.relatie]!, regime: r.regime as Relatie['regime'], doelgroep: r.doelgroep as Relatie['doelgroep'] } };
  };

  it('covers every regime and target group', () => {
    expect(new Set(regimeRijen.map((r) => r.regime))).toEqual(new Set(['wi2021', 'wi2013', 'vrijwillig']));
    expect(new Set(regimeRijen.map((r) => r.doelgroep))).toEqual(new Set(['asiel', 'gezin', 'onbekend']));
  });

  it.each(regimeRijen.map((r) => [`${r.actie} ${r.rol} ${r.berichttype} ${r.doel} relatie=${r.relatie} regime=${r.regime} doelgroep=${r.doelgroep} toestemming=${r.toestemming}`, r] as const))('%s', (_name, r) => {
    const b = engine.decide(regimeVraag(r));
    expect({ besluit: b.toegestaan ? 'toegestaan' : 'geweigerd', regel: b.regel, projectie: formatProjectie(b.projectie) })
      .toEqual({ besluit: r.besluit, regel: r.regel, projectie: r.projectie });
    const u = explain(engine, regimeVraag(r));
    expect(u.overwegingen.filter((o) => o.doorslaggevend).map((o) => o.regel)).toEqual([r.regel]);
    // The reasoning names the trajectory's regime (for a read, where the register's regimes count).
    if (r.actie === 'lezen') expect(JSON.stringify(u.overwegingen)).toContain(`regime ${r.regime}`);
  });
});

/**
 * Issue 12: rules that hold per message (`berichtvoorwaarde`), in a table of their own
 * (test/beslissingstabel-bericht.csv, written by hand from the rules, never from the engine): a
 * provider reads under knelpunt-opvolging only the besluit whose `antwoordOp` names its own party
 * (`eigen`), not one naming another party (`ander`) or none (`geen`), and only with the relation and
 * under the regimes the rule and the register require. The main table asks about types without a
 * message, so there every knelpunt-opvolging row is refused.
 */
describe('the decision table for per-message conditions', () => {
  interface BerichtRij extends Rij { regime: string; doelgroep: string; antwoordOp: string }
  const regels = fs.readFileSync(path.join(root, 'test/beslissingstabel-bericht.csv'), 'utf8').trim().split('\n');
  const kop = regels[0]!.split(',');
  const berichtRijen = regels.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [kop[i], v])) as unknown as BerichtRij);
  const berichtVraag = (r: BerichtRij): BesluitVraag => {
    const partij = set.partijen.find((p) => p.rol === r.rol)!;
    const ander = set.partijen.find((p) => p.id !== partij.id && p.rol !== 'gemeente')!;
    const afzender = r.antwoordOp === 'eigen' ? partij.id : r.antwoordOp === 'ander' ? ander.id : null;
    const bericht = r.berichttype === 'besluit'
      ? { besluitId: 'BS-1', soort: 'voorziening', datum: '2026-11-20', voorziening: { voorziening: 'vervoer', uitkomst: 'toegekend' }, ...(afzender ? { antwoordOp: { afzender, knelpuntId: 'KN-1' } } : {}) }
      : { knelpuntId: 'KN-1', datum: '2026-11-20', knelpunten: ['vervoer'] };
    return {
      ...vraag(r), partij, bericht,
      relatie: { ...RELATIE[r.relatie]!, regime: r.regime as Relatie['regime'], doelgroep: r.doelgroep as Relatie['doelgroep'] },
    };
  };

  it('covers the reader named, another party and none, for every role that may read', () => {
    expect(new Set(berichtRijen.map((r) => r.antwoordOp))).toEqual(new Set(['eigen', 'ander', 'geen']));
    expect(new Set(berichtRijen.filter((r) => r.besluit === 'toegestaan').map((r) => r.rol))).toEqual(new Set(['taalaanbieder', 'reintegratie', 'maatschappelijke-begeleiding', 'gemeente']));
  });

  it.each(berichtRijen.map((r) => [`${r.rol} ${r.berichttype} ${r.doel} relatie=${r.relatie} regime=${r.regime} antwoordOp=${r.antwoordOp}`, r] as const))('%s', (_name, r) => {
    const b = engine.decide(berichtVraag(r));
    expect({ besluit: b.toegestaan ? 'toegestaan' : 'geweigerd', regel: b.regel, projectie: formatProjectie(b.projectie) })
      .toEqual({ besluit: r.besluit, regel: r.regel, projectie: r.projectie });
    const u = explain(engine, berichtVraag(r));
    expect(u.overwegingen.filter((o) => o.doorslaggevend).map((o) => o.regel)).toEqual([r.regel]);
  });

  it('without a message such a rule never allows; asked about the type only (the feed\'s up-front check) it may', () => {
    const partij = set.partijen.find((p) => p.rol === 'taalaanbieder')!;
    const basis: BesluitVraag = { partij, actie: 'lezen', berichttype: 'besluit', doel: 'knelpunt-opvolging', relatie: RELATIE.taal!, moment: MOMENT };
    expect(engine.decide(basis)).toMatchObject({ toegestaan: false, regel: 'standaard-weigeren' });
    expect(engine.decide({ ...basis, typeniveau: true })).toMatchObject({ toegestaan: true, regel: 'lezen-knelpunt-opvolging-taal' });
    expect(engine.perBericht('taalaanbieder', 'knelpunt-opvolging', 'besluit')).toBe(true);
    expect(engine.perBericht('gemeente', 'trajectbegeleiding', 'besluit')).toBe(false);
  });
});
