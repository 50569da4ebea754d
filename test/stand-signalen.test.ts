/**
 * User story: "a provider publishes a week with unexcused absence and the gemeente's state and
 * worklist follow at once" — the state and the signals are derived in the publish transaction, on
 * both adapters, one open signal per kind and provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop, startTestGateway, VOORBEELDEN, type Adapter, type TestGateway } from './support/gateway.js';

describe.each<Adapter>(['sqlite', 'postgres'])('state and signals in the publish transaction (%s)', (adapter) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ adapter });
  });
  afterAll(async () => t?.close());

  const week = (van: string, ongeoorloofd: number) => ({
    periode: { van, tot: new Date(Date.parse(`${van}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10) },
    totalen: [{ activiteit: 'formele-taalles', minuten: { ...VOORBEELDEN.aanwezigheid.totalen[0].minuten, aanwezig: 540 - ongeoorloofd, ongeoorloofdAfwezig: ongeoorloofd } }],
  });

  it('a week with unexcused absence opens verzuim; a second one updates it; the state holds both weeks', async () => {
    const trajectId = await t.openTraject();
    const roc = await t.token('roc-van-twente');
    const eerste = envelop('aanwezigheid', trajectId, week('2026-11-02', 180));
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(eerste)).status).toBe(201);
    let signalen = await t.rows<{ soort: string; aanbieder: string; status: string; berichtIds: string }>('SELECT soort, aanbieder, status, berichtIds FROM signalen WHERE trajectId = ?', trajectId);
    expect(signalen).toEqual([{ soort: 'verzuim', aanbieder: 'roc-van-twente', status: 'open', berichtIds: JSON.stringify([eerste.berichtId]) }]);

    const tweede = envelop('aanwezigheid', trajectId, week('2026-11-09', 200));
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(tweede)).status).toBe(201);
    signalen = await t.rows('SELECT soort, aanbieder, status, berichtIds FROM signalen WHERE trajectId = ?', trajectId);
    expect(signalen).toEqual([{ soort: 'verzuim', aanbieder: 'roc-van-twente', status: 'open', berichtIds: JSON.stringify([eerste.berichtId, tweede.berichtId]) }]);

    const [rij] = await t.rows<{ stand: string; versie: number }>('SELECT stand, versie FROM trajectstand WHERE trajectId = ?', trajectId);
    const stand = JSON.parse(rij!.stand);
    expect(stand.aanwezigheid['roc-van-twente'].weken.map((w: { van: string }) => w.van)).toEqual(['2026-11-02', '2026-11-09']);
    expect(stand.aanwezigheid['roc-van-twente'].laatsteWeken.ongeoorloofdAfwezig).toBe(380);
  });

  it('a clean week changes the state but opens no signal; a refused message changes nothing', async () => {
    const trajectId = await t.openTraject();
    const roc = await t.token('roc-van-twente');
    expect((await t.api().post('/v1/berichten').set(...bearer(roc)).send(envelop('aanwezigheid', trajectId, week('2026-11-02', 0)))).status).toBe(201);
    expect(await t.rows('SELECT signaalId FROM signalen WHERE trajectId = ?', trajectId)).toEqual([]);
    expect(await t.rows('SELECT trajectId FROM trajectstand WHERE trajectId = ?', trajectId)).toHaveLength(1);
    // taalschool-oost is not assigned: refused, and no state or signal appears.
    const ander = await t.openTraject();
    const res = await t.api().post('/v1/berichten').set(...bearer(await t.token('taalschool-oost'))).send(envelop('aanwezigheid', ander, week('2026-11-02', 180)));
    expect(res.status).toBe(403);
    expect(await t.rows('SELECT trajectId FROM trajectstand WHERE trajectId = ?', ander)).toEqual([]);
    expect(await t.rows('SELECT signaalId FROM signalen WHERE trajectId = ?', ander)).toEqual([]);
  });

  it('a milestone opens niveau-behaald with its codes only; a placement that ends opens plaatsing-beeindigd', async () => {
    const trajectId = await t.openTraject();
    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(envelop('taalvoortgang', trajectId))).status).toBe(201);
    const ws = await t.token('werkshop');
    expect((await t.api().post('/v1/berichten').set(...bearer(ws)).send(envelop('plaatsing', trajectId))).status).toBe(201);
    const einde = { ...VOORBEELDEN.plaatsing, status: 'beeindigd', einddatum: '2026-11-30', eindreden: 'afgerond' };
    const res = await t.api().post('/v1/berichten').set(...bearer(ws)).send(envelop('plaatsing', trajectId, einde));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const rows = await t.rows<{ soort: string; codes: string }>('SELECT soort, codes FROM signalen WHERE trajectId = ? ORDER BY volgorde', trajectId);
    expect(rows.map((r) => [r.soort, JSON.parse(r.codes)])).toEqual([
      ['niveau-behaald', { niveau: 'A2', vaardigheden: ['spreken'] }],
      ['plaatsing-beeindigd', { plaatsingId: 'WS-2026-0142', eindreden: 'afgerond' }],
    ]);
  });
});

describe('start-up checks the signal rules like the policies', () => {
  it('a rule that names an unknown doel stops the start, naming signalen.json', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { startGateway } = await import('../src/gateway.js');
    const { projectRoot } = await import('../src/config.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-beleid-'));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-data-'));
    try {
      fs.cpSync(path.join(projectRoot(), 'policies'), dir, { recursive: true });
      const file = path.join(dir, 'signalen.json');
      const regels = JSON.parse(fs.readFileSync(file, 'utf8'));
      regels.regels[0].doel = 'bestaat-niet';
      fs.writeFileSync(file, JSON.stringify(regels));
      await expect(startGateway({ env: {}, overrides: { port: 0, dataDir, logLevel: 'silent', policyDir: dir } })).rejects.toThrow(/signalen\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
