"""`mlc-run`: run an entry function of an IR file and report its outputs.

    mlc-run FILE -e ENTRY [--interpret] [--input a.npy ...] [--random-inputs] [-o out.npz]

Inputs are `.npy` files in argument order (or random arrays with `--random-inputs`, seeded by
`--seed`). For each output it prints the shape, the dtype and two checksums: the float64 sum
(to compare numerics across runs and tools) and the first 12 hex digits of the SHA-256 of the
bytes (to spot bit-exact equality). `-o out.npz` saves the outputs as `out0`, `out1`, ...

A graph function returns its results; a tensor program's outputs are its destination
arguments, which are written in place and reported.
"""

from __future__ import annotations

import argparse
import hashlib
import sys

import numpy as np
from xdsl.dialects.builtin import MemRefType, TensorType

from mlc_dialects.api import find_function, is_tensor_program, parse_file
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError
from mlc_dialects.dtypes import numpy_dtype
from mlc_dialects.tools.exit_codes import run_tool


def build_arg_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlc-run", description="run a function of an IR file")
    p.add_argument("input_file", help="IR file (.mlir)")
    p.add_argument("-e", "--entry", default="main", help="function to run (default: main)")
    p.add_argument("--interpret", action="store_true",
                   help="use the reference interpreter instead of compiled code")
    p.add_argument("--input", action="append", default=[], metavar="X.npy",
                   help="an input array, in argument order (repeatable)")
    p.add_argument("--random-inputs", action="store_true",
                   help="run on random inputs of the signature's shapes and dtypes")
    p.add_argument("--seed", type=int, default=0, help="seed of --random-inputs")
    p.add_argument("-o", "--output", metavar="OUT.npz", help="save the outputs to an .npz file")
    return p


def _load_inputs(paths: list[str]) -> list[np.ndarray]:
    arrays = []
    for path in paths:
        try:
            arrays.append(np.load(path, allow_pickle=False))
        except (OSError, ValueError) as err:
            raise DiagnosticError(Diagnostic("error", f"cannot load input '{path}': {err}",
                                             "<command-line>")) from None
    return arrays


def _random_inputs(types: list, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for t in types:
        if not isinstance(t, TensorType | MemRefType):
            raise DiagnosticError(Diagnostic(
                "error", f"cannot make a random input of type {t}", "<command-line>"))
        dtype = numpy_dtype(t.element_type)
        shape = tuple(t.get_shape())
        if dtype == np.bool_:
            arrays.append(rng.random(shape) < 0.5)
        elif np.issubdtype(dtype, np.integer):
            arrays.append(rng.integers(-8, 8, shape).astype(dtype))
        else:
            arrays.append(rng.standard_normal(shape).astype(dtype))
    return arrays


def describe(i: int, a: np.ndarray) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:12]
    total = float(np.sum(a, dtype=np.float64))
    return (f"output #{i}: shape {tuple(a.shape)} dtype {a.dtype} sum {total:.6e} "
            f"sha256 {digest}")


def _execute(module, args: argparse.Namespace, inputs: list[np.ndarray]):
    """Run the entry compiled (default) or with the reference interpreter (--interpret)."""
    from mlc_dialects.api import compile, interpret

    if args.interpret:
        return interpret(module, args.entry, *inputs)
    return compile(module)[args.entry](*inputs)


def run(args: argparse.Namespace) -> int:
    module = parse_file(args.input_file)
    try:
        func = find_function(module, args.entry)
    except ValueError as err:
        raise DiagnosticError(Diagnostic("error", str(err), args.input_file)) from None
    arg_types = list(func.function_type.inputs.data)
    if args.random_inputs:
        if args.input:
            raise DiagnosticError(Diagnostic(
                "error", "give either --input files or --random-inputs, not both",
                "<command-line>"))
        inputs = _random_inputs(arg_types, args.seed)
    else:
        inputs = _load_inputs(args.input)
    try:
        result = _execute(module, args, inputs)
    except ValueError as err:
        raise DiagnosticError(Diagnostic("error", str(err), args.input_file)) from None
    if is_tensor_program(func):
        outputs = inputs  # destination passing: report every buffer after the call
    elif isinstance(result, tuple):
        outputs = list(result)
    else:
        outputs = [result]
    for i, a in enumerate(outputs):
        print(describe(i, np.asarray(a)))
    if args.output:
        np.savez(args.output, **{f"out{i}": a for i, a in enumerate(outputs)})
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    return run_tool("mlc-run", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
