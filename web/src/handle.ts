import { RecwasmError } from './errors.js';

/** Anything Embind hands to JavaScript that must be deleted exactly once. */
interface Deletable {
  delete(): void;
  isDeleted(): boolean;
}

// Frees handles whose owner was garbage-collected without dispose(). A safety net only: the
// collector may run late or never, so call dispose() (or `using`) for prompt release.
const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Deletable>((handle) => {
        if (!handle.isDeleted()) handle.delete();
      })
    : undefined;

/**
 * Base of every object that owns memory inside the wasm heap ({@link Dataset}, {@link Model}).
 *
 * Call `dispose()` when done, or declare the object with `using` so it is disposed at the end
 * of the scope. An object that is garbage-collected without being disposed is freed by a
 * `FinalizationRegistry` where the platform has one, but that may happen late or never, so do
 * not rely on it for memory you need back.
 */
export abstract class WasmObject {
  #handle: Deletable | undefined;

  // Deliberately kept in the declaration files: a protected constructor there is what stops
  // `new Dataset()` / `new Model()` in user code (the subclasses' own constructors are hidden).
  protected constructor(handle: Deletable) {
    this.#handle = handle;
    finalizer?.register(this, handle, this);
  }

  /** @internal Throws DISPOSED once dispose() ran; subclasses call it before using their handle. */
  protected assertLive(): void {
    if (!this.#handle) throw new RecwasmError('DISPOSED', `this ${this.constructor.name} was disposed`);
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

  /** Same as dispose(), for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
