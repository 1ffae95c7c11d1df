// The `recwasm` command (DESIGN.md, "CLI contract"), built on the public API only.
import {
  Dataset,
  Model,
  RecwasmError,
  evaluate,
  leaveOneOut,
  loadRecwasm,
  demoDataset,
  type ModelKind,
} from '../node.js';
import { UsageError, formatFlagHelp, integerFlag, parseFlags, stringFlag, type FlagSpec, type Flags } from './args.js';

const GENERATOR_FLAGS: Record<string, FlagSpec> = {
  seed: { description: 'generator seed', default: '42' },
  users: { description: 'number of users', default: '30' },
  items: { description: 'number of items', default: '60' },
  categories: { description: 'number of categories (1-6)', default: '6' },
  'ratings-per-user': { description: 'ratings drawn per user', default: '12' },
  'session-len': { description: 'items per session', default: '8' },
};

const COMMON_FLAGS: Record<string, FlagSpec> = {
  json: { boolean: true, description: 'print one JSON document' },
  help: { boolean: true, description: 'show this help' },
};

interface Command {
  summary: string;
  flags: Record<string, FlagSpec>;
  run(flags: Flags): Promise<void> | void;
}

function demoFromFlags(flags: Flags): Dataset {
  return demoDataset({
    seed: integerFlag(flags, 'seed', 42),
    users: integerFlag(flags, 'users', 30, 0, 10_000_000),
    items: integerFlag(flags, 'items', 60, 0, 1_000_000),
    categories: integerFlag(flags, 'categories', 6, 0, 1000),
    ratingsPerUser: integerFlag(flags, 'ratings-per-user', 12, 0, 1_000_000),
    sessionLength: integerFlag(flags, 'session-len', 8, 0, 1_000_000),
  });
}

function round(value: number, digits = 6): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const COMMANDS: Record<string, Command> = {
  evaluate: {
    summary: "fit models on the notebook's split and report precision/recall@k",
    flags: {
      ...GENERATOR_FLAGS,
      'split-seed': { description: 'leave-one-out seed', default: '42' },
      k: { description: 'cut-off', default: '10' },
      models: { description: 'comma-separated model names', default: 'all' },
      recs: { boolean: true, description: "include every user's ranked list" },
      ...COMMON_FLAGS,
    },
    run(flags) {
      const k = integerFlag(flags, 'k', 10, 1, 1_000_000);
      const kinds = (stringFlag(flags, 'models')?.split(',') ?? Model.kinds()).map((s) => s.trim()) as ModelKind[];
      const keepRecs = flags.get('recs') === true;
      using data = demoFromFlags(flags);
      using split = leaveOneOut(data, { seed: integerFlag(flags, 'split-seed', 42) });
      const rows = kinds.map((kind) => {
        using model = Model.create(kind);
        const fitStart = performance.now();
        model.fit(split.train);
        const fitMs = performance.now() - fitStart;
        const e = evaluate(model, split.test, { k, keepRecommendations: keepRecs });
        const row: Record<string, unknown> = {
          name: kind,
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
      const header = `${'model'.padEnd(16)}${`P@${k}`.padStart(9)}${`R@${k}`.padStart(9)}${`NDCG@${k}`.padStart(10)}${'fit ms'.padStart(10)}`;
      process.stdout.write(header + '\n');
      for (const r of rows) {
        const fmt = (v: unknown, w: number, d = 3) => (typeof v === 'number' ? v.toFixed(d) : '-').padStart(w);
        process.stdout.write(
          `${String(r['name']).padEnd(16)}${fmt(r['precision'], 9)}${fmt(r['recall'], 9)}${fmt(r['ndcg'], 10)}${fmt(r['fit_ms'], 10, 1)}\n`,
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
