// recwasm's public API. Everything here works the same in browsers, workers and Node.
export { RecwasmError, type RecwasmErrorCode } from './errors.js';
export { loadRecwasm, type LoadOptions } from './runtime.js';
export {
  Dataset,
  type DatasetSummary,
  type InteractionArrays,
  type MovieLensFiles,
  type MovieLensOptions,
  type TextSource,
} from './dataset.js';
export {
  demoDataset,
  generateDemoData,
  lastByTime,
  leaveOneOut,
  ratioSplit,
  splitDataset,
  type DemoData,
  type DemoDataOptions,
  type DemoItem,
  type DemoRating,
  type Split,
  type SplitMethod,
  type SplitOptions,
} from './data.js';
export {
  Model,
  type ContentTfidfOptions,
  type CovisitationOptions,
  type Explanation,
  type FitOptions,
  type FitProgress,
  type KnnOptions,
  type LearnedTrainingOptions,
  type MfOptions,
  type ModelInfo,
  type ModelKind,
  type ModelOptions,
  type Recommendation,
  type RecommendOptions,
  type TwoTowerOptions,
} from './model.js';
export { evaluate, type Evaluation, type EvaluationOptions } from './evaluate.js';
export { MODEL_VARIANTS, type ModelVariant } from './variants.js';
export {
  RecwasmWorker,
  type RecwasmWorkerOptions,
  type TrainData,
  type TrainOptions,
  type WebWorkerLike,
} from './worker/client.js';
export type {
  DatasetSource,
  ModelSpec,
  SplitSpec,
  TrainedModel,
  TrainProgress,
  TrainRequest,
  TrainResult,
} from './worker/protocol.js';
