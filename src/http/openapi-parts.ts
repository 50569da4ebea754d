/** The OpenAPI parts of the concerns beyond trajectories and messages; each adds one line here. */
import { beleidOpenApi } from './beleid.js';
import { logboekOpenApi } from './logboek.js';
import type { OpenApiPart } from './openapi.js';
import { gebruikersspoorOpenApi } from './gebruikersspoor.js';
import { intrekkingOpenApi } from './intrekking.js';
import { kenmerkenOpenApi } from './kenmerken.js';
import { monitoringOpenApi } from './monitoring.js';
import { bundelsOpenApi } from './bundels.js';
import { signalenOpenApi } from './signalen-openapi.js';
import { toestemmingenOpenApi } from './toestemmingen.js';
import { toestemmingstekstenOpenApi } from './toestemmingsteksten.js';
import { toewijzingenOpenApi } from './toewijzingen.js';
import { verwerkingsactiviteitenOpenApi } from './verwerkingsactiviteiten.js';
import { wissingOpenApi } from './wissing.js';

export function openApiParts(): OpenApiPart[] {
  return [
    verwerkingsactiviteitenOpenApi,
    toewijzingenOpenApi,
    toestemmingenOpenApi,
    toestemmingstekstenOpenApi,
    beleidOpenApi,
    logboekOpenApi(),
    signalenOpenApi,
    gebruikersspoorOpenApi,
    intrekkingOpenApi,
    kenmerkenOpenApi,
    bundelsOpenApi,
    wissingOpenApi,
    monitoringOpenApi,
  ];
}
