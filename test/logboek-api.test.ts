/**
 * The logboek for privacy officers: who may look (officers only, by client or by the browser
 * client's `sub`), what each officer sees (its party's scope), search and paging, one record with
 * its chain position, export, the weekly overview, the participant's right of access, public keys
 * and checkpoints — and every one of these calls is itself exactly one record.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../src/audit/record.js';
import { bearer, envelop, newTraceparent, startTestGateway, type TestGateway } from './support/gateway.js';

let t: TestGateway;
let traject: string;
let anderTraject: string;
const ids: Record<string, string> = {};
const auditIds: Record<string, number> = {};

function lastAuditId(): number {
  return t.query<{ id: number }>('SELECT max(id) AS id FROM logboek')[0]!.id;
}

/** A token as the privacy pages' browser client gets it: client doelpoort-privacy, sub = the officer. */
async function browserToken(sub: string, clientId = 'doelpoort-privacy'): Promise<string> {
  const { keys } = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'oidc', 'jwks.json'), 'utf8')) as { keys: (jose.JWK & { kid: string })[] };
  const key = await jose.importJWK(keys[0]!, 'ES256');
  return new jose.SignJWT({ client_id: clientId, sub, scope: 'openid' })
    .setProtectedHeader({ alg: 'ES256', kid: keys[0]!.kid, typ: 'at+jwt' })
    .setIssuer(t.gw.config.issuer).setAudience(t.gw.config.audience).setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID())
    .sign(key);
}

async function get(client: string, url: string) {
  return t.api().get(url).set(...bearer(await t.token(client)));
}

beforeAll(async () => {
  t = await startTestGateway();
  traject = await t.openTraject();
  anderTraject = await t.openTraject([{ partij: 'werkshop', rol: 'participatie', vanaf: '2026-01-05' }]);
  const publish = async (client: string, type: 'aanwezigheid' | 'taalvoortgang' | 'plaatsing', tr: string) => {
    const body = envelop(type, tr);
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token(client))).send(body);
    return { res, berichtId: body.berichtId };
  };
  const roc = await publish('roc-van-twente', 'taalvoortgang', traject);
  expect(roc.res.status).toBe(201);
  ids.rocTaalvoortgang = roc.berichtId;
  auditIds.rocPubliceert = roc.res.body.logboek.id;
  const ws = await publish('werkshop', 'plaatsing', traject);
  expect(ws.res.status).toBe(201);
  auditIds.werkshopPubliceert = ws.res.body.logboek.id;
  const oost = await publish('taalschool-oost', 'aanwezigheid', traject);
  expect(oost.res.status).toBe(403);
  auditIds.oostGeweigerd = lastAuditId();
  // Werkshop reads ROC's language progress for bemiddeling: ROC supplied it.
  expect((await get('werkshop', `/v1/berichten?doel=bemiddeling&trajectId=${traject}`)).status).toBe(200);
  auditIds.werkshopLeest = lastAuditId();
  // The gemeente reads everything for trajectbegeleiding.
  expect((await get('gemeente-hengelo', `/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`)).status).toBe(200);
  auditIds.gemeenteLeest = lastAuditId();
  // Werkshop on the other trajectory (no ROC involvement).
  expect((await publish('werkshop', 'plaatsing', anderTraject)).res.status).toBe(201);
  auditIds.werkshopAnder = lastAuditId();
  // Anonymous: nobody's scope.
  expect((await t.api().get('/v1/berichten?doel=trajectbegeleiding')).status).toBe(401);
  auditIds.anoniem = lastAuditId();
});
afterAll(() => t.close());

async function alles(client: string, query = ''): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let volgende: string | null = null;
  do {
    const res = await get(client, `/v1/logboek?limiet=500${query}${volgende ? `&volgende=${volgende}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.body.resultaten);
    volgende = res.body.volgende;
  } while (volgende);
  return out;
}

