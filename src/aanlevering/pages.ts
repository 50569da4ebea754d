/**
 * The coordinator's upload pages as HTML (Dutch, no JavaScript): the frame, the assignments with their
 * kenmerk, the upload form, the preview (every row error in plain Dutch, nothing stored yet) and the
 * receipts. Every value goes through the `html` template (escaped).
 */
import { html, type SafeHtml } from '../ui/html.js';
import { taakpagina } from '../ui/layout.js';
import type { CsvRijAntwoord } from '../http/csv-bundel.js';
import type { ToewijzingLijstRij } from '../store/kenmerk-store.js';

export interface Kader {
  base: string;
  titel: string;
  coordinator: { naam: string; csrf: string } | null;
  inhoud: SafeHtml;
}

export function aanleverpagina(k: Kader): string {
  return taakpagina({
    base: k.base, pad: '/aanlevering', naam: 'aanlevering', ondertitel: 'Aanwezigheid aanleveren', start: '/aanlevering/', titel: k.titel,
    voet: 'Doelpoort — elke aanlevering gaat per bericht door dezelfde controles als de API en staat in het logboek.',
    gebruiker: k.coordinator, inhoud: k.inhoud,
  });
}

export function melding(tekst: string, link?: { href: string; tekst: string }): SafeHtml {
  return html`<p>${tekst}</p>${link && html`<p><a href="${link.href}">${link.tekst}</a></p>`}`;
}

export function startinhoud(base: string): SafeHtml {
  return html`<p>Hier levert de coördinator van een aanbieder de aanwezigheid van een week aan met een CSV-bestand uit de eigen administratie.</p>
<p><a href="${base}/aanlevering/inloggen">Inloggen</a></p>`;
}

export function overzicht(base: string, toewijzingen: readonly ToewijzingLijstRij[], csrf: string, periode: { van: string; tot: string }): SafeHtml {
  return html`<h2>Aanwezigheid aanleveren</h2>
<p><a href="${base}/aanlevering/sjabloon.csv" download>Download het CSV-sjabloon</a> (UTF-8, puntkomma als scheidingsteken, één regel per les).</p>
<form method="post" action="${base}/aanlevering/voorbeeld" enctype="multipart/form-data">
  <input type="hidden" name="csrf" value="${csrf}">
  <div class="veld"><label for="van">Eerste dag van de periode</label> <input id="van" name="van" type="date" value="${periode.van}" required></div>
  <div class="veld"><label for="tot">Laatste dag van de periode</label> <input id="tot" name="tot" type="date" value="${periode.tot}" required></div>
  <div class="veld"><label for="bestand">CSV-bestand</label> <input id="bestand" name="bestand" type="file" accept=".csv,text/csv" required></div>
  <button type="submit">Controleren</button>
  <p class="hint">Er wordt nog niets opgeslagen: u ziet eerst elke fout per regel.</p>
</form>
<h2>Uw toewijzingen</h2>
${toewijzingen.length === 0 ? html`<p>U heeft geen lopende toewijzingen.</p>` : html`<table>
  <caption>Lopende toewijzingen met uw eigen kenmerk</caption>
  <thead><tr><th scope="col">Traject</th><th scope="col">Gemeente</th><th scope="col">Rol</th><th scope="col">Vanaf</th><th scope="col">Kenmerk</th></tr></thead>
  <tbody>${toewijzingen.map((w) => html`<tr>
    <th scope="row"><span class="mono">${w.trajectId}</span></th><td>${w.gemeente}</td><td>${w.rol}</td><td>${w.vanaf}</td>
    <td><form method="post" action="${base}/aanlevering/kenmerk">
      <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="trajectId" value="${w.trajectId}">
      <label class="visueel-verborgen" for="k-${w.trajectId}">Kenmerk voor traject ${w.trajectId}</label>
      <input id="k-${w.trajectId}" name="kenmerk" value="${w.kenmerk ?? ''}" maxlength="40" autocomplete="off">
      <button type="submit">Opslaan</button>
    </form></td>
  </tr>`)}</tbody>
</table>`}`;
}

const STATUS: Record<CsvRijAntwoord['status'], string> = {
  klaar: 'In orde', opgeslagen: 'Opgeslagen', ongewijzigd: 'Ongewijzigd (al ontvangen)', geweigerd: 'Fout', 'niet-opgeslagen': 'Niet opgeslagen',
};

function rijtabel(rijen: readonly CsvRijAntwoord[], caption: string): SafeHtml {
  return html`<table>
  <caption>${caption}</caption>
  <thead><tr><th scope="col">Regel</th><th scope="col">Uitkomst</th><th scope="col">Bericht</th><th scope="col">Toelichting</th></tr></thead>
  <tbody>${rijen.map((r) => html`<tr>
    <th scope="row">${String(r.rij)}</th><td>${STATUS[r.status]}</td><td>${r.berichtId ? html`<span class="mono">${r.berichtId}</span>` : '—'}</td>
    <td>${r.fouten.length ? html`<ul>${r.fouten.map((f) => html`<li>${f.kolom ? html`Kolom ${f.kolom}: ` : null}${f.melding}</li>`)}</ul>` : '—'}</td>
  </tr>`)}</tbody>
</table>`;
}

export function voorbeeldinhoud(base: string, csrf: string, periode: { van: string; tot: string }, rijen: readonly CsvRijAntwoord[], csv: string): SafeHtml {
  const fouten = rijen.filter((r) => r.status === 'geweigerd').length;
  return html`<p>Periode ${periode.van} tot en met ${periode.tot}: ${String(rijen.length)} regels, ${fouten === 0 ? 'geen fouten' : html`<strong>${String(fouten)} ${fouten === 1 ? 'regel' : 'regels'} met een fout</strong>`}. Er is nog niets opgeslagen.</p>
${fouten > 0 ? html`<p>Een traject met een fout wordt niet opgeslagen; de andere trajecten wel. Verbeter het bestand en controleer het opnieuw, of sla nu op wat in orde is.</p>` : null}
${rijtabel(rijen, 'Controle per regel')}
<form method="post" action="${base}/aanlevering/opslaan">
  <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="van" value="${periode.van}"><input type="hidden" name="tot" value="${periode.tot}">
  <input type="hidden" name="csv" value="${csv}">
  <button type="submit">Bevestigen en opslaan</button>
</form>
<p><a href="${base}/aanlevering/">Terug, een ander bestand kiezen</a></p>`;
}

export function ontvangstinhoud(base: string, periode: { van: string; tot: string }, rijen: readonly CsvRijAntwoord[]): SafeHtml {
  return html`<p>Periode ${periode.van} tot en met ${periode.tot}: ${String(rijen.filter((r) => r.status === 'opgeslagen').length)} regels opgeslagen, ${String(rijen.filter((r) => r.status === 'ongewijzigd').length)} ongewijzigd.</p>
${rijtabel(rijen, 'Ontvangstbewijs per regel')}
<p><a href="${base}/aanlevering/">Terug naar het overzicht</a></p>`;
}

export function bestandsfoutinhoud(base: string, fouten: readonly string[]): SafeHtml {
  return html`<p>Het bestand is niet verwerkt:</p><ul>${fouten.map((f) => html`<li>${f}</li>`)}</ul><p><a href="${base}/aanlevering/">Terug, een ander bestand kiezen</a></p>`;
}
