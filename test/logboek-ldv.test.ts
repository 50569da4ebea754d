/**
 * Issue 13, the logboek in LDV terms, end to end on both adapters: a scripted scenario that touches
 * EVERY action of the logboek (parties, a provider's bundle, consent, signals, a subscription with a
 * real delivery, the officer's search, export and verification, the access report, probing, a 431)
 * — then:
 * - every record names a processing activity that resolves to an entry of the served register, and a
 *   request refused before its doel was known names the activity it tried;
 * - every record carries the caller's parent span (or null) and a start no later than its end;
 * - the search by data category finds "who read belemmeringen-en-uitval";
 * - `GET /v1/logboek/export?formaat=ldv` and `doelpoort logboek exporteer --formaat ldv` give one line
 *   per data subject per record, and EVERY line validates (ajv, JSON Schema 2020-12) against LDV's
 *   published attribute schema and ProcessingActivity, loaded as they are from ../shared/conformance/ldv;
 * - tampering with a field of record version 2 breaks verification.
 */
import { voerBewaartermijnenUit } from '../src/bewaring/opschoning.js';
import { bewaarregels } from '../src/bewaring/termijnen.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logboekCommand } from '../src/audit/cli.js';
import { AUDIT_ACTIES, type AuditRecord } from '../src/audit/record.js';
import { projectRoot } from '../src/config.js';
import { toAuditRecord, type AuditRow } from '../src/store/rijen.js';
import { bearer, envelop, newTraceparent, startTestGateway, VOORBEELDEN, type Adapter, type TestGateway } from './support/gateway.js';
import { pgQuery } from './support/postgres.js';
import { weekMetLessen } from './support/signaalberichten.js';
import { tot } from './support/wachten.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const LDV = path.resolve(projectRoot(), '..', 'shared', 'conformance', 'ldv');
const URN = 'urn:doelpoort:verwerkingsactiviteit:';

/** LDV's ProcessingActivity with its attributes, as published (never copied or edited: read from the conformance folder). */
function ldvValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(LDV, 'attributes.schema.json'), 'utf8')));
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(LDV, 'processing-activity.schema.json'), 'utf8')));
}

interface LdvRegel {
  traceId: string; spanId: string; parentSpanId?: string; status: string; name: string; startTime: number; endTime: number;
  attributes: Record<string, unknown>;
}

function parseNdjson(text: string): LdvRegel[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LdvRegel);
}

/** (record id, data subject) of every line, sorted. */
const paren = (regels: LdvRegel[]) => regels.map((r) => `${r.attributes['dpl.doelpoort.logboek_id']}|${r.attributes['dpl.core.data_subject_id']}`).sort();
/** (record id, data subject) a record should give: its trajectories that are UUIDs. */
const verwacht = (records: AuditRecord[]) => records.flatMap((r) => [...new Set(r.trajectIds)].filter((x) => /^[0-9a-f-]{36}$/.test(x)).map((x) => `${r.id}|${x}`)).sort();

