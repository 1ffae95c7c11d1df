#!/usr/bin/python3
"""An independent computation of content_tfidf and covisitation with scikit-learn and plain
Python, for tests/js/classic_reference.test.mjs to compare recwasm against.

Reads one JSON request on stdin and writes one JSON answer on stdout.

  {"task": "split", "k": 10, "text": [...], "sessions": [[...]], "train": [[user, item, rating]],
   "users": n_users}
      -> recommendations for every user from the notebook's procedures: TF-IDF
         (TfidfVectorizer(max_features=5000, stop_words="english"), mean profile,
         cosine_similarity, seen items excluded, popularity when there is no history) and
         co-visitation (Counter.most_common over de-duplicated sessions, neighbours of the last
         train item, popularity when nothing is left), plus recwasm's documented variants
         (rating/centered profiles, co-visitation padded with popularity).
  {"task": "movielens", "dir": "...", "k": 10, "items": [movieId...], "users": [userId...],
   "max_features": 0 | N}
      -> similar items and recommendations on MovieLens item text (title, genres with "|" as
         spaces, then tags in file order) and all ratings as history (file order).

Ties: the notebook's numpy argsort and pandas sorts are unstable, so ranks here use recwasm's
documented rule (higher score first, then lower item id); for max_features the kept terms are
the most frequent, ties to the term that sorts first. Cosines that are equal in exact arithmetic
can differ in their last bits between scikit-learn and recwasm, so content lists come back with
EXTRA more entries than asked for: the caller compares groups of near-equal scores as sets.
"""
import csv
import json
import os
import sys
from collections import Counter, defaultdict

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

EXTRA = 20


def tfidf(texts, max_features):
    if max_features:
        counter = CountVectorizer(stop_words="english")
        totals = np.asarray(counter.fit_transform(texts).sum(axis=0)).ravel()
        terms = counter.get_feature_names_out()
        chosen = sorted(range(len(terms)), key=lambda t: (-totals[t], terms[t]))[:max_features]
        vectorizer = TfidfVectorizer(stop_words="english", vocabulary=sorted(terms[t] for t in chosen))
    else:
        vectorizer = TfidfVectorizer(stop_words="english")
    return vectorizer.fit_transform(texts).tocsr()


def ranked(scores, candidates, k):
    order = sorted(candidates, key=lambda i: (-scores[i], i))[:k]
    return {"items": [int(i) for i in order], "scores": [float(scores[i]) for i in order]}


class Popularity:
    def __init__(self, items_of_rows, n_items):
        self.counts = Counter(items_of_rows)
        self.order = sorted(self.counts, key=lambda i: (-self.counts[i], i))
        self.largest = max(self.counts.values()) if self.counts else 0

    def recommend(self, seen, k, score=None):
        items = [i for i in self.order if i not in seen][:k]
        score = score or (lambda i: float(self.counts[i]))
        return {"items": items, "scores": [score(i) for i in items]}


def content(X, history, values, seen, k, popularity, profile="mean"):
    k += EXTRA
    if not history:
        return popularity.recommend(seen, k)
    w = np.ones(len(history)) if profile == "mean" else np.asarray(values, dtype=float)
    if profile == "centered":
        w = w - w.mean()
    if profile != "mean" and not np.any(w != 0):
        w = np.ones(len(history))
    p = np.asarray(X[history].T @ w).ravel() / np.abs(w).sum()
    if not np.any(p != 0):
        return popularity.recommend(seen, k)
    sims = cosine_similarity(p.reshape(1, -1), X).ravel()
    return ranked(sims, [i for i in range(X.shape[0]) if i not in seen], k)


def covisitation_graph(sessions, keep=50):
    counts = defaultdict(Counter)
    for session in sessions:
        unique = list(dict.fromkeys(session))
        for a in unique:
            for b in unique:
                if a != b:
                    counts[a][b] += 1
    return {a: ctr.most_common(keep) for a, ctr in counts.items()}


def covisitation(graph, history, seen, k, popularity, pad=False):
    out = {"items": [], "scores": []}
    if history:
        for b, c in graph.get(history[-1], []):
            if b not in seen and len(out["items"]) < k:
                out["items"].append(b)
                out["scores"].append(float(c))
    if not pad:
        return out if out["items"] else popularity.recommend(seen, k)
    extra = popularity.recommend(
        seen | set(out["items"]), k - len(out["items"]),
        lambda i: popularity.counts[i] / (1.0 + popularity.largest))
    return {"items": out["items"] + extra["items"], "scores": out["scores"] + extra["scores"]}


def split_task(req):
    k, n_users = req["k"], req["users"]
    train = req["train"]
    X = tfidf(req["text"], 5000)
    popularity = Popularity([int(i) for _, i, _ in train], X.shape[0])
    graph = covisitation_graph([[int(i) for i in s] for s in req["sessions"]])
    history = defaultdict(list)
    values = defaultdict(list)
    for u, i, r in train:
        history[int(u)].append(int(i))
        values[int(u)].append(float(r))
    out = {name: {} for name in ("content_mean", "content_rating", "content_centered",
                                 "covisitation", "covisitation_pad")}
    for u in range(n_users):
        h, seen = history[u], set(history[u])
        for profile in ("mean", "rating", "centered"):
            out["content_" + profile][u] = content(X, h, values[u], seen, k, popularity, profile)
        out["covisitation"][u] = covisitation(graph, h, seen, k, popularity)
        out["covisitation_pad"][u] = covisitation(graph, h, seen, k, popularity, pad=True)
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def movielens_task(req):
    folder, k = req["dir"], req["k"]
    ratings = read_csv(os.path.join(folder, "ratings.csv"))
    movies = read_csv(os.path.join(folder, "movies.csv"))
    tags = read_csv(os.path.join(folder, "tags.csv"))
    ids = sorted({int(r["movieId"]) for r in ratings} | {int(m["movieId"]) for m in movies})
    dense = {m: i for i, m in enumerate(ids)}
    parts = {m: [] for m in ids}
    for m in movies:
        parts[int(m["movieId"])] += [m["title"], m["genres"].replace("|", " ")]
    for t in tags:
        parts[int(t["movieId"])].append(t["tag"])
    X = tfidf([" ".join(parts[m]) for m in ids], req["max_features"])

    similar = {}
    for movie in req["items"]:
        i = dense[movie]
        sims = (X @ X[i].T).toarray().ravel()
        candidates = [j for j in np.nonzero(sims > 0)[0] if j != i]
        r = ranked(sims, candidates, k + EXTRA)
        similar[movie] = {"items": [ids[j] for j in r["items"]], "scores": r["scores"]}

    history = defaultdict(list)
    for r in ratings:
        history[int(r["userId"])].append(dense[int(r["movieId"])])
    popularity = Popularity([dense[int(r["movieId"])] for r in ratings], len(ids))
    recs = {}
    for user in req["users"]:
        h = history[user]
        r = content(X, h, [1.0] * len(h), set(h), k, popularity)
        recs[user] = {"items": [ids[j] for j in r["items"]], "scores": r["scores"]}
    return {"similar": similar, "recommendations": recs, "items": len(ids)}


def main():
    req = json.load(sys.stdin)
    task = {"split": split_task, "movielens": movielens_task}[req["task"]]
    json.dump(task(req), sys.stdout)


if __name__ == "__main__":
    main()
