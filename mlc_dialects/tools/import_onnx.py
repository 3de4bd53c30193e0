"""`mlc-import`: import an ONNX model and print it as graph-level IR.

    mlc-import FILE.onnx [-o OUT.mlir] [--params-as-args] [--input-shape NAME=1,3,224,224 ...]
    mlc-import --list-ops

The printed module parses with `mlc-opt` (weights are `graph.constant`s: large ones in hex,
all-equal ones as splats). An unsupported op, attribute, element type or dynamic shape is an
error naming the node, its op type and what is missing (exit status 1); a model that is not
ONNX is an error too. `--input-shape` fixes a dynamic input dimension (repeatable).
"""

from __future__ import annotations

import argparse
import sys
from io import StringIO

from xdsl.printer import Printer

from mlc_dialects.diagnostics import Diagnostic, DiagnosticError
from mlc_dialects.tools.exit_codes import run_tool


def build_arg_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlc-import",
                                description="import an ONNX model as graph-level IR")
    p.add_argument("input_file", nargs="?", help="ONNX model (.onnx)")
    p.add_argument("-o", "--output", metavar="OUT.mlir", help="write the IR here (default: stdout)")
    p.add_argument("--params-as-args", action="store_true",
                   help="make floating-point initializers trailing arguments of @main instead "
                        "of constants")
    p.add_argument("--input-shape", action="append", default=[], metavar="NAME=D0,D1,...",
                   help="fix the shape of a graph input with dynamic dimensions (repeatable)")
    p.add_argument("--print-op-generic", action="store_true",
                   help="print operations in the generic form")
    p.add_argument("--list-ops", action="store_true",
                   help="list the supported ONNX ops and their opsets, then exit")
    return p


def _input_shapes(specs: list[str]) -> dict[str, tuple[int, ...]]:
    shapes = {}
    for spec in specs:
        name, eq, dims = spec.rpartition("=")
        try:
            if not eq or not name:
                raise ValueError
            shapes[name] = tuple(int(d) for d in dims.split(","))
        except ValueError:
            raise DiagnosticError(Diagnostic(
                "error", f"bad --input-shape '{spec}': expected NAME=D0,D1,... (e.g. "
                "input=1,3,224,224)", "<command-line>")) from None
    return shapes


def _list_ops() -> str:
    from mlc_dialects.frontend.onnx import FAMILIES, supported_ops

    lines = []
    for op, ranges in supported_ops().items():
        opsets = ", ".join(f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in ranges)
        lines.append(f"{op:24} {FAMILIES[op]:12} opsets {opsets}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    try:
        from mlc_dialects.frontend.onnx import from_onnx
    except ImportError as err:
        raise DiagnosticError(Diagnostic(
            "error", f"mlc-import needs the onnx package ({err}); install the `onnx` extra: "
            "pip install 'mlc-dialects[onnx]'", "<command-line>")) from None
    if args.list_ops:
        sys.stdout.write(_list_ops())
        return 0
    if args.input_file is None:
        raise DiagnosticError(Diagnostic("error", "no input file given (usage: mlc-import "
                                         "FILE.onnx [-o OUT.mlir])", "<command-line>"))
    module = from_onnx(args.input_file, params_as_args=args.params_as_args,
                       input_shapes=_input_shapes(args.input_shape) or None)
    out = StringIO()
    Printer(stream=out, print_generic_format=args.print_op_generic).print_op(module)
    out.write("\n")
    if args.output:
        with open(args.output, "w") as f:
            f.write(out.getvalue())
    else:
        sys.stdout.write(out.getvalue())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    return run_tool("mlc-import", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
