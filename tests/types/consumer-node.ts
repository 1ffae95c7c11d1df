// A Node-only consumer (no DOM library): the declaration files must not need browser types.
import { Model, RecwasmWorker, demoDataset, leaveOneOut, loadRecwasm, type TrainResult } from 'recwasm';

export async function nodeConsumer(): Promise<Uint8Array | undefined> {
  await loadRecwasm();
  using data = demoDataset();
  using split = leaveOneOut(data);
  using model = Model.create('popularity');
  await model.fitAsync(split.train, { signal: AbortSignal.timeout(1000) });
  const worker = new RecwasmWorker();
  const result: TrainResult = await worker.train({ data: { type: 'demo' }, models: ['popularity'] });
  worker.terminate();
  return result.models[0]?.snapshot;
}
