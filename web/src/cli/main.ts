// The `recwasm` command (DESIGN.md, "CLI contract"), built on the public API only.
import { readFileSync } from 'node:fs';
import {
  Dataset,
  MODEL_VARIANTS,
  Model,
  RecwasmError,
  evaluate,
  generateDemoData,
  loadRecwasm,
  splitDataset,
  type DemoData,
  type ModelKind,
  type ModelOptions,
  type Split,
  type SplitMethod,
} from '../node.js';
import {
  UsageError,
  choiceFlag,
  formatFlagHelp,
  integerFlag,
  numberFlag,
  parseFlags,
  stringFlag,
  type FlagSpec,
  type Flags,
} from './args.js';

const GENERATOR_FLAGS: Record<string, FlagSpec> = {
  seed: { description: 'generator seed (0 to 2^32-1)', default: '42' },
  users: { description: 'number of users', default: '30' },
  items: { description: 'number of items', default: '60' },
  categories: { description: 'number of categories (1-6)', default: '6' },
  'ratings-per-user': { description: 'ratings drawn per user', default: '12' },
  'session-len': { description: 'items per session', default: '8' },
};

const FILE_FLAGS: Record<string, FlagSpec> = {
  ratings: { description: 'MovieLens ratings.csv or u.data (instead of generated data)' },
  movies: { description: 'MovieLens movies.csv (item text, unrated movies)' },
  tags: { description: 'MovieLens tags.csv (item text)' },
  'session-gap': { description: 'seconds between ratings that start a new session', default: '3600' },
};

const SPLIT_METHODS: readonly SplitMethod[] = ['leave-one-out', 'last-by-time', 'ratio'];

const SPLIT_FLAGS: Record<string, FlagSpec> = {
  split: { description: 'leave-one-out, last-by-time or ratio', default: 'leave-one-out' },
  'split-seed': { description: 'seed of the leave-one-out and ratio splits', default: '42' },
  'test-fraction': { description: 'share of each user rows in test (ratio split)', default: '0.2' },
};

const COMMON_FLAGS: Record<string, FlagSpec> = {
  json: { boolean: true, description: 'print one JSON document' },
  help: { boolean: true, description: 'show this help' },
};

// The notebook's rating-matrix models score only item ids below its n_items = max(item id in all
// ratings) + 1; content, co-visitation and popularity see every item. On generated data the
// evaluation reproduces that with a candidate list, so the models themselves stay general.
const RATING_MATRIX_KINDS: ReadonlySet<string> = new Set(['user_knn', 'item_knn', 'mf', 'two_tower']);

interface Command {
  summary: string;
  flags: Record<string, FlagSpec>;
  run(flags: Flags): Promise<void> | void;
}

interface Source {
  data: Dataset;
  /** Generated data only: the notebook's n_items (max item id in all ratings + 1). */
  notebookItemLimit?: number;
  fromFiles: boolean;
}

function generatorOptions(flags: Flags) {
  return {
    seed: integerFlag(flags, 'seed', 42),
    users: integerFlag(flags, 'users', 30, 0, 10_000_000),
    items: integerFlag(flags, 'items', 60, 0, 1_000_000),
    categories: integerFlag(flags, 'categories', 6, 0, 1000),
    ratingsPerUser: integerFlag(flags, 'ratings-per-user', 12, 0, 1_000_000),
    sessionLength: integerFlag(flags, 'session-len', 8, 0, 1_000_000),
  };
}

