/**
 * Assignments change over a trajectory's life: the gemeente ends one (publishing and reading by that
 * party stop with the next request, the history stays), assigns again (a new period), and closes the
 * trajectory (every assignment ends). Only the gemeente that runs it may do any of this.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutchDate } from '../src/http/services.js';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const vandaag = () => dutchDate(new Date());
async function as(client: string) {
  return bearer(await t.token(client));
}
/**
 * Publish the example of a type. A plaatsing is a new placement each time (its own plaatsingId, first
 * message `gestart`): this file is about who may publish, not about a placement's life cycle, in which
 * `gestart` may not follow `gestart` (test/plaatsing.test.ts).
 */
let plaatsingen = 0;
async function publiceer(client: string, type: 'aanwezigheid' | 'plaatsing', traject: string) {
  const inhoud = type === 'plaatsing' ? { ...VOORBEELDEN.plaatsing, plaatsingId: `WS-TW-${++plaatsingen}` } : VOORBEELDEN[type];
  return t.api().post('/v1/berichten').set(...(await as(client))).send(envelop(type, traject, inhoud));
}

describe('ending an assignment', () => {
  let traject: string;
  beforeAll(async () => {
    traject = await t.openTraject();
  });

  it('before: the ROC publishes and sees the trajectory', async () => {
    expect((await publiceer('roc-van-twente', 'aanwezigheid', traject)).status).toBe(201);
    expect((await t.api().get(`/v1/trajecten/${traject}`).set(...(await as('roc-van-twente')))).status).toBe(200);
  });

  it('the gemeente ends it: 200, end time recorded, history kept, audited', async () => {
    const trace = newTraceparent();
    const res = await t.api().delete(`/v1/trajecten/${traject}/toewijzingen/roc-van-twente`).set(...(await as('gemeente-hengelo'))).set('traceparent', trace.header);
    expect(res.status).toBe(200);
    const roc = res.body.toewijzingen.filter((w: { partij: string }) => w.partij === 'roc-van-twente');
    expect(roc).toEqual([expect.objectContaining({ rol: 'taal', vanaf: '2026-01-05', beeindigdOp: expect.any(String) })]);
    expect(res.body.toewijzingen.find((w: { partij: string }) => w.partij === 'werkshop').beeindigdOp).toBeUndefined();
    expect(t.query('SELECT actie, status, besluit FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ actie: 'toewijzing-beeindigen', status: 200, besluit: 'toegestaan' }]);
  });

  it('after: the very next publish and read by that party are refused; the other party is untouched', async () => {
    const pub = await publiceer('roc-van-twente', 'aanwezigheid', traject);
    expect(pub.status).toBe(403);
    expect(pub.body.detail).toMatch(/publiceren-taal vereist dat u toegewezen als taal bent/);
    expect((await t.api().get(`/v1/trajecten/${traject}`).set(...(await as('roc-van-twente')))).status).toBe(403);
    expect((await t.api().get(`/v1/berichten?doel=lesafstemming&trajectId=${traject}`).set(...(await as('roc-van-twente')))).status).toBe(403);
    expect((await publiceer('werkshop', 'plaatsing', traject)).status).toBe(201);
  });

  it('ending again: 404, there is no running assignment', async () => {
    const res = await t.api().delete(`/v1/trajecten/${traject}/toewijzingen/roc-van-twente`).set(...(await as('gemeente-hengelo')));
    expect(res.status).toBe(404);
  });

  it('assigning again creates a new period; the old one stays; publishing works again', async () => {
    const res = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...(await as('gemeente-hengelo')))
      .send({ partij: 'roc-van-twente', rol: 'taal', vanaf: vandaag() });
    expect(res.status).toBe(201);
    const periods = res.body.toewijzingen.filter((w: { partij: string }) => w.partij === 'roc-van-twente');
    expect(periods).toHaveLength(2);
    expect(periods[0].beeindigdOp).toEqual(expect.any(String));
    expect(periods[1]).toEqual({ partij: 'roc-van-twente', rol: 'taal', vanaf: vandaag() });
    expect((await publiceer('roc-van-twente', 'aanwezigheid', traject)).status).toBe(201);
  });

  it('an assignment overlapping a running one of the same party and part: 409', async () => {
    const res = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...(await as('gemeente-hengelo')))
      .send({ partij: 'roc-van-twente', rol: 'taal', vanaf: '2030-01-01' });
    expect(res.status).toBe(409);
    expect(res.type).toBe('application/problem+json');
  });

  it('a second part for the same party is a separate assignment; ?rol= ends only that one', async () => {
    const add = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...(await as('gemeente-hengelo')))
      .send({ partij: 'werkshop', rol: 'begeleiding', vanaf: vandaag() });
    expect(add.status).toBe(201);
    const end = await t.api().delete(`/v1/trajecten/${traject}/toewijzingen/werkshop?rol=begeleiding`).set(...(await as('gemeente-hengelo')));
    expect(end.status).toBe(200);
    const werkshop = end.body.toewijzingen.filter((w: { partij: string }) => w.partij === 'werkshop');
    expect(werkshop.map((w: { rol: string; beeindigdOp?: string }) => [w.rol, Boolean(w.beeindigdOp)])).toEqual([['participatie', false], ['begeleiding', true]]);
  });

  it('invalid input: 400 listing every problem', async () => {
    const g = await as('gemeente-hengelo');
    const post = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...g).send({ partij: 'werkshop', rol: 'taal', vanaf: '2026-03-01', tot: '2026-02-01' });
    expect(post.status).toBe(400);
    expect(post.body.invalidParams.map((e: { name: string }) => e.name)).toEqual(['/rol', '/tot']);
    const schema = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...g).send({ partij: 'werkshop', rol: 'chauffeur' });
    expect(schema.body.invalidParams.map((e: { name: string }) => e.name).sort()).toEqual(['/rol', '/vanaf']);
    const del = await t.api().delete(`/v1/trajecten/${traject}/toewijzingen/Niemand?rol=kok`).set(...g);
    expect(del.status).toBe(400);
    expect(del.body.invalidParams.map((e: { name: string }) => e.name)).toEqual(['partij', 'rol']);
    expect((await t.api().delete('/v1/trajecten/geen-uuid/toewijzingen/werkshop').set(...g)).status).toBe(400);
  });

  it('only the gemeente that runs the trajectory; an unknown trajectory looks the same', async () => {
    const roc = await as('roc-van-twente');
    const del = await t.api().delete(`/v1/trajecten/${traject}/toewijzingen/werkshop`).set(...roc);
    const add = await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...roc).send({ partij: 'taalschool-oost', rol: 'taal', vanaf: vandaag() });
    const unknown = await t.api().delete('/v1/trajecten/3f1c8a3e-0000-4000-8000-000000000000/toewijzingen/werkshop').set(...(await as('gemeente-hengelo')));
    expect([del.status, add.status, unknown.status]).toEqual([403, 403, 403]);
    expect(unknown.body.detail).toBe(del.body.detail);
    // The werkshop assignment survived the refused attempt.
    expect((await publiceer('werkshop', 'plaatsing', traject)).status).toBe(201);
  });
});

