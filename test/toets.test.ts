/**
 * POST /v1/beleid/toets — "why was I refused?": the decision with every rule considered, the rule
 * that decided, nothing disclosed, nothing changed, the question audited; a party asks about itself,
 * the gemeente about parties on its own trajectories; no existence oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let traject: string;
const ONBEKEND = '3f1c8a3e-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await startTestGateway();
  traject = await t.openTraject();
  await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).send(envelop('plaatsing', traject));
});
afterAll(() => t.close());

async function toets(client: string, body: Record<string, unknown>, traceparent?: string) {
  const req = t.api().post('/v1/beleid/toets').set(...bearer(await t.token(client)));
  if (traceparent) req.set('traceparent', traceparent);
  return req.send(body);
}
type Overweging = { regel: string; vanToepassing: boolean; doorslaggevend: boolean; voorwaarden: { voorwaarde: string; vervuld: boolean; toelichting: string }[] };
const decisive = (body: { overwegingen: Overweging[] }) => body.overwegingen.filter((o) => o.doorslaggevend).map((o) => o.regel);

describe('a refused case, explained', () => {
  it('the ROC without consent: refused, with every rule considered and the unmet condition named', async () => {
    const res = await toets('roc-van-twente', { berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: traject });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      vraag: { partij: 'roc-van-twente', rol: 'taalaanbieder', actie: 'lezen', berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: traject },
      besluit: 'geweigerd', regel: 'standaard-weigeren', projectie: null,
      relatie: { eigenaar: false, actieveToewijzingen: ['taal'] },
      toestemming: { nagegaan: true, status: 'geen' },
    });
    expect(res.body.reden).toMatch(/lezen-lesafstemming vereist toestemming/);
    const regels = res.body.overwegingen.map((o: Overweging) => o.regel);
    expect(regels).toEqual(expect.arrayContaining(['alleen-geaggregeerd', 'publiceren-taal', 'lezen-trajectbegeleiding', 'lezen-lesafstemming', 'geen-handhaving-door-reintegratie', 'standaard-weigeren']));
    const les = res.body.overwegingen.find((o: Overweging) => o.regel === 'lezen-lesafstemming');
    expect(les.vanToepassing).toBe(false);
    expect(les.voorwaarden.filter((v: { vervuld: boolean }) => !v.vervuld).map((v: { voorwaarde: string }) => v.voorwaarde)).toEqual(['toestemming']);
    const gemeente = res.body.overwegingen.find((o: Overweging) => o.regel === 'lezen-trajectbegeleiding');
    expect(gemeente.voorwaarden.filter((v: { vervuld: boolean }) => !v.vervuld).map((v: { voorwaarde: string }) => v.voorwaarde)).toEqual(['rol', 'doel', 'relatie']);
    expect(decisive(res.body)).toEqual(['standaard-weigeren']);
  });

  it('a refusal by an explicit forbid names that rule', async () => {
    const res = await toets('werkshop', { berichttype: 'aanwezigheid', doel: 'handhaving', trajectId: traject });
    expect(res.body).toMatchObject({ besluit: 'geweigerd', regel: 'geen-handhaving-door-reintegratie' });
    expect(decisive(res.body)).toEqual(['geen-handhaving-door-reintegratie']);
  });

  it('an aggregates-only doel names the built-in rule', async () => {
    const res = await toets('gemeente-hengelo', { berichttype: 'aanwezigheid', doel: 'monitoring', trajectId: traject });
    expect(res.body).toMatchObject({ besluit: 'geweigerd', regel: 'alleen-geaggregeerd' });
  });

  it('publishing can be asked about too', async () => {
    const refused = await toets('roc-van-twente', { actie: 'publiceren', berichttype: 'plaatsing', trajectId: traject });
    expect(refused.body).toMatchObject({ besluit: 'geweigerd', regel: 'standaard-weigeren' });
    const allowed = await toets('roc-van-twente', { actie: 'publiceren', berichttype: 'aanwezigheid', trajectId: traject });
    expect(allowed.body).toMatchObject({ besluit: 'toegestaan', regel: 'publiceren-taal', grondslag: expect.stringContaining('AVG art. 6 lid 1 sub e') });
  });
});

describe('the allowed case, and what the gemeente may ask', () => {
  it('after consent: allowed by lezen-lesafstemming with the fields that would leave', async () => {
    const given = await t.api().post(`/v1/trajecten/${traject}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', gegevenscategorieen: ['participatievorm'], geldigTot: '2099-12-31' });
    expect(given.status).toBe(201);
    const res = await toets('roc-van-twente', { berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: traject });
    expect(res.body).toMatchObject({
      besluit: 'toegestaan', regel: 'lezen-lesafstemming', projectie: ['/sector', '/status', '/taalrijk', '/vorm'],
      toestemming: { nagegaan: true, status: 'geldig', toestemmingIds: [given.body.toestemmingId], gegevenscategorieen: ['participatievorm'] },
    });
    expect(decisive(res.body)).toEqual(['lezen-lesafstemming']);
    expect(JSON.stringify(res.body)).not.toContain('zorg-en-welzijn'); // the plaatsing's sector value: no data disclosed
  });

  it('the gemeente asks about a party on its own trajectory', async () => {
    const res = await toets('gemeente-hengelo', { partij: 'werkshop', berichttype: 'taalvoortgang', doel: 'bemiddeling', trajectId: traject });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ vraag: { partij: 'werkshop' }, besluit: 'toegestaan', regel: 'lezen-bemiddeling', projectie: ['/leerroute', '/niveaus'] });
  });

  it('the gemeente may not ask about a trajectory it does not run; unknown looks the same', async () => {
    const res = await toets('gemeente-hengelo', { partij: 'werkshop', berichttype: 'taalvoortgang', doel: 'bemiddeling', trajectId: ONBEKEND });
    expect(res.status).toBe(403);
  });

  it('a provider may not ask about another party', async () => {
    const res = await toets('roc-van-twente', { partij: 'werkshop', berichttype: 'taalvoortgang', doel: 'bemiddeling', trajectId: traject });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/eigen partij/);
  });

  it('a party whose assignment ended sees the ended period as the reason', async () => {
    const other = await t.openTraject();
    await t.api().delete(`/v1/trajecten/${other}/toewijzingen/werkshop`).set(...bearer(await t.token('gemeente-hengelo')));
    const res = await toets('werkshop', { berichttype: 'taalvoortgang', doel: 'bemiddeling', trajectId: other });
    expect(res.body).toMatchObject({ besluit: 'geweigerd', relatie: { actieveToewijzingen: [], toewijzingen: [{ rol: 'participatie', beeindigdOp: expect.any(String) }] } });
    expect(res.body.reden).toMatch(/lezen-bemiddeling vereist dat u toegewezen als participatie of begeleiding of nazorg bent/);
  });
});

describe('no existence oracle, no disclosure, no change', () => {
  it('a party without relation gets the same answer for an existing trajectory (even with a consent naming it) as for none', async () => {
    // A consent for taalschool-oost exists on the trajectory, but it is not assigned: nothing may show.
    const given = await t.api().post(`/v1/trajecten/${traject}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'taalschool-oost', doel: 'lesafstemming', geldigTot: '2099-12-31' });
    expect(given.status).toBe(201);
    const strip = (b: Record<string, any>) => ({ ...b, vraag: { ...b.vraag, trajectId: undefined, tijdstip: undefined }, logboek: undefined });
    const existing = await toets('taalschool-oost', { berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: traject });
    const missing = await toets('taalschool-oost', { berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: ONBEKEND });
    expect(existing.status).toBe(200);
    expect(missing.status).toBe(200);
    expect(strip(existing.body)).toEqual(strip(missing.body));
    expect(existing.body.toestemming).toMatchObject({ nagegaan: false, status: 'niet-nagegaan', toestemmingIds: [] });
    expect(JSON.stringify(existing.body)).not.toContain(given.body.toestemmingId);
    // The gemeente that runs the trajectory knows the consent anyway: for it, the answer shows it, and the missing assignment.
    const byOwner = await toets('gemeente-hengelo', { partij: 'taalschool-oost', berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: traject });
    expect(byOwner.body).toMatchObject({ besluit: 'geweigerd', toestemming: { nagegaan: true, status: 'geldig', toestemmingIds: [given.body.toestemmingId] } });
    expect(byOwner.body.reden).toMatch(/vereist dat u toegewezen als taal bent/);
  });

  it('changes nothing and leaves exactly one audit record', async () => {
    const counts = () => ['trajecten', 'toewijzingen', 'toestemmingen', 'berichten'].map((table) => t.query<{ n: number }>(`SELECT count(*) n FROM ${table}`)[0]!.n);
    const before = counts();
    const trace = newTraceparent();
    const res = await toets('roc-van-twente', { berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: traject }, trace.header);
    expect(res.status).toBe(200);
    expect(counts()).toEqual(before);
    const recs = t.query<{ actie: string; doel: string; trajectIds: string; velden: string; id: number }>('SELECT actie, doel, trajectIds, velden, id FROM logboek WHERE traceId = ?', trace.traceId);
    expect(recs).toEqual([{ actie: 'beleid-toetsen', doel: 'lesafstemming', trajectIds: JSON.stringify([traject]), velden: '[]', id: res.body.logboek.id }]);
  });

  it('invalid questions: 400 listing every problem (and audited)', async () => {
    const trace = newTraceparent();
    const res = await toets('roc-van-twente', { partij: 'niemand', berichttype: 'gezondheid', trajectId: traject }, trace.header);
    expect(res.status).toBe(400);
    expect(res.body.invalidParams.map((e: { name: string }) => e.name)).toEqual(['/partij', '/berichttype', '/doel']);
    expect(t.query('SELECT status FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ status: 400 }]);
    const schema = await toets('roc-van-twente', { berichttype: 'plaatsing', doel: 'lesafstemming', trajectId: 'geen-uuid' });
    expect(schema.body.invalidParams[0].name).toBe('/trajectId');
  });
});
