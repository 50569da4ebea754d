/**
 * The klantmanager's pages as HTML (Dutch, no JavaScript): the frame, the worklist, a trajectory's
 * state and the messages. Every value goes through the `html` template (escaped); the pages show
 * only what the read decided (`projecteer`, the readable signals) — nothing else reaches them.
 */
import { html, type SafeHtml } from '../ui/html.js';
import { datum, taakpagina, tijd } from '../ui/layout.js';
import type { ProjectedStand } from '../stand/index.js';
import { AFHANDELUITKOMSTEN, type Signaal } from '../signalen/index.js';
import type { TrajectRow, ToewijzingRow } from '../store/store.js';
import type { Kwartaalcijfers, Tabel } from '../monitoring/index.js';

export const SOORT_NAMEN: Record<string, string> = {
  verzuim: 'Ongeoorloofd verzuim',
  'uit-beeld': 'Uit beeld',
  'niveau-behaald': 'Niveau behaald',
  'streefniveau-behaald': 'Streefniveau behaald',
  'plaatsing-beeindigd': 'Plaatsing beëindigd',
  'plaatsing-uitgevallen': 'Plaatsing uitgevallen',
  'nazorg-ontbreekt': 'Nazorg ontbreekt',
};
const UITKOMST_NAMEN: Record<string, string> = {
  'gesprek-gevoerd': 'Gesprek gevoerd',
  'maatregel-overwogen': 'Maatregel overwogen',
  'voorziening-geregeld': 'Voorziening geregeld',
  'geen-actie-nodig': 'Geen actie nodig',
  doorverwezen: 'Doorverwezen',
};

export interface Kader {
  base: string;
  titel: string;
  medewerker: { naam: string; csrf: string; taken: ReadonlyArray<'werklijst' | 'monitoring'> } | null;
  inhoud: SafeHtml;
}

const MENU = { werklijst: { href: '/werk/signalen', label: 'Werklijst' }, monitoring: { href: '/werk/monitoring', label: 'Kwartaalcijfers' } } as const;

export function werkpagina(k: Kader): string {
  const taken = k.medewerker?.taken ?? [];
  return taakpagina({
    base: k.base, pad: '/werk', naam: 'werk', start: '/werk', titel: k.titel,
    ondertitel: taken.length === 1 && taken[0] === 'monitoring' ? 'Kwartaalcijfers voor de beleidsmedewerker' : 'Werklijst voor de klantmanager',
    voet: 'Doelpoort — elke pagina is een raadpleging van de gemeente en staat in het logboek van de gemeente.',
    gebruiker: k.medewerker, menu: taken.map((t) => MENU[t]), inhoud: k.inhoud,
  });
}

export function startinhoud(base: string): SafeHtml {
  return html`<p>Op deze pagina's ziet u de signalen over de trajecten van uw gemeente en de stand van een traject.</p>
<p><a href="${base}/werk/inloggen">Inloggen</a></p>`;
}

export function melding(tekst: string, link?: { href: string; tekst: string }): SafeHtml {
  return html`<p>${tekst}</p>${link && html`<p><a href="${link.href}">${link.tekst}</a></p>`}`;
}

export function werklijst(base: string, signalen: readonly Signaal[], soort: string | null, soorten: readonly string[]): SafeHtml {
  return html`<form method="get" action="${base}/werk/signalen" class="filters">
  <label for="soort">Soort signaal</label>
  <select id="soort" name="soort">
    <option value="">Alle soorten</option>
    ${soorten.map((s) => html`<option value="${s}"${s === soort ? html` selected` : null}>${SOORT_NAMEN[s] ?? s}</option>`)}
  </select>
  <button type="submit">Toon</button>
</form>
${signalen.length === 0 ? html`<p>Er zijn geen open signalen${soort ? html` van deze soort` : null}.</p>` : html`<table>
  <caption>Open signalen, nieuwste eerst</caption>
  <thead><tr><th scope="col">Soort</th><th scope="col">Traject</th><th scope="col">Aanbieder</th><th scope="col">Geopend</th><th scope="col">Bijgewerkt</th></tr></thead>
  <tbody>${signalen.map((s) => html`<tr>
    <th scope="row">${SOORT_NAMEN[s.soort] ?? s.soort}</th>
    <td><a href="${base}/werk/trajecten/${s.trajectId}">Traject <span class="mono">${s.trajectId.slice(0, 8)}</span></a></td>
    <td>${s.aanbieder ?? '—'}</td><td>${tijd(s.geopendOp)}</td><td>${tijd(s.bijgewerktOp)}</td>
  </tr>`)}</tbody>
</table>`}`;
}

