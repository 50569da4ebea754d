/// <reference lib="dom" />
/**
 * User story: "the klantmanager's Monday morning", in a real browser (Debian's Chromium driven by
 * playwright-core; the pages carry no script): km-hengelo logs in through the embedded provider, sees a
 * `verzuim` signal appear after a provider publishes a week with 3 unexcused lessons, opens the
 * trajectory, sees the week, and closes the signal with a coded outcome. Every page passes axe-core
 * (WCAG 2.1 A/AA). Each page is in the logboek as a read of the gemeente, without the employee; the
 * employee is in the user audit trail under the same trace id.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PASSWORD } from '../src/config.js';
import { bearer, envelop, startTestGateway, type TestGateway } from './support/gateway.js';
import { weekMetLessen } from './support/signaalberichten.js';
import { axeViolations, CHROMIUM, CHROMIUM_ARGS, requireChromium } from './support/browser.js';

let t: TestGateway;
let context: BrowserContext;
let page: Page;
let userDataDir: string;

beforeAll(async () => {
  requireChromium();
  t = await startTestGateway({ overrides: { signaalPlannerSeconden: 0 } });
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-chromium-'));
  // The pages carry no script at all (checked on every page below; their CSP allows none), so they work
  // without JavaScript; the browser keeps it on only for axe, which runs through the DevTools protocol.
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, locale: 'nl-NL' });
  page = context.pages()[0] ?? (await context.newPage());
});
afterAll(async () => {
  await context?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await t?.close();
});

describe('the klantmanager\'s pages in Chromium', () => {
  it('log in, see verzuim appear after a provider publishes, open the trajectory, close the signal; axe on every page; logboek as the gemeente', async () => {
    const base = t.gw.url;
    const trajectId = await t.openTraject();
    await page.goto(`${base}/werk`);
    expect(await axeViolations(page, ['/werk'])).toEqual([]);
    await page.getByRole('link', { name: 'Inloggen' }).click();
    await expect.poll(() => page.url()).toContain('/oidc/interactie/');
    expect(await axeViolations(page, ['/werk'])).toEqual([]);
    await page.getByLabel('Gebruikersnaam').fill('km-hengelo');
    await page.getByLabel('Wachtwoord').fill(DEFAULT_DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.waitForURL(/\/werk\/signalen$/);
    expect(await page.locator('h1').textContent()).toBe('Werklijst');
    expect(await page.locator(`a[href$="/werk/trajecten/${trajectId}"]`).count()).toBe(0);
    expect(await axeViolations(page, ['/werk'])).toEqual([]);

    // The provider publishes a week with 3 unexcused lessons.
    const week = weekMetLessen({ berichtId: crypto.randomUUID(), van: '2026-11-02' }, [
      { status: 'ongeoorloofd-afwezig' }, { status: 'aanwezig' }, { status: 'ongeoorloofd-afwezig' }, { status: 'ongeoorloofd-afwezig' },
    ]).inhoud;
    expect((await t.api().post('/v1/berichten').set(...bearer(await t.token('roc-van-twente'))).send(envelop('aanwezigheid', trajectId, week))).status).toBe(201);

    await page.goto(`${base}/werk/signalen?soort=verzuim`);
    const link = page.locator(`a[href$="/werk/trajecten/${trajectId}"]`);
    expect(await link.count()).toBe(1);
    expect(await page.locator('tbody tr', { has: link }).locator('th').textContent()).toBe('Ongeoorloofd verzuim');
    expect(await axeViolations(page, ['/werk'])).toEqual([]);

    await link.click();
    await page.waitForURL(new RegExp(`/werk/trajecten/${trajectId}$`));
    expect(await page.locator('h1').textContent()).toBe('Stand van het traject');
    const rij = page.locator('table', { hasText: 'Aanwezigheid bij roc-van-twente' }).locator('tbody tr');
    expect(await rij.count()).toBe(1);
    expect(await rij.locator('td').last().textContent()).toBe('3'); // unexcused lessons
    expect(await axeViolations(page, ['/werk'])).toEqual([]);

    await page.getByLabel('Uitkomst').selectOption('gesprek-gevoerd');
    await page.getByRole('button', { name: 'Afhandelen' }).click();
    await page.waitForURL(new RegExp(`/werk/trajecten/${trajectId}$`));
    expect(await page.getByText('Geen open signalen.').count()).toBe(1);
    expect(await axeViolations(page, ['/werk'])).toEqual([]);

    // The logboek: reads and the close as the gemeente, for trajectbegeleiding, naming no employee.
    const records = await t.rows<{ traceId: string; actie: string; partij: string; client: string; doel: string; besluit: string }>(
      "SELECT traceId, actie, partij, client, doel, besluit FROM logboek WHERE client = 'doelpoort-werk' ORDER BY id");
    expect(records.map((r) => r.actie)).toEqual(['signalen-lezen', 'signalen-lezen', 'stand-lezen', 'signaal-afhandelen', 'stand-lezen']);
    expect(records.every((r) => r.partij === 'gemeente-hengelo' && r.doel === 'trajectbegeleiding' && r.besluit === 'toegestaan')).toBe(true);
    expect(await t.rows("SELECT id FROM logboek WHERE reden LIKE '%km-hengelo%' OR client LIKE '%km-hengelo%'")).toEqual([]);
    // The user audit trail: the employee, linked by the trace id.
    // The gemeente's privacy officer finds the employee by the record's trace id; another party's officer does not.
    const fg = await t.token('fg-hengelo');
    for (const r of records) {
      const spoor = await t.api().get(`/v1/gebruikersspoor?traceId=${r.traceId}`).set(...bearer(fg));
      expect(spoor.status).toBe(200);
      expect(spoor.body.resultaten.map((x: { medewerker: string; actie: string }) => [x.medewerker, x.actie])).toEqual([['km-hengelo', r.actie]]);
    }
    const ander = await t.api().get(`/v1/gebruikersspoor?traceId=${records[0]!.traceId}`).set(...bearer(await t.token('fg-roc')));
    expect(ander.body.resultaten).toEqual([]);
    expect((await t.api().get(`/v1/gebruikersspoor?traceId=${records[0]!.traceId}`).set(...bearer(await t.token('gemeente-hengelo')))).status).toBe(403);
    const signaal = await t.rows<{ status: string; uitkomst: string }>('SELECT status, uitkomst FROM signalen WHERE trajectId = ?', trajectId);
    expect(signaal).toEqual([{ status: 'afgehandeld', uitkomst: 'gesprek-gevoerd' }]);
  });

  it('another gemeente\'s or an unknown trajectory is not shown; a POST without the CSRF token changes nothing', async () => {
    const base = t.gw.url;
    await page.goto(`${base}/werk/trajecten/${crypto.randomUUID()}`);
    expect(await page.locator('h1').textContent()).toBe('Niet gevonden');
    const res = await page.request.post(`${base}/werk/signalen/${crypto.randomUUID()}/afhandeling`, { form: { uitkomst: 'gesprek-gevoerd' } });
    expect(res.status()).toBe(403);
  });

  it('logging out ends the session: the worklist asks for a login again', async () => {
    const base = t.gw.url;
    await page.goto(`${base}/werk/signalen`);
    expect(await page.locator('h1').textContent()).toBe('Werklijst');
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await page.waitForURL(new RegExp(`${base}/werk$`));
    expect(await page.getByRole('button', { name: 'Uitloggen' }).count()).toBe(0);
    // The page session is gone: the worklist starts a new login at the provider (which may sign the
    // employee in again from its own session: the provider's single sign-on, not the page's session).
    const again = await page.request.get(`${base}/werk/signalen`, { maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(again.headers().location).toContain('/oidc/auth');
  });
});
