"""Independent reference for recwasm's data layer, computed with numpy and pandas themselves.

Written from the notebook's description of its generator and split (DESIGN.md, NUMPY_PARITY.md),
calling numpy's RandomState and pandas' sample directly, plus recwasm's documented rules where
the notebook has none (a preferred category without items, the time and ratio splits).
"""

import numpy as np
import pandas as pd

CATEGORY_WORDS = [
    ("Action", "action fast adventure hero battle explosion chase mission fight weapon danger rescue"),
    ("Romance", "romance love drama heart relationship emotion passion kiss betrayal wedding tearful affection"),
    ("Sci-Fi", "scifi space future alien robot technology galaxy time experiment spaceship cyber planet"),
    ("Comedy", "comedy funny joke laugh humor awkward satire parody prank clumsy ridiculous smile"),
    ("Horror", "horror scary ghost dark monster fear nightmare blood curse haunted evil scream"),
    ("Documentary", "documentary history facts nature real science culture wildlife investigation education truth archive"),
]


def generate(users, items, categories, ratings_per_user, session_len, seed):
    """The generator, draw for draw, returning the CLI's JSON shape (as Python objects)."""
    rng = np.random.RandomState(seed)
    item_cat = rng.randint(0, categories, size=items)
    user_cat = rng.randint(0, categories, size=users)

    item_rows = []
    for i in range(items):
        name, words = CATEGORY_WORDS[int(item_cat[i])]
        picked = rng.choice(np.array(words.split()), size=5, replace=False)
        item_rows.append(
            {
                "item_id": i,
                "title": "Item_%02d_Category_%02d" % (i, item_cat[i]),
                "category": int(item_cat[i]),
                "category_name": name,
                "description": " ".join(str(w) for w in picked),
            }
        )

    n_pref = int(ratings_per_user * 0.7)
    n_other = ratings_per_user - n_pref
    ratings = []
    for u in range(users):
        mask = item_cat == user_cat[u]
        pref = np.flatnonzero(mask)
        other = np.flatnonzero(~mask)
        a = rng.choice(pref, size=min(n_pref, pref.size), replace=False)
        b = rng.choice(other, size=min(n_other, other.size), replace=False)
        chosen = np.concatenate((a, b))
        rng.shuffle(chosen)
        for it in chosen:
            mean = 4.2 if item_cat[it] == user_cat[u] else 2.8
            value = np.round(np.clip(rng.normal(mean, 0.6), 1.0, 5.0), 1)
            ratings.append({"user_id": u, "item_id": int(it), "rating": float(value)})

    sessions = []
    for u in range(users):
        pref = np.flatnonzero(item_cat == user_cat[u])
        if pref.size == 0:
            # recwasm's documented rule where numpy would raise: an empty session, no draw.
            sessions.append([])
        else:
            sessions.append([int(x) for x in rng.choice(pref, size=session_len, replace=True)])
    return {"ratings": ratings, "sessions": sessions, "items": item_rows}, [int(c) for c in user_cat]


def _rows(frame, columns):
    out = []
    for rec in frame.itertuples(index=False):
        row = {}
        for key, column in columns:
            value = getattr(rec, column)
            row[key] = float(value) if key == "rating" else int(value)
        out.append(row)
    return out


def leave_one_out(frame, user_col, seed):
    """pandas: per user (groupby order), sample(frac=1, random_state=seed); last row to test."""
    train, test = [], []
    for _, group in frame.groupby(user_col):
        shuffled = group.sample(frac=1.0, random_state=seed)
        train.append(shuffled.iloc[:-1])
        test.append(shuffled.iloc[-1:])
    return _concat(train, frame), _concat(test, frame)


def last_by_time(frame, user_col):
    """pandas: a stable sort by timestamp, then per user the last row to test."""
    ordered = frame.sort_values("timestamp", kind="stable")
    train, test = [], []
    for _, group in ordered.groupby(user_col):
        train.append(group.iloc[:-1])
        test.append(group.iloc[-1:])
    return _concat(train, frame), _concat(test, frame)


def ratio(frame, user_col, fraction, seed):
    """numpy: one RandomState; per user with n >= 2 rows, permutation(n), the last
    clamp(floor(n * fraction + 0.5), 1, n - 1) positions to test; both parts in table order."""
    rng = np.random.RandomState(seed)
    is_test = np.zeros(len(frame), dtype=bool)
    positions = frame.groupby(user_col, sort=True).indices
    for user in sorted(positions):
        idx = positions[user]
        n = len(idx)
        if n < 2:
            continue
        count = min(n - 1, max(1, int(np.floor(n * fraction + 0.5))))
        order = rng.permutation(n)
        is_test[idx[order[n - count :]]] = True
    return frame[~is_test], frame[is_test]


def _concat(parts, like):
    # No ratings (0 users, 0 ratings per user): recwasm returns empty parts; pandas cannot
    # concatenate nothing.
    return pd.concat(parts) if parts else like.iloc[:0]


def split(frame, method, user_col, seed, fraction):
    if method == "leave-one-out":
        return leave_one_out(frame, user_col, seed)
    if method == "last-by-time":
        return last_by_time(frame, user_col)
    return ratio(frame, user_col, fraction, seed)


def split_json(frame, method, seed=42, fraction=0.2, movielens=False):
    """The CLI's split JSON for a ratings frame (generated data or MovieLens ratings.csv)."""
    if movielens:
        columns = [("user_id", "userId"), ("item_id", "movieId"), ("rating", "rating"), ("timestamp", "timestamp")]
        user_col = "userId"
    else:
        columns = [("user_id", "user_id"), ("item_id", "item_id"), ("rating", "rating")]
        user_col = "user_id"
    train, test = split(frame, method, user_col, seed, fraction)
    return {"train": _rows(train, columns), "test": _rows(test, columns)}


def ratings_frame(generated):
    return pd.DataFrame(generated["ratings"], columns=["user_id", "item_id", "rating"])
