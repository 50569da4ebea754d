/// <reference lib="dom" />
/**
 * User story (issue 13): "the beleidsmedewerker downloads a quarter's figures with no small cells", in
 * a real browser (Debian's Chromium driven by playwright-core; the pages carry no script): bm-hengelo
 * logs in through the embedded provider, lands on the figures of the current quarter, chooses Q4 2026,
 * reads the tables (a suppressed cell is a dot read out as "onderdrukt"), and downloads the CSV. Every
 * page passes axe-core (WCAG 2.1 A/AA). Each view is a logboek record of the gemeente for doel
 * monitoring naming no data subject and no employee; the employee is in the user audit trail under the
 * same trace id. A klantmanager gets no figures page, a beleidsmedewerker no worklist.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PASSWORD } from '../src/config.js';
import { bearer, startTestGateway, type TestGateway } from './support/gateway.js';
import { axeViolations, CHROMIUM, CHROMIUM_ARGS, requireChromium } from './support/browser.js';

let t: TestGateway;
let browser: Browser;
const trajecten: string[] = [];
// The gateway's clock stands in January 2027 (it ticks per call): Q4 2026 is over, Q1 2027 current.
let klok = Date.parse('2027-01-12T09:00:00Z');

async function login(gebruiker: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'nl-NL' })).newPage();
  await page.goto(`${t.gw.url}/werk/inloggen`);
  await page.getByLabel('Gebruikersnaam').fill(gebruiker);
  await page.getByLabel('Wachtwoord').fill(DEFAULT_DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  return page;
}

beforeAll(async () => {
  requireChromium();
  t = await startTestGateway({ now: () => new Date(klok++), overrides: { signaalPlannerSeconden: 0 } });
  const g = await t.token('gemeente-hengelo');
  for (let i = 0; i < 12; i++) {
    const res = await t.api().post('/v1/trajecten').set(...bearer(g)).send({ leerroute: i < 11 ? 'B1' : 'Z', startdatum: '2026-10-05', toewijzingen: [{ partij: 'roc-van-twente', rol: 'taal', vanaf: '2026-10-05' }] });
    trajecten.push(res.body.trajectId);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the beleidsmedewerker\'s figures in Chromium', () => {
  it('log in, choose a quarter, read the tables without small cells, download the CSV; axe on every page; logboek as the gemeente for monitoring', async () => {
    const page = await login('bm-hengelo');
    await page.waitForURL(/\/werk\/monitoring$/);
    expect(await page.locator('h1').textContent()).toBe('Kwartaalcijfers 2027-Q1');
    expect(await axeViolations(page, ['/werk'])).toEqual([]);

    await page.getByLabel('Kwartaal').selectOption('2026-Q4');
    await page.getByRole('button', { name: 'Toon' }).click();
    await page.waitForURL(/\/werk\/monitoring\?kwartaal=2026-Q4$/);
    expect(await page.locator('h1').textContent()).toBe('Kwartaalcijfers 2026-Q4');
    const route = page.locator('table', { has: page.locator('caption', { hasText: 'naar leerroute en status' }) });
    // 12 trajectories: the total shows; B1 (11) and Z (1) are hidden together, so neither can be worked out.
    expect(await route.locator('tfoot td').last().textContent()).toBe('12');
    expect(await route.locator('tbody tr', { hasText: 'Z' }).getByText('onderdrukt').count()).toBeGreaterThan(0);
    const html = await page.content();
    for (const id of trajecten) expect(html).not.toContain(id);
    expect(await axeViolations(page, ['/werk'])).toEqual([]);

    const href = await page.getByRole('link', { name: /Download de cijfers van 2026-Q4/ }).getAttribute('href');
    const csv = await page.request.get(new URL(href!, t.gw.url).href);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    const tekst = await csv.text();
    expect(tekst.split('\r\n')[0]).toBe('kwartaal,gemeente,tabel,titel,eenheid,rijdimensie,rij,kolomdimensie,kolom,waarde,onderdrukt');
    expect(tekst).toContain('2026-Q4,gemeente-hengelo,trajecten-leerroute-status');
    for (const id of trajecten) expect(tekst).not.toContain(id);

    const records = await t.rows<{ traceId: string; actie: string; partij: string; client: string; doel: string; verwerkingsactiviteit: string; trajectIds: string; besluit: string }>(
      "SELECT traceId, actie, partij, client, doel, verwerkingsactiviteit, trajectIds, besluit FROM logboek WHERE client = 'doelpoort-werk' ORDER BY id");
    expect(records.map((r) => r.actie)).toEqual(['monitoring-lezen', 'monitoring-lezen', 'monitoring-exporteren']);
    for (const r of records) {
      expect(r).toMatchObject({ partij: 'gemeente-hengelo', doel: 'monitoring', verwerkingsactiviteit: 'urn:doelpoort:verwerkingsactiviteit:monitoring', trajectIds: '[]', besluit: 'toegestaan' });
      const spoor = await t.api().get(`/v1/gebruikersspoor?traceId=${r.traceId}`).set(...bearer(await t.token('fg-hengelo')));
      expect(spoor.body.resultaten.map((x: { medewerker: string; actie: string }) => [x.medewerker, x.actie])).toEqual([['bm-hengelo', r.actie]]);
    }
    expect(await t.rows("SELECT id FROM logboek WHERE reden LIKE '%bm-hengelo%'")).toEqual([]);

    // A beleidsmedewerker gets no worklist (refused, audited); an unknown quarter is a page, not an error.
    await page.goto(`${t.gw.url}/werk/signalen`);
    expect(await page.locator('h1').textContent()).toBe('Geen toegang');
    expect(await axeViolations(page, ['/werk'])).toEqual([]);
    await page.goto(`${t.gw.url}/werk/monitoring?kwartaal=2026-Q9`);
    expect(await page.locator('h1').textContent()).toBe('Onbekend kwartaal');
    expect((await t.rows<{ regel: string }>("SELECT regel FROM logboek WHERE client = 'doelpoort-werk' AND besluit = 'geweigerd' ORDER BY id")).map((r) => r.regel))
      .toEqual(['werk-taak', 'kwartaal-ongeldig']);
    await page.context().close();
  });

  it('a klantmanager gets no figures page', async () => {
    const page = await login('km-hengelo');
    await page.waitForURL(/\/werk\/signalen$/);
    await page.goto(`${t.gw.url}/werk/monitoring?kwartaal=2026-Q4`);
    expect(await page.locator('h1').textContent()).toBe('Geen toegang');
    expect(await page.getByRole('link', { name: 'Kwartaalcijfers' }).count()).toBe(0);
    await page.context().close();
  });
});
