"""Parity of `recwasm generate --json` and `recwasm split --json` with numpy and pandas.

Runs the built CLI (its entry point dist/cli/main.js, many command lines in one Node process:
tests/parity/run-cli.mjs) for many seeds and sizes and compares its JSON with
reference.py, which computes the same data with numpy's RandomState and pandas' sample. Also
splits MovieLens ml-latest-small (all three split methods) when the dataset is present.
Prints one line per check and ends with "parity: N passed, N failed".

    /usr/bin/python3 tests/parity/check.py
"""

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True
import pandas as pd  # noqa: E402

import reference  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MOVIELENS = os.path.join(ROOT, "..", "shared", "datasets", "ml-latest-small", "ratings.csv")


def generator_configs():
    """Edge cases named in the issue, then a seeded spread of seeds and odd sizes that covers
    ratings per user 1..20 and categories 1..6."""
    configs = [
        dict(users=30, items=60, categories=6, ratings_per_user=12, session_len=8, seed=42),
        # one item: most users' preferred category is empty (empty session, no draw)
        dict(users=6, items=1, categories=6, ratings_per_user=3, session_len=4, seed=42),
        dict(users=11, items=3, categories=6, ratings_per_user=5, session_len=7, seed=5),
        dict(users=0, items=13, categories=4, ratings_per_user=12, session_len=8, seed=1),
        dict(users=9, items=17, categories=3, ratings_per_user=0, session_len=5, seed=2),
        dict(users=5, items=7, categories=2, ratings_per_user=20, session_len=0, seed=3),
        dict(users=3, items=7, categories=2, ratings_per_user=5, session_len=4, seed=2**32 - 1),
        dict(users=4, items=9, categories=1, ratings_per_user=6, session_len=2, seed=2**31),
        dict(users=2, items=2, categories=5, ratings_per_user=1, session_len=1, seed=0),
    ]
    rng = random.Random(20240611)
    seeds = [0, 1, 7, 99, 12345, 2**31 - 1, 2**32 - 2, 4000000000]
    for rpu in range(1, 21):
        configs.append(
            dict(
                users=rng.choice([1, 2, 5, 13, 29, 33, 47]),
                items=rng.choice([2, 5, 9, 23, 31, 61, 101]),
                categories=(rpu - 1) % 6 + 1,
                ratings_per_user=rpu,
                session_len=rng.choice([0, 1, 3, 8, 11]),
                seed=seeds[rpu % len(seeds)] if rpu % 3 else rng.randrange(2**32),
            )
        )
    return configs


def flags(config):
    return [
        "--users", str(config["users"]),
        "--items", str(config["items"]),
        "--categories", str(config["categories"]),
        "--ratings-per-user", str(config["ratings_per_user"]),
        "--session-len", str(config["session_len"]),
        "--seed", str(config["seed"]),
    ]  # fmt: skip


def run_cli_batch(command_lines):
    """Outputs of `recwasm <args> --json` for every argument list, from one Node process."""
    batch = [[*args, "--json"] for args in command_lines]
    out = subprocess.run(
        ["node", os.path.join(ROOT, "tests", "parity", "run-cli.mjs")],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError("run-cli.mjs exited %d: %s" % (out.returncode, out.stderr.strip()))
    return json.loads(out.stdout)


def first_difference(got, want, path="$"):
    """Where two JSON values differ, or None. Numbers compare by value (5 == 5.0)."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return "%s: keys %s, expected %s" % (path, sorted(got) if isinstance(got, dict) else got, sorted(want))
        for key in want:
            diff = first_difference(got[key], want[key], "%s.%s" % (path, key))
            if diff:
                return diff
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return "%s: length %s, expected %d" % (path, len(got) if isinstance(got, list) else got, len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            diff = first_difference(g, w, "%s[%d]" % (path, i))
            if diff:
                return diff
        return None
    if isinstance(want, bool) or isinstance(got, bool) or got != want:
        return "%s: %r, expected %r" % (path, got, want)
    return None


def generator_checks():
    """(name, CLI arguments, function computing the expected JSON)."""
    checks = []
    configs = generator_configs()
    for config in configs:
        name = " ".join("%s=%s" % kv for kv in config.items())

        def generate(config=config):
            return reference.generate(**config)[0]

        def loo(config=config):
            frame = reference.ratings_frame(reference.generate(**config)[0])
            return reference.split_json(frame, "leave-one-out", seed=42)

        checks.append(("generate " + name, ["generate", *flags(config)], generate))
        checks.append(("split leave-one-out " + name, ["split", *flags(config)], loo))
    # Other split seeds, and the ratio split, on a few generated datasets.
    for config, split_seed, fraction in [
        (configs[0], 7, 0.2),
        (configs[2], 2**32 - 1, 0.5),
        (configs[12], 0, 0.35),
        (configs[20], 123, 0.1),
    ]:

        def loo_seed(config=config, split_seed=split_seed):
            frame = reference.ratings_frame(reference.generate(**config)[0])
            return reference.split_json(frame, "leave-one-out", seed=split_seed)

        def ratio(config=config, split_seed=split_seed, fraction=fraction):
            frame = reference.ratings_frame(reference.generate(**config)[0])
            return reference.split_json(frame, "ratio", split_seed, fraction)

        seeded = ["split", *flags(config), "--split-seed", str(split_seed)]
        checks.append(("split leave-one-out --split-seed %d seed=%d" % (split_seed, config["seed"]), seeded, loo_seed))
        checks.append(
            (
                "split ratio %.2f --split-seed %d seed=%d" % (fraction, split_seed, config["seed"]),
                [*seeded, "--split", "ratio", "--test-fraction", repr(fraction)],
                ratio,
            )
        )
    return checks


def movielens_checks():
    if not os.path.exists(MOVIELENS):
        return []
    frame = []  # read once, on first use
    checks = []
    for method, seed, fraction in [("leave-one-out", 42, 0.2), ("last-by-time", 42, 0.2), ("ratio", 9, 0.25)]:

        def want(method=method, seed=seed, fraction=fraction):
            if not frame:
                frame.append(pd.read_csv(MOVIELENS))
            return reference.split_json(frame[0], method, seed, fraction, movielens=True)

        argv = ["split", "--ratings", MOVIELENS, "--split", method, "--split-seed", str(seed)]
        argv += ["--test-fraction", str(fraction)]
        checks.append(("split %s ml-latest-small ratings.csv" % method, argv, want))
    return checks


def main():
    if not os.path.exists(os.path.join(ROOT, "dist", "cli", "main.js")):
        print("parity: dist/cli/main.js is missing; build first (npm run build)")
        print("parity: 0 passed, 1 failed")
        return 1
    checks = generator_checks() + movielens_checks()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The CLI runs in Node while Python computes the references.
        outputs = pool.submit(run_cli_batch, [argv for _, argv, _ in checks])
        wanted = []
        for _, _, want in checks:
            try:
                wanted.append((want(), None))
            except Exception as error:
                wanted.append((None, "reference error: %s" % error))
        outputs = outputs.result()

    passed = failed = 0
    for (name, argv, _), (want, problem), out in zip(checks, wanted, outputs):
        if problem is None and out["code"] != 0:
            problem = "recwasm %s exited %d: %s" % (" ".join(argv), out["code"], out["stderr"].strip())
        if problem is None:
            problem = first_difference(json.loads(out["stdout"]), want)
        if problem is None:
            passed += 1
            print("ok    " + name)
        else:
            failed += 1
            print("FAIL  %s\n      %s" % (name, problem))
    print("parity: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
