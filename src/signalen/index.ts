/** Signals (Signaal): the public face of the folder — rules, their loading, evaluation and closing. */
export { loadSignaalregels, SIGNALEN_FILE } from './load.js';
export { afhandelen, AfhandelingError, evaluateSignalen, isActive, mayReadSignaal, verzuimConditionHolds } from './evaluate.js';
export type { EvaluatieContext, SignaalBesluit, SignaalLezer, Toewijzing } from './evaluate.js';
export { AFHANDELUITKOMSTEN, MAX_BERICHT_IDS, OPGEHEVEN, SIGNAALCODES, SOORT_EISEN, SOORTEN } from './types.js';
export type { Afhandeluitkomst, Drempels, Signaal, SignaalCodes, Signaalregel, SignaalregelSet, Soort } from './types.js';
