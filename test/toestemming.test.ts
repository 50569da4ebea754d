/**
 * Consent (toestemming): the gemeente records what the participant agreed to; a consent-based read
 * works only while a consent counts; withdrawal and expiry take effect on the very next request;
 * a consent for fewer categories narrows what is disclosed; every change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutchDate } from '../src/http/services.js';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type TestGateway } from './support/gateway.js';

const DAY = 86_400_000;
let offset = 0;
let t: TestGateway;
let trajectId: string;
const vandaag = () => dutchDate(new Date(Date.now() + offset));
const plusDagen = (n: number) => dutchDate(new Date(Date.now() + offset + n * DAY));

beforeAll(async () => {
  t = await startTestGateway({ now: () => new Date(Date.now() + offset) });
  trajectId = await t.openTraject();
  const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).send(envelop('plaatsing', trajectId));
  expect(res.status).toBe(201);
});
afterAll(() => t.close());

async function geef(body: Record<string, unknown>, traject = trajectId, client = 'gemeente-hengelo', traceparent?: string) {
  const req = t.api().post(`/v1/trajecten/${traject}/toestemmingen`).set(...bearer(await t.token(client)));
  if (traceparent) req.set('traceparent', traceparent);
  return req.send(body);
}
async function lesafstemming(traject = trajectId) {
  return t.api().get(`/v1/berichten?doel=lesafstemming&trajectId=${traject}`).set(...bearer(await t.token('roc-van-twente')));
}
const geldig = () => ({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: plusDagen(180), bewijs: { vorm: 'schriftelijk', kenmerk: 'ZAAK-2026-0042' } });

describe('recording consent', () => {
  it('the owning gemeente records it: 201, Location, the record, the text agreed to and a signed Kantara / ISO 27560 receipt, audited', async () => {
    const trace = newTraceparent();
    const res = await geef(geldig(), trajectId, 'gemeente-hengelo', trace.header);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/trajecten/${trajectId}/toestemmingen/${res.body.toestemmingId}`);
    expect(res.body).toMatchObject({
      trajectId, ontvanger: 'roc-van-twente', doel: 'lesafstemming', gegevenscategorieen: ['participatievorm', 'participatierooster'],
      geldigTot: plusDagen(180), ingetrokkenOp: null, status: 'geldig', vastgelegdDoor: 'gemeente-hengelo',
      // No text named: the current Dutch text of the doel is what was agreed to.
      toestemmingstekst: { id: 'toestemming-lesafstemming', versie: '1.0', taal: 'nl', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const bewijs = res.body.ontvangstbewijs;
    expect(bewijs).toMatchObject({ gebeurtenis: 'gegeven', sleutel: expect.stringMatching(/^logboek-/), jws: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    const r = bewijs.inhoud;
    expect(r).toMatchObject({
      version: 'KI-CR-v1.1.0', jurisdiction: 'NL', language: 'nl', consentReceiptID: bewijs.ontvangstbewijsId, recordId: res.body.toestemmingId, piiPrincipalId: trajectId,
      piiControllers: [{
        piiController: 'Gemeente Hengelo', piiControllerId: 'urn:nl:oin:00000001001589623000', onBehalf: false,
        address: { streetAddress: 'Postbus 18, 7550 AA Hengelo (demo)', addressCountry: 'NL' }, email: 'inburgering@hengelo.example', phone: '074 000 00 00 (demo)',
      }],
      policyUrl: `${t.gw.config.publicUrl}/v1/verwerkingsactiviteiten/lesafstemming`,
      privacyNotice: { noticeId: 'toestemming-lesafstemming', version: '1.0', language: 'nl', sha256: res.body.toestemmingstekst.sha256 },
      recipientThirdParties: [{ partyName: 'ROC van Twente', partyId: 'urn:nl:oin:00000003501234560000', partyRole: 'ontvanger', partyType: 'taalaanbieder' }],
      events: [{ eventState: 'ConsentGiven', eventTime: res.body.gegevenOp, validUntil: plusDagen(180), entityId: 'urn:nl:oin:00000001001589623000' }],
      policyVersion: expect.stringMatching(/^2026\.11\.1\+[0-9a-f]{16}$/), sensitive: false, logboek: res.body.logboek,
    });
    expect(r.consentTimestamp).toBe(Math.floor(Date.parse(res.body.gegevenOp) / 1000));
    expect(r.services[0].purposes[0]).toMatchObject({
      purposeId: 'urn:doelpoort:verwerkingsactiviteit:lesafstemming', consentType: 'EXPLICIT', lawfulBasis: 'toestemming (AVG art. 6 lid 1 sub a)', retentionPeriod: 'P1Y',
      thirdPartyDisclosure: true, thirdPartyName: 'ROC van Twente', piiCategory: ['Vorm en stand van de participatie', 'Uren en periode van de participatie'],
    });
    expect(r.withdrawalMethod).toContain(`Gemeente Hengelo (telefoon 074 000 00 00 (demo), e-mail inburgering@hengelo.example`);
    expect(r.privacyRights[0]).toMatchObject({ right: 'inzage', legalReference: 'AVG art. 15', url: `${t.gw.config.publicUrl}/v1/trajecten/${trajectId}/inzage` });
    const [rec] = t.query<{ actie: string; status: number; besluit: string; doel: string; verwerkingsactiviteit: string; id: number; hash: string }>(
      'SELECT actie, status, besluit, doel, verwerkingsactiviteit, id, hash FROM logboek WHERE traceId = ?', trace.traceId);
    expect(rec).toMatchObject({ actie: 'toestemming-vastleggen', status: 201, besluit: 'toegestaan', doel: 'lesafstemming', verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:toestemmingsbeheer' });
    expect(res.body.logboek).toEqual({ id: rec!.id, hash: rec!.hash });
  });

  it('with a named text: that version and translation is recorded and named on the receipt', async () => {
    const res = await geef({ ...geldig(), toestemmingstekst: { id: 'toestemming-lesafstemming', versie: '1.0', taal: 'en' } });
    expect(res.status).toBe(201);
    expect(res.body.toestemmingstekst).toMatchObject({ id: 'toestemming-lesafstemming', versie: '1.0', taal: 'en' });
    expect(res.body.ontvangstbewijs.inhoud).toMatchObject({ language: 'en', privacyNotice: { noticeId: 'toestemming-lesafstemming', language: 'en', sha256: res.body.toestemmingstekst.sha256 } });
    const nl = t.query<{ toestemmingstekst: string }>("SELECT toestemmingstekst FROM toestemmingen WHERE toestemmingstekst LIKE '%\"nl\"%' LIMIT 1")[0]!;
    expect(JSON.parse(nl.toestemmingstekst).sha256).not.toBe(res.body.toestemmingstekst.sha256);
  });

  it.each([
    ['an unknown doel', { doel: 'nieuwsgierigheid' }, '/doel'],
    ['a doel that is not consent-based', { doel: 'bemiddeling', ontvanger: 'werkshop' }, '/doel'],
    ['an unknown recipient', { ontvanger: 'bestaat-niet' }, '/ontvanger'],
    ['a recipient that is no recipient of the doel', { ontvanger: 'werkshop' }, '/ontvanger'],
    ['a category outside the doel', { gegevenscategorieen: ['participatievorm', 'werkgever'] }, '/gegevenscategorieen/1'],
    ['a validity in the past', { geldigTot: '2020-01-01' }, '/geldigTot'],
    ['a field the schema does not know', { bsn: '123456782' }, '/bsn'],
    ['an unknown consent text', { toestemmingstekst: { id: 'toestemming-alles', versie: '1.0', taal: 'nl' } }, '/toestemmingstekst/id'],
    ['a consent text of another doel', { toestemmingstekst: { id: 'toestemming-trajectbegeleiding-wi2013', versie: '1.0', taal: 'nl' } }, '/toestemmingstekst/id'],
    ['a version or language the text does not have', { toestemmingstekst: { id: 'toestemming-lesafstemming', versie: '1.0', taal: 'ar' } }, '/toestemmingstekst/versie'],
    ['a text named without its version', { toestemmingstekst: { id: 'toestemming-lesafstemming', taal: 'nl' } }, '/toestemmingstekst/versie'],
  ])('%s: 400 naming the field, nothing stored', async (_what, change, pointer) => {
    const before = t.query<{ n: number }>('SELECT count(*) n FROM toestemmingen')[0]!.n;
    const res = await geef({ ...geldig(), ...change });
    expect(res.status).toBe(400);
    expect(res.body.invalidParams.map((e: { name: string }) => e.name)).toContain(pointer);
    expect(t.query<{ n: number }>('SELECT count(*) n FROM toestemmingen')[0]!.n).toBe(before);
  });

  it('another party may not record it; an unknown trajectory looks the same (403)', async () => {
    const roc = await geef(geldig(), trajectId, 'roc-van-twente');
    const unknown = await geef(geldig(), '3f1c8a3e-0000-4000-8000-000000000000');
    expect(roc.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(unknown.body.detail).toBe(roc.body.detail);
  });
});

describe('consent in a read, withdrawal and expiry take effect on the next request', () => {
  let traject: string;
  let zonder: string;
  let toestemmingId: string;
  beforeAll(async () => {
    traject = await t.openTraject();
    zonder = await t.openTraject();
    for (const id of [traject, zonder]) {
      expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).send(envelop('plaatsing', id))).status).toBe(201);
    }
  });

  it('without consent: 403 naming the rule and the missing consent', async () => {
    const res = await lesafstemming(traject);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/lezen-lesafstemming vereist toestemming.*geen toestemming/);
  });

  it('with consent: 200, projected to the rule, and the audit record names the consent relied on', async () => {
    const given = await geef(geldig(), traject);
    toestemmingId = given.body.toestemmingId;
    const trace = newTraceparent();
    const res = await t.api().get(`/v1/berichten?doel=lesafstemming&trajectId=${traject}`).set(...bearer(await t.token('roc-van-twente'))).set('traceparent', trace.header);
    expect(res.status).toBe(200);
    const { vorm, status, sector, urenPerWeek, taalrijk } = VOORBEELDEN.plaatsing;
    expect(res.body.resultaten.map((m: { inhoud: unknown }) => m.inhoud)).toEqual([{ vorm, status, sector, urenPerWeek, taalrijk }]);
    const [rec] = t.query<{ reden: string; grondslag: string }>('SELECT reden, grondslag FROM logboek WHERE traceId = ?', trace.traceId);
    expect(rec!.reden).toContain(`toestemming ${toestemmingId}`);
    expect(rec!.grondslag).toBe('AVG art. 6 lid 1 sub a');
  });

  it('the consent reaches the feed too, only for trajectories that have one', async () => {
    const res = await t.api().get('/v1/berichten?doel=lesafstemming').set(...bearer(await t.token('roc-van-twente')));
    expect(res.status).toBe(200);
    // trajectId got a consent in the first test; zonder never did.
    expect(res.body.resultaten.map((m: { trajectId: string }) => m.trajectId)).toEqual([trajectId, traject]);
    expect((await lesafstemming(zonder)).status).toBe(403);
  });

  it('withdrawn: the record stays with its time, and the very next read is refused', async () => {
    const trace = newTraceparent();
    const del = await t.api().delete(`/v1/trajecten/${traject}/toestemmingen/${toestemmingId}`).set(...bearer(await t.token('gemeente-hengelo'))).set('traceparent', trace.header);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ toestemmingId, status: 'ingetrokken', ingetrokkenOp: expect.any(String) });
    // The answer carries the receipt of the withdrawal.
    expect(del.body.ontvangstbewijs).toMatchObject({ gebeurtenis: 'ingetrokken' });
    expect(del.body.ontvangstbewijs.inhoud.events.map((e: { eventState: string; eventTime: string }) => [e.eventState, e.eventTime]))
      .toEqual([['ConsentGiven', expect.any(String)], ['ConsentWithdrawn', del.body.ingetrokkenOp]]);
    const next = await lesafstemming(traject);
    expect(next.status).toBe(403);
    expect(next.body.detail).toContain(`${toestemmingId} is ingetrokken op ${del.body.ingetrokkenOp}`);
    const list = await t.api().get(`/v1/trajecten/${traject}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(list.status).toBe(200);
    expect(list.body.resultaten).toEqual([expect.objectContaining({ toestemmingId, status: 'ingetrokken', ingetrokkenOp: del.body.ingetrokkenOp })]);
    expect(t.query('SELECT actie, status FROM logboek WHERE traceId = ?', trace.traceId)).toEqual([{ actie: 'toestemming-intrekken', status: 200 }]);
  });

  it('withdrawing again changes nothing (and is audited); an unknown consent is 404', async () => {
    const first = t.query<{ ingetrokkenOp: string }>('SELECT ingetrokkenOp FROM toestemmingen WHERE toestemmingId = ?', toestemmingId)[0]!;
    const receipts = () => t.query<{ n: number }>('SELECT count(*) n FROM ontvangstbewijzen WHERE toestemmingId = ?', toestemmingId)[0]!.n;
    expect(receipts()).toBe(2);
    const again = await t.api().delete(`/v1/trajecten/${traject}/toestemmingen/${toestemmingId}`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(again.status).toBe(200);
    expect(again.body.ingetrokkenOp).toBe(first.ingetrokkenOp);
    // No second withdrawal receipt: the answer shows the one issued the first time.
    expect(receipts()).toBe(2);
    expect(again.body.ontvangstbewijs).toMatchObject({ gebeurtenis: 'ingetrokken', inhoud: { events: [expect.anything(), { eventTime: first.ingetrokkenOp }] } });
    const unknown = await t.api().delete(`/v1/trajecten/${traject}/toestemmingen/7d1c3e0a-1111-4111-8111-111111111111`).set(...bearer(await t.token('gemeente-hengelo')));
    expect(unknown.status).toBe(404);
  });

  it('only the owning gemeente lists or withdraws', async () => {
    const roc = await t.token('roc-van-twente');
    expect((await t.api().get(`/v1/trajecten/${traject}/toestemmingen`).set(...bearer(roc))).status).toBe(403);
    expect((await t.api().delete(`/v1/trajecten/${traject}/toestemmingen/${toestemmingId}`).set(...bearer(roc))).status).toBe(403);
    expect((await t.api().get(`/v1/trajecten/${traject}/toestemmingen/${toestemmingId}`).set(...bearer(roc))).status).toBe(403);
    expect((await t.api().get(`/v1/trajecten/${traject}/toestemmingen/${toestemmingId}`).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(200);
  });

  it('a new consent for fewer categories: only the fields of those categories leave', async () => {
    const given = await geef({ ...geldig(), gegevenscategorieen: ['participatievorm'] }, traject);
    expect(given.status).toBe(201);
    const res = await lesafstemming(traject);
    expect(res.status).toBe(200);
    const { vorm, status, sector, taalrijk } = VOORBEELDEN.plaatsing;
    expect(res.body.resultaten[0].inhoud).toEqual({ vorm, status, sector, taalrijk });
  });

  it('an expired consent counts as absent: the first read after geldigTot is refused', async () => {
    const other = await t.openTraject();
    await t.api().post('/v1/berichten').set(...bearer(await t.token('werkshop'))).send(envelop('plaatsing', other));
    const given = await geef({ ...geldig(), geldigTot: vandaag() }, other);
    expect(given.status).toBe(201);
    expect((await lesafstemming(other)).status).toBe(200); // geldigTot is inclusive
    offset += DAY;
    try {
      const res = await lesafstemming(other);
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/verlopen/);
      const list = await t.api().get(`/v1/trajecten/${other}/toestemmingen`).set(...bearer(await t.token('gemeente-hengelo')));
      expect(list.body.resultaten[0].status).toBe('verlopen');
    } finally {
      offset -= DAY;
    }
  });
});

describe('every change is audited', () => {
  it('one record per consent attempt, refused ones included', async () => {
    const count = () => t.query<{ n: number }>("SELECT count(*) n FROM logboek WHERE actie LIKE 'toestemming%'")[0]!.n;
    const before = count();
    await geef(geldig());
    await geef({ ...geldig(), doel: 'handhaving' });
    await geef(geldig(), trajectId, 'werkshop');
    expect(count()).toBe(before + 3);
  });
});
