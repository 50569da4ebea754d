/**
 * Issue 11, the provider's own references and its assignment list, on both adapters:
 * `GET /v1/toewijzingen` (provider: own assignments with its kenmerk; gemeente: assignments on its
 * trajectories, no kenmerk), `PUT/DELETE /v1/trajecten/{id}/kenmerk` (assigned provider only, unique
 * per provider, never a BSN, visible to that provider only — not in other answers, errors or the logboek).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsn, kenmerkFouten } from '../src/http/kenmerken.js';
import { bearer, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

describe('the BSN eleven-test', () => {
  it('refuses known-valid BSNs and accepts numbers that fail it', () => {
    expect(isBsn('111222333')).toBe(true);
    expect(isBsn('123456782')).toBe(true);
    expect(isBsn('123456789')).toBe(false);
    expect(isBsn('12345678')).toBe(false);
    expect(kenmerkFouten('111222333')[0]).toMatchObject({ code: 'bsn' });
    expect(kenmerkFouten('123456789')).toEqual([]);
  });
  it('property: a refusal never repeats the value', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (v) => {
      for (const f of kenmerkFouten(v)) if (v.length >= 3) expect(f.reason).not.toContain(v);
    }));
  });
});

describe.each<Adapter>(['sqlite', 'postgres'])('kenmerken and the assignment list (%s)', (adapter) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ adapter, overrides: { signaalPlannerSeconden: 0 } });
  });
  afterAll(async () => t?.close());

  const zet = async (partij: string, trajectId: string, body: unknown) =>
    t.api().put(`/v1/trajecten/${trajectId}/kenmerk`).set(...bearer(await t.token(partij))).send(body as object);
  const lijst = async (partij: string, query = '') => t.api().get(`/v1/toewijzingen${query}`).set(...bearer(await t.token(partij)));

  it('an assigned provider sets its kenmerk; it shows in its own list only, never to the gemeente or another provider, never in the logboek', async () => {
    const a = await t.openTraject();
    const b = await t.openTraject();
    const kenmerk = `LLN-${Math.random().toString(36).slice(2, 10)}`;
    const res = await zet('roc-van-twente', a, { kenmerk });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ trajectId: a, kenmerk });
    // Unique per provider: the same kenmerk for another trajectory is refused without naming it.
    const dubbel = await zet('roc-van-twente', b, { kenmerk });
    expect(dubbel.status).toBe(409);
    expect(JSON.stringify(dubbel.body)).not.toContain(kenmerk);
    // Another provider may use the same value for its own trajectory.
    expect((await zet('werkshop', a, { kenmerk })).status).toBe(200);

    const eigen = await lijst('roc-van-twente');
    expect(eigen.status).toBe(200);
    const rij = eigen.body.resultaten.find((r: { trajectId: string }) => r.trajectId === a);
    expect(rij).toMatchObject({ trajectId: a, gemeente: 'gemeente-hengelo', rol: 'taal', status: 'actief', kenmerk });
    expect(eigen.body.resultaten.find((r: { trajectId: string }) => r.trajectId === b).kenmerk).toBeUndefined();
    const gemeente = await lijst('gemeente-hengelo');
    expect(gemeente.status).toBe(200);
    expect(gemeente.body.resultaten.filter((r: { trajectId: string }) => r.trajectId === a).map((r: { partij: string }) => r.partij).sort()).toEqual(['roc-van-twente', 'werkshop']);
    expect(JSON.stringify(gemeente.body)).not.toContain(kenmerk);
    const ws = await lijst('werkshop');
    expect(ws.body.resultaten.find((r: { trajectId: string }) => r.trajectId === a).kenmerk).toBe(kenmerk); // its own, same value
    expect((await lijst('taalschool-oost')).body.resultaten.some((r: { trajectId: string }) => r.trajectId === a)).toBe(false);

    const logboek = await t.rows<{ n: number }>('SELECT count(*) AS n FROM logboek WHERE reden LIKE ? OR velden LIKE ? OR trajectIds LIKE ?', `%${kenmerk}%`, `%${kenmerk}%`, `%${kenmerk}%`);
    expect(Number(logboek[0]!.n)).toBe(0);
    const acties = await t.rows<{ actie: string }>("SELECT actie FROM logboek WHERE actie IN ('kenmerk-vastleggen', 'toewijzingen-lezen') AND trajectIds LIKE ?", `%${a}%`);
    expect(acties.map((x) => x.actie)).toContain('kenmerk-vastleggen');
    expect(acties.map((x) => x.actie)).toContain('toewijzingen-lezen');

    // DELETE removes it.
    await t.api().delete(`/v1/trajecten/${a}/kenmerk`).set(...bearer(await t.token('roc-van-twente'))).expect(204);
    expect((await lijst('roc-van-twente')).body.resultaten.find((r: { trajectId: string }) => r.trajectId === a).kenmerk).toBeUndefined();
    // …and frees the value for another trajectory.
    expect((await zet('roc-van-twente', b, { kenmerk })).status).toBe(200);
  });

  it('refuses a BSN, bad lengths and formula starts (400, value not repeated); a gemeente or unassigned provider gets 403', async () => {
    const a = await t.openTraject();
    for (const kenmerk of ['111222333', '', 'x'.repeat(41), '=SUM(A1)', ' LLN7', 12]) {
      const res = await zet('roc-van-twente', a, { kenmerk });
      expect(res.status, String(kenmerk)).toBe(400);
      expect(res.body.invalidParams[0].name).toBe('/kenmerk');
      if (typeof kenmerk === 'string' && kenmerk.length > 3) expect(JSON.stringify(res.body)).not.toContain(kenmerk);
    }
    expect((await zet('roc-van-twente', a, { kenmerk: 'ok', extra: 1 })).status).toBe(400);
    expect((await zet('gemeente-hengelo', a, { kenmerk: 'G-1' })).status).toBe(403);
    expect((await zet('taalschool-oost', a, { kenmerk: 'T-1' })).status).toBe(403);
    expect((await zet('roc-van-twente', crypto.randomUUID(), { kenmerk: 'R-1' })).status).toBe(403);
  });

  it('property: a provider\'s kenmerk is invisible to every other party — lists, errors and the logboek', async () => {
    const anderen = ['gemeente-hengelo', 'werkshop', 'taalschool-oost'];
    await fc.assert(fc.asyncProperty(fc.stringMatching(/^[A-Za-z][A-Za-z0-9._/ -]{5,30}[A-Za-z0-9]$/), async (kenmerk) => {
      fc.pre(kenmerkFouten(kenmerk).length === 0);
      const a = await t.openTraject();
      const gezet = await zet('roc-van-twente', a, { kenmerk });
      fc.pre(gezet.status === 200); // an earlier run may have used the same value
      for (const partij of anderen) {
        expect(JSON.stringify((await lijst(partij, '?limiet=500')).body)).not.toContain(kenmerk);
        // Reads and errors of another party about this trajectory do not name it either.
        const poging = await zet(partij, a, { kenmerk: 'x'.repeat(41) });
        expect(poging.status).toBe(400);
        expect(JSON.stringify(poging.body)).not.toContain(kenmerk);
        const traject = await t.api().get(`/v1/trajecten/${a}`).set(...bearer(await t.token(partij)));
        expect(JSON.stringify(traject.body)).not.toContain(kenmerk);
      }
      const logboek = await t.rows<{ n: number }>('SELECT count(*) AS n FROM logboek WHERE reden LIKE ? OR velden LIKE ?', `%${kenmerk}%`, `%${kenmerk}%`);
      expect(Number(logboek[0]!.n)).toBe(0);
    }), { numRuns: 8 });
  });

  it('the list filters by status and pages with a cursor', async () => {
    const a = await t.openTraject();
    const gem = await t.token('gemeente-hengelo');
    await t.api().delete(`/v1/trajecten/${a}/toewijzingen/roc-van-twente`).set(...bearer(gem)).expect((r) => expect(r.status).toBeLessThan(300));
    const beeindigd = await lijst('roc-van-twente', '?status=beeindigd&limiet=500');
    expect(beeindigd.body.resultaten.find((r: { trajectId: string }) => r.trajectId === a)).toMatchObject({ status: 'beeindigd' });
    const actief = await lijst('roc-van-twente', '?status=actief&limiet=500');
    expect(actief.body.resultaten.some((r: { trajectId: string }) => r.trajectId === a)).toBe(false);
    // Paging: two pages of one give the first two rows of the whole list, in order.
    const heel = (await lijst('roc-van-twente', '?limiet=500')).body.resultaten.map((r: { trajectId: string }) => r.trajectId);
    const p1 = await lijst('roc-van-twente', '?limiet=1');
    const p2 = await lijst('roc-van-twente', `?limiet=1&volgende=${p1.body.volgende}`);
    expect([...p1.body.resultaten, ...p2.body.resultaten].map((r: { trajectId: string }) => r.trajectId)).toEqual(heel.slice(0, 2));
    expect((await lijst('roc-van-twente', '?status=alles')).status).toBe(400);
  });
});
