/**
 * Lints the OpenAPI document the gateway serves against the official Dutch API Design Rules
 * ruleset (Logius, Spectral), failing on any error. The document is built exactly as
 * `GET /v1/openapi.json` builds it (same schema files, same parts), without starting a server,
 * for a deployment behind https (DOELPOORT_PUBLIC_URL, default https://doelpoort.example).
 *
 *   npm run lint:api                      # ruleset: ../shared/adr/ruleset.yaml
 *   ADR_RULESET=path/to/ruleset.yaml npm run lint:api
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, projectRoot } from '../src/config.js';
import { buildOpenApi } from '../src/http/openapi.js';
import { openApiParts } from '../src/http/openapi-parts.js';
import { loadSchemas } from '../src/schemas/registry.js';

const root = projectRoot();
const ruleset = path.resolve(root, process.env.ADR_RULESET ?? '../shared/adr/ruleset.yaml');
if (!fs.existsSync(ruleset)) {
  console.error(`lint:api: ruleset not found at ${ruleset}; set ADR_RULESET to the ADR Spectral ruleset (Logius-standaarden/API-Design-Rules, media/linter.yaml)`);
  process.exit(2);
}

const config = loadConfig({ DOELPOORT_PUBLIC_URL: process.env.DOELPOORT_PUBLIC_URL ?? 'https://doelpoort.example' });
const document = buildOpenApi(config, loadSchemas(config.schemaDir), openApiParts());
const out = path.join(root, 'dist', 'openapi.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
console.log(`lint:api: ${Object.keys(document.paths as object).length} paths in ${path.relative(root, out)}, ruleset ${ruleset}`);

const spectral = path.join(root, 'node_modules', '.bin', 'spectral');
const result = spawnSync(spectral, ['lint', '--ruleset', ruleset, '--fail-severity', 'error', out], { stdio: 'inherit' });
process.exit(result.status ?? 1);