describe('who may read the logboek', () => {
  it.each(['gemeente-hengelo', 'roc-van-twente', 'werkshop'])('a party client (%s) gets 403, and the refusal is recorded', async (client) => {
    const trace = newTraceparent();
    const res = await t.api().get('/v1/logboek').set(...bearer(await t.token(client))).set('traceparent', trace.header);
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/problem+json');
    expect(t.query('SELECT actie, partij, besluit, regel FROM logboek WHERE traceId = ?', trace.traceId))
      .toEqual([{ actie: 'logboek-lezen', partij: client, besluit: 'geweigerd', regel: 'alleen-functionaris' }]);
  });

  it('without a token: 401', async () => {
    expect((await t.api().get('/v1/logboek')).status).toBe(401);
  });

  it('both officers may, with their machine client', async () => {
    expect((await get('fg-hengelo', '/v1/logboek')).status).toBe(200);
    expect((await get('fg-roc', '/v1/logboek')).status).toBe(200);
  });

  it('an officer through the browser client: client doelpoort-privacy with sub = the officer id; any other sub is refused', async () => {
    const trace = newTraceparent();
    const ok = await t.api().get('/v1/logboek').set(...bearer(await browserToken('fg-roc'))).set('traceparent', trace.header);
    expect(ok.status).toBe(200);
    expect(t.query('SELECT partij, client FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ partij: 'roc-van-twente', client: 'doelpoort-privacy:fg-roc' }]);
    expect((await t.api().get('/v1/logboek').set(...bearer(await browserToken('iemand-anders')))).status).toBe(403);
    // The sub rule belongs to the browser client only: another client naming an officer as sub is not that officer.
    expect((await t.api().get('/v1/logboek').set(...bearer(await browserToken('fg-roc', 'werkshop')))).status).toBe(403);
  });

  it('officers read logs, not messages: an officer client on the party API gets 403', async () => {
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${traject}`).set(...bearer(await t.token('fg-hengelo'))).set('traceparent', trace.header);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/functionaris/);
    expect(t.query('SELECT partij, regel FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ partij: 'gemeente-hengelo', regel: 'functionaris-geen-partij-api' }]);
    expect((await get('fg-roc', `/v1/trajecten/${traject}`)).status).toBe(403);
  });
});

describe('scope: what each officer sees', () => {
  it('fg-hengelo sees everything about its gemeente\'s trajectories, whoever acted', async () => {
    const seen = new Set((await alles('fg-hengelo')).map((r) => r.id));
    for (const key of ['rocPubliceert', 'werkshopPubliceert', 'oostGeweigerd', 'werkshopLeest', 'gemeenteLeest', 'werkshopAnder']) {
      expect(seen.has(auditIds[key]!), key).toBe(true);
    }
    expect(seen.has(auditIds.anoniem!)).toBe(false);
  });

  it('fg-roc sees where ROC acted or supplied the data, and nothing else', async () => {
    const records = await alles('fg-roc');
    const seen = new Set(records.map((r) => r.id));
    expect(seen.has(auditIds.rocPubliceert!)).toBe(true); // acted
    expect(seen.has(auditIds.werkshopLeest!)).toBe(true); // Werkshop read what ROC supplied
    expect(seen.has(auditIds.gemeenteLeest!)).toBe(true); // the gemeente read, among others, ROC's message
    expect(seen.has(auditIds.werkshopPubliceert!)).toBe(false); // Werkshop's own message
    expect(seen.has(auditIds.oostGeweigerd!)).toBe(false); // another school's refused attempt
    expect(seen.has(auditIds.werkshopAnder!)).toBe(false);
    expect(seen.has(auditIds.anoniem!)).toBe(false);
    for (const r of records) {
      const supplied = t.query<{ n: number }>(
        "SELECT count(*) AS n FROM berichten WHERE afzender = 'roc-van-twente' AND berichtId IN (SELECT value FROM json_each(?))", JSON.stringify(r.berichtIds),
      )[0]!.n;
      expect(r.partij === 'roc-van-twente' || supplied > 0, `record ${r.id}`).toBe(true);
    }
  });

  it('one record: in scope with its chain position; out of scope a 404 that looks like "not there"', async () => {
    const res = await get('fg-hengelo', `/v1/logboek/${auditIds.werkshopPubliceert}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: auditIds.werkshopPubliceert, partij: 'werkshop', actie: 'bericht-publiceren', keten: { positie: auditIds.werkshopPubliceert, geldig: true } });
    expect(res.body.keten.hash).toBe(res.body.hash);
    const prev = t.query<{ hash: string }>('SELECT hash FROM logboek WHERE id = ?', auditIds.werkshopPubliceert! - 1)[0]!.hash;
    expect(res.body.keten.vorigeHash).toBe(prev);
    const refused = await get('fg-roc', `/v1/logboek/${auditIds.werkshopPubliceert}`);
    expect(refused.status).toBe(404);
    expect((await get('fg-roc', '/v1/logboek/999999')).status).toBe(404);
    expect((await get('fg-roc', '/v1/logboek/abc')).status).toBe(400);
  });
});