function afhandelformulier(base: string, s: Signaal, csrf: string): SafeHtml {
  const id = `uitkomst-${s.signaalId}`;
  return html`<form method="post" action="${base}/werk/signalen/${s.signaalId}/afhandeling" class="afhandeling">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="${id}">Uitkomst</label>
  <select id="${id}" name="uitkomst">${AFHANDELUITKOMSTEN.map((u) => html`<option value="${u}">${UITKOMST_NAMEN[u] ?? u}</option>`)}</select>
  <button type="submit">Afhandelen</button>
</form>`;
}

export function trajectinhoud(base: string, t: TrajectRow, toewijzingen: readonly ToewijzingRow[], stand: ProjectedStand, signalen: readonly Signaal[], csrf: string): SafeHtml {
  const niveaus = Object.entries(stand.taal?.niveaus ?? {});
  const aanwezigheid = Object.entries(stand.aanwezigheid ?? {});
  return html`<p>Traject <span class="mono">${t.trajectId}</span>, leerroute ${t.leerroute}, gestart ${datum(t.startdatum)}${t.afgeslotenOp ? html`, afgesloten ${datum(t.afgeslotenOp)}` : null}.</p>
<h2>Open signalen</h2>
${signalen.length === 0 ? html`<p>Geen open signalen.</p>` : html`<ul class="signalen">${signalen.map((s) => html`<li>
  <p><strong>${SOORT_NAMEN[s.soort] ?? s.soort}</strong>${s.aanbieder ? html` — ${s.aanbieder}` : null}, geopend ${tijd(s.geopendOp)}${s.codes.niveau ? html`, niveau ${s.codes.niveau}` : null}</p>
  ${afhandelformulier(base, s, csrf)}
</li>`)}</ul>`}
<h2>Toewijzingen</h2>
<table><caption>Toewijzingen</caption>
  <thead><tr><th scope="col">Partij</th><th scope="col">Rol</th><th scope="col">Vanaf</th><th scope="col">Tot</th></tr></thead>
  <tbody>${toewijzingen.map((w) => html`<tr><th scope="row">${w.partij}</th><td>${w.rol}</td><td>${datum(w.vanaf)}</td><td>${w.beeindigdOp ? html`beëindigd ${tijd(w.beeindigdOp)}` : datum(w.tot)}</td></tr>`)}</tbody>
</table>
<h2>Taalniveaus</h2>
${niveaus.length === 0 ? html`<p>Nog geen taalniveaus gemeld.</p>` : html`<table><caption>Laatst vastgesteld niveau per vaardigheid</caption>
  <thead><tr><th scope="col">Vaardigheid</th><th scope="col">Niveau</th><th scope="col">Peildatum</th></tr></thead>
  <tbody>${niveaus.map(([v, n]) => html`<tr><th scope="row">${v}</th><td>${n?.niveau}</td><td>${datum(n?.peildatum)}</td></tr>`)}</tbody>
</table>`}
<h2>Aanwezigheid</h2>
${aanwezigheid.length === 0 ? html`<p>Nog geen aanwezigheid gemeld.</p>` : aanwezigheid.map(([aanbieder, a]) => html`<table>
  <caption>Aanwezigheid bij ${aanbieder} (minuten per gerapporteerde week)</caption>
  <thead><tr><th scope="col">Week</th><th scope="col">Gepland</th><th scope="col">Aanwezig</th><th scope="col">Ongeoorloofd afwezig</th><th scope="col">Ziek</th><th scope="col">Ongeoorloofd gemiste lessen</th></tr></thead>
  <tbody>${a.weken.map((w) => {
    const som = { gepland: 0, aanwezig: 0, ongeoorloofd: 0, ziek: 0, lessen: 0 };
    for (const m of Object.values(w.activiteiten)) {
      som.gepland += m.gepland ?? 0;
      som.aanwezig += m.aanwezig ?? 0;
      som.ongeoorloofd += m.ongeoorloofdAfwezig ?? 0;
      som.ziek += m.ziek ?? 0;
      som.lessen += m.ongeoorloofdeLessen ?? 0;
    }
    return html`<tr><th scope="row">${datum(w.van)} – ${datum(w.tot)}</th><td>${som.gepland}</td><td>${som.aanwezig}</td><td>${som.ongeoorloofd}</td><td>${som.ziek}</td><td>${som.lessen}</td></tr>`;
  })}</tbody>
</table>`)}
<h2>Plaatsingen</h2>
${(stand.plaatsingen ?? []).length === 0 ? html`<p>Geen plaatsingen gemeld.</p>` : html`<table><caption>Plaatsingen</caption>
  <thead><tr><th scope="col">Plaatsing</th><th scope="col">Status</th><th scope="col">Vorm</th><th scope="col">Uren per week</th></tr></thead>
  <tbody>${(stand.plaatsingen ?? []).map((p) => html`<tr><th scope="row">${p.plaatsingId ?? '—'}</th><td>${p.status ?? '—'}</td><td>${p.vorm ?? '—'}</td><td>${p.urenPerWeek ?? '—'}</td></tr>`)}</tbody>
</table>`}
<p><a href="${base}/werk/signalen">Terug naar de werklijst</a></p>`;
}