function readInput(flags: Flags, name: string): Uint8Array | undefined {
  const path = stringFlag(flags, name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read --${name} file '${path}' (${reason})`);
  }
}

// Names the user's file instead of the role label the core puts in parse errors.
function withPaths(error: unknown, flags: Flags): unknown {
  if (!(error instanceof RecwasmError) || error.code !== 'PARSE_ERROR') return error;
  const labels: [RegExp, string][] = [
    [/^(ratings\.csv|u\.data) line/, 'ratings'],
    [/^movies\.csv line/, 'movies'],
    [/^tags\.csv line/, 'tags'],
  ];
  for (const [pattern, flag] of labels) {
    const path = stringFlag(flags, flag);
    if (path !== undefined && pattern.test(error.message)) {
      return new RecwasmError('PARSE_ERROR', error.message.replace(pattern, `${path} line`));
    }
  }
  return error;
}

function loadSource(flags: Flags): Source {
  if (!flags.has('ratings')) {
    for (const name of ['movies', 'tags', 'session-gap']) {
      if (flags.has(name)) throw new UsageError(`--${name} needs --ratings`);
    }
    const generated = generateDemoData(generatorOptions(flags));
    const source: Source = { data: Dataset.fromDemoData(generated), fromFiles: false };
    if (generated.ratings.length > 0) {
      source.notebookItemLimit = generated.ratings.reduce((max, r) => Math.max(max, r.item), 0) + 1;
    }
    return source;
  }
  for (const name of Object.keys(GENERATOR_FLAGS)) {
    if (flags.has(name)) throw new UsageError(`--${name} generates data and cannot be combined with --ratings`);
  }
  const ratings = readInput(flags, 'ratings');
  const movies = readInput(flags, 'movies');
  const tags = readInput(flags, 'tags');
  if (ratings === undefined) throw new UsageError('--ratings needs a file');
  try {
    return {
      data: Dataset.fromMovieLens(
        { ratings, ...(movies && { movies }), ...(tags && { tags }) },
        { sessionGapSeconds: integerFlag(flags, 'session-gap', 3600, 0, Number.MAX_SAFE_INTEGER) },
      ),
      fromFiles: true,
    };
  } catch (error) {
    throw withPaths(error, flags);
  }
}

function splitSource(flags: Flags, data: Dataset): Split {
  const testFraction = numberFlag(flags, 'test-fraction', 0.2, 0, 1);
  if (testFraction === 0 || testFraction === 1)
    throw new UsageError('--test-fraction must lie strictly between 0 and 1');
  return splitDataset(data, {
    method: choiceFlag(flags, 'split', 'leave-one-out', SPLIT_METHODS),
    seed: integerFlag(flags, 'split-seed', 42),
    testFraction,
  });
}

function round(value: number, digits = 6): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---- tables ----------------------------------------------------------------------------------

const SHOWN_ROWS = 10;

function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  // Ratings keep one decimal at least (5.0, 3.5), as the notebook's tables print them.
  const cell = (row: Record<string, unknown>, column: string) => {
    const v = row[column];
    return column === 'rating' && typeof v === 'number' && Number.isInteger(v) ? v.toFixed(1) : String(v);
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line([...columns]), ...rows.map((r) => line(columns.map((c) => cell(r, c))))].join('\n') + '\n';
}

function head(title: string, rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const more = rows.length > SHOWN_ROWS ? ` (first ${SHOWN_ROWS} of ${rows.length}; --json prints all)` : '';
  return `${title}${more}\n${table(rows.slice(0, SHOWN_ROWS), columns)}`;
}

// ---- JSON shapes (DESIGN.md "CLI contract") ---------------------------------------------------

function generatedJson(data: DemoData) {
  return {
    ratings: data.ratings.map((r) => ({ user_id: r.user, item_id: r.item, rating: r.rating })),
    sessions: data.sessions,
    items: data.items.map((item) => ({
      item_id: item.id,
      title: item.title,
      category: item.category,
      category_name: item.categoryName,
      description: item.description,
    })),
  };
}

function rowsJson(data: Dataset): Record<string, number>[] {
  const rows = data.toArrays();
  return Array.from(rows.users, (user, r) => {
    const row: Record<string, number> = { user_id: user, item_id: rows.items[r] ?? 0, rating: rows.ratings[r] ?? 0 };
    if (rows.timestamps) row['timestamp'] = rows.timestamps[r] ?? 0;
    return row;
  });
}

/** A row of `evaluate`: a notebook model (name = kind) or one of its better variants. */
interface EvaluatedSpec {
  name: string;
  kind: ModelKind;
  options: Record<string, number | boolean | string>;
}

// --models takes kinds and variant ids; --variants puts each kind's variants after its row.
function evaluatedSpecs(flags: Flags): EvaluatedSpec[] {
  const names =
    stringFlag(flags, 'models')
      ?.split(',')
      .map((s) => s.trim()) ?? Model.kinds();
  const specs: EvaluatedSpec[] = [];
  for (const name of names) {
    const variant = MODEL_VARIANTS.find((v) => v.id === name);
    if (variant) specs.push({ name, kind: variant.kind, options: { ...variant.options } });
    else specs.push({ name, kind: name as ModelKind, options: {} });
    if (flags.get('variants') && !variant) {
      for (const v of MODEL_VARIANTS.filter((v) => v.kind === name)) {
        specs.push({ name: v.id, kind: v.kind, options: { ...v.options } });
      }
    }
  }
  return specs;
}

function createModel(spec: EvaluatedSpec, trainSeed: number | undefined): Model {
  const options = { ...spec.options };
  if (trainSeed !== undefined) {
    // Only models with randomness take a seed; the others ignore --train-seed.
    const probe = Model.create(spec.kind);
    const seeded = 'seed' in probe.info().options;
    probe.dispose();
    if (seeded) options['seed'] = trainSeed;
  }
  return Model.create(spec.kind, options as ModelOptions[ModelKind]);
}

const COMMANDS: Record<string, Command> = {
  generate: {
    summary: "generate the notebook's demo data (ratings, sessions, items)",
    flags: { ...GENERATOR_FLAGS, ...COMMON_FLAGS },
    run(flags) {
      const data = generateDemoData(generatorOptions(flags));
      const json = generatedJson(data);
      if (flags.get('json')) {
        process.stdout.write(JSON.stringify(json) + '\n');
        return;
      }
      process.stdout.write(
        `${data.ratings.length} ratings, ${data.sessions.length} sessions, ${data.items.length} items ` +
          `(seed ${data.options.seed})\n\n` +
          head('ratings', json.ratings, ['user_id', 'item_id', 'rating']) +
          '\n' +
          head('items', json.items, ['item_id', 'title', 'category', 'category_name', 'description']) +
          '\n' +
          head(
            'sessions',
            json.sessions.map((s, u) => ({ user_id: u, items: s.join(' ') })),
            ['user_id', 'items'],
          ),
      );
    },
  },
  split: {
    summary: "split ratings into train and test (default: the notebook's leave-one-out)",
    flags: { ...GENERATOR_FLAGS, ...FILE_FLAGS, ...SPLIT_FLAGS, ...COMMON_FLAGS },
    run(flags) {
      using data = loadSource(flags).data;
      using split = splitSource(flags, data);
      const train = rowsJson(split.train);
      const test = rowsJson(split.test);
      if (flags.get('json')) {
        process.stdout.write(JSON.stringify({ train, test }) + '\n');
        return;
      }
      const columns = ['user_id', 'item_id', 'rating', ...(train[0] && 'timestamp' in train[0] ? ['timestamp'] : [])];
      process.stdout.write(
        `${train.length} train rows, ${test.length} test rows\n\n` +
          head('train', train, columns) +
          '\n' +
          head('test', test, columns),
      );
    },
  },
  evaluate: {
    summary: 'fit models on a split and report precision/recall@k and more',
    flags: {
      ...GENERATOR_FLAGS,
      ...FILE_FLAGS,
      ...SPLIT_FLAGS,
      k: { description: 'cut-off', default: '10' },
      models: { description: 'comma-separated model names and variant ids (e.g. mf:sgd)', default: 'all' },
      variants: { boolean: true, description: "also evaluate each model's better variants, beside its row" },
      'train-seed': { description: 'seed for models that train with randomness (mf, two_tower)' },
      recs: { boolean: true, description: "include every user's ranked list" },
      ...COMMON_FLAGS,
    },
    run(flags) {
      const k = integerFlag(flags, 'k', 10, 1, 1_000_000);
      const trainSeed = flags.has('train-seed') ? integerFlag(flags, 'train-seed', 0) : undefined;
      const keepRecs = flags.get('recs') === true;
      const source = loadSource(flags);
      using data = source.data;
      const specs = evaluatedSpecs(flags);
      using split = splitSource(flags, data);
      const limit = source.notebookItemLimit;
      const notebookCandidates = limit === undefined ? undefined : data.itemIds().filter((item) => item < limit);
      const rows = specs.map((spec) => {
        using model = createModel(spec, trainSeed);
        const fitStart = performance.now();
        model.fit(split.train);
        const fitMs = performance.now() - fitStart;
        const candidates = RATING_MATRIX_KINDS.has(spec.kind) ? notebookCandidates : undefined;
        const e = evaluate(model, split.test, {
          k,
          keepRecommendations: keepRecs,
          ...(candidates && { candidates }),
        });
        const row: Record<string, unknown> = {
          name: spec.name,
          precision: round(e.precision),
          recall: round(e.recall),
          ndcg: round(e.ndcg),
          hit_rate: round(e.hitRate),
          mrr: round(e.mrr),
          map: round(e.map),
          coverage: round(e.coverage),
          rmse: round(e.rmse),
          mae: round(e.mae),
          fit_ms: round(fitMs, 3),
          eval_ms: round(e.milliseconds, 3),
        };
        if (e.recommendations) {
          row['recs'] = Object.fromEntries(
            [...e.recommendations].map(([user, r]) => [
              String(user),
              { items: r.items, scores: r.scores.map((s) => round(s, 9)) },
            ]),
          );
        }
        return row;
      });
      if (flags.get('json')) {
        process.stdout.write(JSON.stringify({ k, models: rows }) + '\n');
        return;
      }
      const width = Math.max(16, ...rows.map((r) => String(r['name']).length + 2));
      const header = `${'model'.padEnd(width)}${`P@${k}`.padStart(9)}${`R@${k}`.padStart(9)}${`NDCG@${k}`.padStart(10)}${'fit ms'.padStart(10)}`;
      process.stdout.write(header + '\n');
      for (const r of rows) {
        const fmt = (v: unknown, w: number, d = 3) => (typeof v === 'number' ? v.toFixed(d) : '-').padStart(w);
        process.stdout.write(
          `${String(r['name']).padEnd(width)}${fmt(r['precision'], 9)}${fmt(r['recall'], 9)}${fmt(r['ndcg'], 10)}${fmt(r['fit_ms'], 10, 1)}\n`,
        );
      }
    },
  },
};

function usage(): string {
  const lines = ['Usage: recwasm <command> [flags]', '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)}${command.summary}`);
  lines.push('', "Run 'recwasm <command> --help' for a command's flags.");
  return lines.join('\n') + '\n';
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (try --help)`);
    const flags = parseFlags(rest, command.flags);
    if (flags.get('help')) {
      process.stdout.write(`Usage: recwasm ${name} [flags]\n${command.summary}\n\n${formatFlagHelp(command.flags)}\n`);
      return 0;
    }
    await loadRecwasm();
    await command.run(flags);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof RecwasmError) {
      const code = error instanceof RecwasmError ? `${error.code}: ` : '';
      process.stderr.write(`recwasm: ${code}${error.message.replace(/\n/g, ' ')}\n`);
      return 2;
    }
    throw error;
  }
}
