"""Operations of the `hw` dialect: `hw.parallel_launch`, `hw.prefetch`, `hw.microkernel`."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IndexType, IntegerAttr, MemRefType, StringAttr, i32
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsolatedFromAbove, NoTerminator, RecursiveMemoryEffect
from xdsl.utils.exceptions import VerifyException

from dialects.loops.ops import StaticRange

NUM_LAUNCH_ARGS = 4
"""Leading body arguments of `hw.parallel_launch`: thread id, thread count, chunk start, end."""


def _index(value: int) -> IntegerAttr:
    return IntegerAttr(value, IndexType())


# =========================================================================== parallel_launch


@irdl_op_definition
class ParallelLaunchOp(StaticRange, IRDLOperation):
    """Run a region on N threads of the thread runtime, each over its chunk of an index range.

    The iteration range `[lower_bound, upper_bound)` with `step` is split statically into N
    contiguous chunks of `ceildiv(extent, N)` iterations (TVM's `TVMBackendParallelLaunch`
    closures and OpenMP's `schedule(static)` do the same); thread `t` runs the body once with
    its thread id `t`, the thread count N and its chunk `[lo, hi)` (empty, `lo >= hi`, when
    there are more threads than chunks). The body is usually `scf.for %i = %lo to %hi step S`.
    N is `num_threads` when it is set and positive, else it is read when the launch runs:
    `MLC_NUM_THREADS`, else every core (see `passes/convert_hw_to_llvm.py`).

    The op is isolated from above: the values the body uses from outside are passed in as
    `captures` and appear as the body arguments after the four launch arguments, so that
    outlining the body into a thread function (`convert-hw-to-llvm`) is a move, not an
    analysis. The launch returns when every thread has finished (a barrier).

    Example:
    ```mlir
    hw.parallel_launch (%tid, %nthreads) range(%lo, %hi) = 0 to 128 step 1
        captures(%a = %A : memref<128xf32>) {
      scf.for %i = %lo to %hi step %c1 {
        ...
      }
    }
    ```
    """

    name = "hw.parallel_launch"

    lower_bound = prop_def(IntegerAttr[IndexType])
    upper_bound = prop_def(IntegerAttr[IndexType])
    step = prop_def(IntegerAttr[IndexType])
    num_threads = opt_prop_def(IntegerAttr[IndexType])

    captures = var_operand_def()

    body = region_def("single_block")

    traits = traits_def(NoTerminator(), IsolatedFromAbove(), RecursiveMemoryEffect())

    def __init__(self, lower_bound: int, upper_bound: int, step: int,
                 captures: Sequence[SSAValue], body: Region | Block | None = None,
                 num_threads: int | None = None):
        if body is None:
            body = Block(arg_types=[IndexType()] * NUM_LAUNCH_ARGS
                         + [c.type for c in captures])
        if isinstance(body, Block):
            body = Region(body)
        props: dict[str, Attribute] = {
            "lower_bound": _index(lower_bound),
            "upper_bound": _index(upper_bound),
            "step": _index(step),
        }
        if num_threads:
            props["num_threads"] = _index(num_threads)
        super().__init__(operands=[captures], properties=props, regions=[body])

    @property
    def thread_id(self) -> SSAValue:
        return self.body.block.args[0]

    @property
    def thread_count(self) -> SSAValue:
        return self.body.block.args[1]

    @property
    def chunk_begin(self) -> SSAValue:
        return self.body.block.args[2]

    @property
    def chunk_end(self) -> SSAValue:
        return self.body.block.args[3]

    @property
    def capture_args(self) -> Sequence[SSAValue]:
        return self.body.block.args[NUM_LAUNCH_ARGS:]

    def verify_(self) -> None:
        if self.step_value <= 0:
            raise VerifyException(f"step must be positive, got {self.step_value}")
        if self.num_threads is not None and self.num_threads.value.data < 0:
            raise VerifyException(f"num_threads must be >= 0, got {self.num_threads.value.data}")
        args = self.body.block.args
        want = NUM_LAUNCH_ARGS + len(self.captures)
        if len(args) != want:
            raise VerifyException(
                f"body must have {want} arguments (thread id, thread count, chunk start, chunk "
                f"end, then one per capture), got {len(args)}")
        for index in range(NUM_LAUNCH_ARGS):
            if not isinstance(args[index].type, IndexType):
                raise VerifyException(
                    f"body argument #{index} must be 'index', got {args[index].type}")
        for index, (capture, arg) in enumerate(zip(self.captures, self.capture_args)):
            if capture.type != arg.type:
                raise VerifyException(
                    f"capture #{index} has type {capture.type} but its body argument has "
                    f"type {arg.type}")

    def print(self, printer: Printer) -> None:
        args = self.body.block.args
        printer.print_string(" (")
        printer.print_ssa_value(args[0])
        printer.print_string(", ")
        printer.print_ssa_value(args[1])
        printer.print_string(") range(")
        printer.print_ssa_value(args[2])
        printer.print_string(", ")
        printer.print_ssa_value(args[3])
        printer.print_string(f") = {self.lb} to {self.ub} step {self.step_value}")
        if self.num_threads is not None:
            printer.print_string(f" threads {self.num_threads.value.data}")
        if self.captures:
            printer.print_string(" captures(")
            for index, (arg, value) in enumerate(zip(self.capture_args, self.captures)):
                if index:
                    printer.print_string(", ")
                printer.print_ssa_value(arg)
                printer.print_string(" = ")
                printer.print_ssa_value(value)
                printer.print_string(" : ")
                printer.print_attribute(value.type)
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)
        printer.print_op_attributes(self.attributes, print_keyword=True)

    @classmethod
    def parse(cls, parser: Parser) -> ParallelLaunchOp:
        parser.parse_punctuation("(")
        tid = parser.parse_argument(expect_type=False)
        parser.parse_punctuation(",")
        count = parser.parse_argument(expect_type=False)
        parser.parse_punctuation(")")
        parser.parse_keyword("range")
        parser.parse_punctuation("(")
        lo = parser.parse_argument(expect_type=False)
        parser.parse_punctuation(",")
        hi = parser.parse_argument(expect_type=False)
        parser.parse_punctuation(")")
        parser.parse_punctuation("=")
        lb = parser.parse_integer(allow_boolean=False)
        parser.parse_keyword("to")
        ub = parser.parse_integer(allow_boolean=False)
        parser.parse_keyword("step")
        step = parser.parse_integer(allow_boolean=False)
        num_threads = None
        if parser.parse_optional_keyword("threads") is not None:
            num_threads = parser.parse_integer(allow_boolean=False, allow_negative=False)
        capture_args: list[Parser.UnresolvedArgument] = []
        captures: list[SSAValue] = []
        types: list[Attribute] = []

        def parse_capture() -> None:
            capture_args.append(parser.parse_argument(expect_type=False))
            parser.parse_punctuation("=")
            operand = parser.parse_unresolved_operand()
            parser.parse_punctuation(":")
            capture_type = parser.parse_type()
            captures.append(parser.resolve_operand(operand, capture_type))
            types.append(capture_type)

        if parser.parse_optional_keyword("captures") is not None:
            parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_capture)
        block_args = [a.resolve(IndexType()) for a in (tid, count, lo, hi)]
        block_args += [a.resolve(t) for a, t in zip(capture_args, types)]
        body = parser.parse_region(block_args)
        op = cls(lb, ub, step, captures, body, num_threads)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        if attrs is not None:
            op.attributes |= attrs.data
        return op


# =========================================================================== prefetch


@irdl_op_definition
class PrefetchOp(IRDLOperation):
    """Hint that the element `memref[indices]` (its cache line) will soon be read or written.

    `is_write` asks for the line in a writable state; `locality` is 0 (no temporal locality,
    stream it) to 3 (keep it in every cache level), as LLVM's `llvm.prefetch`. A hint only:
    it never faults and has no effect on results. (MLIR's `memref.prefetch` is the same op;
    xDSL 0.74 lacks it.)

    Example:
    ```mlir
    hw.prefetch %A[%i, %j] {is_write = false, locality = 3 : i32} : memref<64x64xf32>
    ```
    """

    name = "hw.prefetch"

    memref = operand_def(MemRefType)
    indices = var_operand_def(IndexType)
    is_write = prop_def(IntegerAttr)
    locality = prop_def(IntegerAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$memref `[` $indices `]` attr-dict `:` type($memref)"

    def __init__(self, memref: SSAValue | Operation, indices: Sequence[SSAValue | Operation],
                 is_write: bool = False, locality: int = 3):
        super().__init__(
            operands=[memref, indices],
            properties={"is_write": IntegerAttr(int(is_write), 1),
                        "locality": IntegerAttr(locality, i32)},
        )

    def verify_(self) -> None:
        memref_type = self.memref.type
        assert isinstance(memref_type, MemRefType)
        if len(self.indices) != memref_type.get_num_dims():
            raise VerifyException(
                f"expected {memref_type.get_num_dims()} indices for {memref_type}, got "
                f"{len(self.indices)}")
        if not 0 <= self.locality.value.data <= 3:
            raise VerifyException(f"locality must be in [0, 3], got {self.locality.value.data}")


# =========================================================================== microkernel


@irdl_op_definition
class MicrokernelOp(IRDLOperation):
    """Call a registered micro-kernel on tiles of buffers (what a tensorized block maps to).

    `kernel` names an entry of `dialects.hw.microkernels` (TVM's tensor intrinsics). Each
    operand buffer is followed in `offsets` by one index per dimension: where the kernel's
    tile of that buffer starts. The kernel declares its tile shapes and element types;
    `convert-hw-to-llvm` expands it in place (vector code for this target) and checks the
    operands against its declaration. Operands are the block's read-only buffers, then the
    buffers it writes.

    Example:
    ```mlir
    hw.microkernel "mlc.matmul_acc_4x16x1_f32"(%A[%i, %k], %B[%k, %j], %C[%i, %j])
        : memref<64x64xf32>, memref<64x64xf32>, memref<64x64xf32>
    ```
    """

    name = "hw.microkernel"

    kernel = prop_def(StringAttr)
    buffers = var_operand_def(MemRefType)
    offsets = var_operand_def(IndexType)

    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(self, kernel: str, tiles: Sequence[tuple[SSAValue, Sequence[SSAValue]]]):
        buffers = [SSAValue.get(b) for b, _ in tiles]
        offsets = [SSAValue.get(i) for _, idx in tiles for i in idx]
        super().__init__(operands=[buffers, offsets], properties={"kernel": StringAttr(kernel)})

    @property
    def kernel_name(self) -> str:
        return self.kernel.data

    def tiles(self) -> list[tuple[SSAValue, list[SSAValue]]]:
        """(buffer, start indices) per operand."""
        out, position = [], 0
        for buffer in self.buffers:
            assert isinstance(buffer.type, MemRefType)
            rank = buffer.type.get_num_dims()
            out.append((buffer, list(self.offsets[position:position + rank])))
            position += rank
        return out

    def verify_(self) -> None:
        ranks = 0
        for buffer in self.buffers:
            assert isinstance(buffer.type, MemRefType)
            ranks += buffer.type.get_num_dims()
        if ranks != len(self.offsets):
            raise VerifyException(
                f"expected one offset per buffer dimension ({ranks}), got {len(self.offsets)}")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.kernel_name)
        printer.print_string("(")
        for index, (buffer, offsets) in enumerate(self.tiles()):
            if index:
                printer.print_string(", ")
            printer.print_ssa_value(buffer)
            printer.print_string("[")
            printer.print_list(offsets, printer.print_ssa_value)
            printer.print_string("]")
        printer.print_string(")")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_list([b.type for b in self.buffers], printer.print_attribute)

    @classmethod
    def parse(cls, parser: Parser) -> MicrokernelOp:
        kernel = parser.parse_str_literal()
        unresolved: list[tuple[Parser.UnresolvedOperand, list[SSAValue]]] = []

        def parse_tile() -> None:
            buffer = parser.parse_unresolved_operand()
            indices = parser.parse_comma_separated_list(
                parser.Delimiter.SQUARE,
                lambda: parser.resolve_operand(parser.parse_unresolved_operand(), IndexType()))
            unresolved.append((buffer, indices))

        parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_tile)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        if len(types) != len(unresolved):
            parser.raise_error(f"expected {len(unresolved)} buffer types, got {len(types)}")
        tiles = [(parser.resolve_operand(b, t), idx) for (b, idx), t in zip(unresolved, types)]
        op = cls(kernel, tiles)
        op.attributes |= attrs
        return op
