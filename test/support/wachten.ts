/**
 * Test helper: wait for a condition by polling, never for a fixed time. `tot(probe, ok, ms)` calls the
 * probe until `ok` holds and returns that value, or fails after `ms` with the last value seen — the
 * bound is generous, so a loaded machine slows a test down instead of failing it.
 */
export async function tot<T>(f: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const eind = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > eind) throw new Error(`condition not met within ${ms} ms: ${beschrijf(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function beschrijf(v: unknown): string {
  const r = v as { status?: unknown; body?: unknown } | null;
  try {
    return JSON.stringify(r && typeof r === 'object' && 'status' in r ? { status: r.status, body: r.body } : v).slice(0, 400);
  } catch {
    return String(v);
  }
}
