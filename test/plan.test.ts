/**
 * Issue 12, the plan (PIP) over HTTP on both storage adapters: the owning gemeente publishes a `plan`;
 * each assigned provider reads it for doel `uitvoering-plan` and sees only its own part of `partijen`
 * (the rule's declared per-party projection, `partijdeel`) — in the feed and by id — while the gemeente
 * reads the whole plan for `trajectbegeleiding`. A provider cannot publish a plan, nor read one for
 * another doel.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

const voorbeeld = JSON.parse(fs.readFileSync(new URL('../schemas/examples/plan/geldig-twee-partijen.json', import.meta.url), 'utf8'));
const PLAN = {
  ...voorbeeld.inhoud,
  partijen: [
    ...voorbeeld.inhoud.partijen,
    { partij: 'vluchtelingenwerk-twente', rol: 'begeleiding', activiteiten: [{ activiteit: 'individueel-gesprek', urenPerWeek: 1, vanaf: '2026-12-07' }], doelen: ['zelfredzaamheid-financien'] },
  ],
} as { partijen: { partij: string }[] } & Record<string, unknown>;

describe.each<Adapter>(['sqlite', 'postgres'])('the plan on %s', (adapter) => {
  let t: TestGateway;
  let trajectId: string;
  let berichtId: string;
  const as = async (client: string) => bearer(await t.token(client));
  const stuur = async (client: string, inhoud: unknown) => t.api().post('/v1/berichten').set(...(await as(client)))
    .send({ berichtId: crypto.randomUUID(), berichttype: 'plan', schemaversie: '1.0', trajectId, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00', inhoud });

  beforeAll(async () => {
    t = await startTestGateway({ adapter });
    trajectId = await t.openTraject([
      { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-01-05' },
      { partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' },
      { partij: 'vluchtelingenwerk-twente', rol: 'begeleiding', vanaf: '2026-01-05' },
    ]);
    const res = await stuur('gemeente-hengelo', PLAN);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    berichtId = res.body.berichtId;
  });
  afterAll(() => t.close());

  it.each(['roc-van-twente', 'werkshop', 'vluchtelingenwerk-twente'])('%s reads only its own part, in the feed and by id', async (client) => {
    const eigen = PLAN.partijen.filter((p) => p.partij === client);
    expect(eigen).toHaveLength(1);
    const feed = await t.api().get(`/v1/berichten?doel=uitvoering-plan&trajectId=${trajectId}`).set(...(await as(client)));
    expect(feed.status).toBe(200);
    expect(feed.body.resultaten).toHaveLength(1);
    expect(feed.body.resultaten[0].inhoud).toEqual({ ...PLAN, partijen: eigen });
    const los = await t.api().get(`/v1/berichten/${berichtId}?doel=uitvoering-plan`).set(...(await as(client)));
    expect(los.status).toBe(200);
    expect(los.body.inhoud.partijen).toEqual(eigen);
    for (const ander of PLAN.partijen.filter((p) => p.partij !== client)) expect(JSON.stringify(los.body)).not.toContain(ander.partij);
  });

  it('the gemeente reads the whole plan; a provider may not publish one, nor read it for another doel', async () => {
    const gemeente = await t.api().get(`/v1/berichten/${berichtId}?doel=trajectbegeleiding`).set(...(await as('gemeente-hengelo')));
    expect(gemeente.status).toBe(200);
    expect(gemeente.body.inhoud).toEqual(PLAN);
    expect((await stuur('roc-van-twente', PLAN)).status).toBe(403);
    expect((await t.api().get(`/v1/berichten/${berichtId}?doel=bemiddeling`).set(...(await as('werkshop')))).status).toBe(403);
    expect((await t.api().get(`/v1/berichten/${berichtId}?doel=uitvoering-plan`).set(...(await as('gemeente-hengelo')))).status).toBe(403);
  });

  it('the audit record names the fields disclosed and the rule', async () => {
    const [rec] = await t.rows<{ regel: string; velden: string }>(
      "SELECT regel, velden FROM logboek WHERE actie = 'bericht-lezen' AND doel = ? AND besluit = 'toegestaan' ORDER BY id LIMIT 1", 'uitvoering-plan');
    expect(rec!.regel).toMatch(/^lezen-uitvoering-plan-/);
    expect(rec!.velden).toContain('/inhoud/partijen');
  });
});
