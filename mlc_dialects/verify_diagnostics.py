"""MLIR-compatible `--verify-diagnostics`: check produced diagnostics against annotations.

Annotations are comments in the input, as mlir-opt reads them:

    // expected-error @+1 {{contracting dimensions differ}}
    %c = graph.matmul %a, %b : (tensor<2x8xf32>, tensor<9x4xf32>) -> tensor<2x4xf32>

`expected-error`, `expected-warning`, `expected-note` and `expected-remark` are understood; the
designator is empty (same line), `@+N`, `@-N`, `@above`, `@below` or an absolute `@N`. The text
between `{{` and `}}` must be a substring of the produced message. Every produced diagnostic must
be expected and every expectation produced; otherwise each mismatch is reported at its line and
the tool exits with status 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlc_dialects.diagnostics import Diagnostic

_ANNOTATION = re.compile(
    r"expected-(?P<sev>error|warning|note|remark)\s*(?:@(?P<where>[+-]\d+|above|below|\d+))?"
    r"\s*\{\{(?P<msg>.*?)\}\}"
)


@dataclass
class Expectation:
    severity: str
    line: int
    message: str
    annotation_line: int
    col: int
    matched: bool = False


def parse_expectations(text: str, line_offset: int, filename: str
                       ) -> tuple[list[Expectation], list[Diagnostic]]:
    """Expectations of one buffer (lines numbered from `line_offset` + 1), and annotation errors."""
    found: list[Expectation] = []
    errors: list[Diagnostic] = []
    lines = text.split("\n")
    for idx, line in enumerate(lines):
        lineno = idx + 1 + line_offset
        for m in _ANNOTATION.finditer(line):
            where = m.group("where")
            if where is None:
                target = lineno
            elif where in ("above", "below"):
                target = _next_code_line(lines, idx, -1 if where == "above" else 1, line_offset)
            elif where[0] in "+-":
                target = lineno + int(where)
            else:
                target = int(where)
            if target is None:
                errors.append(Diagnostic("error", f"'{m.group(0)}' has no line {where}",
                                         filename, lineno, m.start() + 1))
                continue
            found.append(Expectation(m.group("sev"), target, m.group("msg"), lineno,
                                     m.start() + 1))
    return found, errors


def _next_code_line(lines: list[str], idx: int, step: int, line_offset: int) -> int | None:
    i = idx + step
    while 0 <= i < len(lines):
        if "expected-" not in lines[i]:
            return i + 1 + line_offset
        i += step
    return None


def check(produced: list[Diagnostic], expected: list[Expectation], filename: str
          ) -> list[Diagnostic]:
    """Mismatches between produced diagnostics and expectations, as diagnostics to print."""
    problems: list[Diagnostic] = []
    flat: list[Diagnostic] = []
    for d in produced:
        flat.append(d)
        flat.extend(d.notes)
    for d in flat:
        hit = next(
            (e for e in expected if not e.matched and e.severity == d.severity
             and e.line == d.line and e.message in d.message),
            None,
        )
        if hit is None:
            problems.append(Diagnostic(d.severity, f"unexpected {d.severity}: {d.message}",
                                       d.filename, d.line, d.col))
        else:
            hit.matched = True
    for e in expected:
        if not e.matched:
            problems.append(Diagnostic(
                "error", f"expected {e.severity} \"{e.message}\" was not produced",
                filename, e.annotation_line, e.col,
            ))
    return problems
