"""Parse and verify IR text, turning every failure into a located `DiagnosticError`.

`LocatedParser` is xDSL's parser plus one thing: each operation it parses gets a
`loc("file":line:col)` pointing at its first token (unless the text gave an explicit `loc(...)`),
so that verifier errors, pass failures and interpreter errors can point back at the source.

`verify_located(module)` verifies operation by operation (parents before children, like
mlir-opt) and reports the first failure at the failing operation's location.
"""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException
from xdsl.utils.lexer import Span

from mlc_dialects.diagnostics import SOURCES, Diagnostic, DiagnosticError, at_op, from_parse_error


class LocatedParser(Parser):
    """xDSL's parser, attaching a FileLineColLoc to every operation it parses."""

    def __init__(self, ctx: Context, text: str, name: str, line_offset: int = 0):
        super().__init__(ctx, text, name)
        self._line_offset = line_offset
        self._file_attr = StringAttr(name)
        self._first_forward_use: dict[str, Span] = {}

    def resolve_operand(self, operand: UnresolvedOperand, type: Attribute) -> SSAValue:
        name = operand.operand_name
        if name not in self.ssa_values:
            self._first_forward_use.setdefault(name, operand.span)
        return super().resolve_operand(operand, type)

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        try:
            return super().parse_module(allow_implicit_module)
        except ParseError as err:
            # xDSL reports undefined values at the end of the input; point at the first use.
            pending = [n for n in self._first_forward_use if n in self.forward_ssa_references]
            if pending and err.msg.startswith("values used but not defined"):
                self.raise_error(
                    f"use of undefined value '%{pending[0]}'", self._first_forward_use[pending[0]]
                )
            raise

    def parse_operation(self) -> Operation:
        start = self._current_token.span
        op = super().parse_operation()
        if isinstance(op.location, UnknownLoc):
            loc = start.get_location()
            op.location = FileLineColLoc(
                self._file_attr, IntAttr(loc.line + self._line_offset), IntAttr(loc.col)
            )
        return op


def decode_source(data: bytes | str, name: str) -> str:
    """Bytes to text; input that is not UTF-8 is a located error, not a UnicodeDecodeError."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise DiagnosticError(
            Diagnostic("error", "input is not valid UTF-8 text", name, line, col)
        ) from None


def parse_module(
    ctx: Context,
    text: str,
    name: str = "<string>",
    line_offset: int = 0,
    implicit_module: bool = True,
    register_source: bool = True,
) -> ModuleOp:
    """Parse `text` into a module, raising DiagnosticError on any syntax error.

    `text` may be a chunk of a larger buffer starting after `line_offset` lines; then the
    caller registers the whole buffer in `SOURCES` (for caret lines) and passes
    `register_source=False`.
    """
    if register_source:
        SOURCES[name] = text
    parser = LocatedParser(ctx, text, name, line_offset)
    try:
        return parser.parse_module(implicit_module)
    except ParseError as err:
        diag = from_parse_error(err)
        diag.line += line_offset
        raise DiagnosticError(diag) from None
    except DiagnosticException as err:
        # Verifiers of attributes and types run while parsing; locate them at the parser.
        span = parser._current_token.span
        loc = span.get_location()
        raise DiagnosticError(
            Diagnostic("error", _first_line(err), name, loc.line + line_offset, loc.col)
        ) from None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.split("\n\n")[0] if text else type(err).__name__


def check_dominance(op: Operation, visible: frozenset[SSAValue] = frozenset()) -> None:
    """Every operand must be defined before its use (xDSL 0.74 does not check this).

    In a single-block region a value is visible after its definition and inside the regions
    of later ops; in a multi-block region (a CFG) every block's values count as visible, which
    is lenient but never rejects valid IR.
    """
    for region in op.regions:
        seen = set(visible)
        if len(region.blocks) > 1:
            for block in region.blocks:
                seen.update(block.args)
                for inner in block.ops:
                    seen.update(inner.results)
        for block in region.blocks:
            seen.update(block.args)
            for inner in block.ops:
                for i, operand in enumerate(inner.operands):
                    if operand not in seen:
                        name = f"'%{operand.name_hint}'" if operand.name_hint else f"#{i}"
                        raise DiagnosticError(
                            at_op(inner, f"operand {name} is used before it is defined")
                        )
                check_dominance(inner, frozenset(seen))
                seen.update(inner.results)


def verify_located(module: Operation) -> None:
    """Verify `module`, raising DiagnosticError located at the first invalid operation."""
    check_dominance(module)
    for op in module.walk():
        try:
            op.verify(verify_nested_ops=False)
        except (VerifyException, DiagnosticException) as err:
            raise DiagnosticError(at_op(op, _message(err))) from None
        except (ValueError, TypeError, AssertionError, IndexError, KeyError) as err:
            # Some upstream verifiers fail with plain Python errors on malformed IR.
            raise DiagnosticError(at_op(op, _message(err))) from None


def _message(err: Exception) -> str:
    msg = str(err.args[0]) if err.args else str(err)
    return msg.removeprefix("Operation does not verify: ").strip()


def parse_and_verify(
    ctx: Context, text: str, name: str = "<string>", line_offset: int = 0
) -> ModuleOp:
    """Parse and verify; every user mistake becomes a DiagnosticError."""
    module = parse_module(ctx, text, name, line_offset, register_source=line_offset == 0)
    verify_located(module)
    return module