describe.each<Adapter>(['sqlite', 'postgres'])('the logboek in LDV terms (%s)', (adapter) => {
  let t: TestGateway;
  let ontvanger: http.Server;
  let basis = '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-ldv-'));
  const T = { hoofd: '', tweede: '' };
  const traces: Record<string, string> = {};

  beforeAll(async () => {
    ontvanger = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => ontvanger.listen(0, '127.0.0.1', r));
    basis = `http://127.0.0.1:${(ontvanger.address() as AddressInfo).port}`;
    t = await startTestGateway({ adapter, overrides: { meldingenIntervalMs: 50, signaalPlannerSeconden: 0 } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    ontvanger?.closeAllConnections();
    await new Promise((r) => ontvanger?.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const records = async (): Promise<AuditRecord[]> => (await t.rows<AuditRow>('SELECT * FROM logboek ORDER BY id')).map(toAuditRecord);
  const as = async (client: string) => bearer(await t.token(client));
  /** A call with a fresh traceparent; its trace id is kept under `naam` to find its record. */
  const traced = (naam: string) => {
    const tp = newTraceparent();
    traces[naam] = tp.traceId;
    return tp.header;
  };
  const text = (r: { on(e: string, f: (c?: Buffer) => void): void }, cb: (e: null, d: string) => void) => {
    let data = '';
    r.on('data', (c) => (data += c!.toString()));
    r.on('end', () => cb(null, data));
  };

  it('a scenario touching every action: every record names a processing activity of the register, with its span and times', async () => {
    const g = await as('gemeente-hengelo');
    const roc = await as('roc-van-twente');
    const ws = await as('werkshop');

    // Subscriptions first, so that the messages below are delivered (melding-afleveren).
    const ab = await t.api().post('/v1/abonnementen').set(...g).send({ url: `${basis}/gemeente`, soorten: ['bericht', 'signaal'] });
    expect(ab.status).toBe(201);
    const abonnementId: string = ab.body.abonnementId;

    // Trajectory management.
    T.hoofd = await t.openTraject();
    T.tweede = await t.openTraject();
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}`).set(...g)).status).toBe(200);
    expect((await t.api().patch(`/v1/trajecten/${T.hoofd}`).set(...g).send({ doelgroep: 'asiel' })).status).toBe(200);
    expect((await t.api().post(`/v1/trajecten/${T.hoofd}/toewijzingen`).set(...g).send({ partij: 'vluchtelingenwerk-twente', rol: 'begeleiding', vanaf: '2026-01-05' })).status).toBe(201);
    expect((await t.api().delete(`/v1/trajecten/${T.hoofd}/toewijzingen/vluchtelingenwerk-twente?rol=begeleiding`).set(...g)).status).toBe(200);
    expect((await t.api().get('/v1/toewijzingen').set(...roc)).status).toBe(200);
    expect((await t.api().put(`/v1/trajecten/${T.hoofd}/kenmerk`).set(...roc).send({ kenmerk: 'LLN-1' })).status).toBe(200);
    expect((await t.api().delete(`/v1/trajecten/${T.hoofd}/kenmerk`).set(...roc)).status).toBe(204);

    // Messages: a week with three unexcused lessons (a verzuim signal), a placement with a barrier, a bundle, a withdrawal.
    const week = weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-02' }, [
      { status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' }, { status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' },
    ]);
    expect((await t.api().post('/v1/berichten').set(...roc).set('traceparent', traced('publiceren')).send(envelop('aanwezigheid', T.hoofd, week.inhoud))).status).toBe(201);
    const plaatsing = envelop('plaatsing', T.hoofd, { ...VOORBEELDEN.plaatsing, belemmeringen: ['gezondheid'] });
    expect((await t.api().post('/v1/berichten').set(...ws).send(plaatsing)).status).toBe(201);
    const bundel = await t.api().post('/v1/berichten/bundels').set(...roc).send({ berichten: [envelop('taalvoortgang', T.hoofd), envelop('taalvoortgang', T.tweede)] });
    expect(bundel.status).toBe(200);
    expect(bundel.body.resultaten.map((r: { status: number }) => r.status)).toEqual([201, 201]);
    const fout = envelop('taalvoortgang', T.tweede);
    expect((await t.api().post('/v1/berichten').set(...roc).send(fout)).status).toBe(201);
    expect((await t.api().post(`/v1/berichten/${fout.berichtId}/intrekking`).set(...roc).send({ reden: 'dubbel-verzonden' })).status).toBe(200);

    // Reads under a doel: the feed over both trajectories (one record, two data subjects), one message, the list, the state, signals.
    expect((await t.api().get('/v1/berichten?doel=trajectbegeleiding').set(...g).set('traceparent', traced('feed'))).status).toBe(200);
    expect((await t.api().get(`/v1/berichten/${plaatsing.berichtId}?doel=trajectbegeleiding`).set(...g).set('traceparent', traced('belemmering'))).status).toBe(200);
    expect((await t.api().get('/v1/trajecten?doel=trajectbegeleiding').set(...g)).status).toBe(200);
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}/stand?doel=trajectbegeleiding`).set(...g)).status).toBe(200);
    const werklijst = await tot(() => t.api().get('/v1/signalen?doel=trajectbegeleiding&status=open').set(...g), (r) => r.body?.resultaten?.length > 0);
    const signaalId: string = werklijst.body.resultaten[0].signaalId;
    expect((await t.api().get(`/v1/signalen/${signaalId}?doel=trajectbegeleiding`).set(...g)).status).toBe(200);
    expect((await t.api().post(`/v1/signalen/${signaalId}/afhandeling`).set(...g).send({ uitkomst: 'gesprek-gevoerd' })).status).toBe(200);

    // Consent, the policy question, closing the second trajectory.
    const toestemming = await t.api().post(`/v1/trajecten/${T.hoofd}/toestemmingen`).set(...g).send({ ontvanger: 'roc-van-twente', doel: 'lesafstemming', geldigTot: '2099-01-01' });
    expect(toestemming.status).toBe(201);
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}/toestemmingen`).set(...g)).status).toBe(200);
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}/toestemmingen/${toestemming.body.toestemmingId}/ontvangstbewijzen`).set(...g)).status).toBe(200);
    expect((await t.api().delete(`/v1/trajecten/${T.hoofd}/toestemmingen/${toestemming.body.toestemmingId}`).set(...g)).status).toBe(200);
    expect((await t.api().post('/v1/beleid/toets').set(...g).send({ berichttype: 'aanwezigheid', doel: 'handhaving', trajectId: T.hoofd })).status).toBe(200);
    expect((await t.api().post(`/v1/trajecten/${T.tweede}/afsluiting`).set(...g).send({ reden: 'afgerond' })).status).toBe(200);

    // Monitoring: the quarter's figures, their CSV, the CBS delivery per trajectory (the current quarter: one that has begun).
    const nu = new Date();
    const kwartaal = `${nu.getUTCFullYear()}-Q${Math.floor(nu.getUTCMonth() / 3) + 1}`;
    expect((await t.api().get(`/v1/monitoring/kwartalen/${kwartaal}?doel=monitoring`).set(...g)).status).toBe(200);
    expect((await t.api().get(`/v1/monitoring/kwartalen/${kwartaal}/export?doel=monitoring&formaat=csv`).set(...g)).status).toBe(200);
    expect((await t.api().get(`/v1/cbs-verantwoording/kwartalen/${kwartaal}?doel=cbs-verantwoording`).set(...g)).status).toBe(200);

    // Retention: a gemeente erases a third trajectory now; the purge, six years on, removes the closed second one's content.
    const derde = await t.openTraject();
    expect((await t.api().post('/v1/berichten').set(...roc).send(envelop('taalvoortgang', derde))).status).toBe(201);
    expect((await t.api().post(`/v1/trajecten/${derde}/wissing`).set(...g).send({ reden: 'onrechtmatig-verwerkt' })).status).toBe(200);
    const zesJaarLater = new Date(Date.now() + 6 * 366 * 86_400_000);
    const purge = await voerBewaartermijnenUit(t.gw.services.store, { regels: bewaarregels(t.gw.services.policy.set), beleidsversie: 'scenario', now: () => zesJaarLater, uitvoeren: true });
    expect(purge.trajecten.map((x) => x.trajectId)).toContain(T.tweede);

    // Refusals: before a doel was established (no token) — for a registered doel, an unknown one, and an own activity; probing; a 431.
    expect((await t.api().get(`/v1/berichten?doel=handhaving&trajectId=${T.hoofd}`).set('traceparent', traced('zonderTokenHandhaving'))).status).toBe(401);
    expect((await t.api().get(`/v1/berichten?doel=bestaat-niet&trajectId=${T.hoofd}`).set('traceparent', traced('zonderTokenOnbekend'))).status).toBe(401);
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}`).set('traceparent', traced('zonderTokenTraject'))).status).toBe(401);
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}/bestaat-niet`).set(...g)).status).toBe(404);
    const groot = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${t.gw.url}/v1/berichten?doel=trajectbegeleiding`, { headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end();
    });
    expect(groot).toBe(431);

    // The subscription: its deliveries arrive and are recorded; list, attempts, resume, delete.
    await tot(records, (rs) => rs.some((r) => r.actie === 'melding-afleveren'));
    expect((await t.api().get('/v1/abonnementen').set(...g)).status).toBe(200);
    expect((await t.api().get(`/v1/abonnementen/${abonnementId}/afleveringen`).set(...g)).status).toBe(200);
    expect((await t.api().post(`/v1/abonnementen/${abonnementId}/hervatting`).set(...g)).status).toBeLessThan(500);
    expect((await t.api().delete(`/v1/abonnementen/${abonnementId}`).set(...g)).status).toBe(204);

    // The privacy officer: search, verification, access report (the LDV export follows in the next test).
    const fg = await as('fg-hengelo');
    expect((await t.api().get(`/v1/logboek?trajectId=${T.hoofd}`).set(...fg)).status).toBe(200);
    const verificatie = await t.api().get('/v1/logboek/verificatie').set(...fg);
    expect(verificatie.body).toMatchObject({ geldig: true, eersteFout: null });
    expect((await t.api().get(`/v1/trajecten/${T.hoofd}/inzage`).set(...fg)).status).toBe(200);
    expect((await t.api().get('/v1/logboek/export?formaat=jsonl').set(...fg).buffer(true).parse(text)).status).toBe(200);

    const alle = await records();
    // Every action of the logboek was touched.
    expect([...new Set(alle.map((r) => r.actie))].sort()).toEqual([...AUDIT_ACTIES].sort());

    // Every record names a processing activity that is an entry of the register as served.
    const register = (await t.api().get('/v1/verwerkingsactiviteiten')).body as { resultaten: { uri: string }[]; eigenVerwerkingen: { uri: string; id: string }[] };
    const uris = new Set([...register.resultaten, ...register.eigenVerwerkingen].map((a) => a.uri));
    expect(register.eigenVerwerkingen.map((e) => e.id).sort()).toEqual(['bewaartermijnen', 'inzageverzoeken', 'meldingen', 'toegangsbeheer', 'toestemmingsbeheer', 'toezicht-logboek', 'trajectbeheer']);
    const zonder = alle.filter((r) => !r.verwerkingsactiviteit || !uris.has(r.verwerkingsactiviteit));
    expect(zonder.map((r) => `${r.id} ${r.actie}`)).toEqual([]);
    // Record version 2 throughout: a span of the caller or null, a start no later than the end, the categories.
    for (const r of alle) {
      expect(r.recordversie, `${r.id}`).toBe(2);
      expect(r.parentSpanId === null || /^[0-9a-f]{16}$/.test(r.parentSpanId!), `${r.id}`).toBe(true);
      expect(Date.parse(r.starttijdstip!), `${r.id}`).toBeLessThanOrEqual(Date.parse(r.tijdstip));
      expect(Array.isArray(r.gegevenscategorieen), `${r.id}`).toBe(true);
    }

    const van = (naam: string) => alle.filter((r) => r.traceId === traces[naam]);
    // The activity a refusal tried: the doel named in the query, else access control; an own activity for an action without doel.
    expect(van('zonderTokenHandhaving').map((r) => [r.doel, r.verwerkingsactiviteit])).toEqual([[null, `${URN}handhaving`]]);
    expect(van('zonderTokenOnbekend').map((r) => r.verwerkingsactiviteit)).toEqual([`${URN}toegangsbeheer`]);
    expect(van('zonderTokenTraject').map((r) => r.verwerkingsactiviteit)).toEqual([`${URN}trajectbeheer`]);
    const per = (actie: string) => new Set(alle.filter((r) => r.actie === actie && r.besluit === 'toegestaan').map((r) => r.verwerkingsactiviteit));
    expect(per('traject-openen')).toEqual(new Set([`${URN}trajectbeheer`]));
    expect(per('toestemming-vastleggen')).toEqual(new Set([`${URN}toestemmingsbeheer`]));
    expect(per('ontvangstbewijzen-lezen')).toEqual(new Set([`${URN}toestemmingsbeheer`]));
    expect(per('logboek-verifieren')).toEqual(new Set([`${URN}toezicht-logboek`]));
    expect(per('inzage-opstellen')).toEqual(new Set([`${URN}inzageverzoeken`]));
    expect(per('traject-wissen')).toEqual(new Set([`${URN}bewaartermijnen`]));
    expect(per('bewaartermijn-toepassen')).toEqual(new Set([`${URN}bewaartermijnen`]));
    expect(per('abonnement-aanmaken')).toEqual(new Set([`${URN}meldingen`]));
    expect(per('berichten-lezen')).toEqual(new Set([`${URN}trajectbegeleiding`]));
    expect(per('melding-afleveren')).toEqual(new Set([`${URN}trajectbegeleiding`]));

    // The caller's span from traceparent, beside the gateway's own; the bundle's messages are child spans of its request.
    const [pub] = van('publiceren');
    expect(pub!.parentSpanId).not.toBeNull();
    expect(pub!.parentSpanId).not.toBe(pub!.spanId);
    const bundelRecords = alle.filter((r) => r.actie === 'bericht-publiceren' && r.berichttype === 'taalvoortgang').slice(0, 2);
    const bundelRecord = alle.find((r) => r.actie === 'bundel-aanleveren')!;
    expect(bundelRecords.map((r) => r.parentSpanId)).toEqual([bundelRecord.spanId, bundelRecord.spanId]);
    expect(new Set(bundelRecords.map((r) => r.spanId)).size).toBe(2);
    // The feed over both trajectories: one record, two data subjects, its categories per message type.
    const [feed] = van('feed');
    expect(feed!.trajectIds.sort()).toEqual([T.hoofd, T.tweede].sort());
    expect(feed!.gegevenscategorieen).toEqual(expect.arrayContaining(['belemmeringen-en-uitval', 'deelname', 'verzuim', 'taalniveau']));
  }, 180_000);

  it('"who read belemmeringen-en-uitval": the search by data category, in the officer\'s scope', async () => {
    const fg = await as('fg-hengelo');
    const res = await t.api().get('/v1/logboek?gegevenscategorie=belemmeringen-en-uitval&besluit=toegestaan&limiet=500').set(...fg);
    expect(res.status).toBe(200);
    const gevonden = res.body.resultaten as AuditRecord[];
    const alle = await records();
    const lezingen = alle.filter((r) => r.traceId === traces.belemmering || r.traceId === traces.feed).map((r) => r.id);
    expect(gevonden.map((r) => r.id)).toEqual(expect.arrayContaining(lezingen));
    // Exactly the allowed records in scope whose categories hold it: the werkshop's publication, the reads, the state.
    const inScope = new Set((await t.rows<{ auditId: number }>("SELECT auditId FROM logboek_scope WHERE partij = 'gemeente-hengelo'")).map((r) => Number(r.auditId)));
    const verwachtIds = alle.filter((r) => inScope.has(r.id) && r.besluit === 'toegestaan' && r.gegevenscategorieen!.includes('belemmeringen-en-uitval') && r.id <= Math.max(...gevonden.map((x) => x.id))).map((r) => r.id);
    expect(gevonden.map((r) => r.id).sort((a, b) => a - b)).toEqual(verwachtIds);
    expect(gevonden.every((r) => r.gegevenscategorieen!.includes('belemmeringen-en-uitval'))).toBe(true);
    expect(gevonden.some((r) => r.actie === 'bericht-lezen')).toBe(true);
    // Nothing about attendance is among them; an unknown category is a 400 naming the parameter.
    expect(gevonden.some((r) => r.berichttype === 'aanwezigheid')).toBe(false);
    const fout = await t.api().get('/v1/logboek?gegevenscategorie=gezondheid').set(...fg);
    expect(fout.status).toBe(400);
    expect(fout.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['gegevenscategorie']);
  });

  it('GET /v1/logboek/export?formaat=ldv: one line per data subject per record, every line a valid LDV ProcessingActivity', async () => {
    const valideer = ldvValidator();
    const fg = await as('fg-hengelo');
    const res = await t.api().get('/v1/logboek/export?formaat=ldv').set(...fg).set('traceparent', traced('ldvExport')).buffer(true).parse(text);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/filename="logboek-\d{4}-\d{2}-\d{2}\.ldv\.ndjson"/);
    const regels = parseNdjson(res.body as string);
    expect(regels.length).toBeGreaterThan(30);
    for (const [i, regel] of regels.entries()) expect(valideer(regel) ? [] : valideer.errors, `line ${i + 1}`).toEqual([]);
    // The validator bites: without a data subject, or with a processing activity that is no URI, a line is refused.
    const { 'dpl.core.data_subject_id': _weg, ...zonderBetrokkene } = regels[0]!.attributes;
    expect(valideer({ ...regels[0], attributes: zonderBetrokkene })).toBe(false);
    expect(valideer({ ...regels[0], attributes: { ...regels[0]!.attributes, 'dpl.core.processing_activity_id': 'trajectbeheer' } })).toBe(false);

    // One line per (record, subject): the records in the officer's scope up to the export's own record.
    const alle = await records();
    const eigen = alle.find((r) => r.traceId === traces.ldvExport && r.actie === 'logboek-exporteren')!;
    const inScope = new Set((await t.rows<{ auditId: number }>("SELECT auditId FROM logboek_scope WHERE partij = 'gemeente-hengelo'")).map((r) => Number(r.auditId)));
    expect(paren(regels)).toEqual(verwacht(alle.filter((r) => inScope.has(r.id) && r.id <= eigen.id)));
    // Spans stay unique; the feed's record (two subjects) became two child spans of its own span.
    expect(new Set(regels.map((r) => `${r.traceId}/${r.spanId}`)).size).toBe(regels.length);
    const [feed] = alle.filter((r) => r.traceId === traces.feed);
    const feedRegels = regels.filter((r) => r.attributes['dpl.doelpoort.logboek_id'] === feed!.id);
    expect(feedRegels).toHaveLength(2);
    expect(feedRegels.map((r) => r.parentSpanId)).toEqual([feed!.spanId, feed!.spanId]);
    expect(feedRegels.every((r) => r.spanId !== feed!.spanId && /^[0-9a-f]{16}$/.test(r.spanId))).toBe(true);
    // A record with one subject keeps its own span, and the caller's as parent; times in ms; Unset for a refusal.
    const [pub] = alle.filter((r) => r.traceId === traces.publiceren);
    const pubRegel = regels.find((r) => r.attributes['dpl.doelpoort.logboek_id'] === pub!.id)!;
    expect(pubRegel).toMatchObject({
      traceId: pub!.traceId, spanId: pub!.spanId, parentSpanId: pub!.parentSpanId, status: 'Ok', name: 'bericht-publiceren',
      startTime: Date.parse(pub!.starttijdstip!), endTime: Date.parse(pub!.tijdstip),
      attributes: {
        'dpl.core.processing_activity_id': `${URN}trajectbegeleiding`, 'dpl.core.data_subject_id': T.hoofd,
        'dpl.core.data_subject_id_type': 'urn:doelpoort:traject-id', 'dpl.core.foreign_operation.processor': 'urn:doelpoort:partij:roc-van-twente',
      },
    });
    // A refused token on a path under a trajectory: the record names the trajectory (its gemeente's officer sees it).
    const [geweigerd] = alle.filter((r) => r.traceId === traces.zonderTokenTraject);
    expect(regels.find((r) => r.attributes['dpl.doelpoort.logboek_id'] === geweigerd!.id)).toMatchObject({ status: 'Unset', attributes: { 'dpl.doelpoort.besluit': 'geweigerd' } });
    expect(res.body).not.toMatch(/BSN|Zorggroep Twente/);
  });

  it('`doelpoort logboek exporteer --formaat ldv` writes the whole logboek the same way', async () => {
    const valideer = ldvValidator();
    const bron = adapter === 'postgres' ? t.databaseUrl! : path.join(t.dataDir, 'doelpoort.db');
    const uit = path.join(tmp, `${adapter}.ldv.ndjson`);
    const voor = await records();
    const meldingen: string[] = [];
    const code = await logboekCommand(['exporteer', bron, '--formaat', 'ldv', '--uit', uit], { out: (l) => meldingen.push(l), err: (l) => meldingen.push(l) });
    expect(code, meldingen.join('\n')).toBe(0);
    const regels = parseNdjson(fs.readFileSync(uit, 'utf8'));
    for (const [i, regel] of regels.entries()) expect(valideer(regel) ? [] : valideer.errors, `line ${i + 1}`).toEqual([]);
    // Every record (no scope: the whole database), one line per data subject; the CLI only reads, so the log is as before.
    expect(paren(regels)).toEqual(verwacht(voor));
    expect((await records()).length).toBe(voor.length);
    expect(meldingen.join('\n')).toMatch(/LDV-regels geschreven/);
    expect(await logboekCommand(['exporteer', bron, '--formaat', 'xml'], { out: () => undefined, err: () => undefined })).toBe(2);
  });

  it('tampering with a field of record version 2 breaks verification, at that record', async () => {
    const alle = await records();
    const doel = alle.find((r) => r.traceId === traces.publiceren)!;
    const fg = await as('fg-hengelo');
    const wijzig = async (sql: string) => {
      if (adapter === 'postgres') await pgQuery(t.databaseUrl!, sql.replace('?', '$1'), [doel.id]);
      else {
        const db = new Database(path.join(t.dataDir, 'doelpoort.db'));
        db.prepare(sql).run(doel.id);
        db.close();
      }
    };
    for (const [sql, herstel] of [
      ["UPDATE logboek SET parentSpanId = NULL WHERE id = ?", `UPDATE logboek SET parentSpanId = '${doel.parentSpanId}' WHERE id = ?`],
      ["UPDATE logboek SET starttijdstip = '2020-01-01T00:00:00.000Z' WHERE id = ?", `UPDATE logboek SET starttijdstip = '${doel.starttijdstip}' WHERE id = ?`],
      ["UPDATE logboek SET gegevenscategorieen = '[]' WHERE id = ?", `UPDATE logboek SET gegevenscategorieen = '${JSON.stringify(doel.gegevenscategorieen)}' WHERE id = ?`],
      // Posing as a record of version 1 (without the new fields) does not pass either.
      ['UPDATE logboek SET recordversie = NULL WHERE id = ?', 'UPDATE logboek SET recordversie = 2 WHERE id = ?'],
    ] as const) {
      await wijzig(sql);
      const kapot = await t.api().get('/v1/logboek/verificatie').set(...fg);
      expect(kapot.body.geldig, sql).toBe(false);
      expect(kapot.body.eersteFout.id, sql).toBe(doel.id);
      await wijzig(herstel);
    }
    expect((await t.api().get('/v1/logboek/verificatie').set(...fg)).body.geldig).toBe(true);
  });
});
