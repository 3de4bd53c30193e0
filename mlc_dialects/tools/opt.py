"""`mlc-opt`: parse, verify, transform and print IR, the way mlir-opt does.

    mlc-opt FILE [-p PIPELINE] [-o OUT] [-t mlir] [--split-input-file] [--verify-diagnostics]
            [--print-op-generic] [--print-between-passes] [--list-passes]
            [--load-pass-plugin FILE.py]

It reuses xDSL's machinery (parser, printer, `PassPipeline.parse_spec` with pass options) but
not `xDSLOptMain`, on purpose: that driver loads all of xDSL's dialects (among them its own
`tensor` and `hw`, whose names are ours here), its `--verify-diagnostics` prints the first
exception instead of matching `expected-error` annotations, and user mistakes surface as Python
tracebacks. Here every user mistake is a located diagnostic and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.utils.arg_spec import ArgSpecParseError
from xdsl.utils.exceptions import DiagnosticException

from mlc_dialects import verify_diagnostics
from mlc_dialects.context import make_context
from mlc_dialects.diagnostics import SOURCES, Diagnostic, DiagnosticError
from mlc_dialects.parsing import decode_source, parse_module, verify_located
from mlc_dialects.pass_api import all_passes, load_pass_plugin, pass_summary
from mlc_dialects.tools.exit_codes import run_tool

SPLIT_MARKER = "// -----"

_SUMMARIES = {
    "cse": "Eliminate common subexpressions (upstream xDSL).",
    "dce": "Remove dead operations (upstream xDSL).",
    "canonicalize": "Apply all canonicalization patterns and folders (upstream xDSL).",
}


def _print_mlir(module: ModuleOp, args: argparse.Namespace) -> str:
    out = StringIO()
    Printer(stream=out, print_generic_format=args.print_op_generic,
            print_debuginfo=args.print_debuginfo).print_op(module)
    out.write("\n")
    return out.getvalue()


def _print_llvm_ir(module: ModuleOp, args: argparse.Namespace) -> str:
    from mlc_dialects.codegen import llvm_ir

    return llvm_ir(module)


def _print_assembly(module: ModuleOp, args: argparse.Namespace) -> str:
    from mlc_dialects.codegen import assembly

    return assembly(module)


TARGETS: dict[str, Callable[[ModuleOp, argparse.Namespace], str]] = {
    "mlir": _print_mlir,
    "llvm": _print_llvm_ir,
    "asm": _print_assembly,
}
"""Output formats for `-t`: MLIR text, LLVM IR (before optimization), O3 host assembly."""


def build_arg_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mlc-opt", description="mlc-dialects modular optimizer driver",
    )
    p.add_argument("input_file", nargs="?", help="input file (default: standard input)")
    p.add_argument("-p", "--passes", "--pass-pipeline", dest="passes", default="",
                   help="comma-separated pass pipeline, options in braces: "
                        "'pass-a{opt=1 flag=true},pass-b'")
    p.add_argument("-o", "--output-file", help="write the output here instead of stdout")
    p.add_argument("-t", "--target", default="mlir",
                   help="output format: mlir (default), llvm (LLVM IR), asm (host assembly)")
    p.add_argument("--split-input-file", action="store_true",
                   help=f"process chunks separated by '{SPLIT_MARKER}' independently")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check diagnostics against expected-error/warning/note annotations")
    p.add_argument("--print-op-generic", action="store_true",
                   help="print operations in the generic form")
    p.add_argument("--print-debuginfo", action="store_true", help="print source locations")
    p.add_argument("--print-between-passes", "--print-ir-after-all", action="store_true",
                   dest="print_between_passes", help="print the IR after every pass (stderr)")
    p.add_argument("--disable-verify", action="store_true",
                   help="do not verify the IR after parsing and after each pass")
    p.add_argument("--list-passes", action="store_true",
                   help="list every pass with a one-line description and exit")
    p.add_argument("--load-pass-plugin", action="append", default=[], metavar="FILE.py",
                   help="import a Python file that registers passes (repeatable)")
    p.add_argument("--allow-unregistered-dialect", action="store_true",
                   help="accept operations of unknown dialects")
    return p


@dataclass
class OptDriver:
    args: argparse.Namespace
    ctx: Context = field(init=False)
    pipeline: PassPipeline | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.ctx = make_context(self.args.allow_unregistered_dialect)

    # --- setup ---

    def build_pipeline(self) -> PassPipeline:
        spec = _strip_mlir_nesting(self.args.passes.strip())
        passes = all_passes()
        try:
            return PassPipeline.parse_spec(passes, spec, self._after_pass)
        except (Exception, ArgSpecParseError) as err:  # the pipeline text is the user's
            lines = [ln for ln in str(err).strip().split("\n") if ln.strip()]
            if isinstance(err, ArgSpecParseError):
                # xDSL's message: a header, "pass-pipeline:L:C", the text, a caret, the reason.
                col = lines[1].rsplit(":", 1)[-1] if len(lines) > 1 else "?"
                msg = f"{lines[-1].strip()} at column {col}"
            else:
                msg = lines[0] if lines else type(err).__name__
            known = ", ".join(sorted(passes))
            raise DiagnosticError(Diagnostic(
                "error", f"invalid pass pipeline '{self.args.passes}': {msg} "
                f"(available passes: {known}; see --list-passes)", "<pass-pipeline>",
            )) from None

    def _after_pass(self, prev: ModulePass | None, module: ModuleOp,
                    nxt: ModulePass | None) -> None:
        if prev is None:
            return
        if not self.args.disable_verify:
            try:
                verify_located(module)
            except DiagnosticError as err:
                for d in err.diagnostics:
                    d.message = f"after pass '{prev.name}': {d.message}"
                raise
        if self.args.print_between_passes:
            sys.stderr.write(f"// -----// IR Dump After {prev.name} //----- //\n")
            sys.stderr.write(_print_mlir(module, self.args))

    # --- running ---

    def process_chunk(self, text: str, name: str, line_offset: int) -> str:
        """Parse, verify, run the pipeline and render one chunk; raises DiagnosticError."""
        module = parse_module(self.ctx, text, name, line_offset, register_source=False)
        if not self.args.disable_verify:
            verify_located(module)
        target = TARGETS.get(self.args.target)
        if target is None:
            raise DiagnosticError(Diagnostic(
                "error", f"unknown target '{self.args.target}' (available: "
                f"{', '.join(TARGETS)})", "<command-line>"))
        try:
            if self.pipeline is not None and self.pipeline.passes:
                self.pipeline.apply(self.ctx, module)
            return target(module, self.args)
        except DiagnosticError:
            raise
        except DiagnosticException as err:
            raise DiagnosticError(Diagnostic("error", str(err).split("\n\n")[0], name)) \
                from None

    def run(self) -> int:
        name = self.args.input_file or "<stdin>"
        data = _read_input(self.args.input_file)
        text = decode_source(data, name)
        SOURCES[name] = text
        chunks = _split(text) if self.args.split_input_file else [(text, 0)]
        outputs: list[str] = []
        failed = False
        for chunk, offset in chunks:
            try:
                out = self.process_chunk(chunk, name, offset)
                produced: list[Diagnostic] = []
            except DiagnosticError as err:
                out = None
                produced = err.diagnostics
            if self.args.verify_diagnostics:
                expected, bad = verify_diagnostics.parse_expectations(chunk, offset, name)
                problems = bad + verify_diagnostics.check(produced, expected, name)
            else:
                problems = produced
            for d in problems:
                sys.stderr.write(d.format() + "\n")
            failed = failed or bool(problems)
            if out is not None:
                outputs.append(out)
        self._write("// -----\n".join(outputs))
        return 1 if failed else 0

    def _write(self, text: str) -> None:
        if self.args.output_file is None:
            sys.stdout.write(text)
            return
        try:
            with open(self.args.output_file, "w") as f:
                f.write(text)
        except OSError as err:
            raise DiagnosticError(Diagnostic(
                "error", f"cannot write '{self.args.output_file}': {err.strerror}",
                "<command-line>")) from None


def _strip_mlir_nesting(spec: str) -> str:
    """Accept mlir-opt's `builtin.module(a,b)` spelling of a flat pipeline."""
    if spec.startswith("builtin.module(") and spec.endswith(")"):
        return spec[len("builtin.module("):-1]
    return spec


