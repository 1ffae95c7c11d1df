#!/usr/bin/python3
"""Runs the notebook's own kNN code (UserKNNCF, ItemKNNCF) with Debian's numpy/pandas.

The code is not copied here: the definitions are read from the seed notebook at run time
(../shared/seed/...), so this is an independent check of recwasm against the notebook itself.

  knn_reference.py demo [--users 30 --items 60 --categories 6 --ratings-per-user 12
                         --session-len 8 --seed 42 --split-seed 42 --k 10]
      -> {"n_users", "n_items", "models": {"user_knn": {"recs": [[...] per test user],
          "precision", "recall", "scores": [[one per item] per user]}, "item_knn": {...}}}
      (--models user_knn,item_knn picks models; --score-users N scores only users 0..N-1)
  knn_reference.py ratings --ratings FILE --pairs u:i,u:i,...   (dense ids, all rows train)
      -> {"user_knn": [prediction per pair], "item_knn": [...]}
  knn_reference.py time [demo flags]
      -> {"user_knn_s", "user_knn_cpu_s", "item_knn_s", "item_knn_cpu_s"}: wall and CPU seconds
         for fit + top-k for every user

Floats are printed with Python's repr, which JavaScript parses back to the same double.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from typing import Callable, Dict, List, Optional, Tuple  # noqa: F401 (the notebook's names)

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "..", "..", "shared", "seed", "000_08d9df81b88f26b4.txt")

NOTEBOOK_NAMES = [
    "make_demo_data",
    "leave_last_one_out_split",
    "precision_recall_at_k",
    "build_dense_rating_matrix",
    "nanmean_safe",
    "pearson_sim_nan",
    "cosine_sim_nan",
    "UserKNNCF",
    "ItemKNNCF",
]


def notebook_definitions(path: str) -> dict:
    """Executes the named top-level `def`/`class` blocks of the notebook text.

    A block starts at `def NAME(` / `class NAME` in column 0 and ends before the next non-blank
    line in column 0 other than a closing parenthesis (cell markers and outputs are in column 0).
    """
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    namespace = {
        "np": np,
        "pd": pd,
        "Dict": Dict,
        "List": List,
        "Tuple": Tuple,
        "Optional": Optional,
        "Callable": Callable,
    }
    for name in NOTEBOOK_NAMES:
        starts = [
            n
            for n, line in enumerate(lines)
            if line.startswith(f"def {name}(") or line.startswith(f"class {name}:")
            or line.startswith(f"class {name}(")
        ]
        if len(starts) != 1:
            raise SystemExit(f"notebook: expected one definition of {name}, found {len(starts)}")
        end = starts[0] + 1
        while end < len(lines) and (lines[end] == "" or lines[end][0] in " \t)"):
            end += 1
        exec(compile("\n".join(lines[starts[0]:end]), f"notebook:{name}", "exec"), namespace)
    return namespace


def models(nb, a):
    named = {"user_knn": nb["UserKNNCF"], "item_knn": nb["ItemKNNCF"]}
    return [(name, named[name]) for name in a.models.split(",")]


def demo_split(nb, a):
    ratings_df, _sessions, _items_df, _text = nb["make_demo_data"](
        n_users=a.users,
        n_items=a.items,
        n_categories=a.categories,
        ratings_per_user=a.ratings_per_user,
        session_len=a.session_len,
        seed=a.seed,
    )
    train_df, test_df = nb["leave_last_one_out_split"](ratings_df, seed=a.split_seed)
    # The notebook's own global counts (cell after the split).
    n_users = int(ratings_df["user_id"].max() + 1)
    n_items = int(ratings_df["item_id"].max() + 1)
    return train_df, test_df, n_users, n_items


def run_demo(nb, a):
    train_df, test_df, n_users, n_items = demo_split(nb, a)
    R = nb["build_dense_rating_matrix"](train_df, n_users, n_items)
    seen_by_user = train_df.groupby("user_id")["item_id"].apply(set).to_dict()
    relevant_by_user = test_df.groupby("user_id")["item_id"].apply(list).to_dict()
    out = {"n_users": n_users, "n_items": n_items, "models": {}}
    for name, cls in models(nb, a):
        model = cls()  # the notebook's defaults: 30 and 50 neighbours
        model.fit(R)
        recs, precisions, recalls = {}, [], []
        for u, rel in relevant_by_user.items():  # the notebook's evaluate_model loop
            seen = seen_by_user.get(u, set())
            r = model.recommend(u, seen, a.k, n_items)
            p, q = nb["precision_recall_at_k"](r, set(rel), a.k)
            precisions.append(p)
            recalls.append(q)
            recs[int(u)] = r
        scored = range(min(n_users, a.score_users))
        scores = [[model.predict_rating(u, i) for i in range(n_items)] for u in scored]
        out["models"][name] = {
            "recs": {str(u): r for u, r in recs.items()},
            "precision": float(np.mean(precisions)),
            "recall": float(np.mean(recalls)),
            "scores": scores,
        }
    return out


def run_ratings(nb, a):
    df = pd.read_csv(a.ratings)
    users = np.unique(df["userId"].values)
    items = np.unique(df["movieId"].values)
    train = pd.DataFrame(
        {
            "user_id": np.searchsorted(users, df["userId"].values),
            "item_id": np.searchsorted(items, df["movieId"].values),
            "rating": df["rating"].astype(float).values,
        }
    )
    R = nb["build_dense_rating_matrix"](train, len(users), len(items))
    pairs = [tuple(int(x) for x in p.split(":")) for p in a.pairs.split(",") if p]
    out = {}
    for name, cls in models(nb, a):
        model = cls()
        model.fit(R)
        out[name] = [model.predict_rating(u, i) for u, i in pairs]
    return out


def run_time(nb, a):
    train_df, _test_df, n_users, n_items = demo_split(nb, a)
    seen_by_user = train_df.groupby("user_id")["item_id"].apply(set).to_dict()
    out = {}
    for name, cls in models(nb, a):
        start = time.perf_counter()
        start_cpu = time.process_time()
        model = cls()
        model.fit(nb["build_dense_rating_matrix"](train_df, n_users, n_items))
        for u in range(n_users):
            model.recommend(u, seen_by_user.get(u, set()), a.k, n_items)
        out[name + "_s"] = time.perf_counter() - start
        out[name + "_cpu_s"] = time.process_time() - start_cpu
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["demo", "ratings", "time"])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--categories", type=int, default=6)
    parser.add_argument("--ratings-per-user", type=int, default=12)
    parser.add_argument("--session-len", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--ratings")
    parser.add_argument("--pairs", default="")
    parser.add_argument("--notebook", default=SEED)
    parser.add_argument("--models", default="user_knn,item_knn")
    parser.add_argument("--score-users", type=int, default=1 << 30, help="users with full scores")
    a = parser.parse_args()
    nb = notebook_definitions(a.notebook)
    run = {"demo": run_demo, "ratings": run_ratings, "time": run_time}[a.mode]
    json.dump(run(nb, a), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
