// A trained model kept as its snapshot and loaded on first use. Loading is not free: a kNN
// snapshot rebuilds its similarity index (about a second for item kNN on ml-latest-small), and
// right after training the page needs only the ranked lists the worker sent back, so models are
// loaded later, one per task, when the page is idle (see main.ts).
import { Model, RecwasmError } from 'recwasm';

export class LazyModel {
  readonly snapshot: Uint8Array;
  #model: Model | null;
  #failed: unknown = null;
  #disposed = false;

  /** `model`, when given, is the snapshot already loaded (it then belongs to this object). */
  constructor(snapshot: Uint8Array, model: Model | null = null) {
    this.snapshot = snapshot;
    this.#model = model;
  }

  get loaded(): boolean {
    return this.#model !== null;
  }

  /** Why the snapshot could not be loaded (what get() throws), or null. */
  get failure(): unknown {
    return this.#failed;
  }

  /** True while a get() would still try to load the snapshot. */
  get pending(): boolean {
    return this.#model === null && this.#failed === null && !this.#disposed;
  }

  /** The model, loading the snapshot the first time; throws what Model.load threw (every time). */
  get(): Model {
    if (this.#disposed) throw new RecwasmError('DISPOSED', 'the model was disposed');
    if (this.#failed !== null) throw this.#failed;
    if (this.#model === null) {
      try {
        this.#model = Model.load(this.snapshot);
      } catch (error) {
        this.#failed = error;
        throw error;
      }
    }
    return this.#model;
  }

  dispose(): void {
    this.#disposed = true;
    this.#model?.dispose();
    this.#model = null;
  }
}
