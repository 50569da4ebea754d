/**
 * The consent receipt as evidence (issue 13): a participant or privacy officer can prove later what
 * was agreed. The receipt of a consent and of its withdrawal is a compact JWS signed with the logboek
 * key; it verifies with `jose` using ONLY the public keys fetched over HTTP from
 * `/v1/logboek/sleutels`, and a modified receipt does not; it names the consent text agreed to by
 * version and SHA-256 (the words are published); the gemeente retrieves it again later, byte for
 * byte, audited under consent management; and rotating the logboek key breaks no old receipt.
 * On both storage adapters.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logboekCommand } from '../src/audit/cli.js';
import { fetchAccessToken, readDevClientKey } from '../src/auth/client.js';
import { projectRoot } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { dutchDate } from '../src/http/services.js';
import { loadSchemas } from '../src/schemas/registry.js';
import { bearer, envelop, newTraceparent, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';

const TOESTEMMINGSBEHEER = 'urn:doelpoort:verwerkingsactiviteit:toestemmingsbeheer';
const schemas = loadSchemas(`${projectRoot()}/schemas`);
const geldigTot = () => dutchDate(new Date(Date.now() + 180 * 86_400_000));

/** Verify a compact JWS as an outsider would: the key set fetched over HTTP, nothing else. */
async function verifieerMetSleutelsVan(baseUrl: string, jws: string) {
  const res = await fetch(`${baseUrl}/v1/logboek/sleutels`);
  expect(res.status).toBe(200);
  const jwks = (await res.json()) as jose.JSONWebKeySet;
  const { payload, protectedHeader } = await jose.compactVerify(jws, jose.createLocalJWKSet(jwks), { algorithms: ['ES256'] });
  return { inhoud: JSON.parse(new TextDecoder().decode(payload)), header: protectedHeader, jwks };
}

/** The same JWS with its payload replaced, the signature kept (what a forger would try). */
function metAndereInhoud(jws: string, change: (inhoud: Record<string, any>) => void): string {
  const [header, payload, signature] = jws.split('.');
  const inhoud = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  change(inhoud);
  return `${header}.${Buffer.from(JSON.stringify(inhoud)).toString('base64url')}.${signature}`;
}

