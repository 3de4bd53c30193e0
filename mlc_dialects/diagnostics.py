"""User-facing diagnostics: `file:line:col: error: message`, the source line and a caret.

Every mistake a user can make in IR (syntax, unknown op, bad types, bad attributes, undefined
values, verifier rules, bad pass options) ends up as a `Diagnostic`. Tools print them and exit
with status 1; they never show a Python traceback for a user's mistake.

A diagnostic is located by a `FileLineColLoc` that the parser attaches to every operation (see
`mlc_dialects.parsing`), so verifier errors found long after parsing still point at the source.
The source text of every parsed buffer is kept in `SOURCES` so that the caret line can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.dialects.builtin import FileLineColLoc
from xdsl.ir import Operation
from xdsl.utils.exceptions import ParseError

SOURCES: dict[str, str] = {}
"""Source text of every parsed buffer, by buffer name (the file name for files)."""


@dataclass
class Diagnostic:
    """One located message. `line` and `col` are 1-based; 0 means unknown."""

    severity: str  # "error", "warning" or "note"
    message: str
    filename: str = "<unknown>"
    line: int = 0
    col: int = 0
    length: int = 1
    notes: list[Diagnostic] = field(default_factory=list)

    def format(self) -> str:
        """MLIR-style text: location, severity, message, then the source line with a caret."""
        if self.line <= 0:
            head = f"{self.filename}: {self.severity}: {self.message}"
            return "\n".join([head, *(n.format() for n in self.notes)])
        head = f"{self.filename}:{self.line}:{self.col}: {self.severity}: {self.message}"
        lines = [head]
        source = SOURCES.get(self.filename)
        if source is not None:
            src_lines = source.split("\n")
            if self.line <= len(src_lines):
                text = src_lines[self.line - 1].rstrip("\r")
                lines.append(text)
                lines.append(" " * (self.col - 1) + "^" * max(1, min(self.length, len(text))))
        lines.extend(n.format() for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


class DiagnosticError(Exception):
    """A user's mistake, described by one or more diagnostics. Tools print it and exit 1."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))


def op_location(op: Operation) -> tuple[str, int, int]:
    """(file, line, col) of an operation, walking up to the nearest located ancestor."""
    cur: Operation | None = op
    while cur is not None:
        loc = cur.location
        if isinstance(loc, FileLineColLoc):
            return loc.filename.data, loc.line.data, loc.column.data
        cur = cur.parent_op()
    return "<unknown>", 0, 0


def at_op(op: Operation, message: str, severity: str = "error") -> Diagnostic:
    """A diagnostic at `op`, with MLIR's `'dialect.op' op` prefix."""
    filename, line, col = op_location(op)
    return Diagnostic(severity, f"'{op.name}' op {message}", filename, line, col)


def from_parse_error(err: ParseError) -> Diagnostic:
    """Turn xDSL's ParseError (a span and a message) into a located diagnostic."""
    span = err.span
    loc = span.get_location()
    return Diagnostic("error", err.msg, loc.file, loc.line, loc.col, max(1, span.end - span.start))
