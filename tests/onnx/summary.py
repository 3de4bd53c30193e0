"""Run every ONNX backend node test on the mlc backend and print pass/fail/skip per op family.

    python tests/onnx/summary.py                      # the table
    python tests/onnx/summary.py -v                   # and every failure with its message
    python tests/onnx/summary.py --write-expected     # regenerate tests/onnx/expected_pass.txt
    python tests/onnx/summary.py --mode compile       # through the compiler, once it exists

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
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
EXPECTED = Path(__file__).with_name("expected_pass.txt")


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


def run_all(mode: str, verbose: bool) -> dict[str, tuple[str, str, str]]:
    """test name -> (family, status, message)."""
    warnings.filterwarnings("ignore")
    from onnx.backend.test.loader import load_model_tests
    from onnx.backend.test.runner import Runner, _normalize_tensor

    from mlc_dialects.diagnostics import DiagnosticError
    from mlc_dialects.frontend.onnx import FAMILIES
    from mlc_dialects.frontend.onnx_backend import MlcBackend

    results = {}
    for t in load_model_tests(kind="node"):
        op_types = [n.op_type for n in t.model.graph.node]
        op = primary_op(t.name, op_types)
        family = FAMILIES.get(op, "unsupported")
        missing = sorted({o for o in op_types if o not in FAMILIES})
        if missing:
            results[t.name] = (family, "skip", "no converter for " + ", ".join(missing))
            continue
        try:
            rep = MlcBackend.prepare(t.model, "CPU", mode=mode)
            for inputs, outputs in t.data_sets:
                got = rep.run([_normalize_tensor(i) for i in inputs])
                Runner.assert_similar_outputs([_normalize_tensor(o) for o in outputs],
                                              list(got), rtol=t.rtol, atol=t.atol)
            results[t.name] = (family, "pass", "")
        except DiagnosticError as err:
            results[t.name] = (family, "error", str(err).splitlines()[0])
        except Exception as err:  # noqa: BLE001 - a wrong result or a crash: a bug
            results[t.name] = (family, "fail", f"{type(err).__name__}: {err}".replace("\n", " "))
        if verbose and results[t.name][1] in ("fail", "error"):
            print(f"{results[t.name][1]:5} {t.name}: {results[t.name][2][:200]}")
    return results


def table(results: dict[str, tuple[str, str, str]]) -> str:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for family, status, _ in results.values():
        counts[family][status] += 1
    order = ["elementwise", "linalg", "nn", "reduce", "shape", "constant", "unsupported"]
    rows = [f"{'family':12} {'pass':>5} {'error':>6} {'fail':>5} {'skip':>5} {'total':>6}"]
    total: collections.Counter = collections.Counter()
    for family in order + sorted(set(counts) - set(order)):
        c = counts.get(family)
        if not c:
            continue
        total.update(c)
        rows.append(f"{family:12} {c['pass']:5} {c['error']:6} {c['fail']:5} {c['skip']:5} "
                    f"{sum(c.values()):6}")
    rows.append(f"{'all':12} {total['pass']:5} {total['error']:6} {total['fail']:5} "
                f"{total['skip']:5} {sum(total.values()):6}")
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", default="interpret", choices=["interpret", "compile"])
    p.add_argument("--write-expected", action="store_true",
                   help=f"write the passing tests to {EXPECTED.name}")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    start = time.time()
    results = run_all(args.mode, args.verbose)
    print(table(results))
    print(f"({time.time() - start:.1f} s, mode {args.mode})")
    expected = set(EXPECTED.read_text().split()) if EXPECTED.exists() else set()
    regressions = sorted(n for n in expected if results.get(n, ("", "missing"))[1] != "pass")
    if regressions:
        print(f"{len(regressions)} tests of {EXPECTED.name} do not pass: {', '.join(regressions)}")
    if args.write_expected:
        passing = sorted(n for n, r in results.items() if r[1] == "pass")
        EXPECTED.write_text("".join(f"{n}\n" for n in passing))
        print(f"wrote {len(passing)} tests to {EXPECTED}")
    fails = [n for n, r in results.items() if r[1] == "fail"]
    return 1 if fails or regressions else 0


if __name__ == "__main__":
    sys.exit(main())
