/** The OpenAPI parts of the concerns beyond trajectories and messages; each adds one line here. */
import { logboekOpenApi } from './logboek.js';
import type { OpenApiPart } from './openapi.js';

export function openApiParts(): OpenApiPart[] {
  return [logboekOpenApi()];
}
