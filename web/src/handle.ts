import { RecwasmError } from './errors.js';
import type { RawHandle } from './runtime.js';

// Frees handles whose owner was garbage-collected without dispose(). A safety net only: the
// collector may run late or never, so call dispose() (or `using`) for prompt release.
const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<RawHandle>((handle) => {
        if (!handle.isDeleted()) handle.delete();
      })
    : undefined;

/** Base of every object that owns memory inside the wasm heap. */
export abstract class WasmObject<H extends RawHandle> {
  #handle: H | undefined;

  /** @internal */
  protected constructor(handle: H) {
    this.#handle = handle;
    finalizer?.register(this, handle, this);
  }

  /** @internal */
  protected get handle(): H {
    if (!this.#handle) throw new RecwasmError('DISPOSED', `this ${this.constructor.name} was disposed`);
    return this.#handle;
  }

  /** True after dispose(); any further use throws `DISPOSED`. */
  get disposed(): boolean {
    return this.#handle === undefined;
  }

  /** Frees the wasm memory now. Safe to call twice. */
  dispose(): void {
    if (!this.#handle) return;
    finalizer?.unregister(this);
    this.#handle.delete();
    this.#handle = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