def _read_input(path: str | None) -> bytes:
    if path is None:
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        raise DiagnosticError(Diagnostic(
            "error", f"cannot read '{path}': {err.strerror}", "<command-line>")) from None


def _split(text: str) -> list[tuple[str, int]]:
    """Chunks separated by lines that start with `// -----`, each with its line offset."""
    chunks: list[tuple[str, int]] = []
    current: list[str] = []
    start = 0
    for i, line in enumerate(text.split("\n")):
        if line.strip().startswith(SPLIT_MARKER):
            chunks.append(("\n".join(current), start))
            current = []
            start = i + 1
            continue
        current.append(line)
    chunks.append(("\n".join(current), start))
    return chunks


def list_passes() -> str:
    lines = []
    for name, getter in sorted(all_passes().items()):
        summary = _SUMMARIES.get(name) or pass_summary(getter())
        lines.append(f"  {name:<32} {summary}")
    return "Available passes:\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)

    def body() -> int:
        for plugin in args.load_pass_plugin:
            load_pass_plugin(plugin)
        if args.list_passes:
            sys.stdout.write(list_passes())
            return 0
        driver = OptDriver(args)
        driver.pipeline = driver.build_pipeline()
        return driver.run()

    return run_tool("mlc-opt", body)


if __name__ == "__main__":
    sys.exit(main())
