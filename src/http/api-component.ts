/**
 * An API request schema from `schemas/api/` as an OpenAPI component: the same file that validates
 * the request, with its shared definitions pointing at `#/components/schemas/…` (no second copy).
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.js';
import { rewriteRefs } from '../schemas/bundle.js';

export function apiComponent(file: string): unknown {
  const schema = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'schemas', 'api', file), 'utf8')) as Record<string, unknown>;
  const { $id: _id, $schema: _schema, ...rest } = schema;
  return rewriteRefs(rest, (n) => `#/components/schemas/${n}`, new Set());
}
