/**
 * Issue 11, batches: `POST /v1/berichten/bundels` as JSON (one result per message, in order, each its
 * own audit record; refusals don't stop the others; a resent bundle stores nothing twice) and as CSV
 * (rows grouped per trajectory, answered per row; a trajectory with an error stores nothing; formula
 * cells refused; idempotent without client ids; different content becomes a correction).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, startTestGateway, VOORBEELDEN, type Adapter, type TestGateway } from './support/gateway.js';

describe.each<Adapter>(['sqlite', 'postgres'])('bundles (%s)', (adapter) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ adapter, overrides: { signaalPlannerSeconden: 0 } });
  });
  afterAll(async () => t?.close());

  const bundel = async (partij: string, body: unknown) => t.api().post('/v1/berichten/bundels').set(...bearer(await t.token(partij))).send(body as object);
  const csv = async (partij: string, tekst: string | Buffer, query = '?van=2026-11-02&tot=2026-11-08') =>
    t.api().post(`/v1/berichten/bundels${query}`).set(...bearer(await t.token(partij))).set('Content-Type', 'text/csv').send(Buffer.isBuffer(tekst) ? tekst : Buffer.from(tekst, 'utf8'));

  it('JSON: one result per message in order; a refused one does not stop the others; resent, nothing is stored twice', async () => {
    const a = await t.openTraject();
    const b = await t.openTraject();
    const goed1 = envelop('aanwezigheid', a);
    const ongeldig = { ...envelop('aanwezigheid', a), inhoud: { periode: { van: '2026-11-02' } } };
    const nietToegewezen = envelop('plaatsing', b); // roc-van-twente is no reintegratie provider: 403
    const goed2 = envelop('taalvoortgang', b);
    const res = await bundel('roc-van-twente', { berichten: [goed1, ongeldig, nietToegewezen, goed2] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.resultaten.map((r: { status: number }) => r.status)).toEqual([201, 400, 403, 201]);
    expect(res.body.resultaten[0].ontvangstbewijs.berichtId).toBe(goed1.berichtId);
    expect(res.body.resultaten[1].probleem.invalidParams.length).toBeGreaterThan(0);
    const again = await bundel('roc-van-twente', { berichten: [goed1, ongeldig, nietToegewezen, goed2] });
    expect(again.body.resultaten.map((r: { status: number }) => r.status)).toEqual([200, 400, 403, 200]);
    expect(again.body.resultaten[3].ontvangstbewijs).toEqual(res.body.resultaten[3].ontvangstbewijs);
    expect(await t.rows('SELECT berichtId FROM berichten WHERE trajectId IN (?, ?)', a, b)).toHaveLength(2);
    // Each message its own record (4 + 4), plus one per bundle.
    const records = await t.rows<{ actie: string }>("SELECT actie FROM logboek WHERE actie = 'bericht-publiceren' AND (trajectIds LIKE ? OR trajectIds LIKE ?)", `%${a}%`, `%${b}%`);
    expect(records).toHaveLength(8);
    expect((await bundel('roc-van-twente', { berichten: [] })).status).toBe(400);
    expect((await bundel('roc-van-twente', { berichten: Array.from({ length: 1001 }, () => goed1) })).status).toBe(400);
  });

  it('JSON: a correction later in the same bundle follows the message it replaces', async () => {
    const a = await t.openTraject();
    const eerste = envelop('aanwezigheid', a);
    const correctie = { ...envelop('aanwezigheid', a, { ...VOORBEELDEN.aanwezigheid, periode: { van: '2026-11-09', tot: '2026-11-15' } }), vervangt: eerste.berichtId };
    const res = await bundel('roc-van-twente', { berichten: [eerste, correctie] });
    expect(res.body.resultaten.map((r: { status: number }) => r.status)).toEqual([201, 201]);
  });

  it('CSV: grouped per trajectory by kenmerk, answered per row; a trajectory with an error stores nothing; formula cells refused', async () => {
    const a = await t.openTraject();
    const b = await t.openTraject();
    const ka = `A-${Math.random().toString(36).slice(2, 8)}`;
    const kb = `B-${Math.random().toString(36).slice(2, 8)}`;
    for (const [tr, k] of [[a, ka], [b, kb]] as const) {
      expect((await t.api().put(`/v1/trajecten/${tr}/kenmerk`).set(...bearer(await t.token('roc-van-twente'))).send({ kenmerk: k })).status).toBe(200);
    }
    const tekst = [
      '\uFEFFkenmerk;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status',
      `${ka};2026-11-02;formele-taalles;180;180;aanwezig`,
      `${ka};03-11-2026;formele-taalles;180;0;ongeoorloofd-afwezig`,
      '',
      `${kb};2026-11-02;formele-taalles;180;180;aanwezig`,
      `${kb};2026-11-04;"formele-taalles";180;=1+1;aanwezig`,
      `${kb};2026-11-12;formele-taalles;180;180;aanwezig`,
      'ONBEKEND-1;2026-11-02;formele-taalles;180;180;aanwezig',
    ].join('\r\n');
    const res = await csv('roc-van-twente', tekst);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rij = (n: number) => res.body.rijen.find((r: { rij: number }) => r.rij === n);
    expect(rij(2)).toMatchObject({ status: 'opgeslagen', fouten: [] });
    expect(rij(3).berichtId).toBe(rij(2).berichtId);
    expect(rij(6).status).toBe('geweigerd');
    expect(rij(6).fouten).toEqual([expect.objectContaining({ kolom: 'aanwezigeMinuten', melding: expect.stringContaining('formule') })]);
    expect(rij(7).fouten).toEqual([expect.objectContaining({ kolom: 'datum', melding: expect.stringContaining('buiten de periode') })]);
    expect(rij(5)).toMatchObject({ status: 'niet-opgeslagen' });
    expect(rij(8).fouten[0]).toMatchObject({ kolom: 'kenmerk' });
    // Only a's week is stored: with its lessons and the totals as their sums.
    const rows = await t.rows<{ trajectId: string; inhoud: string }>('SELECT trajectId, inhoud FROM berichten WHERE trajectId IN (?, ?)', a, b);
    expect(rows.map((r) => r.trajectId)).toEqual([a]);
    const inhoud = JSON.parse(rows[0]!.inhoud);
    expect(inhoud.lessen).toHaveLength(2);
    expect(inhoud.totalen).toEqual([{ activiteit: 'formele-taalles', minuten: { gepland: 360, aanwezig: 180, teLaat: 0, geoorloofdAfwezig: 0, ongeoorloofdAfwezig: 180, ziek: 0, afwezig: 0, vervallen: 0, onbekend: 0 } }]);
    // No kenmerk in the logboek.
    expect(await t.rows('SELECT id FROM logboek WHERE reden LIKE ? OR reden LIKE ?', `%${ka}%`, `%${kb}%`)).toEqual([]);

    // The same file again: the same receipt, nothing new. Reordered rows: the same content.
    const weer = await csv('roc-van-twente', tekst);
    expect(weer.body.rijen.find((r: { rij: number }) => r.rij === 2)).toMatchObject({ status: 'ongewijzigd', berichtId: rij(2).berichtId });
    // b fixed, a changed: b stored, a's week becomes a correction (never a second counting message).
    const gecorrigeerd = [
      'kenmerk,datum,activiteit,geplandeMinuten,aanwezigeMinuten,status',
      `${kb},2026-11-02,formele-taalles,180,180,aanwezig`,
      `${ka},2026-11-03,formele-taalles,180,180,aanwezig`,
      `${ka},2026-11-02,formele-taalles,180,180,aanwezig`,
    ].join('\n');
    const derde = await csv('roc-van-twente', gecorrigeerd);
    expect(derde.body.rijen.map((r: { status: string }) => r.status)).toEqual(['opgeslagen', 'opgeslagen', 'opgeslagen']);
    expect(derde.body.berichten.find((m: { trajectId: string }) => m.trajectId === a).vervangt).toBe(rij(2).berichtId);
    const [stand] = await t.rows<{ stand: string }>('SELECT stand FROM trajectstand WHERE trajectId = ?', a);
    const weken = JSON.parse(stand!.stand).aanwezigheid['roc-van-twente'].weken;
    expect(weken).toHaveLength(1);
    expect(weken[0].activiteiten['formele-taalles'].ongeoorloofdAfwezig).toBe(0);
    // And once more: nothing changes.
    const vierde = await csv('roc-van-twente', gecorrigeerd);
    expect(vierde.body.rijen.map((r: { status: string }) => r.status)).toEqual(['ongewijzigd', 'ongewijzigd', 'ongewijzigd']);
    expect(await t.rows('SELECT berichtId FROM berichten WHERE trajectId = ?', a)).toHaveLength(2);
  });

  it('CSV: Latin-1, a missing column, a missing period and an unclosed quote refuse the whole file clearly; nothing stored', async () => {
    const a = await t.openTraject();
    const latin1 = Buffer.from(`trajectId;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status\n${a};2026-11-02;formele-taalles;180;180;aanwezig\n"caf\xe9"`, 'latin1');
    const r1 = await csv('roc-van-twente', latin1);
    expect(r1.status).toBe(400);
    expect(r1.body.detail).toContain('geen UTF-8');
    const r2 = await csv('roc-van-twente', `trajectId;datum;activiteit;status\n${a};2026-11-02;formele-taalles;aanwezig`);
    expect(r2.status).toBe(400);
    expect(r2.body.detail).toContain('geplandeMinuten ontbreekt');
    expect((await csv('roc-van-twente', `trajectId;datum\n${a};x`, '')).status).toBe(400);
    const r4 = await csv('roc-van-twente', `trajectId;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status\n${a};"2026-11-02;formele-taalles;180;180;aanwezig`);
    expect(r4.status).toBe(400);
    // 50,000 rows: refused clearly as a whole (split the file), nothing stored.
    const groot = `trajectId;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status\n${`${a};2026-11-02;formele-taalles;180;180;aanwezig\n`.repeat(50_000)}`;
    const r5 = await csv('roc-van-twente', groot);
    expect(r5.status).toBe(400);
    expect(r5.body.detail).toContain('50000 regels');
    expect(await t.rows('SELECT berichtId FROM berichten WHERE trajectId = ?', a)).toEqual([]);
  });
});
