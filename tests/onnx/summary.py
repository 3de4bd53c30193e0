"""Run every ONNX backend node test on the mlc backend and print pass/error/fail/skip per op family,
through the interpreter and compiled.

    python tests/onnx/summary.py                          # both modes, one table
    python tests/onnx/summary.py --mode interpret         # one mode (compile: ~3 min with -j 2)
    python tests/onnx/summary.py --by-op                  # and one row per op
    python tests/onnx/summary.py -v                       # and every failure with its message
    python tests/onnx/summary.py -k '^test_conv' -j 2     # some tests, in 2 processes
    python tests/onnx/summary.py --write-expected         # regenerate the expected lists

`--write-expected` writes, for the modes run: `expected_pass.txt` (interpret);
`expected_pass_compiled.txt` (compile) and `expected_pass_compiled_subset.txt`, the tests CI
compiles by default: per op the fastest passing test, and the second fastest for ops with at
least `SECOND_FROM` passing tests, at most `SUBSET_MAX` in all.

A test belongs to the family of the op it tests (the converter module of `mlc_dialects.frontend.
onnx`: elementwise, linalg, nn, reduce, shape, constant). Statuses:
- pass: imported, run, outputs match onnx's expected outputs (dtype, shape, rtol/atol);
- error: a clear import error naming the node and what is missing (uint8 inputs, 3-D pooling,
  indices computed at run time, ...) -- expected for features outside the graph spec;
- fail: wrong result or a crash -- a bug, never expected;
- skip: the model uses an op the importer has no converter for (counted under "unsupported").
"""

from __future__ import annotations

import argparse
import collections
import re
import resource
import signal
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).parent
EXPECTED = {"interpret": HERE / "expected_pass.txt",
            "compile": HERE / "expected_pass_compiled.txt"}
SUBSET = HERE / "expected_pass_compiled_subset.txt"
SUBSET_MAX = 150
SECOND_FROM = 5
TEST_SECONDS = 120
"""A test running longer is stopped and counted as a fail (a compiler hang, not a slow test)."""
TEST_BYTES = 8 << 30
"""Address-space limit of the process running the tests: a runaway compile fails, rather than
bringing the machine down (integer Pow once took 24 GB)."""
FAMILY_ORDER = ["elementwise", "linalg", "nn", "reduce", "shape", "constant", "unsupported"]
STATUSES = ["pass", "error", "fail", "skip"]


@dataclass(frozen=True)
class Result:
    op: str
    family: str
    status: str
    message: str
    seconds: float


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def primary_op(test_name: str, op_types: list[str]) -> str:
    """The op a node test is about: its only op, or the one its name starts with."""
    ops = [o for o in op_types if o != "Constant"] or op_types
    if len(set(ops)) == 1:
        return ops[0]
    stem = test_name.removeprefix("test_")
    for o in sorted(set(ops), key=len, reverse=True):
        if stem.startswith(_snake(o)):
            return o
    return ops[0]


def _node_tests(pattern: str) -> list:
    from onnx.backend.test.loader import load_model_tests

    return [t for t in load_model_tests(kind="node") if re.search(pattern, t.name)]


class TestTimeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise TestTimeout(f"stopped after {TEST_SECONDS} s")


def _run_chunk(mode: str, pattern: str, names: list[str]) -> dict[str, Result]:
    """Run the node tests `names` (a worker's share) in `mode`, each under a time limit."""
    warnings.filterwarnings("ignore")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > TEST_BYTES:
        resource.setrlimit(resource.RLIMIT_AS, (TEST_BYTES, hard))
    signal.signal(signal.SIGALRM, _alarm)
    from onnx.backend.test.runner import Runner, _normalize_tensor

    from mlc_dialects.diagnostics import DiagnosticError
    from mlc_dialects.frontend.onnx import FAMILIES
    from mlc_dialects.frontend.onnx_backend import MlcBackend

    wanted = set(names)
    results = {}
    for t in _node_tests(pattern):
        if t.name not in wanted:
            continue
        op_types = [n.op_type for n in t.model.graph.node]
        op = primary_op(t.name, op_types)
        family = FAMILIES.get(op, "unsupported")
        missing = sorted({o for o in op_types if o not in FAMILIES})
        if missing:
            results[t.name] = Result(op, family, "skip", "no converter for " + ", ".join(missing),
                                     0.0)
            continue
        start = time.perf_counter()
        signal.alarm(TEST_SECONDS)
        try:
            rep = MlcBackend.prepare(t.model, "CPU", mode=mode)
            for inputs, outputs in t.data_sets:
                got = rep.run([_normalize_tensor(i) for i in inputs])
                Runner.assert_similar_outputs([_normalize_tensor(o) for o in outputs],
                                              list(got), rtol=t.rtol, atol=t.atol)
            status, message = "pass", ""
        except DiagnosticError as err:
            status, message = "error", str(err).splitlines()[0]
        except Exception as err:  # noqa: BLE001 - a wrong result or a crash: a bug
            status, message = "fail", f"{type(err).__name__}: {err}".replace("\n", " ")
        finally:
            signal.alarm(0)
        results[t.name] = Result(op, family, status, message, time.perf_counter() - start)
    return results