describe('closing a trajectory', () => {
  let traject: string;
  beforeAll(async () => {
    traject = await t.openTraject();
  });

  it('only its gemeente closes it; a bad reason is a 400', async () => {
    expect((await t.api().post(`/v1/trajecten/${traject}/afsluiting`).set(...(await as('werkshop'))).send({ reden: 'afgerond' })).status).toBe(403);
    const bad = await t.api().post(`/v1/trajecten/${traject}/afsluiting`).set(...(await as('gemeente-hengelo'))).send({ reden: 'ziek' });
    expect(bad.status).toBe(400);
    expect(bad.body.invalidParams[0].name).toBe('/reden');
  });

  it('closing ends every assignment at once; the providers can no longer publish or read', async () => {
    const res = await t.api().post(`/v1/trajecten/${traject}/afsluiting`).set(...(await as('gemeente-hengelo'))).send({ reden: 'afgerond' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ afgeslotenOp: expect.any(String), afsluitreden: 'afgerond' });
    expect(res.body.toewijzingen.every((w: { beeindigdOp?: string }) => w.beeindigdOp === res.body.afgeslotenOp)).toBe(true);
    expect((await publiceer('roc-van-twente', 'aanwezigheid', traject)).status).toBe(403);
    expect((await publiceer('werkshop', 'plaatsing', traject)).status).toBe(403);
    expect((await t.api().get(`/v1/berichten?doel=bemiddeling&trajectId=${traject}`).set(...(await as('werkshop')))).status).toBe(403);
    // Its gemeente still reads its own file.
    expect((await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...(await as('gemeente-hengelo')))).status).toBe(200);
    const seen = await t.api().get(`/v1/trajecten/${traject}`).set(...(await as('gemeente-hengelo')));
    expect(seen.body.afsluitreden).toBe('afgerond');
  });

  it('a closed trajectory takes no second closing, no new assignment and no new consent (409)', async () => {
    const g = await as('gemeente-hengelo');
    expect((await t.api().post(`/v1/trajecten/${traject}/afsluiting`).set(...g).send({ reden: 'overig' })).status).toBe(409);
    expect((await t.api().post(`/v1/trajecten/${traject}/toewijzingen`).set(...g).send({ partij: 'roc-van-twente', rol: 'taal', vanaf: vandaag() })).status).toBe(409);
    const consent = await t.api().post(`/v1/trajecten/${traject}/toestemmingen`).set(...g).send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: '2099-01-01' });
    expect(consent.status).toBe(409);
    expect(t.query("SELECT count(*) n FROM toewijzingen WHERE trajectId = ? AND beeindigdOp IS NULL", traject)).toEqual([{ n: 0 }]);
  });
});
