/** Opening and reading trajectories: only a gemeente opens; only its gemeente and assigned parties read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const body = {
  leerroute: 'Z',
  startdatum: '2026-02-01',
  toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-02-01', tot: '2027-02-01' }],
};

describe('POST /v1/trajecten', () => {
  it('a gemeente opens a trajectory: 201, Location, owner is the token\'s party', async () => {
    const res = await t.api().post('/v1/trajecten').set(...bearer(await t.token('gemeente-hengelo'))).send(body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/trajecten/${res.body.trajectId}`);
    expect(res.body).toMatchObject({ gemeente: 'gemeente-hengelo', leerroute: 'Z', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', tot: '2027-02-01' }] });
    expect(t.query('SELECT gemeente FROM trajecten WHERE trajectId = ?', res.body.trajectId)).toEqual([{ gemeente: 'gemeente-hengelo' }]);
  });

  it('a taalaanbieder may not open one (403, nothing stored)', async () => {
    const before = t.query<{ n: number }>('SELECT count(*) n FROM trajecten')[0]!.n;
    const res = await t.api().post('/v1/trajecten').set(...bearer(await t.token('roc-van-twente'))).send(body);
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/problem+json');
    expect(t.query<{ n: number }>('SELECT count(*) n FROM trajecten')[0]!.n).toBe(before);
  });

  it('lists every schema error with its JSON pointer', async () => {
    const res = await t.api().post('/v1/trajecten').set(...bearer(await t.token('gemeente-hengelo')))
      .send({ leerroute: 'C', startdatum: 'gisteren', toewijzingen: [{ partij: 'werkshop', rol: 'chauffeur' }], bsn: '123456782' });
    expect(res.status).toBe(400);
    const names = res.body.invalidParams.map((e: { name: string }) => e.name).sort();
    expect(names).toEqual(['/bsn', '/leerroute', '/startdatum', '/toewijzingen/0/rol', '/toewijzingen/0/vanaf'].sort());
  });

  it('refuses an unknown party and a party in a part it cannot play', async () => {
    const res = await t.api().post('/v1/trajecten').set(...bearer(await t.token('gemeente-hengelo'))).send({
      ...body,
      toewijzingen: [
        { partij: 'bestaat-niet', rol: 'taal', vanaf: '2026-02-01' },
        { partij: 'werkshop', rol: 'taal', vanaf: '2026-02-01' },
        { partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-03-01', tot: '2026-02-01' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.invalidParams.map((e: { name: string }) => e.name)).toEqual(['/toewijzingen/0/partij', '/toewijzingen/1/rol', '/toewijzingen/2/tot']);
  });
});

describe('GET /v1/trajecten/{trajectId}', () => {
  let trajectId: string;
  beforeAll(async () => {
    trajectId = await t.openTraject();
  });

  it('the owning gemeente and an assigned party see it', async () => {
    for (const client of ['gemeente-hengelo', 'roc-van-twente', 'werkshop']) {
      const res = await t.api().get(`/v1/trajecten/${trajectId}`).set(...bearer(await t.token(client)));
      expect(res.status, client).toBe(200);
      expect(res.body.trajectId).toBe(trajectId);
    }
  });

  it('an unassigned party gets the same 403 as for a trajectory that does not exist (no existence oracle)', async () => {
    const other = await t.api().get(`/v1/trajecten/${trajectId}`).set(...bearer(await t.token('taalschool-oost')));
    const missing = await t.api().get('/v1/trajecten/3f1c8a3e-0000-4000-8000-000000000000').set(...bearer(await t.token('taalschool-oost')));
    expect(other.status).toBe(403);
    expect(missing.status).toBe(403);
    expect(other.body.detail).toBe(missing.body.detail);
    expect(other.body.type).toBe(missing.body.type);
  });

  it('a malformed id is a 400', async () => {
    const res = await t.api().get('/v1/trajecten/niet-een-uuid').set(...bearer(await t.token('gemeente-hengelo')));
    expect(res.status).toBe(400);
    expect(res.body.invalidParams[0].name).toBe('trajectId');
  });
});
