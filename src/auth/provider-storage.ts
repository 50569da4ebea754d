/**
 * Storage of the embedded OpenID Provider (demo mode): oidc-provider's own in-memory adapter, but
 * with one bounded pool per kind of entry instead of its single shared 1,000-entry LRU. In that one
 * LRU, a flood of anonymous authorization requests (each an `Interaction`) pushed out signed-in
 * officers' sessions, grants and refresh tokens — and the `ReplayDetection` entries that make a used
 * `private_key_jwt` client assertion unusable again. Here an anonymous flood only ever evicts other
 * pending interactions. Still memory: a restart forgets everything (moving it to the database is a
 * later step).
 */
import type { Adapter } from 'oidc-provider';

/** Entries per pool; the established kinds are far larger than anything the demo holds. */
const POOL_SIZE: Record<string, number> = {
  Interaction: 2_000,
  ReplayDetection: 200_000,
};
const DEFAULT_POOL_SIZE = 20_000;

/** A Map with per-entry expiry that drops its oldest entry when full (the store interface the adapter uses). */
export class BoundedStore {
  private readonly entries = new Map<string, { value: unknown; expiry: number | undefined }>();
  constructor(readonly maxSize: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): unknown {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiry !== undefined && e.expiry <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: unknown, options: { maxAge?: number } = {}): this {
    const expiry = typeof options.maxAge === 'number' && Number.isFinite(options.maxAge) ? Date.now() + options.maxAge : undefined;
    this.entries.delete(key);
    this.entries.set(key, { value, expiry });
    while (this.entries.size > this.maxSize) this.entries.delete(this.entries.keys().next().value!);
    return this;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }
}

type MemoryAdapterClass = new (model: string, store: BoundedStore, clockTolerance?: number) => Adapter;

// oidc-provider's adapter is not in its typings; its constructor takes the store to use.
const ADAPTER_MODULE: string = 'oidc-provider/lib/adapters/memory_adapter.js';
const { default: MemoryAdapter } = (await import(ADAPTER_MODULE)) as { default: MemoryAdapterClass };

/** The `adapter` option of the provider: one adapter per model, each with its own bounded pool. */
export function pooledMemoryAdapter(): (model: string) => Adapter {
  const pools = new Map<string, BoundedStore>();
  return (model) => {
    let pool = pools.get(model);
    if (!pool) pools.set(model, (pool = new BoundedStore(POOL_SIZE[model] ?? DEFAULT_POOL_SIZE)));
    return new MemoryAdapter(model, pool);
  };
}
