/**
 * A CPU profile of this thread (the gateway's, in the benchmarks) around one piece of work, written
 * to a `.cpuprofile` file (open it in Chrome DevTools) and summarised as self time per area
 * (package, `src/` folder, native) and per function. Used by `npm run bench` and `npm run bench:lezen`
 * with BENCH_PROFILE=1; the profiler slows the work, so its request rates are not comparable.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function profiel<T>(file: string, name: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    fs.writeFileSync(file, JSON.stringify(profile));
    console.log(summariseProfile(name, profile, file));
  }
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }

/** Self time per function and per package/folder, the top entries. */
export function summariseProfile(name: string, profile: { nodes: ProfileNode[] }, file: string): string {
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
    const fn = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    // Native frames have no url: better-sqlite3's run/all/get/exec (the fsync of COMMIT is in exec), writev, hashing.
    const area = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1]
      ?? (short.startsWith('src/') ? short.split('/').slice(0, 2).join('/') : short.startsWith('node:') ? 'node: core'
        : short || (functionName.startsWith('(') ? functionName : `native ${functionName}()`));
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  return `\nCPU profile of the gateway thread during "${name}" (${file}), self time:\nby area:\n${top(byArea, 14)}\nby function:\n${top(byFunction, 25)}\n`;
}
