"""An independent numpy implementation of the notebook's mf and two_tower training, used to
check recwasm's quality means (bench/suites/learned.mjs runs it when numpy is installed).

It follows the notebook's TensorFlow code, not recwasm's: float32 variables, Keras-style Adam
updating every variable every step (rows outside the batch get a zero data gradient), numpy's
default_rng for initialisation, shuffling and negatives. Reads the splits that
dump_splits.mjs writes (stdin), prints {"mf": {...}, "two_tower": {...}} means as JSON.
"""
import json
import sys

import numpy as np

F = np.float32


class Adam:
    def __init__(self, shapes, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
        self.m = [np.zeros(s, F) for s in shapes]
        self.v = [np.zeros(s, F) for s in shapes]
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0

    def step(self, variables, grads):
        self.t += 1
        alpha = F(self.lr * np.sqrt(1 - self.b2**self.t) / (1 - self.b1**self.t))
        for var, g, m, v in zip(variables, grads, self.m, self.v):
            m += (g - m) * F(1 - self.b1)
            v += (g * g - v) * F(1 - self.b2)
            var -= (m * alpha) / (np.sqrt(v) + F(self.eps))


def top_k_hits(scores, seen, relevant, k=10):
    scores = scores.astype(np.float64).copy()
    scores[list(seen)] = -np.inf
    order = np.argsort(-scores, kind="stable")[:k]
    hits = len(set(order.tolist()) & relevant)
    return hits / k, hits / max(1, len(relevant))


def evaluate(split, score_user):
    train, test = split["train"], split["test"]
    seen = {}
    for u, i in zip(train["users"], train["items"]):
        seen.setdefault(int(u), set()).add(int(i))
    relevant = {}
    for u, i in zip(test["users"], test["items"]):
        relevant.setdefault(int(u), set()).add(int(i))
    p = r = 0.0
    for u in sorted(relevant):
        pu, ru = top_k_hits(score_user(u), seen.get(u, set()), relevant[u])
        p, r = p + pu, r + ru
    return p / len(relevant), r / len(relevant)


def train_mf(split, rng, k=32, epochs=10, batch=256, l2=1e-5):
    nu, ni = split["users"], split["items"]
    u = np.array(split["train"]["users"], np.int64)
    i = np.array(split["train"]["items"], np.int64)
    r = np.array(split["train"]["ratings"], F)
    P = rng.uniform(-0.05, 0.05, (nu, k)).astype(F)
    Q = rng.uniform(-0.05, 0.05, (ni, k)).astype(F)
    bu = rng.uniform(-0.05, 0.05, nu).astype(F)
    bi = rng.uniform(-0.05, 0.05, ni).astype(F)
    mu = np.array([r.mean()], F)
    variables = [P, Q, bu, bi, mu]
    opt = Adam([v.shape for v in variables])
    for _ in range(epochs):
        order = rng.permutation(len(r))
        for s in range(0, len(r), batch):
            b = order[s : s + batch]
            ub, ib, rb = u[b], i[b], r[b]
            pred = mu[0] + bu[ub] + bi[ib] + np.sum(P[ub] * Q[ib], axis=1)
            d = (F(2) * (pred - rb) / F(len(b))).astype(F)
            gP, gQ = np.zeros_like(P), np.zeros_like(Q)
            gbu, gbi = np.zeros_like(bu), np.zeros_like(bi)
            np.add.at(gP, ub, d[:, None] * Q[ib])
            np.add.at(gQ, ib, d[:, None] * P[ub])
            np.add.at(gbu, ub, d)
            np.add.at(gbi, ib, d)
            gmu = np.array([d.sum()], F)
            grads = [g + F(l2) * v for g, v in zip([gP, gQ, gbu, gbi, gmu], variables)]
            opt.step(variables, grads)
    return lambda user: mu[0] + bu[user] + bi + Q @ P[user]


def normalise(x):
    return x / np.sqrt(np.maximum(np.sum(x * x, axis=-1, keepdims=True), F(1e-12)))


def train_two_tower(split, rng, dim=32, epochs=10, batch=256, negatives=3, tau=1.0):
    nu, ni = split["users"], split["items"]
    pairs = []
    seen = set()
    for u, i in zip(split["train"]["users"], split["train"]["items"]):
        if (u, i) not in seen:
            seen.add((u, i))
            pairs.append((int(u), int(i)))
    U = rng.uniform(-0.05, 0.05, (nu, dim)).astype(F)
    V = rng.uniform(-0.05, 0.05, (ni, dim)).astype(F)
    opt = Adam([U.shape, V.shape])
    for _ in range(epochs):
        ex = []
        for u, i in pairs:
            ex.append((u, i, 1.0))
            for _ in range(negatives):
                n = int(rng.integers(0, ni))
                while n == i:
                    n = int(rng.integers(0, ni))
                ex.append((u, n, 0.0))
        ex = np.array(ex)[rng.permutation(len(ex))]  # 5000-buffer = full shuffle here
        for s in range(0, len(ex), batch):
            b = ex[s : s + batch]
            ub, ib, z = b[:, 0].astype(np.int64), b[:, 1].astype(np.int64), b[:, 2].astype(F)
            ru, rv = U[ub], V[ib]
            nu_, nv_ = normalise(ru), normalise(rv)
            x = np.sum(nu_ * nv_, axis=1) / F(tau)
            dx = ((F(1) / (F(1) + np.exp(-x))) - z) / F(len(b)) / F(tau)
            gnu, gnv = dx[:, None] * nv_, dx[:, None] * nu_
            inu = 1 / np.sqrt(np.maximum(np.sum(ru * ru, 1, keepdims=True), F(1e-12)))
            inv = 1 / np.sqrt(np.maximum(np.sum(rv * rv, 1, keepdims=True), F(1e-12)))
            gru = (gnu - nu_ * np.sum(nu_ * gnu, 1, keepdims=True)) * inu
            grv = (gnv - nv_ * np.sum(nv_ * gnv, 1, keepdims=True)) * inv
            gU, gV = np.zeros_like(U), np.zeros_like(V)
            np.add.at(gU, ub, gru.astype(F))
            np.add.at(gV, ib, grv.astype(F))
            opt.step([U, V], [gU, gV])
    Vn = normalise(V)
    return lambda user: Vn @ normalise(U[user])


def main():
    splits = json.load(sys.stdin)
    out = {}
    for name, train, kwargs in [
        ("mf", train_mf, {}),
        ("two_tower", train_two_tower, {}),
        ("two_tower_t0.3", train_two_tower, {"tau": 0.3}),
    ]:
        ps, rs = [], []
        for split in splits:
            rng = np.random.default_rng(1000 + split["seed"])
            p, r = evaluate(split, train(split, rng, **kwargs))
            ps.append(p)
            rs.append(r)
        out[name] = {"precision": float(np.mean(ps)), "recall": float(np.mean(rs))}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
