/**
 * UI: the page frame shared by every privacy page and by the embedded provider's login page —
 * `lang="nl"`, a skip link, a header with the signed-in officer and a POST logout form (with its
 * CSRF token), the main menu with `aria-current`, and one `<h1>` per page. Also the small
 * formatting helpers (Dutch dates and times) the pages share, and the frame of the task pages
 * (`/werk`, `/aanlevering`) with the same landmarks.
 */
import { html, type SafeHtml } from './html.js';

export interface Viewer {
  sub: string;
  naam: string;
  csrf: string;
}

export type MenuItem = 'logboek' | 'verificatie' | 'inzage' | 'overzicht';

const MENU: { id: MenuItem; path: string; label: string }[] = [
  { id: 'logboek', path: '/privacy/logboek', label: 'Logboek doorzoeken' },
  { id: 'verificatie', path: '/privacy/verificatie', label: 'Verificatie' },
  { id: 'inzage', path: '/privacy/inzage', label: 'Inzagerapport' },
  { id: 'overzicht', path: '/privacy/overzicht', label: 'Weekoverzicht' },
];

export interface PageOptions {
  /** Page title and `<h1>`. */
  titel: string;
  /** Path prefix of the public URL ('' when the gateway sits at the root). */
  base: string;
  viewer?: Viewer | null;
  actief?: MenuItem;
  inhoud: SafeHtml;
  /** Shown at the top of print-outs (e.g. the inzage report). */
  printKop?: SafeHtml;
  /** Printed, the page is only a letter (the inzage report): no header, title, menu or footer. */
  afdrukAlsBrief?: boolean;
}

export function page(o: PageOptions): string {
  const b = o.base;
  const viewer = o.viewer
    ? html`<div class="gebruiker">
          <span>Ingelogd als <strong>${o.viewer.naam}</strong> <span class="mono">(${o.viewer.sub})</span></span>
          <form method="post" action="${b}/privacy/uitloggen">
            <input type="hidden" name="csrf" value="${o.viewer.csrf}">
            <button type="submit">Uitloggen</button>
          </form>
        </div>`
    : null;
  const menu = o.viewer
    ? html`<nav class="menu" aria-label="Hoofdmenu"><ul>${MENU.map(
        (m) => html`<li><a href="${b}${m.path}"${o.actief === m.id ? html` aria-current="page"` : null}>${m.label}</a></li>`,
      )}</ul></nav>`
    : null;
  return html`<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.titel} — Doelpoort</title>
<link rel="stylesheet" href="${b}/privacy/stijl.css">
</head>
<body${o.afdrukAlsBrief ? html` class="afdruk-brief"` : null}>
<a class="skiplink" href="#inhoud">Direct naar de inhoud</a>
<header class="kop">
  <div class="wrap">
    <p class="merk"><a href="${b}/privacy">Doelpoort <small>Logboek voor de functionaris gegevensbescherming</small></a></p>
    ${viewer}
  </div>
  ${menu}
</header>
<main id="inhoud" class="wrap" tabindex="-1">
${o.printKop ?? null}
<h1>${o.titel}</h1>
${o.inhoud}
</main>
<footer><div class="wrap">Doelpoort — elke raadpleging van het logboek wordt zelf ook in het logboek vastgelegd.</div></footer>
</body>
</html>
`.value;
}

const tijdFormat = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const datumFormat = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: 'long', day: 'numeric' });

/** An ISO timestamp as Dutch local time in a `<time>` element; anything unparsable is shown as given. */
export function tijd(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`—`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return html`${iso}`;
  return html`<time datetime="${iso}">${tijdFormat.format(d)}</time>`;
}

/** An ISO date or timestamp as a Dutch date ("20 november 2026"). */
export function datum(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`—`;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return html`${iso}`;
  return html`<time datetime="${iso}">${datumFormat.format(d)}</time>`;
}

/** One family of task pages beside the privacy pages (the klantmanager's `/werk`, the coordinator's `/aanlevering`). */
export interface Taakpagina {
  base: string;
  /** The family's path under the base, e.g. `/werk`. */
  pad: string;
  /** Shown in the browser title after "Doelpoort". */
  naam: string;
  /** The subtitle beside the brand. */
  ondertitel: string;
  /** Where the brand links to, under the base. */
  start: string;
  /** The footer's one sentence on what the pages record. */
  voet: string;
  titel: string;
  gebruiker: { naam: string; csrf: string } | null;
  /** Menu entries shown to a signed-in user. */
  menu?: readonly { href: string; label: string }[];
  inhoud: SafeHtml;
}

/** The frame of a task page: the same landmarks, skip link, logout form and single `<h1>` as the privacy pages. */
export function taakpagina(k: Taakpagina): string {
  const b = k.base;
  return html`<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${k.titel} — Doelpoort ${k.naam}</title>
<link rel="stylesheet" href="${b}${k.pad}/stijl.css">
</head>
<body>
<a class="skiplink" href="#inhoud">Direct naar de inhoud</a>
<header class="kop">
  <div class="wrap">
    <p class="merk"><a href="${b}${k.start}">Doelpoort <small>${k.ondertitel}</small></a></p>
    ${k.gebruiker && html`<div class="gebruiker">
      <span>Ingelogd als <strong>${k.gebruiker.naam}</strong></span>
      <form method="post" action="${b}${k.pad}/uitloggen"><input type="hidden" name="csrf" value="${k.gebruiker.csrf}"><button type="submit">Uitloggen</button></form>
    </div>`}
  </div>
  ${k.gebruiker && (k.menu?.length ?? 0) > 0 && html`<nav class="menu" aria-label="Hoofdmenu"><ul>${(k.menu ?? []).map((m) => html`<li><a href="${b}${m.href}">${m.label}</a></li>`)}</ul></nav>`}
</header>
<main id="inhoud" class="wrap" tabindex="-1">
<h1>${k.titel}</h1>
${k.inhoud}
</main>
<footer><div class="wrap">${k.voet}</div></footer>
</body>
</html>
`.value;
}

