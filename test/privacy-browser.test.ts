/// <reference lib="dom" />
/**
 * End to end in a real browser: Debian's Chromium (`/usr/bin/chromium`, installed by `.ci/run`)
 * driven by playwright-core against a real gateway with the real embedded provider. An officer logs
 * in as fg-hengelo through the provider's login page, searches a trajectory, opens a record and
 * downloads both exports; the same works with the keyboard only and with JavaScript disabled; and
 * every page passes a small built-in accessibility check (lang, one h1, labelled fields, table
 * captions and header scopes, named links and buttons, WCAG AA text contrast, visible focus).
 *
 * Set DOELPOORT_SCREENSHOTS=<folder> to save a PNG of every page visited (not kept in git).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, envelop } from './support/gateway.js';
import { DEMO_PASSWORD, seedScenario, startPrivacyGateway, type PrivacyFixture } from './support/privacy.js';
import { axeViolations, CHROMIUM, CHROMIUM_ARGS, requireChromium } from './support/browser.js';

const SCREENSHOTS = process.env.DOELPOORT_SCREENSHOTS;

let f: PrivacyFixture;
let trajectId: string;
let base: string;

interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh Chromium with its own new user-data-dir (playwright passes it as --user-data-dir). */
async function launch(javaScriptEnabled: boolean): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doelpoort-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, javaScriptEnabled, acceptDownloads: true, locale: 'nl-NL',
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

let shot = 0;
async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Accessibility problems on the current page (empty when fine). Runs in the page. */
async function a11yProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      const st = getComputedStyle(el);
      return r.width > 1 && r.height > 1 && st.visibility !== 'hidden' && st.display !== 'none';
    };
    if (document.documentElement.lang !== 'nl') problems.push(`lang="${document.documentElement.lang}"`);
    if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} h1 elements`);
    const skip = document.querySelector('a.skiplink');
    if (!skip || !document.querySelector(skip.getAttribute('href') ?? '#-')) problems.push('no working skip link');
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input:not([type=hidden]), select, textarea')) {
      if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) problems.push(`unlabelled field ${el.name}`);
    }
    for (const t of document.querySelectorAll('table')) if (!t.querySelector('caption')) problems.push('table without caption');
    for (const th of document.querySelectorAll('th')) if (!th.getAttribute('scope')) problems.push(`th without scope: ${th.textContent}`);
    for (const el of document.querySelectorAll('a[href], button')) {
      if (!(el.textContent ?? '').trim() && !el.getAttribute('aria-label')) problems.push(`unnamed ${el.tagName}`);
    }
    // Text contrast (WCAG 1.4.3): every element with its own visible text, against its effective background.
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length === 3 || c[3]! > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    for (const el of document.body.querySelectorAll('*')) {
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim());
      if (!ownText || !visible(el)) continue;
      const st = getComputedStyle(el);
      const l1 = lum(rgb(st.color));
      const l2 = lum(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for "${(el.textContent ?? '').trim().slice(0, 40)}"`);
    }
    return problems;
  });
}

async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await a11yProblems(page), `${name}: ${page.url()}`).toEqual([]);
}