def run_all(mode: str, pattern: str, jobs: int, verbose: bool) -> dict[str, Result]:
    """test name -> Result, running the tests in `jobs` processes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = [t.name for t in _node_tests(pattern)]
    if jobs <= 1:
        results = _run_chunk(mode, pattern, names)
    else:
        chunks = [names[k::jobs] for k in range(jobs)]
        results = {}
        with ProcessPoolExecutor(jobs) as pool:
            for part in pool.map(_run_chunk, [mode] * jobs, [pattern] * jobs, chunks):
                results.update(part)
    results = {n: results[n] for n in names}
    if verbose:
        for name, r in results.items():
            if r.status in ("fail", "error"):
                print(f"{mode:9} {r.status:5} {name}: {r.message[:200]}")
    return results


def _counts(results: dict[str, Result], key: str) -> dict[str, collections.Counter]:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in results.values():
        counts[getattr(r, key)][r.status] += 1
    return counts


def table(by_mode: dict[str, dict[str, Result]], key: str = "family") -> str:
    """One row per family (or op), for each mode: pass, error, fail, skip."""
    counts = {mode: _counts(results, key) for mode, results in by_mode.items()}
    groups = set().union(*(c.keys() for c in counts.values()))
    order = [g for g in FAMILY_ORDER if g in groups] + sorted(groups - set(FAMILY_ORDER))
    width = max([len(key), 12, *(len(g) for g in groups)])
    head1 = " " * width + "".join(f" | {mode:^20}" for mode in by_mode)
    head2 = f"{key:{width}}" + " | pass error fail skip" * len(by_mode) + "  total"
    rows = [head1, head2]
    totals = {mode: collections.Counter() for mode in by_mode}
    for group in order + ["all"]:
        row = f"{group:{width}}"
        for mode in by_mode:
            c = totals[mode] if group == "all" else counts[mode].get(group, collections.Counter())
            if group != "all":
                totals[mode].update(c)
            row += " | " + " ".join(f"{c[s]:{max(4, len(s))}}" for s in STATUSES)
        row += f" {sum(c.values()):6}"
        rows.append(row)
    return "\n".join(rows)


def compiled_subset(results: dict[str, Result]) -> list[str]:
    """Per op the fastest passing test; the second fastest too for ops with many passing
    tests; at most SUBSET_MAX names."""
    by_op: dict[str, list[tuple[float, str]]] = collections.defaultdict(list)
    for name, r in results.items():
        if r.status == "pass":
            by_op[r.op].append((r.seconds, name))
    firsts, seconds = [], []
    for tests in by_op.values():
        tests.sort()
        firsts.append(tests[0][1])
        if len(tests) >= SECOND_FROM:
            seconds.append(tests[1])
    seconds.sort()
    return sorted((firsts + [name for _, name in seconds])[:SUBSET_MAX])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", default="both", choices=["interpret", "compile", "both"])
    p.add_argument("-k", dest="pattern", default="", help="only tests whose name matches")
    p.add_argument("-j", dest="jobs", type=int, default=1, help="worker processes")
    p.add_argument("--by-op", action="store_true", help="also print one row per op")
    p.add_argument("--write-expected", action="store_true",
                   help="write the passing tests to the expected lists of the modes run")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    modes = ["interpret", "compile"] if args.mode == "both" else [args.mode]
    by_mode, status = {}, 0
    for mode in modes:
        start = time.time()
        by_mode[mode] = run_all(mode, args.pattern, args.jobs, args.verbose)
        print(f"({mode}: {time.time() - start:.1f} s)", flush=True)
    print(table(by_mode))
    if args.by_op:
        print(table(by_mode, key="op"))
    for mode, results in by_mode.items():
        expected = set(EXPECTED[mode].read_text().split()) if EXPECTED[mode].exists() else set()
        expected = {n for n in expected if n in results}  # what -k selected
        regressions = sorted(n for n in expected if results[n].status != "pass")
        if regressions:
            print(f"{mode}: {len(regressions)} tests of {EXPECTED[mode].name} do not pass: "
                  f"{', '.join(regressions)}")
            status = 1
        fails = [n for n, r in results.items() if r.status == "fail"]
        if fails:
            print(f"{mode}: {len(fails)} tests fail (wrong result or crash): {', '.join(fails)}")
            status = 1
        if args.write_expected:
            if args.pattern:
                p.error("--write-expected needs the whole suite (no -k)")
            passing = sorted(n for n, r in results.items() if r.status == "pass")
            EXPECTED[mode].write_text("".join(f"{n}\n" for n in passing))
            print(f"wrote {len(passing)} tests to {EXPECTED[mode]}")
            if mode == "compile":
                subset = compiled_subset(results)
                SUBSET.write_text("".join(f"{n}\n" for n in subset))
                print(f"wrote {len(subset)} tests to {SUBSET}")
    return status


if __name__ == "__main__":
    sys.exit(main())
