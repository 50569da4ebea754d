/** Monitoring (issue 13): the public face of the folder — the quarter calendar, the facts, the figures with suppression, CSV. */
export { kwartaal, kwartaalVan, kwartaalVanPeriode, plusDagen, weeknummer, wekenbereik, type Kwartaal, type Week } from './kwartaal.js';
export { feitenUitBericht, isLeeg, type Monitoringfeiten } from './feiten.js';
export { AANWEZIGHEIDSROLLEN, cbsLevering, kwartaalcijfers, trajectenInKwartaal, type Aanbieder, type CbsRegel, type Cijferinvoer, type Kwartaalcijfers, type Tabel } from './cijfers.js';
export { codelijsten, type Codelijsten } from './codelijsten.js';
export { cbsCsv, cijfersCsv } from './csv.js';
