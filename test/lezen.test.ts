/** GET /v1/berichten and /v1/berichten/{id}: every read names a doel, and gets only what that doel allows. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let trajectId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGateway();
  trajectId = await t.openTraject();
  for (const [client, type] of [['roc-van-twente', 'aanwezigheid'], ['roc-van-twente', 'taalvoortgang'], ['werkshop', 'plaatsing']] as const) {
    const body = envelop(type, trajectId);
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token(client))).send(body);
    expect(res.status).toBe(201);
    ids[type] = body.berichtId;
  }
});
afterAll(() => t.close());

async function list(client: string, query: string) {
  return t.api().get(`/v1/berichten?${query}`).set(...bearer(await t.token(client)));
}

describe('doel is required and must be registered', () => {
  it('without doel: 400', async () => {
    const res = await list('gemeente-hengelo', `trajectId=${trajectId}`);
    expect(res.status).toBe(400);
    expect(res.body.invalidParams).toEqual([expect.objectContaining({ name: 'doel', code: 'required' })]);
  });
  it('an unknown doel: 400', async () => {
    const res = await list('gemeente-hengelo', `doel=nieuwsgierigheid&trajectId=${trajectId}`);
    expect(res.status).toBe(400);
    expect(res.body.invalidParams[0]).toMatchObject({ name: 'doel', code: 'enum' });
  });
  it('a single read without doel: 400', async () => {
    const res = await t.api().get(`/v1/berichten/${ids.aanwezigheid}`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(res.status).toBe(400);
  });
});

describe('projection per doel', () => {
  it('trajectbegeleiding: the owning gemeente gets all three types with all fields, oldest first', async () => {
    const res = await list('gemeente-hengelo', `doel=trajectbegeleiding&trajectId=${trajectId}`);
    expect(res.status).toBe(200);
    expect(res.body.resultaten.map((m: { berichttype: string }) => m.berichttype)).toEqual(['aanwezigheid', 'taalvoortgang', 'plaatsing']);
    expect(res.body.resultaten[1].inhoud).toEqual(VOORBEELDEN.taalvoortgang);
    expect(res.body.resultaten[2].inhoud).toEqual(VOORBEELDEN.plaatsing);
  });

  it('handhaving: only aanwezigheid', async () => {
    const res = await list('gemeente-hengelo', `doel=handhaving&trajectId=${trajectId}`);
    expect(res.body.resultaten.map((m: { berichttype: string }) => m.berichttype)).toEqual(['aanwezigheid']);
  });

  it('bemiddeling: werkshop gets taalvoortgang with only leerroute and niveaus', async () => {
    const res = await list('werkshop', `doel=bemiddeling&trajectId=${trajectId}`);
    expect(res.status).toBe(200);
    expect(res.body.resultaten).toHaveLength(1);
    expect(res.body.resultaten[0].inhoud).toEqual({ leerroute: 'B1', niveaus: VOORBEELDEN.taalvoortgang.niveaus });
  });

  it('the audit record of a read names the disclosed fields, never their values', async () => {
    const trace = newTraceparent();
    await t.api().get(`/v1/berichten?doel=bemiddeling&trajectId=${trajectId}`).set(...bearer(await t.token('werkshop'))).set('traceparent', trace.header);
    const [rec] = t.query<{ velden: string; berichtIds: string; grondslag: string; doel: string; verwerkingsactiviteit: string }>(
      'SELECT velden, berichtIds, grondslag, doel, verwerkingsactiviteit FROM logboek WHERE traceId = ?', trace.traceId);
    expect(JSON.parse(rec!.velden)).toEqual(['/inhoud/leerroute', '/inhoud/niveaus']);
    expect(JSON.parse(rec!.berichtIds)).toEqual([ids.taalvoortgang]);
    expect(rec).toMatchObject({ doel: 'bemiddeling', verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:bemiddeling', grondslag: expect.stringContaining('AVG art. 6') });
  });

  it('lesafstemming needs consent, which nobody has yet: 403 naming the rule', async () => {
    const res = await list('roc-van-twente', `doel=lesafstemming&trajectId=${trajectId}`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/toestemming/);
  });

  it('a doel the role has no rule for at all: 403', async () => {
    const res = await list('werkshop', `doel=trajectbegeleiding&trajectId=${trajectId}`);
    expect(res.status).toBe(403);
  });

  it('a type the doel does not cover is left out of a list', async () => {
    const res = await list('gemeente-hengelo', `doel=handhaving&trajectId=${trajectId}&berichttype=plaatsing`);
    expect(res.status).toBe(200);
    expect(res.body.resultaten).toEqual([]);
  });

  it('an unassigned party reading a trajectory: 403', async () => {
    const res = await list('taalschool-oost', `doel=lesafstemming&trajectId=${trajectId}`);
    expect(res.status).toBe(403);
  });
});

describe('single message', () => {
  it('is projected to the doel', async () => {
    const res = await t.api().get(`/v1/berichten/${ids.taalvoortgang}?doel=bemiddeling`).set(...bearer(await t.token('werkshop')));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.inhoud).sort()).toEqual(['leerroute', 'niveaus']);
  });

  it('a doel that does not cover its type: 403', async () => {
    const res = await t.api().get(`/v1/berichten/${ids.plaatsing}?doel=handhaving`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(res.status).toBe(403);
  });

  it('unknown, and not yours, look the same: 404', async () => {
    const unknown = await t.api().get('/v1/berichten/7d1c3e0a-1111-4111-8111-111111111111?doel=lesafstemming').set(...bearer(await t.token('taalschool-oost')));
    const notYours = await t.api().get(`/v1/berichten/${ids.plaatsing}?doel=lesafstemming`).set(...bearer(await t.token('taalschool-oost')));
    expect(unknown.status).toBe(404);
    expect(notYours.status).toBe(404);
    expect(notYours.body.detail).toBe(unknown.body.detail);
  });
});

describe('the feed: all my trajectories for a doel, with a cursor', () => {
  it('spans trajectories, pages with limiet, and answers "what is new since my cursor"', async () => {
    const local = await startTestGateway();
    try {
      const a = await local.openTraject();
      const b = await local.openTraject();
      const roc = await local.token('roc-van-twente');
      for (const traject of [a, b, a]) {
        expect((await local.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', traject))).status).toBe(201);
      }
      const g = await local.token('gemeente-hengelo');
      const page1 = await local.api().get('/v1/berichten?doel=handhaving&limiet=2').set(...bearer(g));
      expect(page1.body.resultaten.map((m: { trajectId: string }) => m.trajectId)).toEqual([a, b]);
      const page2 = await local.api().get(`/v1/berichten?doel=handhaving&limiet=2&volgende=${page1.body.volgende}`).set(...bearer(g));
      expect(page2.body.resultaten.map((m: { trajectId: string }) => m.trajectId)).toEqual([a]);
      const empty = await local.api().get(`/v1/berichten?doel=handhaving&volgende=${page2.body.volgende}`).set(...bearer(g));
      expect(empty.body.resultaten).toEqual([]);
      expect(empty.body.volgende).toBe(page2.body.volgende);
      await local.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', b));
      const fresh = await local.api().get(`/v1/berichten?doel=handhaving&volgende=${empty.body.volgende}`).set(...bearer(g));
      expect(fresh.body.resultaten.map((m: { trajectId: string }) => m.trajectId)).toEqual([b]);
      // Another gemeente's feed — none registered here — and an unassigned provider's feed are empty.
      const oost = await local.api().get('/v1/berichten?doel=lesafstemming').set(...bearer(await local.token('taalschool-oost')));
      expect(oost.body.resultaten).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('rejects a forged cursor and an out-of-range limiet', async () => {
    const res = await list('gemeente-hengelo', 'doel=handhaving&volgende=bm9uc2Vucw&limiet=0');
    expect(res.status).toBe(400);
    expect(res.body.invalidParams.map((e: { name: string }) => e.name).sort()).toEqual(['limiet', 'volgende']);
  });
});
