/**
 * The signal-rule table: every case of `test/signaalregels.json` (weeks, minutes, lessons, dates,
 * assignment periods, thresholds at and just below the boundary), walked step by step against the
 * real rules of `policies/signalen.json`, the real message schemas and the implementation.
 *
 * The table was written by hand from the rules (docs/signalen.md); it is NEVER regenerated from the
 * implementation. When a rule changes on purpose, change the rows it changes by hand, so that the
 * diff of the table is the review of the rule change.
 *
 * Per case: the state starts empty; each message step folds the message into the state and
 * evaluates the case's kinds with that message and `now` = its receipt time; a `planner` step
 * evaluates without a message at its time (the scheduler); an `afhandelen` step closes an open
 * signal as the klantmanager does. Decisions are applied to the set of open signals, as the next
 * phase's transaction will, and every decision is compared with `verwacht`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { loadPolicies } from '../src/policy/load.js';
import { afhandelen, evaluateSignalen, type SignaalBesluit, type Toewijzing } from '../src/signalen/evaluate.js';
import { loadSignaalregels } from '../src/signalen/load.js';
import { MAX_BERICHT_IDS, SOORTEN, type Signaal, type Soort } from '../src/signalen/types.js';
import { applyBericht, emptyStand, type Activiteit, type Bericht } from '../src/stand/stand.js';
import { plaatsing, schemas, taalvoortgang, weekMetLessen, weekTotalen, type Les, type LesStatus } from './support/signaalberichten.js';

const root = projectRoot();
const policies = loadPolicies(path.join(root, 'policies'), schemas);
const regels = loadSignaalregels(path.join(root, 'policies'), policies, schemas).regels;
const TRAJECT = '5d0c9a3e-4f6b-4c8e-9a57-2f1e7b3c6d10';

type Stap =
  | { id: string; week: string; door: string; op?: string; gepland?: number; ongeoorloofd?: number; ziek?: number; geoorloofd?: number; lessen?: string; extra?: Array<{ activiteit: Activiteit; gepland: number; ongeoorloofd?: number }> }
  | { id: string; door?: string; op?: string; taal: { niveau: string; mijlpaal?: [string, string, string[], string] } }
  | { id: string; door?: string; op?: string; plaatsing: Record<string, unknown> & { plaatsingId: string; status: string } }
  | { planner: string }
  | { afhandelen: string; uitkomst: string };

interface Geval {
  naam: string;
  soorten: Soort[];
  toewijzingen?: Toewijzing[];
  open?: Array<{ soort: Soort; aanbieder: string | null; ids: string[] }>;
  stappen: Stap[];
  verwacht: string[];
}

const table = JSON.parse(fs.readFileSync(path.join(root, 'test/signaalregels.json'), 'utf8')) as { gevallen: Geval[] };

const STANDAARD_TOEWIJZINGEN: Toewijzing[] = [
  { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-09-01', tot: null, beeindigdOp: null },
  { partij: 'werkshop', rol: 'participatie', vanaf: '2026-09-01', tot: null, beeindigdOp: null },
];

const LETTER: Record<string, LesStatus> = { A: 'aanwezig', O: 'ongeoorloofd-afwezig', G: 'geoorloofd-afwezig', Z: 'ziek', V: 'vervallen', T: 'te-laat' };

function bericht(stap: Exclude<Stap, { planner: string } | { afhandelen: string }>): Bericht {
  const meta = { berichtId: stap.id, ...(stap.door ? { afzender: stap.door } : {}), ...(stap.op ? { ontvangenOp: stap.op } : {}) };
  if ('week' in stap) {
    if (stap.lessen !== undefined) {
      const lessen: Les[] = stap.lessen.split(',').map((l) => ({ status: LETTER[l[0]!]!, minuten: Number(l.slice(1)) }));
      return weekMetLessen({ ...meta, van: stap.week }, lessen);
    }
    return weekTotalen({ ...meta, van: stap.week }, { gepland: stap.gepland!, ongeoorloofd: stap.ongeoorloofd ?? 0, ziek: stap.ziek ?? 0, geoorloofd: stap.geoorloofd ?? 0 }, stap.extra ?? []);
  }
  if ('taal' in stap) {
    const m = stap.taal.mijlpaal;
    return taalvoortgang(meta, {
      leerroute: 'B1',
      niveaus: [{ vaardigheid: 'lezen', niveau: stap.taal.niveau as 'A2', peildatum: m?.[3] ?? '2026-11-19', vastgesteldMet: 'toets' }],
      ...(m ? { mijlpaal: { soort: m[0] as 'niveau-behaald', niveau: m[1] as 'A2', vaardigheden: m[2] as ['lezen'], datum: m[3] } } : {}),
    });
  }
  const { op: _op, ...inhoud } = stap.plaatsing as Record<string, unknown>;
  return plaatsing({ ...meta, ...(typeof _op === 'string' ? { ontvangenOp: _op } : {}) }, inhoud as any);
}

function line(step: number, b: SignaalBesluit): string {
  const s = b.signaal;
  const codes = Object.entries(s.codes).sort(([a], [c]) => (a < c ? -1 : 1)).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return [`${step}`, b.actie, `${s.soort}@${s.aanbieder ?? '-'}`, `ids=${s.berichtIds.join(',')}`, ...codes, ...(b.actie === 'sluiten' ? [`uitkomst=${s.uitkomst}`] : [])].join(' ');
}

function walk(geval: Geval): string[] {
  const rules = regels.filter((r) => geval.soorten.includes(r.id));
  expect(rules.map((r) => r.id).sort()).toEqual([...geval.soorten].sort());
  let stand = emptyStand();
  let n = 0;
  const newId = () => `signaal-${++n}`;
  let open: Signaal[] = (geval.open ?? []).map((o) => ({
    signaalId: newId(), soort: o.soort, trajectId: TRAJECT, aanbieder: o.aanbieder, status: 'open', geopendOp: '2026-10-01T00:00:00.000Z',
    bijgewerktOp: '2026-10-01T00:00:00.000Z', berichtIds: o.ids, codes: {}, afgehandeldOp: null, uitkomst: null,
  }));
  const toewijzingen = geval.toewijzingen ?? STANDAARD_TOEWIJZINGEN;
  const lines: string[] = [];
  geval.stappen.forEach((stap, i) => {
    let besluiten: SignaalBesluit[];
    if ('afhandelen' in stap) {
      const [soort, aanbieder] = stap.afhandelen.split('@');
      const target = open.find((s) => s.soort === soort && (aanbieder === undefined || s.aanbieder === aanbieder));
      expect(target, `step ${i + 1}: an open ${stap.afhandelen} to close`).toBeDefined();
      const closed = afhandelen(target!, stap.uitkomst, '2026-12-31T00:00:00.000Z');
      expect(closed).toMatchObject({ status: 'afgehandeld', uitkomst: stap.uitkomst });
      open = open.filter((s) => s !== target);
      return;
    }
    if ('planner' in stap) {
      besluiten = evaluateSignalen(stand, rules, { trajectId: TRAJECT, now: stap.planner, toewijzingen, openSignalen: open, newId });
    } else {
      const b = bericht(stap);
      stand = applyBericht(stand, b);
      besluiten = evaluateSignalen(stand, rules, { trajectId: TRAJECT, now: b.ontvangenOp, toewijzingen, openSignalen: open, bericht: b, newId });
    }
    for (const b of besluiten) {
      lines.push(line(i + 1, b));
      // Invariants of every decision, whatever the case.
      expect(b.signaal.trajectId).toBe(TRAJECT);
      expect(b.signaal.berichtIds.length).toBeLessThanOrEqual(MAX_BERICHT_IDS);
      expect(Object.keys(b.signaal.codes).every((c) => regels.find((r) => r.id === b.signaal.soort)!.codes.includes(c as never))).toBe(true);
      if (b.actie === 'openen') {
        expect(open.some((s) => s.soort === b.signaal.soort && (!rules.find((r) => r.id === s.soort)!.perAanbieder || s.aanbieder === b.signaal.aanbieder)), 'a second open signal of one kind').toBe(false);
        open.push(b.signaal);
      } else {
        expect(open).toContain(b.vorige);
        expect(b.signaal.signaalId).toBe(b.vorige.signaalId);
        expect(b.signaal.geopendOp).toBe(b.vorige.geopendOp);
        open = open.filter((s) => s !== b.vorige);
        if (b.actie === 'bijwerken') open.push(b.signaal);
      }
    }
  });
  return lines;
}

describe('the signal-rule table', () => {
  it('has at least 40 cases, unique names, and covers every kind', () => {
    expect(table.gevallen.length).toBeGreaterThanOrEqual(40);
    expect(new Set(table.gevallen.map((g) => g.naam)).size).toBe(table.gevallen.length);
    expect(new Set(table.gevallen.flatMap((g) => g.soorten))).toEqual(new Set(SOORTEN));
  });

  it.each(table.gevallen.map((g) => [g.naam, g] as const))('%s', (_naam, geval) => {
    expect(walk(geval).sort()).toEqual([...geval.verwacht].sort());
  });
});
