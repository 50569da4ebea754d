/** The trajectory state (stand): the public face of the folder — the reducer and the projection. */
export { applyBericht, applyVerwijderd, BEWAARDE_MIJLPALEN, BEWAARDE_PLAATSINGEN, BEWAARDE_WEKEN, emptyStand, isRunning, lastAttendance, lastWeeks, SAMENVATTING_WEKEN, STAND_VERSIE, summarize } from './stand.js';
export type { Bericht, Stand, Week, Minuten, Samenvatting, PlaatsingStand, NiveauStand, Mijlpaal } from './stand.js';
export { projectStand, STAND_CATEGORIEEN } from './project.js';
export type { ProjectedStand, StandDeel } from './project.js';
