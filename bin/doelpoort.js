#!/usr/bin/env node
// `npx doelpoort …` (package.json "bin"). In a clone after `npm ci` the TypeScript sources run
// through tsx, so the command never runs stale code and needs no build; where tsx is absent (the
// production image, dev dependencies omitted) the compiled dist/ runs instead.
import fs from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
const built = new URL('../dist/src/cli.js', import.meta.url);

async function load() {
  if (fs.existsSync(source)) {
    try {
      const { tsImport } = await import('tsx/esm/api');
      return await tsImport(source.href, import.meta.url);
    } catch (e) {
      if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !fs.existsSync(built)) throw e;
    }
  }
  if (fs.existsSync(built)) return import(built.href);
  throw new Error('doelpoort: neither src/cli.ts with tsx nor dist/src/cli.js found; run `npm ci` (and `npm run build` without dev dependencies)');
}

try {
  const { main } = await load();
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
}
