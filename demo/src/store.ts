// Trained models survive a reload: the dataset's source (generator parameters or the dropped
// files' text) and every model's snapshot are stored together, in one IndexedDB record, so a
// restore never pairs models with the wrong data.
import type { Recommendation } from 'recwasm';
import type { DataSource } from './data.js';
import type { LossPoint } from './training.js';

export interface SavedModel {
  id: string;
  label: string;
  bytes: Uint8Array;
  fitMs: number;
  losses: LossPoint[];
  /**
   * Test users' top lists with their scores, so that a restore need neither load the model
   * (a kNN snapshot rebuilds its index, about a second on ml-latest-small) nor rank anyone.
   */
  lists?: Map<number, Recommendation>;
}

export interface SavedSession {
  version: 1;
  savedAt: string;
  source: DataSource;
  models: SavedModel[];
}

const DB_NAME = 'recwasm-demo';
const STORE = 'sessions';
const KEY = 'current';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is unavailable'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = use(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export async function saveSession(session: SavedSession): Promise<void> {
  await withStore('readwrite', (store) => store.put(session, KEY));
}

function isSavedSession(value: unknown): value is SavedSession {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Partial<SavedSession>;
  return (
    record.version === 1 &&
    typeof record.source === 'object' &&
    Array.isArray(record.models) &&
    record.models.every(
      (m) =>
        typeof m.id === 'string' && m.bytes instanceof Uint8Array && (m.lists === undefined || m.lists instanceof Map),
    )
  );
}

/** The stored session, or null when there is none (or it has a shape this page cannot read). */
export async function loadSession(): Promise<SavedSession | null> {
  const value = await withStore<unknown>('readonly', (store) => store.get(KEY));
  return isSavedSession(value) ? value : null;
}

export async function clearSession(): Promise<void> {
  await withStore('readwrite', (store) => store.delete(KEY));
}
