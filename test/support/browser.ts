/**
 * The real browser of the page tests: Debian's chromium driven by playwright-core, and axe-core's WCAG
 * 2.x A/AA rules run on a page. One place for the binary, its flags and the check.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Fail early with what to do when the browser is not installed (.ci/run installs it). */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.x A/AA rules on the current page: the violations, as "rule: selector" lines. Pages
 * under one of `zonderScripts` (path prefixes) must also carry no script at all.
 */
export async function axeViolations(page: Page, zonderScripts: readonly string[] = []): Promise<string[]> {
  const pad = new URL(page.url()).pathname;
  if (zonderScripts.some((p) => pad.startsWith(p))) expect(await page.locator('script').count()).toBe(0);
  await page.evaluate(AXE_SOURCE); // through the DevTools protocol: the pages' CSP (no scripts) does not apply
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
