/**
 * GET /v1/verwerkingsactiviteiten: the register of processing activities as the running gateway
 * applies it — public, not audited, in Dutch field names, consistent with the rules it serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

type Activiteit = {
  id: string; uri: string; grondslag: { soort: string; avg: string; wet: string | null }; bewaartermijn: string; toestemmingVereist: boolean; alleenGeaggregeerd: boolean;
  gegevenscategorieen: { id: string; velden: Record<string, string[]> }[]; ontvangers: string[]; verantwoordelijke: string;
  regels: { id: string; effect: string; actie: string; rol: string; velden?: Record<string, string[]>; toestemming: boolean }[];
};

describe('the register', () => {
  it('serves every processing activity with the AVG art. 30 fields, publicly and without an audit record', async () => {
    const before = t.query<{ n: number }>('SELECT count(*) n FROM logboek')[0]!.n;
    const res = await t.api().get('/v1/verwerkingsactiviteiten');
    expect(res.status).toBe(200);
    expect(res.headers['api-version']).toBe('1.0.0');
    expect(res.body.beleidsversie).toMatch(/^2026\.11\.1\+[0-9a-f]{16}$/);
    const ids = res.body.resultaten.map((a: Activiteit) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['trajectbegeleiding', 'handhaving', 'bemiddeling', 'lesafstemming', 'monitoring']));
    for (const a of res.body.resultaten as Activiteit[]) {
      expect(a.uri).toMatch(/^urn:doelpoort:verwerkingsactiviteit:/);
      expect(a.grondslag.avg).toMatch(/^AVG art\. 6 lid 1 sub [a-f]$/);
      expect(a.bewaartermijn).toMatch(/^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/);
      expect(['einde-traject', 'ontvangst']).toContain((a as Activiteit & { bewaartermijnVanaf: string }).bewaartermijnVanaf);
      expect(a.verantwoordelijke.length).toBeGreaterThan(0);
      expect(a.ontvangers.length).toBeGreaterThan(0);
      expect(a.gegevenscategorieen.length).toBeGreaterThan(0);
    }
    // Issue 13: from when each term runs is part of the register as published.
    const vanaf = Object.fromEntries((res.body.resultaten as Array<Activiteit & { bewaartermijnVanaf: string }>).map((a) => [a.id, a.bewaartermijnVanaf]));
    expect(vanaf).toMatchObject({ trajectbegeleiding: 'einde-traject', bemiddeling: 'ontvangst', lesafstemming: 'ontvangst' });
    expect(t.query<{ n: number }>('SELECT count(*) n FROM logboek')[0]!.n).toBe(before);
  });

  it('lesafstemming rests on consent; the public-task doelen name the law', async () => {
    const res = await t.api().get('/v1/verwerkingsactiviteiten');
    const byId = new Map((res.body.resultaten as Activiteit[]).map((a) => [a.id, a]));
    expect(byId.get('lesafstemming')).toMatchObject({ toestemmingVereist: true, grondslag: { soort: 'toestemming', avg: 'AVG art. 6 lid 1 sub a', wet: null } });
    expect(byId.get('trajectbegeleiding')).toMatchObject({ toestemmingVereist: false, grondslag: { soort: 'publieke-taak', wet: expect.stringContaining('Wet inburgering 2021') } });
  });

  it('monitoring is aggregates only: no rule lets anyone read about one participant for it', async () => {
    const res = await t.api().get('/v1/verwerkingsactiviteiten/monitoring');
    expect(res.status).toBe(200);
    expect(res.body.alleenGeaggregeerd).toBe(true);
    expect(res.body.regels.filter((r: Activiteit['regels'][number]) => r.actie === 'lezen' && r.effect === 'toestaan')).toEqual([]);
  });

  it('every field a rule discloses lies inside the doel\'s data categories', async () => {
    const res = await t.api().get('/v1/verwerkingsactiviteiten');
    for (const a of res.body.resultaten as Activiteit[]) {
      for (const r of a.regels.filter((x) => x.velden)) {
        for (const [type, pointers] of Object.entries(r.velden!)) {
          const allowed = a.gegevenscategorieen.flatMap((c) => c.velden[type] ?? []);
          for (const p of pointers) {
            const inside = p === '' ? allowed.length > 0 : allowed.some((c) => p === c || p.startsWith(`${c}/`));
            expect(inside, `${a.id} ${r.id} ${type} ${p}`).toBe(true);
          }
        }
      }
    }
  });

  it('one activity by id; unknown is 404, malformed is 400', async () => {
    const one = await t.api().get('/v1/verwerkingsactiviteiten/bemiddeling');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 'bemiddeling', ontvangers: ['reintegratie'], gegevenscategorieen: [{ id: 'taalniveau' }] });
    expect((await t.api().get('/v1/verwerkingsactiviteiten/nieuwsgierigheid')).status).toBe(404);
    const bad = await t.api().get('/v1/verwerkingsactiviteiten/Bemiddeling');
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
  });

  it('the OpenAPI document describes the new endpoints with 400s where the ADR asks for them', async () => {
    const doc = (await t.api().get('/v1/openapi.json')).body;
    for (const path of ['/verwerkingsactiviteiten', '/verwerkingsactiviteiten/{id}', '/trajecten/{trajectId}/toewijzingen', '/trajecten/{trajectId}/toewijzingen/{partij}',
      '/trajecten/{trajectId}/afsluiting', '/trajecten/{trajectId}/toestemmingen', '/trajecten/{trajectId}/toestemmingen/{toestemmingId}', '/beleid/toets']) {
      expect(doc.paths[path], path).toBeDefined();
      for (const [method, op] of Object.entries(doc.paths[path] as Record<string, { parameters?: unknown[]; responses: Record<string, unknown> }>)) {
        if (method === 'post' || (op.parameters?.length ?? 0) > 0) expect(op.responses['400'], `${method} ${path}`).toBeDefined();
      }
    }
    // The shared Datum definition is referenced, not copied: exactly the file's property (with its title and
    // description, which every schema property carries), its $ref pointing at the component.
    const file = t.gw.services.schemas.files.get('api/toestemming.json') as { properties: { geldigTot: Record<string, unknown> } };
    expect(file.properties.geldigTot.$ref).toBe('../definities/v1.json#/$defs/Datum');
    expect(doc.components.schemas.NieuweToestemming.properties.geldigTot).toEqual({ ...file.properties.geldigTot, $ref: '#/components/schemas/Datum' });
  });
});