describe('search', () => {
  it('filters by trajectId, partij, doel, berichttype, besluit and dates; newest first', async () => {
    const byTraject = await alles('fg-hengelo', `&trajectId=${anderTraject}`);
    expect(byTraject.length).toBeGreaterThan(0);
    expect(byTraject.every((r) => r.trajectIds.includes(anderTraject))).toBe(true);
    expect(byTraject.map((r) => r.id)).toEqual([...byTraject.map((r) => r.id)].sort((a, b) => b - a));

    const geweigerd = await alles('fg-hengelo', '&besluit=geweigerd');
    expect(geweigerd.some((r) => r.id === auditIds.oostGeweigerd)).toBe(true);
    expect(geweigerd.every((r) => r.besluit === 'geweigerd')).toBe(true);

    const werkshop = await alles('fg-hengelo', '&partij=werkshop&berichttype=plaatsing');
    expect(werkshop.map((r) => r.id).sort()).toEqual([auditIds.werkshopPubliceert, auditIds.werkshopAnder].sort());

    const bemiddeling = await alles('fg-roc', '&doel=bemiddeling');
    expect(bemiddeling.map((r) => r.id)).toEqual([auditIds.werkshopLeest]);

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
    expect((await alles('fg-hengelo', `&vanaf=${today}&tot=${today}`)).length).toBeGreaterThan(5);
    expect(await alles('fg-hengelo', '&tot=2020-01-01')).toEqual([]);
    expect(await alles('fg-hengelo', '&vanaf=2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('pages with a cursor: no record twice, none missed, null at the end', async () => {
    const all = await alles('fg-hengelo', `&trajectId=${traject}`);
    const paged: number[] = [];
    let volgende: string | null = null;
    let pages = 0;
    do {
      const res = await get('fg-hengelo', `/v1/logboek?trajectId=${traject}&limiet=2${volgende ? `&volgende=${volgende}` : ''}`);
      paged.push(...res.body.resultaten.map((r: AuditRecord) => r.id));
      volgende = res.body.volgende;
      pages++;
    } while (volgende && pages < 100);
    // The log grows as we read it (each read is a record), so compare against the records that existed.
    expect(paged.filter((id) => id <= all[0]!.id)).toEqual(all.map((r) => r.id).filter((id) => id <= all[0]!.id));
    expect(volgende).toBeNull();
  });

  it('invalid parameters: 400 listing each', async () => {
    const res = await get('fg-hengelo', '/v1/logboek?trajectId=x&besluit=misschien&vanaf=gisteren&limiet=0&volgende=%%%&onbekend=1');
    expect(res.status).toBe(400);
    expect(res.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['besluit', 'limiet', 'onbekend', 'trajectId', 'vanaf', 'volgende']);
  });

  it('records hold names, never values', async () => {
    const rec = (await alles('fg-hengelo', `&trajectId=${traject}&partij=gemeente-hengelo&doel=trajectbegeleiding`))[0]!;
    expect(rec.velden).toEqual(expect.arrayContaining(['/inhoud/leerroute']));
    expect(JSON.stringify(rec)).not.toContain('Zorggroep Twente');
  });
});

describe('export', () => {
  it('JSONL: attachment, header, the selection oldest first, checkpoints, keys and a signed manifest', async () => {
    const res = await t.api().get(`/v1/logboek/export?formaat=jsonl&trajectId=${traject}`).set(...bearer(await t.token('fg-roc'))).buffer(true).parse((r, cb) => {
      let data = '';
      r.on('data', (c: Buffer) => (data += c.toString()));
      r.on('end', () => cb(null, data));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="logboek-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    const lines = (res.body as string).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'doelpoort-logboek-export', volledig: false, selectie: { trajectId: traject } });
    const records = lines.filter((l) => l.type === undefined);
    expect(records.map((r) => r.id)).toEqual([...records.map((r) => r.id)].sort((a, b) => a - b));
    expect(records.every((r) => r.trajectIds.includes(traject))).toBe(true);
    expect(records.some((r) => r.id === auditIds.werkshopPubliceert)).toBe(false); // fg-roc's scope
    expect(lines.at(-2)).toMatchObject({ type: 'sleutels' });
    expect(lines.at(-1)).toMatchObject({ type: 'einde', aantal: records.length });
  });

  it('CSV: a header row and one row per record', async () => {
    const res = await get('fg-hengelo', `/v1/logboek/export?formaat=csv&trajectId=${anderTraject}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/filename="logboek-.*\.csv"/);
    const rows = res.text.trim().split('\n');
    // The fields of record version 2 (issue 13) come last, so the columns of older exports keep their place.
    expect(rows[0]).toBe('id,tijdstip,traceId,spanId,actie,partij,client,trajectIds,berichttype,berichtIds,doel,verwerkingsactiviteit,grondslag,besluit,regel,reden,velden,status,beleidsversie,vorigeHash,hash,recordversie,starttijdstip,parentSpanId,gegevenscategorieen');
    expect(rows.length).toBeGreaterThan(1);
  });

  it('an unknown format: 400', async () => {
    expect((await get('fg-hengelo', '/v1/logboek/export?formaat=xlsx')).status).toBe(400);
  });
});

describe('overview per week', () => {
  it('counts reads and refusals per party, doel and ISO week within the scope', async () => {
    const res = await get('fg-hengelo', '/v1/logboek/overzicht');
    expect(res.status).toBe(200);
    const week = res.body.weken[0].week;
    expect(week).toMatch(/^\d{4}-W\d{2}$/);
    const gemeente = res.body.weken.find((w: { partij: string; doel: string }) => w.partij === 'gemeente-hengelo' && w.doel === 'trajectbegeleiding');
    expect(gemeente.gelezen).toBeGreaterThanOrEqual(1);
    const oost = res.body.weken.find((w: { partij: string }) => w.partij === 'taalschool-oost');
    expect(oost.geweigerd).toBeGreaterThanOrEqual(1);
    // fg-roc does not see Taalschool Oost's refusal on a trajectory ROC has nothing to do with.
    const roc = await get('fg-roc', '/v1/logboek/overzicht');
    expect(roc.body.weken.some((w: { partij: string }) => w.partij === 'taalschool-oost')).toBe(false);
    expect((await get('fg-roc', '/v1/logboek/overzicht?vanaf=nooit')).status).toBe(400);
  });
});

describe('the participant\'s right of access (inzage)', () => {
  it('the owning gemeente and its officer get the disclosures in plain Dutch, without employee or client identities', async () => {
    for (const client of ['gemeente-hengelo', 'fg-hengelo']) {
      const res = await get(client, `/v1/trajecten/${traject}/inzage`);
      expect(res.status, client).toBe(200);
      expect(res.body.trajectId).toBe(traject);
      expect(res.body.verstrekkingen).toEqual(expect.arrayContaining([
        expect.objectContaining({ ontvanger: 'Werkshop', berichttype: 'Taalvoortgang', doel: 'Bemiddeling naar werk en participatie', grondslag: expect.stringContaining('AVG art. 6') }),
        expect.objectContaining({ ontvanger: 'Gemeente Hengelo', berichttype: 'Plaatsing', doel: 'Begeleiding van het inburgeringstraject' }),
      ]));
      expect(res.body.verstrekkingen[0].datum).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const text = JSON.stringify(res.body);
      for (const identity of ['werkshop"', 'gemeente-hengelo', 'fg-', 'client']) expect(text).not.toContain(identity);
    }
  });

  it('anyone else gets 403: the ROC, its officer, an unknown trajectory', async () => {
    expect((await get('roc-van-twente', `/v1/trajecten/${traject}/inzage`)).status).toBe(403);
    expect((await get('fg-roc', `/v1/trajecten/${traject}/inzage`)).status).toBe(403);
    expect((await get('gemeente-hengelo', `/v1/trajecten/${crypto.randomUUID()}/inzage`)).status).toBe(403);
  });
});

describe('keys and checkpoints', () => {
  it('the newest checkpoint verifies against the published keys and matches the chain', async () => {
    await t.gw.services.logboek.controlepunten.nu();
    const jwks = await t.api().get('/v1/logboek/sleutels');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys?.[0] ?? JSON.parse(jwks.text).keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    const keys = JSON.parse(jwks.text) as jose.JSONWebKeySet;
    expect(keys.keys.some((k) => 'd' in k)).toBe(false);
    const laatste = await t.api().get('/v1/logboek/controlepunten/laatste');
    expect(laatste.status).toBe(200);
    const { payload, protectedHeader } = await jose.compactVerify(laatste.body.jws, jose.createLocalJWKSet(keys));
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'doelpoort-controlepunt' });
    const inhoud = JSON.parse(new TextDecoder().decode(payload));
    expect(inhoud).toEqual({ aantal: laatste.body.aantal, laatsteHash: laatste.body.laatsteHash, tijdstip: laatste.body.tijdstip });
    expect(t.query('SELECT hash FROM logboek WHERE id = ?', inhoud.aantal)).toEqual([{ hash: inhoud.laatsteHash }]);
    const history = await t.api().get('/v1/logboek/controlepunten');
    expect(history.body.controlepunten[0]).toEqual(laatste.body);
  });

  it('verification through the API: valid, with the checkpoint', async () => {
    const res = await get('fg-roc', '/v1/logboek/verificatie');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ geldig: true, eersteFout: null, controlepunt: { geldig: true } });
    expect(res.body.aantal).toBeGreaterThanOrEqual(res.body.controlepunt.aantal);
    expect((await get('werkshop', '/v1/logboek/verificatie')).status).toBe(403);
  });
});

describe('every logboek call is itself exactly one record', () => {
  it('a scripted scenario of officer calls, allowed and refused', async () => {
    const calls: Array<[string, string, number, string]> = [
      ['fg-hengelo', `/v1/logboek?trajectId=${traject}`, 200, 'logboek-lezen'],
      ['fg-hengelo', `/v1/logboek/${auditIds.rocPubliceert}`, 200, 'logboek-lezen'],
      ['fg-roc', `/v1/logboek/${auditIds.werkshopAnder}`, 404, 'logboek-lezen'],
      ['fg-hengelo', '/v1/logboek/export?formaat=csv', 200, 'logboek-exporteren'],
      ['fg-roc', '/v1/logboek/verificatie', 200, 'logboek-verifieren'],
      ['fg-roc', '/v1/logboek/overzicht', 200, 'logboek-lezen'],
      ['fg-hengelo', `/v1/trajecten/${traject}/inzage`, 200, 'inzage-opstellen'],
      ['fg-roc', `/v1/trajecten/${traject}/inzage`, 403, 'inzage-opstellen'],
      ['werkshop', '/v1/logboek/export', 403, 'logboek-exporteren'],
      ['fg-hengelo', '/v1/logboek?besluit=ja', 400, 'logboek-lezen'],
    ];
    for (const [client, url, status, actie] of calls) {
      const trace = newTraceparent();
      const res = await t.api().get(url).set(...bearer(await t.token(client))).set('traceparent', trace.header);
      expect(res.status, url).toBe(status);
      expect(t.query('SELECT actie, status FROM logboek WHERE traceId = ?', trace.traceId), url).toEqual([{ actie, status }]);
    }
  });

  it('public keys and checkpoints hold no personal data and are not recorded', async () => {
    const before = lastAuditId();
    await t.api().get('/v1/logboek/sleutels');
    await t.api().get('/v1/logboek/controlepunten');
    await t.api().get('/v1/logboek/controlepunten/laatste');
    expect(lastAuditId()).toBe(before);
  });

  it('the OpenAPI document describes the logboek', async () => {
    const res = await t.api().get('/v1/openapi.json');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining([
      '/logboek', '/logboek/{id}', '/logboek/export', '/logboek/verificatie', '/logboek/overzicht', '/logboek/sleutels',
      '/logboek/controlepunten', '/logboek/controlepunten/laatste', '/trajecten/{trajectId}/inzage',
    ]));
  });
});

describe('the checkpoint scheduler', () => {
  it('signs a checkpoint every N records without being asked, and a last one at stop', async () => {
    const local = await startTestGateway({ overrides: { controlepuntAantal: 5, controlepuntSeconden: 0 } });
    const dbFile = path.join(local.dataDir, 'doelpoort.db');
    try {
      const tr = await local.openTraject();
      const roc = await local.token('roc-van-twente');
      for (let i = 0; i < 20; i++) expect((await local.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', tr))).status).toBe(201);
      // Written after the commit, outside the request: wait for the background write.
      let punten: { aantal: number }[] = [];
      for (let i = 0; i < 100 && punten.length < 2; i++) {
        punten = local.query<{ aantal: number }>('SELECT aantal FROM logboek_controlepunten ORDER BY id');
        if (punten.length < 2) await new Promise((r) => setTimeout(r, 20));
      }
      expect(punten.length).toBeGreaterThanOrEqual(2);
      expect(punten[0]!.aantal).toBeGreaterThanOrEqual(5);
      expect(punten.every((p, i) => i === 0 || p.aantal > punten[i - 1]!.aantal)).toBe(true);
      await local.gw.stop();
      const db = new Database(dbFile, { readonly: true });
      const head = db.prepare('SELECT max(id) AS id FROM logboek').get() as { id: number };
      const last = db.prepare('SELECT aantal FROM logboek_controlepunten ORDER BY id DESC LIMIT 1').get() as { aantal: number };
      db.close();
      expect(last.aantal).toBe(head.id);
    } finally {
      await local.close();
    }
  });
});
