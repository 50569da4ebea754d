/**
 * Issue 13, "Monitoring": a beleidsmedewerker's quarter, end to end over HTTP on both adapters —
 * real gateway, real OpenID Provider tokens, real SQLite file and PostgreSQL database.
 *
 * Gemeente Hengelo opens 14 trajectories in Q4 2026 (one under wi2013, two closed in the quarter);
 * ROC van Twente reports two weeks of attendance for twelve of them and a level for eleven; Werkshop
 * two placements. A second gemeente (Borne, added to a copy of the policies) has three trajectories
 * of its own. Then, in January 2027:
 * - the quarter's figures: aggregates only, no small cell, nothing a suppressed cell can be worked out
 *   from (the attacker of test/support/aanvaller.ts on every table, with every shared total), no
 *   trajectory id anywhere, Borne never counted; its record names doel, processing activity and tables
 *   and no data subject; refusals audited; subject-level reads under `monitoring` still refused;
 * - the CSV export: the same figures, suppressed cells empty;
 * - the CBS delivery: per trajectory under its own doel (wi2013 left out by the register), one record
 *   naming every trajectory it disclosed, in each participant's access report; a withdrawal and a
 *   correction show in it at once (the facts follow in the publish transaction);
 * - the migration's backfill gives exactly the rows the publish path wrote.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { loadSchemas } from '../src/schemas/registry.js';
import { PG_MONITORING_AANVULLEN } from '../src/store/postgres-migrations.js';
import { MONITORING_AANVULLEN } from '../src/store/sqlite-migrations.js';
import { valAntwoordAan } from './support/aanvaller.js';
import { bearer, newTraceparent, startTestGateway, type Adapter, type TestGateway } from './support/gateway.js';
import { pgQuery } from './support/postgres.js';

const START = '2026-10-05';
const schemas = loadSchemas(path.join(projectRoot(), 'schemas'));
const TABELLEN = ['monitoring_aanwezigheid', 'monitoring_aanwezigheid_kwartaal', 'monitoring_weken', 'monitoring_knelpunten', 'monitoring_niveaus', 'monitoring_examens', 'monitoring_plaatsingen'];
/** Each table's rows in one order on both adapters. */
const VOLGORDE: Record<string, string> = {
  monitoring_aanwezigheid: 'afzender, berichtId, activiteit', monitoring_aanwezigheid_kwartaal: 'trajectId, kwartaal, activiteit', monitoring_weken: 'trajectId, afzender, week',
  monitoring_knelpunten: 'afzender, berichtId, code',
  monitoring_niveaus: 'afzender, berichtId, vaardigheid', monitoring_examens: 'afzender, berichtId, onderdeel', monitoring_plaatsingen: 'afzender, berichtId',
};

/** The shipped policies plus a second gemeente with its own client. */
function policiesMetBorne(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-monitoring-policies-'));
  fs.cpSync(path.join(projectRoot(), 'policies'), dir, { recursive: true });
  const file = path.join(dir, 'partijen.json');
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  j.partijen.push({ id: 'gemeente-borne', naam: 'Gemeente Borne', oin: '00000001001589700000', rol: 'gemeente', clientIds: ['gemeente-borne'],
    contact: { adres: 'Postbus 1, 7620 AA Borne (test)', telefoon: '074 000 00 01 (test)', email: 'inburgering@borne.example' } });
  fs.writeFileSync(file, JSON.stringify(j, null, 2));
  return dir;
}

const week = (van: string, tot: string, aanwezig = 480) => ({
  periode: { van, tot },
  totalen: [{ activiteit: 'formele-taalles', minuten: { gepland: 540, aanwezig, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 540 - aanwezig, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 } }],
});

