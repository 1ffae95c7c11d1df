// Command-line flags: `--name value`, `--name=value`, and boolean `--name`.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes no value. */
  boolean?: boolean;
  description: string;
  /** Shown in help, e.g. "42". */
  default?: string;
}

export type Flags = Map<string, string | true>;

export function parseFlags(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.boolean) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

export function integerFlag(flags: Flags, name: string, fallback: number, min = 0, max = 2 ** 32 - 1): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got '${String(raw)}'`);
  }
  return value;
}

export function numberFlag(flags: Flags, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`--${name} must be a number between ${min} and ${max}, got '${String(raw)}'`);
  }
  return value;
}

export function choiceFlag<T extends string>(flags: Flags, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = allowed.find((a) => a === raw);
  if (value === undefined) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${String(raw)}'`);
  return value;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const raw = flags.get(name);
  return typeof raw === 'string' ? raw : undefined;
}

export function formatFlagHelp(specs: Readonly<Record<string, FlagSpec>>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const head = spec.boolean ? `--${name}` : `--${name} <value>`;
      const tail = spec.default !== undefined ? ` (default ${spec.default})` : '';
      return `  ${head.padEnd(26)}${spec.description}${tail}`;
    })
    .join('\n');
}
