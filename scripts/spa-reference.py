#!/usr/bin/env python3
"""Reference values for the Reality Check / SPA parity test (tests/Cbi.Workbench.Tests/Evaluation/spa-reference.json).

Runs the SPA of the `arch` package (Kevin Sheppard, github.com/bashtage/arch, MIT licence) on constructed loss series
and records its stationary-bootstrap indices and p-values, so the workbench's implementation can be checked on the same
numbers and the same resamples. arch is not a dependency of the workbench and is not vendored: point ARCH_SRC at a
checkout of its source (it needs Debian's python3-numpy, python3-pandas, python3-scipy, python3-statsmodels) and run
    ARCH_SRC=/path/to/arch /usr/bin/python3 scripts/spa-reference.py > tests/Cbi.Workbench.Tests/Evaluation/spa-reference.json
"""
import json, os, sys, subprocess

sys.path.insert(0, os.environ["ARCH_SRC"])
import numpy as np
from arch.bootstrap import SPA, StationaryBootstrap

rng = np.random.default_rng(20240601)
n, k, block, reps, seed = 200, 4, 10, 200, 1234
# Constructed, serially dependent losses (AR(1) noise): the benchmark and four models, one of them slightly better.
def ar(phi, size):
    e = rng.standard_normal(size)
    x = np.empty(size)
    x[0] = e[0]
    for t in range(1, size):
        x[t] = phi * x[t - 1] + e[t]
    return x
bench = 1.0 + 0.2 * ar(0.5, n)
shift = np.array([0.05, -0.02, 0.0, 0.08])
models = np.column_stack([1.0 + shift[j] + 0.2 * ar(0.5, n) for j in range(k)])

spa = SPA(bench, models, block_size=block, reps=reps, seed=seed)
spa.compute()
bs = StationaryBootstrap(block, bench[:, None] - models, seed=seed)
indices = []
for _ in bs.bootstrap(reps):
    indices.append([int(i) for i in bs.index])

commit = os.environ.get("ARCH_COMMIT") or subprocess.run(["git", "-C", os.environ["ARCH_SRC"], "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
json.dump({
    "source": f"arch (github.com/bashtage/arch) commit {commit}: SPA(benchmark, models, block_size={block}, reps={reps}, seed={seed}).compute(); "
              "indices from StationaryBootstrap(block, benchmark[:, None] - models, seed) iterated as SPA does",
    "block": block, "reps": reps,
    "benchmark": bench.tolist(), "models": models.T.tolist(), "indices": indices,
    "pvalues": {"lower": float(spa.pvalues["lower"]), "consistent": float(spa.pvalues["consistent"]), "upper": float(spa.pvalues["upper"])},
}, sys.stdout)
