/**
 * Issue 12, "providers report problems, and get the answer back", over HTTP on both storage adapters:
 * the provider that raised a `knelpunt` reads the gemeente's `besluit` that answers it (its
 * `antwoordOp` names that provider) under doel `knelpunt-opvolging` — in the feed and by id — and no
 * other besluit: not one answering another party's knelpunt, not one answering nothing, not one on a
 * trajectory it has no assignment on, and not under any other doel. The rule is the policy's
 * `berichtvoorwaarde`, decided per message in the engine, so both adapters must agree.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

describe.each<Adapter>(['sqlite', 'postgres'])('knelpunt-opvolging on %s', (adapter) => {
  let t: TestGateway;
  let trajectId: string;
  let anderTraject: string;
  const ids: Record<string, string> = {};
  const as = async (client: string) => bearer(await t.token(client));
  const stuur = async (client: string, traject: string, berichttype: string, inhoud: unknown) => {
    const berichtId = crypto.randomUUID();
    const res = await t.api().post('/v1/berichten').set(...(await as(client)))
      .send({ berichtId, berichttype, schemaversie: '1.0', trajectId: traject, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00', inhoud });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return berichtId;
  };
  const besluit = (besluitId: string, antwoordOp?: { afzender: string; knelpuntId: string }) => ({
    besluitId, soort: 'voorziening', datum: '2026-11-20', voorziening: { voorziening: 'vervoer', uitkomst: 'toegekend' }, ...(antwoordOp ? { antwoordOp } : {}),
  });
  const feed = async (client: string, query: string) => t.api().get(`/v1/berichten?${query}`).set(...(await as(client)));
  const besluitIds = (body: { resultaten: { inhoud: { besluitId: string } }[] }) => body.resultaten.map((r) => r.inhoud.besluitId).sort();

  beforeAll(async () => {
    t = await startTestGateway({ adapter });
    trajectId = await t.openTraject();
    anderTraject = await t.openTraject([{ partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' }]);
    await stuur('roc-van-twente', trajectId, 'knelpunt', { knelpuntId: 'KN-ROC', datum: '2026-11-18', knelpunten: ['vervoer'] });
    await stuur('werkshop', trajectId, 'knelpunt', { knelpuntId: 'KN-WS', datum: '2026-11-18', knelpunten: ['rooster'] });
    ids.roc = await stuur('gemeente-hengelo', trajectId, 'besluit', besluit('BS-ROC', { afzender: 'roc-van-twente', knelpuntId: 'KN-ROC' }));
    ids.ws = await stuur('gemeente-hengelo', trajectId, 'besluit', besluit('BS-WS', { afzender: 'werkshop', knelpuntId: 'KN-WS' }));
    ids.los = await stuur('gemeente-hengelo', trajectId, 'besluit', besluit('BS-LOS'));
    // On a trajectory roc-van-twente is not assigned to, a besluit naming it must stay invisible to it.
    ids.elders = await stuur('gemeente-hengelo', anderTraject, 'besluit', besluit('BS-ELDERS', { afzender: 'roc-van-twente', knelpuntId: 'KN-X' }));
  });
  afterAll(() => t.close());

  it('the feed shows each provider only the besluit answering its own knelpunt, whole; with and without trajectId', async () => {
    const roc = await feed('roc-van-twente', 'doel=knelpunt-opvolging');
    expect(roc.status).toBe(200);
    expect(besluitIds(roc.body)).toEqual(['BS-ROC']);
    expect(roc.body.resultaten[0].inhoud).toEqual(besluit('BS-ROC', { afzender: 'roc-van-twente', knelpuntId: 'KN-ROC' }));
    const rocTraject = await feed('roc-van-twente', `doel=knelpunt-opvolging&trajectId=${trajectId}&berichttype=besluit`);
    expect(rocTraject.status).toBe(200);
    expect(besluitIds(rocTraject.body)).toEqual(['BS-ROC']);
    const ws = await feed('werkshop', 'doel=knelpunt-opvolging');
    expect(ws.status).toBe(200);
    expect(besluitIds(ws.body)).toEqual(['BS-WS']);
    // The gemeente still reads all of its besluiten under trajectbegeleiding.
    const gemeente = await feed('gemeente-hengelo', `doel=trajectbegeleiding&trajectId=${trajectId}&berichttype=besluit`);
    expect(besluitIds(gemeente.body)).toEqual(['BS-LOS', 'BS-ROC', 'BS-WS']);
  });

  it('by id: the answer to its own knelpunt 200; another party\'s, an unanswering one 403; one off its trajectories 404', async () => {
    const lees = async (client: string, id: string, doel = 'knelpunt-opvolging') => t.api().get(`/v1/berichten/${id}?doel=${doel}`).set(...(await as(client)));
    const eigen = await lees('roc-van-twente', ids.roc!);
    expect(eigen.status).toBe(200);
    expect(eigen.body.inhoud.antwoordOp).toEqual({ afzender: 'roc-van-twente', knelpuntId: 'KN-ROC' });
    for (const id of [ids.ws!, ids.los!]) {
      const res = await lees('roc-van-twente', id);
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('BS-');
    }
    expect((await lees('roc-van-twente', ids.elders!)).status).toBe(404);
    expect((await lees('werkshop', ids.ws!)).status).toBe(200);
    expect((await lees('werkshop', ids.roc!)).status).toBe(403);
    // Under any other doel the answer itself is not readable either.
    expect((await lees('roc-van-twente', ids.roc!, 'lesafstemming')).status).toBe(403);
    expect((await lees('werkshop', ids.ws!, 'bemiddeling')).status).toBe(403);
  });

  it('the audit record of an allowed read names the rule and the legal basis; a refused one the per-message condition', async () => {
    const rows = await t.rows<{ besluit: string; regel: string; grondslag: string | null; reden: string }>(
      "SELECT besluit, regel, grondslag, reden FROM logboek WHERE actie = 'bericht-lezen' AND doel = ? ORDER BY id", 'knelpunt-opvolging');
    expect(rows.find((r) => r.besluit === 'toegestaan')).toMatchObject({ regel: 'lezen-knelpunt-opvolging-taal', grondslag: 'AVG art. 6 lid 1 sub e; Wet inburgering 2021' });
    expect(rows.find((r) => r.besluit === 'geweigerd' && r.regel === 'standaard-weigeren')?.reden).toContain('/antwoordOp/afzender');
  });
});
