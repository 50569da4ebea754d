/**
 * UI: the one stylesheet of the privacy officer's pages (and the embedded provider's login page),
 * served as `/privacy/stijl.css` so that the pages' CSP can forbid inline styles. Colours are
 * chosen for WCAG 2.1 AA: body text #1a1a1a on white (17:1), links #01689b (5.8:1), white on the
 * header blue #154273 (10:1); the focus ring is a black outline with a yellow halo, visible on
 * both light and dark backgrounds. The print rules turn the inzage report into a clean document.
 */
export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5;
  color: #1a1a1a; background: #fff; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
a { color: #01689b; text-decoration: underline; text-underline-offset: 0.15em; }
a:hover { color: #154273; text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid #000; outline-offset: 2px; box-shadow: 0 0 0 6px #ffdd00; }
main:focus { outline: none; }

.skiplink { position: absolute; left: 0.5rem; top: -10rem; z-index: 10; padding: 0.5rem 1rem; background: #ffdd00;
  color: #000; font-weight: 700; }
.skiplink:focus { top: 0.5rem; }

.kop { background: #154273; color: #fff; }
.kop .wrap { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 2rem;
  padding-top: 0.75rem; padding-bottom: 0.75rem; }
.kop a { color: #fff; }
.merk { margin: 0; font-weight: 700; font-size: 1.125rem; }
.merk a { text-decoration: none; }
.merk small { display: block; font-weight: 400; font-size: 0.875rem; }
.gebruiker { display: flex; align-items: center; gap: 0.75rem; margin: 0; font-size: 0.9375rem; }
.gebruiker form { margin: 0; }
.menu { background: #e6ecf2; border-bottom: 1px solid #8fa5bd; }
.menu ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; list-style: none; margin: 0; padding: 0.5rem 1rem;
  max-width: 72rem; margin: 0 auto; }
.menu a { color: #154273; font-weight: 600; display: inline-block; padding: 0.25rem 0; }
.menu a[aria-current="page"] { text-decoration-thickness: 3px; }

main.wrap { padding-top: 1.5rem; padding-bottom: 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.375rem; margin: 2rem 0 0.75rem; }
p, li, dd { max-width: 48rem; }

fieldset { border: 1px solid #8fa5bd; padding: 1rem; margin: 0 0 1rem; }
legend { font-weight: 700; padding: 0 0.25rem; }
.velden { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
.veld label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.veld .hint { display: block; font-size: 0.875rem; color: #4a4a4a; margin-bottom: 0.25rem; }
.veld .fout { display: block; color: #a00000; font-weight: 700; margin-bottom: 0.25rem; }
input, select { font: inherit; color: #1a1a1a; background: #fff; border: 2px solid #4a4a4a; padding: 0.375rem 0.5rem;
  width: 100%; min-height: 2.5rem; }
input[aria-invalid="true"], select[aria-invalid="true"] { border-color: #a00000; border-width: 3px; }
.knoppen { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 1rem 0; }
button, .knop { font: inherit; font-weight: 600; display: inline-block; padding: 0.5rem 1rem; min-height: 2.5rem;
  border: 2px solid #154273; background: #154273; color: #fff; cursor: pointer; text-decoration: none; }
button:hover, .knop:hover { background: #0b2a4a; color: #fff; }
button.secundair, .knop.secundair { background: #fff; color: #154273; }
button.secundair:hover, .knop.secundair:hover { background: #e6ecf2; color: #0b2a4a; }
.kop button { background: transparent; border-color: #fff; color: #fff; padding: 0.25rem 0.75rem; min-height: 2rem; }
.kop button:hover { background: #0b2a4a; }

.melding { border-left: 6px solid #154273; background: #eef3f8; padding: 0.75rem 1rem; margin: 0 0 1.5rem; }
.melding.fout { border-color: #a00000; background: #fbeeee; }
.melding.goed { border-color: #1b5e20; background: #edf6ee; }
.melding h2 { margin-top: 0; font-size: 1.125rem; }
.melding ul { margin: 0.25rem 0 0; }

.tabel-scroll { overflow-x: auto; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9375rem; }
caption { text-align: left; font-weight: 700; font-size: 1.125rem; padding: 0 0 0.5rem; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem 0.625rem; border-bottom: 1px solid #8fa5bd; }
thead th { background: #e6ecf2; border-bottom: 2px solid #154273; }
tbody tr:nth-child(even) { background: #f7f9fb; }
td.getal, th.getal { text-align: right; font-variant-numeric: tabular-nums; }
.mono, code { font-family: ui-monospace, "Cascadia Mono", Consolas, "Liberation Mono", monospace; font-size: 0.875rem;
  overflow-wrap: anywhere; }
/* An id in a table stays on one line (the table scrolls sideways); elsewhere it may break once, never over three lines. */
.mono.id { white-space: nowrap; overflow-wrap: normal; }
.bijzonder { color: #6b2c00; font-weight: 700; }
.geweigerd { color: #a00000; font-weight: 700; }
.toegestaan { color: #1b5e20; }
tr.opvallend { background: #fff4ce !important; }
.opvallend-tekst { font-weight: 700; }

dl.record { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: 0; margin: 0 0 1rem; }
dl.record dt { font-weight: 700; padding: 0.375rem 0.75rem 0.375rem 0; border-bottom: 1px solid #d0dae5; }
dl.record dd { margin: 0; padding: 0.375rem 0; border-bottom: 1px solid #d0dae5; max-width: none; overflow-wrap: anywhere; }
pre.jws { white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f3f3; padding: 0.75rem; font-size: 0.8125rem; }

.paginering { display: flex; gap: 1rem; margin: 1rem 0; }
footer { border-top: 1px solid #8fa5bd; color: #4a4a4a; font-size: 0.875rem; padding: 1rem 0 2rem; }
.alleen-print { display: none; }
.visueel-verborgen { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }

.inlogkader { max-width: 28rem; }
.inlogkader .veld { margin-bottom: 1rem; }
.inlogkader .knoppen { margin: 0.5rem 0; }

@media (max-width: 40rem) {
  dl.record { grid-template-columns: 1fr; }
  dl.record dt { border-bottom: 0; padding-bottom: 0; }
}

.brief { max-width: 46rem; border-top: 2px solid #154273; margin-top: 1.5rem; padding-top: 1rem; }
.briefhoofd { display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
.brief section.verstrekking { margin: 1rem 0; }
.klein { font-size: 0.875rem; }

@media print {
  body.afdruk-brief .kop, body.afdruk-brief main > h1 { display: none !important; }
  body.afdruk-brief .brief { border-top: 0; margin-top: 0; padding-top: 0; max-width: none; }
  .brief section.verstrekking { break-inside: avoid; }
  .skiplink, .kop nav, .gebruiker, .menu, footer, form, .niet-afdrukken { display: none !important; }
  .alleen-print { display: block; }
  .kop { background: none; color: #000; border-bottom: 2px solid #000; }
  .kop a { color: #000; }
  body { font-size: 11pt; }
  a { color: #000; text-decoration: none; }
  main.wrap { padding: 0 1rem; }
  thead th { background: none; }
  tbody tr:nth-child(even) { background: none; }
  tr { break-inside: avoid; }
  h1 { font-size: 18pt; }
}
`;
