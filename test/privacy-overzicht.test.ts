/**
 * The officer's pages say what happened (issue 15): the weekly overview separates refusals by policy
 * from a party's own input errors and names the action; each count links to the logboek search that
 * lists exactly those records; actions and rules appear in Dutch; a record that disclosed a special
 * category (AVG art. 9) says so. Against the real gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop } from './support/gateway.js';
import { loginAgent, startPrivacyGateway, type PrivacyFixture } from './support/privacy.js';

let f: PrivacyFixture;
let trajectId: string;
let agent: Awaited<ReturnType<typeof loginAgent>>['agent'];

beforeAll(async () => {
  f = await startPrivacyGateway();
  trajectId = await f.t.openTraject();
  const werkshop = await f.t.token('werkshop');
  const g = await f.t.token('gemeente-hengelo');
  expect((await f.t.api().post('/v1/berichten').set(...bearer(werkshop)).send(envelop('plaatsing', trajectId))).status).toBe(201);
  // Werkshop's own input errors: three malformed publishes (400) — not policy events.
  for (let i = 0; i < 3; i++) {
    expect((await f.t.api().post('/v1/berichten').set(...bearer(werkshop)).send({ ...envelop('plaatsing', trajectId), inhoud: { status: 'onzin' } })).status).toBe(400);
  }
  // A refusal by policy: Werkshop reads for handhaving (forbidden for a re-integratiebedrijf).
  expect((await f.t.api().get(`/v1/berichten?doel=handhaving&trajectId=${trajectId}`).set(...bearer(werkshop))).status).toBe(403);
  // The gemeente reads the placement (its belemmeringen: a special category).
  expect((await f.t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(g))).status).toBe(200);
  ({ agent } = await loginAgent(f.t, 'fg-hengelo'));
});
afterAll(() => f.close());

interface Week { week: string; partij: string; doel: string | null; actie: string; gelezen: number; geweigerd: number; invoerfouten: number }

describe('the weekly overview (API)', () => {
  it('counts input errors apart from refusals by policy, per action', async () => {
    const res = await f.t.api().get('/v1/logboek/overzicht').set(...bearer(await f.t.token('fg-hengelo')));
    expect(res.status).toBe(200);
    const weken = res.body.weken as Week[];
    const publiceren = weken.filter((w) => w.partij === 'werkshop' && w.actie === 'bericht-publiceren');
    expect(publiceren.reduce((n, w) => n + w.invoerfouten, 0)).toBe(3);
    expect(publiceren.reduce((n, w) => n + w.geweigerd, 0)).toBe(0);
    const handhaving = weken.filter((w) => w.partij === 'werkshop' && w.actie === 'berichten-lezen');
    expect(handhaving.reduce((n, w) => n + w.geweigerd, 0)).toBe(1);
    expect(handhaving.reduce((n, w) => n + w.invoerfouten, 0)).toBe(0);
  });

  it('the search filters by action and by kind of refusal', async () => {
    const fg = await f.t.token('fg-hengelo');
    const invoer = await f.t.api().get('/v1/logboek?partij=werkshop&actie=bericht-publiceren&weigering=invoer').set(...bearer(fg));
    expect(invoer.status).toBe(200);
    expect(invoer.body.resultaten).toHaveLength(3);
    const beleid = await f.t.api().get('/v1/logboek?partij=werkshop&weigering=beleid').set(...bearer(fg));
    expect(beleid.body.resultaten.map((r: { actie: string; status: number }) => [r.actie, r.status])).toEqual([['berichten-lezen', 403]]);
    expect((await f.t.api().get('/v1/logboek?actie=iets').set(...bearer(fg))).status).toBe(400);
  });
});

describe('the weekly overview (page)', () => {
  it('names the action, separates the columns, flags only policy refusals, and every count opens exactly its records', async () => {
    const res = await agent.get('/privacy/overzicht');
    expect(res.status).toBe(200);
    const rows = [...res.text.matchAll(/<tr( class="opvallend")?>\s*<th scope="row">(.*?)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => ({ opvallend: Boolean(m[1]), cells: m[3]! }));
    const publiceren = rows.find((r) => r.cells.includes('Werkshop') && r.cells.includes('Bericht aanleveren'))!;
    expect(publiceren).toBeDefined();
    expect(publiceren.opvallend).toBe(false); // input errors are not a reason for "Let op"
    const lezen = rows.find((r) => r.cells.includes('Werkshop') && r.cells.includes('Berichten lezen'))!;
    expect(lezen.opvallend).toBe(true);
    expect(lezen.cells).toContain('1 geweigerde poging (berichten lezen)');
    // Every linked count leads to a search that lists that many records.
    const links = [...res.text.matchAll(/<a href="([^"]+)"(?: class="geweigerd")? aria-label="(\d+) [^"]*">(\d+)<\/a>/g)];
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const [, href, n] of links) {
      const search = await agent.get(href!.replace(/&amp;/g, '&'));
      expect(search.status, href).toBe(200);
      const count = (search.text.match(/<th scope="row"><a href="[^"]*\/privacy\/logboek\/\d+"/g) ?? []).length;
      expect(count, href).toBe(Number(n));
    }
  });
});

describe('records in Dutch', () => {
  it('search results and a record name actions and rules in words, not codes; a special category is said', async () => {
    const search = await agent.get(`/privacy/logboek?trajectId=${trajectId}&limiet=100`);
    expect(search.status).toBe(200);
    const cells = [...search.text.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]!.trim());
    for (const code of ['bericht-publiceren', 'berichten-lezen', 'invoer-ongeldig', 'lezen-trajectbegeleiding', 'geen-handhaving-door-reintegratie', 'logboek-lezen']) {
      expect(cells, code).not.toContain(code);
    }
    expect(search.text).toContain('Ongeldige invoer');
    expect(search.text).toContain('bijzonder persoonsgegeven (art. 9 AVG)');
    const [read] = f.t.query<{ id: number }>("SELECT id FROM logboek WHERE actie = 'berichten-lezen' AND partij = 'gemeente-hengelo' AND besluit = 'toegestaan' AND trajectIds LIKE ?", `%${trajectId}%`);
    const record = await agent.get(`/privacy/logboek/${read!.id}`);
    expect(record.text).toContain('Bijzondere persoonsgegevens');
    expect(record.text).toContain('artikel 9 AVG');
    expect(record.text).toContain('Gemeente leest voor trajectbegeleiding');
    // A refused read disclosed nothing, so it names no special category.
    const [refused] = f.t.query<{ id: number }>("SELECT id FROM logboek WHERE actie = 'berichten-lezen' AND status = 403 AND trajectIds LIKE ?", `%${trajectId}%`);
    expect((await agent.get(`/privacy/logboek/${refused!.id}`)).text).not.toContain('Bijzondere persoonsgegevens');
  });
});