/** One table of the figures; a suppressed cell shows a dot, read out as "onderdrukt". */
function cijfertabel(t: Tabel): SafeHtml {
  const waarde = (v: number | null | undefined) => (v === null || v === undefined
    ? html`<td class="getal"><span aria-hidden="true">·</span><span class="visueel-verborgen">onderdrukt</span></td>`
    : html`<td class="getal">${v.toLocaleString('nl-NL')}</td>`);
  const rijtotaal = t.rijtotaal ?? 'totaal';
  return html`<div class="tabel-scroll"><table>
  <caption>${t.titel}${t.eenheid === 'minuten' ? null : html` <span class="klein">(${t.eenheid})</span>`}</caption>
  <thead><tr><th scope="col">${t.rijen.naam}</th>${t.kolommen.codes.map((k) => html`<th scope="col" class="getal">${k}</th>`)}${t.rijtotalen ? html`<th scope="col" class="getal">${rijtotaal}</th>` : null}</tr></thead>
  <tbody>${t.rijen.codes.map((r, i) => html`<tr><th scope="row">${t.rijen.labels?.[i] ?? r}</th>${t.cellen[i]!.map(waarde)}${t.rijtotalen ? waarde(t.rijtotalen[i]) : null}</tr>`)}</tbody>
  ${t.kolomtotalen ? html`<tfoot><tr><th scope="row">totaal</th>${t.kolomtotalen.map(waarde)}${t.rijtotalen ? waarde(t.totaal) : null}</tr></tfoot>` : null}
</table></div>${t.meerdereAntwoorden ? html`<p class="klein">Meer dan één antwoord per traject mogelijk: de cellen tellen niet op tot een totaal.</p>` : null}`;
}

/** The beleidsmedewerker's page: choose a quarter, see its figures, download them as CSV. */
export function monitoringinhoud(base: string, kwartalen: readonly string[], c: Kwartaalcijfers): SafeHtml {
  return html`<form method="get" action="${base}/werk/monitoring" class="filters">
  <label for="kwartaal">Kwartaal</label>
  <select id="kwartaal" name="kwartaal">${kwartalen.map((k) => html`<option value="${k}"${k === c.kwartaal ? html` selected` : null}>${k}</option>`)}</select>
  <button type="submit">Toon</button>
</form>
<p>Cijfers over de trajecten van uw gemeente in ${c.kwartaal} (${datum(c.periode.van)} tot en met ${datum(c.periode.tot)}; peildatum ${datum(c.peildatum)}).
Alleen totalen: een cel met minder dan ${c.drempel} trajecten (bij minuten en weken: bijdragers) is onderdrukt (·), en zo nodig ook andere cellen,
zodat een onderdrukte cel niet uit de totalen is terug te rekenen. "niet-geregistreerd" betekent dat er niets is vastgelegd; dat is iets anders dan 0 of "onbekend".</p>
<p><a href="${base}/werk/monitoring/export?kwartaal=${c.kwartaal}" download>Download de cijfers van ${c.kwartaal} als CSV</a></p>
${c.tabellen.map((t) => html`<h2>${t.titel}</h2>${cijfertabel(t)}`)}`;
}
