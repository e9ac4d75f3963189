#!/usr/bin/python3
"""The bench reference model (tests/bench/reference.ini, project.ini) in numpy,
written as a careful analyst would: every parameter drawn as one vector, the
Gaussian copula of p01,p02 and p08,p09 by correlated normals, the items'
present values by annuity factors, and the society and stakeholder NPV
summaries (mean, SD, P5, P50, P95, P(NPV > 0)).

    /usr/bin/python3 tests/bench/numpy_reference.py DRAWS SEED

prints one line: "society_npv_mean <mean> <standard error> <seconds>" after the
stakeholder table (for make bench's comparison with mkba: the means agree
within Monte Carlo error, the draws themselves differ). Needs python3-numpy."""
import sys
import time

import numpy as np


def lognormal(rng, z, mean, sd, n):
    s2 = np.log1p((sd / mean) ** 2)
    mu = np.log(mean) - s2 / 2
    return np.exp(mu + np.sqrt(s2) * (rng.standard_normal(n) if z is None else z))


def gamma(rng, mean, sd, n):
    return rng.gamma((mean / sd) ** 2, sd * sd / mean, n)


def beta(rng, mean, sd, n):
    k = mean * (1 - mean) / (sd * sd) - 1
    return rng.beta(mean * k, (1 - mean) * k, n)


def pert(rng, lo, mode, hi, n):
    a = 1 + 4 * (mode - lo) / (hi - lo)
    b = 1 + 4 * (hi - mode) / (hi - lo)
    return lo + (hi - lo) * rng.beta(a, b, n)


def draw(rng, n):
    """The 25 parameters p01..p25 (a cycle of 7 distributions)."""
    p = {}
    # copula pairs: the model's correlations are rank (Spearman) ones, so the
    # normals get the Pearson correlation r = 2 sin(pi rho / 6) that gives
    # that rank correlation (README, [correlations]); each to its marginal
    r12 = 2 * np.sin(np.pi * 0.4 / 6)
    r89 = 2 * np.sin(np.pi * -0.3 / 6)
    z1 = rng.standard_normal(n)
    z2 = r12 * z1 + np.sqrt(1 - r12 ** 2) * rng.standard_normal(n)
    z8 = rng.standard_normal(n)
    z9 = r89 * z8 + np.sqrt(1 - r89 ** 2) * rng.standard_normal(n)
    zs = {1: z1, 2: z2, 8: z8, 9: z9}
    for i in range(1, 26):
        kind = (i - 1) % 7
        z = zs.get(i)
        if kind == 0:
            p[i] = 100 + 15 * (rng.standard_normal(n) if z is None else z)
        elif kind == 1:
            p[i] = lognormal(rng, z, 50.0, 12.0, n)
        elif kind == 2:
            p[i] = gamma(rng, 20.0, 5.0, n)
        elif kind == 3:
            p[i] = beta(rng, 0.3, 0.08, n)
        elif kind == 4:
            p[i] = pert(rng, 10.0, 20.0, 40.0, n)
        elif kind == 5:
            p[i] = rng.triangular(5.0, 8.0, 15.0, n)
        else:
            p[i] = rng.uniform(0.5, 1.5, n)
    return p


def main():
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1000000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    p = draw(rng, n)
    horizon, rate = 10, 0.0225
    df = (1 + rate) ** -np.arange(horizon)  # start of year: year 1 undiscounted
    fixed_annuity = df.sum()
    # drop-off d = p04 / 4: sum_t (1 - d)^(t - 1) DF_t, per draw
    d = p[4] / 4
    ann_drop = np.zeros(n)
    f = np.ones(n)
    for t in range(horizon):
        ann_drop += f * df[t]
        f *= 1 - d
    # items: (kind, stakeholder(s), quantity factors, price, dropoff?)
    holders = ["municipality", "state", "residents", "insurers"]
    items = [
        ("cost", 0, (1, 2), 8, 10, True),
        ("benefit", 1, (3, 4), 10, 20, False),
        ("benefit", 2, (5, 6), 12, 30, False),
        ("cost", 3, (7, 8), 14, 40, True),
        ("benefit", 0, (9, 10), 16, 50, False),
        ("transfer", (2, 0), (11, 12), 18, 60, False),
        ("benefit", 2, (13, 14), 20, 70, True),
        ("cost", 3, (15, 16), 22, 80, False),
        ("benefit", 0, (17, 18), 24, 90, False),
        ("benefit", 1, (19, 20), 1, 100, True),
    ]
    npv = np.zeros((len(holders) + 1, n))  # society last
    for kind, who, (a, b), pr, add, drop in items:
        pv = p[a] * p[b] * (p[pr] + add) * (ann_drop if drop else fixed_annuity)
        if kind == "benefit":
            npv[who] += pv
            npv[-1] += pv
        elif kind == "cost":
            npv[who] -= pv
            npv[-1] -= pv
        else:  # transfer: gainer gains, loser loses, society unchanged
            npv[who[0]] += pv
            npv[who[1]] -= pv
    q = np.percentile(npv, [5, 50, 95], axis=1)  # linear interpolation, as mkba
    mean, sd = npv.mean(axis=1), npv.std(axis=1, ddof=1)
    pos = (npv > 0).mean(axis=1)
    seconds = time.perf_counter() - t0
    for k, name in enumerate(holders + ["society"]):
        print(f"{name},{mean[k]:.6g},{sd[k]:.6g},{q[0][k]:.6g},{q[1][k]:.6g},{q[2][k]:.6g},{pos[k]:.4f}")
    print(f"society_npv_mean {mean[-1]:.17g} {sd[-1] / np.sqrt(n):.17g} {seconds:.3f}")


if __name__ == "__main__":
    main()