/** RFC 4180: fields split on commas outside quotes, "" inside quotes is one quote. */
function leesCsv(tekst: string): string[][] {
  return tekst.trimEnd().split('\r\n').map((regel) => {
    const velden: string[] = [];
    let veld = '';
    let tussen = false;
    for (let i = 0; i < regel.length; i++) {
      const c = regel[i]!;
      if (tussen && c === '"' && regel[i + 1] === '"') { veld += '"'; i++; }
      else if (c === '"') tussen = !tussen;
      else if (c === ',' && !tussen) { velden.push(veld); veld = ''; }
      else veld += c;
    }
    velden.push(veld);
    return velden;
  });
}

describe.each<Adapter>(['sqlite', 'postgres'])('monitoring (%s)', (adapter) => {
  let t: TestGateway;
  let policyDir: string;
  // The gateway's clock: December 2026 while the quarter happens, January 2027 when it is read; it ticks per call.
  let klok = Date.parse('2026-12-01T09:00:00Z');
  const H: string[] = [];
  const B: string[] = [];
  const weken = new Map<string, string[]>();

  const api = async (client: string) => ({ token: await t.token(client) });
  const open = async (gemeente: string, rollen: Array<[string, string]>) => {
    const res = await t.api().post('/v1/trajecten').set(...bearer((await api(gemeente)).token))
      .send({ leerroute: 'B1', startdatum: START, toewijzingen: rollen.map(([partij, rol]) => ({ partij, rol, vanaf: START })) });
    expect(res.status).toBe(201);
    return res.body.trajectId as string;
  };
  const publiceer = async (client: string, berichttype: string, trajectId: string, inhoud: unknown, extra: Record<string, unknown> = {}) => {
    const berichtId = crypto.randomUUID();
    const res = await t.api().post('/v1/berichten').set(...bearer((await api(client)).token))
      .send({ berichtId, berichttype, schemaversie: '1.1', trajectId, gebeurtenisTijdstip: '2026-11-20T10:00:00+01:00', inhoud, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return berichtId;
  };
  const lees = async (client: string, pad: string, trace?: string) => {
    const req = t.api().get(pad).set(...bearer((await api(client)).token));
    return trace ? req.set('traceparent', trace) : req;
  };
  const record = async (traceId: string) => (await t.rows<Record<string, unknown>>('SELECT * FROM logboek WHERE traceId = ? ORDER BY id', traceId));

  beforeAll(async () => {
    policyDir = policiesMetBorne();
    t = await startTestGateway({ adapter, now: () => new Date(klok++), overrides: { policyDir, signaalPlannerSeconden: 0 } });
    for (let i = 0; i < 14; i++) H.push(await open('gemeente-hengelo', [['roc-van-twente', 'taal'], ['werkshop', 'participatie']]));
    for (let i = 0; i < 3; i++) B.push(await open('gemeente-borne', [['roc-van-twente', 'taal']]));
    const patch = await t.api().patch(`/v1/trajecten/${H[13]}`).set(...bearer((await api('gemeente-hengelo')).token)).send({ regime: 'wi2013' });
    expect(patch.status).toBe(200);
    for (const [i, traject] of H.slice(0, 12).entries()) {
      weken.set(traject, [
        await publiceer('roc-van-twente', 'aanwezigheid', traject, week('2026-10-05', '2026-10-11')),
        await publiceer('roc-van-twente', 'aanwezigheid', traject, week('2026-10-12', '2026-10-18')),
      ]);
      if (i < 11) {
        await publiceer('roc-van-twente', 'taalvoortgang', traject, { leerroute: 'B1', niveaus: [{ vaardigheid: 'spreken', niveau: 'A2', peildatum: '2026-11-01', vastgesteldMet: 'toets' }] }, { schemaversie: '1.0' });
      }
    }
    for (const traject of B) await publiceer('roc-van-twente', 'aanwezigheid', traject, week('2026-10-05', '2026-10-11'));
    // Barriers at intake: ten assessed without any ("geen"), two with one, two never reported.
    for (const [i, traject] of H.slice(0, 12).entries()) {
      await publiceer('roc-van-twente', 'knelpunt', traject, { knelpuntId: `KN-${i}`, datum: '2026-10-19', knelpunten: i < 10 ? ['geen'] : ['vervoer'] }, { schemaversie: '1.0' });
    }
    const plaatsing = { plaatsingId: 'WS-1', vorm: 'werkervaringsplaats', sector: 'zorg-en-welzijn', urenPerWeek: 16, startdatum: '2026-11-02', taalrijk: 'ja', belemmeringen: ['geen'] };
    await publiceer('werkshop', 'plaatsing', H[0]!, { ...plaatsing, status: 'gestart' }, { schemaversie: '1.0' });
    await publiceer('werkshop', 'plaatsing', H[1]!, { ...plaatsing, status: 'gestart' }, { schemaversie: '1.0' });
    await publiceer('werkshop', 'plaatsing', H[1]!, { ...plaatsing, status: 'beeindigd', einddatum: '2026-11-30', eindreden: 'gezondheid' }, { schemaversie: '1.0', gebeurtenisTijdstip: '2026-11-30T16:00:00+01:00' });
    const g = (await api('gemeente-hengelo')).token;
    expect((await t.api().post(`/v1/trajecten/${H[12]}/afsluiting`).set(...bearer(g)).send({ reden: 'verhuisd', uitkomst: { inburgeringsplichtBehaald: 'onbekend', vervolg: ['onbekend'] } })).status).toBe(200);
    expect((await t.api().post(`/v1/trajecten/${H[13]}/afsluiting`).set(...bearer(g)).send({ reden: 'uitgevallen' })).status).toBe(200);
    klok = Date.parse('2027-01-12T09:00:00Z');
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(policyDir, { recursive: true, force: true });
  });

  const tabel = (body: { tabellen: Array<{ id: string }> }, id: string) => body.tabellen.find((x) => x.id === id) as unknown as {
    id: string; eenheid: string; rijen: { codes: string[] }; kolommen: { codes: string[] }; cellen: (number | null)[][]; rijtotalen?: (number | null)[]; kolomtotalen?: (number | null)[]; totaal?: number | null;
  };

  it('the gemeente reads its quarter: aggregates only, no small cell, nothing recoverable, no trajectory id, another gemeente never counted', async () => {
    const { header, traceId } = newTraceparent();
    const res = await lees('gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q4?doel=monitoring', header);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kwartaal: '2026-Q4', gemeente: 'gemeente-hengelo', doel: 'monitoring', periode: { van: '2026-10-01', tot: '2026-12-31' }, weken: { aantal: 14 }, peildatum: '2026-12-31', drempel: 10 });
    expect(schemas.validateBody('api/kwartaalcijfers.json', res.body)).toEqual([]);
    const route = tabel(res.body, 'trajecten-leerroute-status');
    expect(route.totaal).toBe(14); // Borne's three would make 17
    expect(route.kolomtotalen![route.kolommen.codes.indexOf('afgesloten')]).toBeNull(); // two closed: small
    expect(tabel(res.body, 'trajecten-regime').kolomtotalen).toEqual([14]);
    const niveaus = tabel(res.body, 'taalniveaus');
    expect(niveaus.rijtotalen).toEqual([14, 14, 14, 14, 14]);
    expect(niveaus.cellen[niveaus.rijen.codes.indexOf('spreken')]![niveaus.kolommen.codes.indexOf('A2')]).toBe(11);
    expect(niveaus.kolommen.codes.at(-1)).toBe('niet-geregistreerd');
    // No count below the threshold is shown; minutes and weeks are shown only with 10 contributors (not visible here, proven in the property tests).
    for (const x of res.body.tabellen as Array<ReturnType<typeof tabel>>) {
      if (x.eenheid === 'minuten' || x.eenheid === 'weken') continue;
      for (const v of [...x.cellen.flat(), ...(x.rijtotalen ?? []), ...(x.kolomtotalen ?? []), x.totaal ?? null]) if (v !== null) expect(v, x.id).toBeGreaterThanOrEqual(10);
    }
    // "No barrier" and "not registered" are two cells (the DRS could not tell them apart, S1:412).
    const knelpunten = tabel(res.body, 'knelpunten');
    expect(knelpunten.cellen[knelpunten.rijen.codes.indexOf('geen')]).toEqual([10]);
    expect(knelpunten.cellen[knelpunten.rijen.codes.indexOf('niet-geregistreerd')]).toEqual([null]); // two: small
    expect(knelpunten.cellen[knelpunten.rijen.codes.indexOf('vervoer')]).toEqual([null]);
    const minuten = tabel(res.body, 'aanwezigheid-activiteit');
    if (minuten.totaal !== null) expect(minuten.totaal).toBe(12 * 2 * 540);
    expect(valAntwoordAan(res.body.tabellen)).toEqual({ onthullingen: [], inconsistent: [] });
    const tekst = JSON.stringify(res.body);
    for (const id of [...H, ...B]) expect(tekst).not.toContain(id);

    const [r] = await record(traceId);
    expect(r).toMatchObject({
      actie: 'monitoring-lezen', besluit: 'toegestaan', partij: 'gemeente-hengelo', doel: 'monitoring', regel: 'geaggregeerd-lezen',
      verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:monitoring', trajectIds: '[]', berichtIds: '[]', status: 200,
    });
    expect(JSON.parse(r!.velden as string)).toContain('/tabellen/trajecten-leerroute-status');
    expect(r!.reden).toMatch(/geen gegevens over één deelnemer/);

    const borne = await lees('gemeente-borne', '/v1/monitoring/kwartalen/2026-Q4');
    expect(borne.status).toBe(200);
    expect(tabel(borne.body, 'trajecten-leerroute-status').totaal).toBeNull(); // three: small, and Hengelo's never counted
    expect(valAntwoordAan(borne.body.tabellen)).toEqual({ onthullingen: [], inconsistent: [] });
  });

  it('refusals are answered as problem+json and audited: a provider, another doel, an unknown doel, a bad or future quarter, no token', async () => {
    const cases: Array<[string, string, number, string | null]> = [
      ['roc-van-twente', '/v1/monitoring/kwartalen/2026-Q4?doel=monitoring', 403, 'geaggregeerd-lezen'],
      ['gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q4?doel=trajectbegeleiding', 403, 'geaggregeerd-lezen'],
      ['gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q4?doel=nieuwsgierigheid', 400, 'doel-onbekend'],
      ['gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q5', 400, 'kwartaal-ongeldig'],
      ['gemeente-hengelo', '/v1/monitoring/kwartalen/2027-Q2/export?formaat=csv', 400, 'kwartaal-ongeldig'],
      ['gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q4/export?formaat=xlsx', 400, 'invoer-ongeldig'],
      ['gemeente-hengelo', '/v1/cbs-verantwoording/kwartalen/2026-Q4?doel=monitoring', 403, 'cbs-doel'],
      ['roc-van-twente', '/v1/cbs-verantwoording/kwartalen/2026-Q4', 403, 'standaard-weigeren'],
    ];
    for (const [client, pad, status, regel] of cases) {
      const { header, traceId } = newTraceparent();
      const res = await lees(client, pad, header);
      expect(res.status, pad).toBe(status);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.traceId).toBe(traceId);
      const [r] = await record(traceId);
      expect(r, pad).toMatchObject({ besluit: 'geweigerd', regel, status, trajectIds: '[]' });
    }
    const anoniem = await t.api().get('/v1/monitoring/kwartalen/2026-Q4');
    expect(anoniem.status).toBe(401);
  });

  it('the rule that refuses subject-level reads under monitoring stays: messages and a state for monitoring are refused', async () => {
    expect((await lees('gemeente-hengelo', '/v1/berichten?doel=monitoring')).status).toBe(403);
    const { header, traceId } = newTraceparent();
    const bericht = await lees('gemeente-hengelo', `/v1/berichten/${weken.get(H[2]!)![0]}?doel=monitoring`, header);
    expect(bericht.status).toBe(403);
    expect(bericht.body.detail).toMatch(/alleen geaggregeerde cijfers/);
    expect((await record(traceId))[0]).toMatchObject({ besluit: 'geweigerd', regel: 'alleen-geaggregeerd', doel: 'monitoring' });
    const stand = await lees('gemeente-hengelo', `/v1/trajecten/${H[0]}/stand?doel=monitoring`);
    expect(stand.status).toBe(403);
  });

  it('the CSV export holds the same figures, a suppressed cell empty and marked, and names no trajectory', async () => {
    const json = (await lees('gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q4')).body;
    const res = await lees('gemeente-hengelo', '/v1/monitoring/kwartalen/2026-Q4/export?formaat=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?monitoring-2026-Q4-gemeente-hengelo\.csv"?$/);
    const regels = leesCsv(res.text);
    expect(regels[0]).toEqual(['kwartaal', 'gemeente', 'tabel', 'titel', 'eenheid', 'rijdimensie', 'rij', 'kolomdimensie', 'kolom', 'waarde', 'onderdrukt']);
    const route = tabel(json, 'trajecten-leerroute-status');
    const cel = (rij: string, kolom: string) => regels.find((r: string[]) => r[2] === route.id && r[6] === rij && r[8] === kolom)!;
    expect(cel('totaal', 'totaal').slice(9)).toEqual(['14', 'nee']);
    expect(cel('totaal', 'afgesloten').slice(9)).toEqual(['', 'ja']);
    // Every cell of every table is in the file with the JSON's value.
    let n = 0;
    for (const x of json.tabellen as Array<ReturnType<typeof tabel>>) x.rijen.codes.forEach((rij, i) => x.kolommen.codes.forEach((kolom, j) => {
      const r = regels.find((q: string[]) => q[2] === x.id && q[6] === rij && q[8] === kolom)!;
      expect(r[9]).toBe(x.cellen[i]![j] === null ? '' : String(x.cellen[i]![j]));
      n++;
    }));
    expect(n).toBeGreaterThan(500);
    for (const id of H) expect(res.text).not.toContain(id);
  });

  it('the CBS delivery: per trajectory under its own doel, wi2013 left out, one record naming every trajectory disclosed, in the access report', async () => {
    const { header, traceId } = newTraceparent();
    const res = await lees('gemeente-hengelo', '/v1/cbs-verantwoording/kwartalen/2026-Q4?doel=cbs-verantwoording', header);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kwartaal: '2026-Q4', gemeente: 'gemeente-hengelo', doel: 'cbs-verantwoording', peildatum: '2026-12-31', aantal: 13 });
    expect(schemas.validateBody('api/cbs-levering.json', res.body)).toEqual([]);
    const per = new Map((res.body.trajecten as Array<{ trajectId: string }>).map((x) => [x.trajectId, x]));
    expect([...per.keys()].sort()).toEqual(H.slice(0, 13).sort()); // not H13 (wi2013), not Borne's
    expect(per.get(H[0]!)).toEqual({ trajectId: H[0], leerroute: 'B1', regime: 'wi2021', status: 'lopend', peildatum: '2026-12-31', urenAanwezig: 16, urenGeoorloofdAfwezig: 0, urenOngeoorloofdAfwezig: 2 });
    // Nothing reported is "not registered", never 0.
    expect(per.get(H[12]!)).toMatchObject({ status: 'afgesloten', urenAanwezig: null, urenGeoorloofdAfwezig: null, urenOngeoorloofdAfwezig: null });

    const [r] = await record(traceId);
    expect(r).toMatchObject({ actie: 'cbs-levering-opstellen', besluit: 'toegestaan', doel: 'cbs-verantwoording', regel: 'lezen-cbs-verantwoording', berichttype: 'aanwezigheid',
      verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:cbs-verantwoording', grondslag: expect.stringContaining('AVG art. 6 lid 1 sub c') });
    expect((JSON.parse(r!.trajectIds as string) as string[]).sort()).toEqual(H.slice(0, 13).sort());
    expect(r!.reden).toMatch(/1 traject\(en\) niet opgenomen/);

    const inzage = async (id: string) => (await lees('gemeente-hengelo', `/v1/trajecten/${id}/inzage`)).body as { verstrekkingen: Array<{ berichttype: string; doel: string }> };
    expect((await inzage(H[0]!)).verstrekkingen).toContainEqual(expect.objectContaining({ berichttype: 'Kwartaallevering aan het CBS', doel: 'Kwartaallevering per traject aan het CBS' }));
    expect((await inzage(H[13]!)).verstrekkingen.map((v) => v.berichttype)).not.toContain('Kwartaallevering aan het CBS');

    const csv = await lees('gemeente-hengelo', '/v1/cbs-verantwoording/kwartalen/2026-Q4?formaat=csv');
    expect(csv.status).toBe(200);
    const regels = csv.text.trimEnd().split('\r\n');
    expect(regels).toHaveLength(14);
    expect(leesCsv(csv.text).every((r) => r.length === 8)).toBe(true);
    expect(regels[0]).toBe('trajectId,leerroute,regime,status,peildatum,urenAanwezig,urenGeoorloofdAfwezig,urenOngeoorloofdAfwezig');
    expect(regels).toContain(`${H[12]},B1,wi2021,afgesloten,2026-12-31,,,`);
  });

  it('a withdrawal and a correction show in the figures at once (the facts follow in the publish transaction)', async () => {
    const roc = (await api('roc-van-twente')).token;
    const [, tweede] = weken.get(H[0]!)!;
    expect((await t.api().post(`/v1/berichten/${tweede}/intrekking`).set(...bearer(roc)).send({ reden: 'dubbel-verzonden' })).status).toBe(200);
    const [eerste] = weken.get(H[1]!)!;
    await publiceer('roc-van-twente', 'aanwezigheid', H[1]!, week('2026-10-05', '2026-10-11', 540), { vervangt: eerste });
    const res = await lees('gemeente-hengelo', '/v1/cbs-verantwoording/kwartalen/2026-Q4');
    const per = new Map((res.body.trajecten as Array<{ trajectId: string; urenAanwezig: number }>).map((x) => [x.trajectId, x]));
    expect(per.get(H[0]!)!.urenAanwezig).toBe(8);
    expect(per.get(H[1]!)!.urenAanwezig).toBe(17);
  });

  it('the migration\'s backfill derives exactly the rows the publish path wrote', async () => {
    const alles = async () => Object.fromEntries(await Promise.all(TABELLEN.map(async (tb) => [tb, await t.rows(`SELECT * FROM ${tb} ORDER BY ${VOLGORDE[tb]}`)] as const)));
    const voor = await alles();
    expect(voor.monitoring_aanwezigheid!.length).toBe(24 + 3 - 1); // one week withdrawn (the corrected one replaced, not added)
    expect(voor.monitoring_niveaus!.length).toBe(11);
    expect(voor.monitoring_plaatsingen!.length).toBe(3);
    expect(voor.monitoring_weken!.length).toBe(12 * 2 + 3 - 1); // one week of one trajectory withdrawn
    expect(voor.monitoring_aanwezigheid_kwartaal!.length).toBe(12 + 3);
    expect(voor.monitoring_knelpunten!.length).toBe(12);
    if (adapter === 'sqlite') {
      const db = new Database(path.join(t.dataDir, 'doelpoort.db'));
      try {
        db.pragma('busy_timeout = 5000');
        db.transaction(() => {
          for (const tb of TABELLEN) db.prepare(`DELETE FROM ${tb}`).run();
          db.exec(MONITORING_AANVULLEN);
        })();
      } finally {
        db.close();
      }
    } else {
      await pgQuery(t.databaseUrl!, `BEGIN; ${TABELLEN.map((tb) => `DELETE FROM ${tb};`).join(' ')} ${PG_MONITORING_AANVULLEN} COMMIT;`);
    }
    const na = await alles();
    expect(na.monitoring_aanwezigheid!.length).toBe(voor.monitoring_aanwezigheid!.length);
    expect(na).toEqual(voor);
  });
});