describe.each<Adapter>(['sqlite', 'postgres'])('consent receipts as evidence (%s)', (adapter) => {
  let t: TestGateway;
  let trajectId: string;
  let gegeven: { body: any };
  let ingetrokken: { body: any };

  beforeAll(async () => {
    t = await startTestGateway({ adapter });
    trajectId = await t.openTraject();
    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).send(envelop('plaatsing', trajectId))).status).toBe(201);
    gegeven = await t.api().post(`/v1/trajecten/${trajectId}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: geldigTot(), bewijs: { vorm: 'schriftelijk', kenmerk: 'ZAAK-2026-0042' } });
    expect(gegeven.body.ontvangstbewijs?.gebeurtenis).toBe('gegeven');
  });
  afterAll(() => t.close());

  it('verifies with jose using only the key set served at /v1/logboek/sleutels; the signed content is the receipt answered', async () => {
    const { jws, sleutel, inhoud } = gegeven.body.ontvangstbewijs;
    const v = await verifieerMetSleutelsVan(t.gw.url, jws);
    expect(v.header).toMatchObject({ alg: 'ES256', typ: 'doelpoort-ontvangstbewijs', kid: sleutel });
    expect(v.jwks.keys.map((k) => k.kid)).toContain(sleutel);
    expect(v.jwks.keys.every((k) => k.d === undefined)).toBe(true);
    expect(v.inhoud).toEqual(inhoud);
    expect(v.inhoud).toMatchObject({ recordId: gegeven.body.toestemmingId, piiPrincipalId: trajectId, events: [{ eventState: 'ConsentGiven' }], logboek: gegeven.body.logboek });
    // The content follows the receipt's own JSON Schema.
    expect(schemas.validateBody('api/toestemming-ontvangstbewijs.json', v.inhoud)).toEqual([]);
  });

  it('a modified receipt does not verify: a longer validity, another recipient, a swapped key id, a cut signature', async () => {
    const { jws } = gegeven.body.ontvangstbewijs;
    const pogingen = [
      metAndereInhoud(jws, (r) => { r.events[0].validUntil = '2099-12-31'; }),
      metAndereInhoud(jws, (r) => { r.services[0].purposes[0].thirdPartyName = 'Taalschool Oost'; }),
      metAndereInhoud(jws, (r) => { r.piiPrincipalId = crypto.randomUUID(); }),
      `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'doelpoort-ontvangstbewijs', kid: 'een-andere-sleutel' })).toString('base64url')}.${jws.split('.').slice(1).join('.')}`,
      jws.slice(0, -4),
    ];
    for (const poging of pogingen) {
      await expect(verifieerMetSleutelsVan(t.gw.url, poging)).rejects.toBeInstanceOf(jose.errors.JOSEError);
    }
    // The untouched one still does.
    await expect(verifieerMetSleutelsVan(t.gw.url, jws)).resolves.toBeDefined();
  });

  it('names the consent text agreed to; the published words hash to the SHA-256 on the receipt', async () => {
    const notice = gegeven.body.ontvangstbewijs.inhoud.privacyNotice;
    expect(notice).toMatchObject({ noticeId: 'toestemming-lesafstemming', version: '1.0', language: 'nl', url: `${t.gw.config.publicUrl}/v1/toestemmingsteksten/toestemming-lesafstemming` });
    const res = await t.api().get('/v1/toestemmingsteksten/toestemming-lesafstemming');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const versie = res.body.versies.find((v: { versie: string; taal: string }) => v.versie === notice.version && v.taal === notice.language);
    expect(versie).toMatchObject({ geldend: true, sha256: notice.sha256 });
    expect(crypto.createHash('sha256').update(versie.tekst, 'utf8').digest('hex')).toBe(notice.sha256);
    expect((await t.api().get('/v1/toestemmingsteksten')).body.resultaten.map((x: { id: string }) => x.id))
      .toEqual(['toestemming-lesafstemming', 'toestemming-trajectbegeleiding-wi2013']);
    expect((await t.api().get('/v1/toestemmingsteksten/bestaat-niet')).status).toBe(404);
  });

  it('no personal data beyond the trajectory id: no name, no BSN, not even the gemeente\'s own case number', async () => {
    const tekst = JSON.stringify(gegeven.body.ontvangstbewijs.inhoud);
    expect(tekst).not.toMatch(/\b\d{9}\b/);
    expect(tekst).not.toContain('ZAAK-2026-0042');
    const uuids = new Set(tekst.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g));
    // The subject key, the consent record and the receipt itself: nothing else identifies anyone.
    expect(uuids).toEqual(new Set([trajectId, gegeven.body.toestemmingId, gegeven.body.ontvangstbewijs.ontvangstbewijsId]));
  });

  it('a consent that covers special categories (Wi2013, the gemeente itself receives) says so, with the AVG art. 9 exception', async () => {
    const res = await t.api().post(`/v1/trajecten/${trajectId}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'gemeente-hengelo', doel: 'trajectbegeleiding-wi2013', gegevenscategorieen: ['deelname', 'knelpunten'], geldigTot: geldigTot() });
    expect(res.status).toBe(201);
    const { inhoud } = await verifieerMetSleutelsVan(t.gw.url, res.body.ontvangstbewijs.jws);
    expect(inhoud).toMatchObject({ sensitive: true, spiCat: ['Knelpunten'], privacyNotice: { noticeId: 'toestemming-trajectbegeleiding-wi2013', language: 'nl' } });
    expect(inhoud.services[0].purposes[0]).toMatchObject({
      specialCategoryBasis: expect.stringMatching(/^AVG art\. 9 lid 2 sub a/), thirdPartyDisclosure: false, thirdPartyName: 'Gemeente Hengelo', retentionPeriod: 'P5Y',
      piiInformation: [{ piiType: 'deelname', specialCategory: false, name: 'Deelname aan activiteiten' }, { piiType: 'knelpunten', specialCategory: true, name: 'Knelpunten' }],
    });
    expect(schemas.validateBody('api/toestemming-ontvangstbewijs.json', inhoud)).toEqual([]);
  });

  it('withdrawal gives its own signed receipt: both events, the withdrawal\'s logboek record, and the hash of the first receipt', async () => {
    ingetrokken = await t.api().delete(`/v1/trajecten/${trajectId}/toestemmingen/${gegeven.body.toestemmingId}`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(ingetrokken.body.status).toBe('ingetrokken');
    const bewijs = ingetrokken.body.ontvangstbewijs;
    expect(bewijs.gebeurtenis).toBe('ingetrokken');
    expect(bewijs.ontvangstbewijsId).not.toBe(gegeven.body.ontvangstbewijs.ontvangstbewijsId);
    const { inhoud } = await verifieerMetSleutelsVan(t.gw.url, bewijs.jws);
    expect(inhoud).toMatchObject({
      consentReceiptID: bewijs.ontvangstbewijsId, recordId: gegeven.body.toestemmingId, logboek: ingetrokken.body.logboek,
      events: [{ eventState: 'ConsentGiven', eventTime: gegeven.body.gegevenOp }, { eventState: 'ConsentWithdrawn', eventTime: ingetrokken.body.ingetrokkenOp }],
      previousReceipt: {
        consentReceiptID: gegeven.body.ontvangstbewijs.ontvangstbewijsId,
        sha256: crypto.createHash('sha256').update(gegeven.body.ontvangstbewijs.jws).digest('hex'),
      },
    });
    expect(schemas.validateBody('api/toestemming-ontvangstbewijs.json', inhoud)).toEqual([]);
  });

  it('the owning gemeente retrieves both again later, byte for byte as issued; audited under consent management', async () => {
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/trajecten/${trajectId}/toestemmingen/${gegeven.body.toestemmingId}/ontvangstbewijzen`)
      .set(...bearer(await t.token('gemeente-hengelo'))).set('traceparent', trace.header);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ toestemmingId: gegeven.body.toestemmingId, sleutels: `${t.gw.config.publicUrl}/v1/logboek/sleutels` });
    expect(res.body.resultaten).toEqual([gegeven.body.ontvangstbewijs, ingetrokken.body.ontvangstbewijs]);
    const records = await t.rows<{ actie: string; status: number; besluit: string; doel: string; verwerkingsactiviteit: string; trajectIds: string }>(
      'SELECT actie, status, besluit, doel, verwerkingsactiviteit, trajectIds FROM logboek WHERE traceId = ?', trace.traceId);
    expect(records).toEqual([{ actie: 'ontvangstbewijzen-lezen', status: 200, besluit: 'toegestaan', doel: 'lesafstemming', verwerkingsactiviteit: TOESTEMMINGSBEHEER, trajectIds: JSON.stringify([trajectId]) }]);
  });

  it('two withdrawals at the same moment: both answered 200, exactly one withdrawal receipt', async () => {
    const nog = await t.api().post(`/v1/trajecten/${trajectId}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: geldigTot() });
    expect(nog.status).toBe(201);
    const token = await t.token('gemeente-hengelo');
    const [a, b] = await Promise.all([0, 1].map(() => t.api().delete(`/v1/trajecten/${trajectId}/toestemmingen/${nog.body.toestemmingId}`).set(...bearer(token))));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.body.ontvangstbewijs).toEqual(b!.body.ontvangstbewijs);
    const rijen = await t.rows<{ gebeurtenis: string }>('SELECT gebeurtenis FROM ontvangstbewijzen WHERE toestemmingId = ? ORDER BY gebeurtenis', nog.body.toestemmingId);
    expect(rijen.map((r) => r.gebeurtenis)).toEqual(['gegeven', 'ingetrokken']);
  });

  it('nobody else retrieves them: another party 403, an unknown consent or one of another trajectory 404 — each attempt audited', async () => {
    const pad = (traject: string, toestemming: string) => `/v1/trajecten/${traject}/toestemmingen/${toestemming}/ontvangstbewijzen`;
    const trace = newTraceparent();
    const roc = await t.api().get(pad(trajectId, gegeven.body.toestemmingId)).set(...bearer(await t.token('roc-van-twente'))).set('traceparent', trace.header);
    expect(roc.status).toBe(403);
    const ander = await t.openTraject();
    expect((await t.api().get(pad(ander, gegeven.body.toestemmingId)).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(404);
    expect((await t.api().get(pad(trajectId, crypto.randomUUID())).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(404);
    const [geweigerd] = await t.rows<{ actie: string; besluit: string; verwerkingsactiviteit: string }>('SELECT actie, besluit, verwerkingsactiviteit FROM logboek WHERE traceId = ?', trace.traceId);
    expect(geweigerd).toEqual({ actie: 'ontvangstbewijzen-lezen', besluit: 'geweigerd', verwerkingsactiviteit: TOESTEMMINGSBEHEER });
  });
});

describe('key rotation does not break old receipts', () => {
  let t: TestGateway;
  let herstart: Gateway | null = null;

  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await herstart?.stop();
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  });

  it('after `doelpoort logboek roteer-sleutel` and a restart the key set keeps the old public key: old receipts verify, new ones use the new key', async () => {
    const trajectId = await t.openTraject();
    const gegeven = await t.api().post(`/v1/trajecten/${trajectId}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')))
      .send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: geldigTot() });
    expect(gegeven.status).toBe(201);
    const oud = gegeven.body.ontvangstbewijs;
    await t.gw.stop();

    const uit: string[] = [];
    expect(await logboekCommand(['roteer-sleutel', t.dataDir], { out: (l) => uit.push(l), err: (l) => uit.push(l) })).toBe(0);
    herstart = await startGateway({ env: {}, overrides: { port: 0, dataDir: t.dataDir, logLevel: 'silent' } });
    const { accessToken } = await fetchAccessToken({ issuer: herstart.config.issuer, clientId: 'gemeente-hengelo', jwk: readDevClientKey(t.dataDir, 'gemeente-hengelo') });
    const gemeente = { Authorization: `Bearer ${accessToken}` };

    // The old receipt, retrieved again: the same bytes, signed by the retired key, still valid with the served key set.
    const lijst = await fetch(`${herstart.url}/v1/trajecten/${trajectId}/toestemmingen/${gegeven.body.toestemmingId}/ontvangstbewijzen`, { headers: gemeente });
    expect(lijst.status).toBe(200);
    const [opnieuw] = ((await lijst.json()) as { resultaten: Array<{ jws: string; sleutel: string }> }).resultaten;
    expect(opnieuw!.jws).toBe(oud.jws);
    const v = await verifieerMetSleutelsVan(herstart.url, opnieuw!.jws);
    expect(v.header.kid).toBe(oud.sleutel);
    expect(v.jwks.keys.map((k) => k.kid)).toHaveLength(2);
    expect(v.jwks.keys[1]!.kid).toBe(oud.sleutel);

    // The withdrawal, after the rotation, is signed by the new key; both verify with the one served set.
    const del = await fetch(`${herstart.url}/v1/trajecten/${trajectId}/toestemmingen/${gegeven.body.toestemmingId}`, { method: 'DELETE', headers: gemeente });
    expect(del.status).toBe(200);
    const nieuw = ((await del.json()) as { ontvangstbewijs: { jws: string; sleutel: string } }).ontvangstbewijs;
    expect(nieuw.sleutel).not.toBe(oud.sleutel);
    expect(nieuw.sleutel).toBe(v.jwks.keys[0]!.kid);
    expect((await verifieerMetSleutelsVan(herstart.url, nieuw.jws)).header.kid).toBe(nieuw.sleutel);
    expect((await verifieerMetSleutelsVan(herstart.url, oud.jws)).inhoud.previousReceipt).toBeUndefined();
  });
});