/** The focused element: tag, id, text, and whether its focus ring is visible. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const st = el ? getComputedStyle(el) : null;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      text: (el?.textContent ?? '').trim(),
      ring: Boolean(st && st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2),
    };
  });
}

async function tabUntil(page: Page, match: (el: Awaited<ReturnType<typeof focused>>) => boolean, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await focused(page);
    if (match(el)) return el;
  }
  throw new Error('focus never reached the element');
}

async function login(page: Page, user: string, check = false): Promise<void> {
  await page.goto(`${base}/privacy`);
  if (check) await checkPage(page, 'start');
  await page.getByRole('link', { name: 'Inloggen' }).click();
  await expect.poll(() => page.url()).toContain('/oidc/interactie/');
  if (check) await checkPage(page, 'provider-login');
  await page.getByLabel('Gebruikersnaam').fill(user);
  await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(/\/privacy\/logboek$/);
}

function expectedIds(): number[] {
  return f.t.query<{ id: number }>("SELECT id FROM logboek WHERE trajectIds LIKE ? AND actie NOT LIKE 'logboek%' ORDER BY id DESC", `%${trajectId}%`).map((r) => r.id);
}

async function resultIds(page: Page): Promise<number[]> {
  return (await page.locator('tbody tr th[scope=row]').allTextContents()).map((s) => Number(s.trim()));
}

beforeAll(async () => {
  requireChromium();
  f = await startPrivacyGateway();
  base = f.t.gw.url;
  ({ trajectId } = await seedScenario(f.t));
});
afterAll(() => f?.close());

describe('the privacy pages in Chromium', () => {
  it('fg-hengelo logs in, searches a trajectory, opens a record and downloads both exports', async () => {
    const b = await launch(true);
    try {
      const { page } = b;
      await login(page, 'fg-hengelo', true);
      await expect.poll(() => page.getByText('Ingelogd als').textContent()).toContain('Gemeente Hengelo');
      await checkPage(page, 'logboek');

      // Search one trajectory.
      await page.getByLabel('Traject-id').fill(trajectId);
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForURL(/trajectId=/);
      const ids = await resultIds(page);
      expect(ids.filter((id) => expectedIds().includes(id))).toEqual(expectedIds());
      for (const cell of await page.locator('tbody tr td:nth-child(5)').allTextContents()) expect(cell).toContain(trajectId);
      await checkPage(page, 'zoekresultaat');

      // Open the record of the publish, and see its chain position.
      const [pub] = f.t.query<{ id: number; hash: string; vorigeHash: string }>("SELECT id, hash, vorigeHash FROM logboek WHERE actie = 'bericht-publiceren' AND trajectIds LIKE ?", `%${trajectId}%`);
      await page.getByRole('link', { name: `Logboekregel ${pub!.id} bekijken` }).click();
      await page.waitForURL(new RegExp(`/privacy/logboek/${pub!.id}$`));
      await expect.poll(() => page.locator('h1').textContent()).toBe(`Logboekregel ${pub!.id}`);
      const text = await page.locator('main').innerText();
      expect(text).toContain('Plaats in de keten');
      expect(text).toContain(pub!.hash);
      expect(text).toContain(pub!.vorigeHash);
      expect(text).toContain('Bericht aanleveren');
      // Issue 13: the processing activity by its name in the register, the data categories by theirs, start and end.
      expect(text).toContain('Begeleiding van het inburgeringstraject');
      expect(text).toMatch(/Gegevenscategorieën\s+Didactische toelichting, Examenresultaten, Taalniveau en leerroute/);
      expect(text).toContain('Begonnen');
      await checkPage(page, 'record');

      // Back to the results, and download the exports.
      await page.goBack();
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporteer als CSV' }).click()]);
      expect(csv.suggestedFilename()).toMatch(/^logboek-[\w.-]+\.csv$/);
      const csvText = fs.readFileSync((await csv.path())!, 'utf8');
      const lines = csvText.trim().split(/\r?\n/);
      expect(lines.length).toBeGreaterThanOrEqual(expectedIds().length + 1); // a header and a line per record of the trajectory
      expect(csvText).toContain(pub!.hash);
      for (const line of lines.slice(1)) expect(line).toContain(trajectId);

      const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporteer als JSON Lines' }).click()]);
      expect(jsonl.suggestedFilename()).toMatch(/^logboek-[\w.-]+\.jsonl$/);
      // The JSONL export is verifiable: a header line, the records in chain order (oldest first),
      // then the checkpoints, the keys and a signed closing line (see src/audit/export.ts).
      const jsonlLines = fs.readFileSync((await jsonl.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type?: string; id: number; trajectIds: string[] });
      expect(jsonlLines[0]!.type).toBe('doelpoort-logboek-export');
      expect(jsonlLines.at(-1)!.type).toBe('einde');
      const records = jsonlLines.filter((l) => l.type === undefined);
      expect(records.map((r) => r.id).filter((id) => expectedIds().includes(id))).toEqual([...expectedIds()].sort((a, b) => a - b));
      for (const r of records) expect(r.trajectIds).toContain(trajectId);

      // The LDV export of the same selection: one ProcessingActivity per data subject per record, all about this trajectory.
      const [ldv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporteer als Logboek Dataverwerkingen (LDV)' }).click()]);
      expect(ldv.suggestedFilename()).toMatch(/^logboek-[\w.-]+\.ldv\.ndjson$/);
      const ldvLines = fs.readFileSync((await ldv.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { attributes: Record<string, unknown> });
      expect(ldvLines.map((l) => l.attributes['dpl.doelpoort.logboek_id'])).toEqual(expect.arrayContaining(expectedIds()));
      for (const l of ldvLines) expect(l.attributes['dpl.core.data_subject_id']).toBe(trajectId);

      // "Who read this category": the accessible filter, with its hint, in the same form.
      const categorie = page.getByLabel('Gegevenscategorie');
      expect(await categorie.getAttribute('aria-describedby')).toBe('f-gegevenscategorie-hint');
      await categorie.selectOption({ label: 'Taalniveau en leerroute' });
      await page.getByLabel('Besluit').selectOption('toegestaan');
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForURL(/gegevenscategorie=taalniveau/);
      const metCategorie = f.t.query<{ id: number }>("SELECT x.auditId AS id FROM logboek_categorie x JOIN logboek l ON l.id = x.auditId WHERE x.partij = 'gemeente-hengelo' AND x.categorie = 'taalniveau' AND l.besluit = 'toegestaan' AND l.trajectIds LIKE ? ORDER BY x.auditId DESC", `%${trajectId}%`).map((r) => r.id);
      expect(metCategorie.length).toBeGreaterThanOrEqual(2); // the publication and the gemeente's read
      expect(await resultIds(page)).toEqual(metCategorie);
      expect(await page.locator('tbody').innerText()).toContain('Berichten lezen');
      await checkPage(page, 'zoeken-op-gegevenscategorie');
      await page.goBack();

      // The other pages, for the accessibility check and the screenshots.
      await page.getByRole('link', { name: 'Verificatie' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Verificatie van het logboek');
      await checkPage(page, 'verificatie');
      await page.goto(`${base}/privacy/inzage?trajectId=${trajectId}`);
      expect(await page.locator('article.brief h2').textContent()).toContain('welke gegevens over u zijn gedeeld');
      await checkPage(page, 'inzage');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('nav.menu').isVisible()).toBe(false); // the printed letter has no menu, forms or officer's header
      expect(await page.locator('form').first().isVisible()).toBe(false);
      expect(await page.locator('header.kop').isVisible()).toBe(false);
      expect(await page.locator('article.brief').isVisible()).toBe(true);
      await screenshot(page, 'inzage-print');
      await page.emulateMedia({ media: 'screen' });
      await page.getByRole('link', { name: 'Weekoverzicht' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Weekoverzicht');
      expect(await page.locator('tr.opvallend').count()).toBeGreaterThan(0); // the refused read stands out
      await checkPage(page, 'overzicht');
    } finally {
      await b.close();
    }
  }, 90_000);

  it('the inzage report is a letter a participant can read: on screen, with axe-core, printed to PDF', async () => {
    // More history: Werkshop reports a placement, the gemeente reads the trajectory twice (identical disclosures).
    const werkshop = await f.t.token('werkshop');
    const g = await f.t.token('gemeente-hengelo');
    expect((await f.t.api().post('/v1/berichten').set(...bearer(werkshop)).send(envelop('plaatsing', trajectId))).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await f.t.api().get(`/v1/berichten?doel=trajectbegeleiding&trajectId=${trajectId}`).set(...bearer(g))).status).toBe(200);

    const b = await launch(true);
    try {
      const page = b.page;
      await login(page, 'fg-hengelo');
      await page.goto(`${base}/privacy/inzage?trajectId=${trajectId}`);
      const brief = page.locator('article.brief');
      const text = (await brief.innerText()).replace(/\s+/g, ' ');
      // Sender and contact, greeting, the basis in words, the categories (not the message type), time, counts, origin, retention, rights.
      expect(text).toContain('Gemeente Hengelo');
      expect(text).toContain('inburgering@hengelo.example');
      expect(text).toContain('Beste deelnemer');
      expect(text).toContain('voor een wettelijke taak van Gemeente Hengelo (Wet inburgering 2021)');
      expect(text).toContain('Taalniveau en leerroute');
      expect(text).toMatch(/2 keer, van \d{1,2} \w+ \d{4} om \d{2}:\d{2} tot/);
      expect(text).toContain('Gemeente Hengelo kreeg gegevens van ROC van Twente');
      expect(text).toContain('Gemeente Hengelo kreeg gegevens van Werkshop');
      expect(text).toContain('bijzonder persoonsgegeven');
      expect(text).toMatch(/\d+ jaar, daarna worden ze verwijderd/);
      expect(text).toContain('Autoriteit Persoonsgegevens');
      expect(text).toContain('Met vriendelijke groet');
      for (const code of ['trajectbegeleiding', 'gemeente-hengelo', 'fg-hengelo', 'doelpoort-privacy']) expect(text).not.toContain(code);
      expect(await axeViolations(page)).toEqual([]);
      await checkPage(page, 'inzage-brief');

      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.kop').isVisible()).toBe(false);
      expect(await page.locator('main > h1').isVisible()).toBe(false);
      expect(await page.locator('form').first().isVisible()).toBe(false);
      expect(await brief.isVisible()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      const pdf = await page.pdf({ format: 'A4', printBackground: false });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(5_000);
      if (SCREENSHOTS) fs.writeFileSync(path.join(SCREENSHOTS, 'inzage-brief.pdf'), pdf);
    } finally {
      await b.close();
    }
  }, 90_000);

  it('long ids never wrap over three lines, also on a narrow screen', async () => {
    const b = await launch(true);
    try {
      const page = b.page;
      await login(page, 'fg-hengelo');
      /** The most lines any id or hash on the page takes. */
      const maxLines = () => page.evaluate(() => Math.max(0, ...[...document.querySelectorAll('main .mono')].map((el) => {
        const lh = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.2;
        return Math.round(el.getBoundingClientRect().height / lh);
      })));
      const [rec] = f.t.query<{ id: number }>("SELECT id FROM logboek WHERE trajectIds LIKE ? ORDER BY id LIMIT 1", `%${trajectId}%`);
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${base}/privacy/logboek?trajectId=${trajectId}`);
        expect(await page.locator('tbody .mono.id').count()).toBeGreaterThan(0);
        expect(await maxLines(), `search at ${width}px`).toBe(1);
        await page.goto(`${base}/privacy/logboek/${rec!.id}`);
        expect(await maxLines(), `record at ${width}px`).toBeLessThanOrEqual(2);
      }
    } finally {
      await b.close();
    }
  }, 90_000);

  it('works with the keyboard only: skip link, tab to the field, type, tab to Zoeken, Enter; focus is always visible', async () => {
    const b = await launch(true);
    try {
      const { page } = b;
      await login(page, 'fg-hengelo');
      await page.goto(`${base}/privacy/logboek`);
      await page.keyboard.press('Tab');
      const skip = await focused(page);
      expect(skip.text).toBe('Direct naar de inhoud');
      expect(skip.ring).toBe(true);
      await page.keyboard.press('Enter');
      expect((await focused(page)).id).toBe('inhoud');

      const field = await tabUntil(page, (el) => el.id === 'f-trajectId');
      expect(field.ring).toBe(true);
      await page.keyboard.type(trajectId);
      const button = await tabUntil(page, (el) => el.tag === 'button' && el.text === 'Zoeken');
      expect(button.ring).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(/trajectId=/);
      expect(await resultIds(page)).toEqual(expect.arrayContaining(expectedIds()));

      const link = await tabUntil(page, (el) => el.tag === 'a' && /^\d+$/.test(el.text));
      expect(link.ring).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`/privacy/logboek/${link.text}$`));
      await checkPage(page, 'record-via-toetsenbord');
    } finally {
      await b.close();
    }
  }, 90_000);

  it('works without JavaScript: login, search, record, export and logout at the provider', async () => {
    const b = await launch(false);
    try {
      const { page } = b;
      await login(page, 'fg-hengelo');
      await page.getByLabel('Traject-id').fill(trajectId);
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForURL(/trajectId=/);
      const ids = await resultIds(page);
      expect(ids).toEqual(expect.arrayContaining(expectedIds()));
      await page.getByRole('link', { name: `Logboekregel ${ids[0]} bekijken` }).click();
      await page.waitForURL(new RegExp(`/privacy/logboek/${ids[0]}$`));
      expect(await page.locator('main').innerText()).toContain('Plaats in de keten');
      await page.goBack();
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporteer als CSV' }).click()]);
      expect(fs.readFileSync((await csv.path())!, 'utf8')).toContain(trajectId);

      await page.getByRole('button', { name: 'Uitloggen' }).click();
      await expect.poll(() => page.url()).toContain('/oidc/session/end');
      await checkPage(page, 'provider-uitloggen');
      await page.getByRole('button', { name: 'Ja, uitloggen' }).click();
      await page.waitForURL(/\/privacy\?state=uitgelogd$/);
      expect(await page.getByRole('status').textContent()).toContain('U bent uitgelogd');
      // Logged out at the provider too: the next page asks for the password again.
      await page.goto(`${base}/privacy/logboek`);
      await expect.poll(() => page.url()).toContain('/oidc/interactie/');
      expect(await page.getByLabel('Wachtwoord').isVisible()).toBe(true);
    } finally {
      await b.close();
    }
  }, 90_000);

  it('a wrong password keeps the officer on the login page with the error announced', async () => {
    const b = await launch(false);
    try {
      const { page } = b;
      await page.goto(`${base}/privacy/inloggen`);
      await page.getByLabel('Gebruikersnaam').fill('fg-hengelo');
      await page.getByLabel('Wachtwoord').fill('niet-het-wachtwoord');
      await page.getByRole('button', { name: 'Inloggen' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('Inloggen is niet gelukt');
      expect(page.url()).toContain('/oidc/interactie/');
      await checkPage(page, 'provider-login-fout');
    } finally {
      await b.close();
    }
  }, 60_000);
});
