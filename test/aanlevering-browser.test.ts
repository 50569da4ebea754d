/// <reference lib="dom" />
/**
 * User story (issue 11): "the coordinator uploads a week", in a real browser (Debian's Chromium driven
 * by playwright-core; the pages carry no script): co-roc logs in through the embedded provider, sets a
 * kenmerk, downloads the template, uploads a file with one bad row, sees the error in plain Dutch before
 * anything is stored, fixes it, uploads again, confirms and sees the per-row receipts. Every page passes
 * axe-core (WCAG 2.1 A/AA). The employee is in the user audit trail, not in the logboek.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PASSWORD } from '../src/config.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { axeViolations, CHROMIUM, CHROMIUM_ARGS, requireChromium } from './support/browser.js';

let t: TestGateway;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
let tmp: string;

beforeAll(async () => {
  requireChromium();
  t = await startTestGateway({ overrides: { signaalPlannerSeconden: 0 } });
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-chromium-'));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-upload-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, locale: 'nl-NL', acceptDownloads: true });
  page = context.pages()[0] ?? (await context.newPage());
});
afterAll(async () => {
  await context?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  await t?.close();
});

describe('the coordinator\'s upload page in Chromium', () => {
  it('log in, set a kenmerk, template, upload with one bad row, see the error, fix, upload again, confirm, see receipts; axe on every page', async () => {
    const base = t.gw.url;
    const trajectId = await t.openTraject();
    await page.goto(`${base}/aanlevering/`);
    expect(await axeViolations(page, ['/aanlevering'])).toEqual([]);
    await page.getByRole('link', { name: 'Inloggen' }).click();
    await expect.poll(() => page.url()).toContain('/oidc/interactie/');
    await page.getByLabel('Gebruikersnaam').fill('co-roc');
    await page.getByLabel('Wachtwoord').fill(DEFAULT_DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.waitForURL(/\/aanlevering\/$/);
    expect(await page.locator('h1').textContent()).toBe('Overzicht');
    expect(await axeViolations(page, ['/aanlevering'])).toEqual([]);

    // Set the kenmerk of the new trajectory.
    await page.getByLabel(`Kenmerk voor traject ${trajectId}`).fill('LLN-4711');
    await page.locator(`form:has(input[value="${trajectId}"]) button`).click();
    await page.waitForURL(/\/aanlevering\/$/);
    expect(await page.getByLabel(`Kenmerk voor traject ${trajectId}`).inputValue()).toBe('LLN-4711');

    // The template downloads.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download het CSV-sjabloon' }).click()]);
    const sjabloon = fs.readFileSync((await download.path())!, 'utf8');
    expect(sjabloon).toContain('kenmerk;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status');

    // A file with one bad row (a formula cell).
    const fout = path.join(tmp, 'week-fout.csv');
    fs.writeFileSync(fout, 'kenmerk;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status\nLLN-4711;2026-11-02;formele-taalles;180;180;aanwezig\nLLN-4711;2026-11-03;formele-taalles;180;=SOM(A1);aanwezig\n');
    await page.getByLabel('Eerste dag van de periode').fill('2026-11-02');
    await page.getByLabel('Laatste dag van de periode').fill('2026-11-08');
    await page.getByLabel('CSV-bestand').setInputFiles(fout);
    await page.getByRole('button', { name: 'Controleren' }).click();
    await page.waitForURL(/\/aanlevering\/voorbeeld$/);
    expect(await page.locator('h1').textContent()).toBe('Controle van het bestand');
    const tekst = await page.locator('main').textContent();
    expect(tekst).toContain('1 regel met een fout');
    expect(tekst).toContain('Kolom aanwezigeMinuten: begint met =');
    expect(await axeViolations(page, ['/aanlevering'])).toEqual([]);
    // Nothing stored by the preview.
    expect(await t.rows('SELECT berichtId FROM berichten WHERE trajectId = ?', trajectId)).toEqual([]);

    // Fixed, uploaded again, confirmed.
    const goed = path.join(tmp, 'week-goed.csv');
    fs.writeFileSync(goed, 'kenmerk;datum;activiteit;geplandeMinuten;aanwezigeMinuten;status\nLLN-4711;2026-11-02;formele-taalles;180;180;aanwezig\nLLN-4711;2026-11-03;formele-taalles;180;0;ziek\n');
    await page.goto(`${base}/aanlevering/`);
    await page.getByLabel('Eerste dag van de periode').fill('2026-11-02');
    await page.getByLabel('Laatste dag van de periode').fill('2026-11-08');
    await page.getByLabel('CSV-bestand').setInputFiles(goed);
    await page.getByRole('button', { name: 'Controleren' }).click();
    await page.waitForURL(/\/aanlevering\/voorbeeld$/);
    expect(await page.locator('main').textContent()).toContain('geen fouten');
    await page.getByRole('button', { name: 'Bevestigen en opslaan' }).click();
    await page.waitForURL(/\/aanlevering\/opslaan$/);
    expect(await page.locator('h1').textContent()).toBe('Ontvangstbewijs');
    expect(await page.locator('main').textContent()).toContain('2 regels opgeslagen');
    expect(await axeViolations(page, ['/aanlevering'])).toEqual([]);
    const rows = await t.rows<{ berichtId: string; afzender: string }>('SELECT berichtId, afzender FROM berichten WHERE trajectId = ?', trajectId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.afzender).toBe('roc-van-twente');
    expect(await page.locator('main').textContent()).toContain(rows[0]!.berichtId);

    // The logboek has the provider, never the employee or the kenmerk; the user audit trail has the employee.
    expect(await t.rows("SELECT id FROM logboek WHERE reden LIKE '%LLN-4711%' OR reden LIKE '%co-roc%'")).toEqual([]);
    const spoor = await t.rows<{ medewerker: string; partij: string }>("SELECT medewerker, partij FROM gebruikersspoor WHERE medewerker = 'co-roc'");
    expect(spoor.length).toBeGreaterThanOrEqual(4);
    expect(new Set(spoor.map((r) => r.partij))).toEqual(new Set(['roc-van-twente']));
  }, 120_000);
});
