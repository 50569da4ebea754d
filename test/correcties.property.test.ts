/**
 * Property (issue 11): whatever sequence of weekly reports, corrections (possibly to another week)
 * and withdrawals a provider sends, the trajectory state counts every week once — the week of the
 * latest version that still counts — and the verzuim signal never opens on lessons counted twice.
 * Runs through the real HTTP pipeline (SQLite); the expected state is a model of the current versions.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, weekMetLessen, type Les } from './support/signaalberichten.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';

const MAANDAGEN = ['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'];
const REDENEN = ['onjuist-traject', 'dubbel-verzonden', 'onjuiste-gegevens', 'overig'] as const;

type Stap =
  | { soort: 'nieuw'; week: number; gemist: number }
  | { soort: 'correctie'; welke: number; week: number; gemist: number }
  | { soort: 'intrekking'; welke: number; reden: number };

const stap: fc.Arbitrary<Stap> = fc.oneof(
  fc.record({ soort: fc.constant('nieuw' as const), week: fc.nat(3), gemist: fc.nat(2) }),
  fc.record({ soort: fc.constant('correctie' as const), welke: fc.nat(9), week: fc.nat(3), gemist: fc.nat(2) }),
  fc.record({ soort: fc.constant('intrekking' as const), welke: fc.nat(9), reden: fc.nat(3) }),
);

/** 12 lessons of 180 minutes, `gemist` of them unexcused: at most 2 of 12 (16.7 %), under the share threshold. */
function inhoud(week: number, gemist: number) {
  const lessen: Les[] = Array.from({ length: 12 }, (_, i) => ({ status: i < gemist ? 'ongeoorloofd-afwezig' : 'aanwezig' }));
  return weekMetLessen({ berichtId: crypto.randomUUID(), van: MAANDAGEN[week]! }, lessen).inhoud;
}

interface Huidig { berichtId: string; week: number; gemist: number; volgorde: number }

describe('a correction never makes a week count twice (property, through the pipeline)', () => {
  let t: TestGateway;
  let roc: string;
  beforeAll(async () => {
    t = await startTestGateway({ overrides: { signaalPlannerSeconden: 0 } });
    roc = await t.token('roc-van-twente');
  });
  afterAll(async () => t?.close());

  it('the state holds each week once, from the latest counting version; verzuim never opens on double-counted lessons', async () => {
    await fc.assert(fc.asyncProperty(fc.array(stap, { minLength: 1, maxLength: 7 }), async (stappen) => {
      const trajectId = await t.openTraject();
      let huidig: Huidig[] = [];
      let volgorde = 0;
      for (const s of stappen) {
        const verzuimVoor = await t.rows("SELECT signaalId FROM signalen WHERE trajectId = ? AND soort = 'verzuim' AND status = 'open'", trajectId);
        if (s.soort === 'intrekking') {
          const doel = huidig[s.welke % Math.max(huidig.length, 1)];
          if (!doel) continue;
          const res = await t.api().post(`/v1/berichten/${doel.berichtId}/intrekking`).set(...bearer(roc)).send({ reden: REDENEN[s.reden] });
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          huidig = huidig.filter((h) => h !== doel);
        } else {
          const oud = s.soort === 'correctie' ? huidig[s.welke % Math.max(huidig.length, 1)] : undefined;
          if (s.soort === 'correctie' && !oud) continue;
          const e = { ...envelop('aanwezigheid', trajectId, inhoud(s.week, s.gemist)), ...(oud ? { vervangt: oud.berichtId } : {}) };
          const res = await t.api().post('/v1/berichten').set(...bearer(roc)).send(e);
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          huidig = huidig.filter((h) => h !== oud).concat({ berichtId: e.berichtId, week: s.week, gemist: s.gemist, volgorde: volgorde++ });
        }
        // The model: per week the current message received last (a later report of a week replaces it).
        const perWeek = new Map<number, Huidig>();
        for (const h of [...huidig].sort((a, b) => a.volgorde - b.volgorde)) perWeek.set(h.week, h);
        const verwacht = [...perWeek.values()].sort((a, b) => a.week - b.week);

        const [rij] = await t.rows<{ stand: string }>('SELECT stand FROM trajectstand WHERE trajectId = ?', trajectId);
        const aanwezigheid = rij ? JSON.parse(rij.stand).aanwezigheid['roc-van-twente'] : undefined;
        const weken = (aanwezigheid?.weken ?? []) as { van: string; tot: string; berichtId: string }[];
        expect(weken.map((w) => [w.van, w.berichtId])).toEqual(verwacht.map((h) => [MAANDAGEN[h.week], h.berichtId]));
        expect(weken.every((w) => w.tot === addDays(w.van, 6))).toBe(true);
        const gemist = verwacht.reduce((n, h) => n + h.gemist, 0);
        if (verwacht.length) expect(aanwezigheid.laatsteWeken.ongeoorloofdeLessen).toBe(gemist);
        // Verzuim opens at 3 unexcused lessons in the window: with fewer counted once, it must not open.
        if (gemist < 3 && verzuimVoor.length === 0) {
          expect(await t.rows("SELECT signaalId FROM signalen WHERE trajectId = ? AND soort = 'verzuim' AND status = 'open'", trajectId)).toEqual([]);
        }
      }
    }), { numRuns: 25 });
  }, 120_000);
});
