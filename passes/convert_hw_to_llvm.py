"""convert-hw-to-llvm: `hw` ops -> upstream dialects and `llvm` calls the backend consumes.

Input: functions holding `hw.parallel_launch`, `hw.prefetch`, `hw.microkernel` (as left by
`convert-loops-to-hw`) among func/scf/arith/math/memref/vector. Output: no `hw` op and no
`hw.target` attribute; what `lower-upstream-to-llvm` accepts (upstream ops, plus a few `llvm`
ops on `!llvm.ptr` bridged with `builtin.unrealized_conversion_cast`, which the backend's
memref ABI, one bare pointer per memref, reconciles).

- `hw.parallel_launch` -> libgomp's `GOMP_parallel(fn, data, num_threads, flags)` (the entry
  point GCC's `#pragma omp parallel` compiles to; MLIR's OpenMP translation emits the
  equivalent `__kmpc_fork_call`, TVM its `TVMBackendParallelLaunch`). The body is outlined
  into a private function `@<function>_parallel_<n>(!llvm.ptr)`: it asks libgomp for its
  thread id and count (`omp_get_thread_num/omp_get_num_threads`), computes its static chunk
  `[lo, hi)` and loads the captures from `data`, an array of 8-byte slots (a pointer per
  memref, an i64 per index, the bits of each int or float) that the caller fills on its
  stack (allocated once in its entry block). Every slot holds an i64 (pointers through
  `ptrtoint`, floats by their bits), so each store and load has the slot's own type. GOMP_parallel runs `fn` on every thread of the
  team, the calling thread included, and returns after all have finished.
- The thread count is read at *call time*, at each launch: the launch's `threads N` if set,
  else `MLC_NUM_THREADS` from the environment (`getenv` + `atoi`; `os.environ` changes in
  Python are seen), else `omp_get_num_procs()` (every core the process may use). It is one
  small helper, `@__mlc_num_threads`, added to the module once. Reading it per launch costs
  well under a microsecond against thread wake-up costs of several.
- `hw.prefetch` -> `llvm.prefetch.p0(ptr, rw, locality, 1)` on the element's address.
- `hw.microkernel` -> the registered kernel's body, expanded in place
  (`dialects.hw.microkernels`); its operands are checked against the kernel's declaration.
- `hw.vcmpf`, `hw.vcmpi`, `hw.vselect`, `hw.vcast` -> `llvm.fcmp`, `llvm.icmp`, `llvm.select`
  and the llvm casts on the same vector types (index lanes become i64, bridged with casts),
  which LLVM runs lane by lane (`vcmpps` into a mask register, `vblendmps`, `vcvtdq2ps`, ...).
- `memref.alloca` -> `llvm.alloca` in the entry block of the function it will run in (the
  thread function for a buffer inside a launch: one private copy per thread), seen through
  an untyped pointer: a workaround for the backend's typed-pointer vector stores (see
  `lower_stack_buffer`).

libgomp must be loaded into the process before the JIT resolves `GOMP_parallel`:
`mlc_dialects.codegen_threads.load_thread_runtime()` does it.

Before:
    hw.parallel_launch (%tid, %n) range(%lo, %hi) = 0 to 64 step 1
        captures(%a = %A : memref<64xf32>) { scf.for %i = %lo to %hi step %c1 { ... } }
After:
    func.func private @f_parallel_0(%data: !llvm.ptr) {
      %t = func.call @omp_get_thread_num() : () -> i32
      ... chunk bounds, %a loaded from slot 0 of %data ...
      scf.for %i = %lo to %hi step %c1 { ... }
      func.return
    }
    func.func @f(%A: memref<64xf32>) {
      %data = llvm.alloca %c1 x i64 : (i64) -> !llvm.ptr        // in the entry block
      ...
      %p0 = llvm.getelementptr %data[0] : (!llvm.ptr) -> !llvm.ptr, i64
      llvm.store %A_ptr, %p0 : !llvm.ptr, !llvm.ptr
      %fn = llvm.mlir.addressof @f_parallel_0 : !llvm.ptr
      %nt = func.call @__mlc_num_threads() : () -> i32
      func.call @GOMP_parallel(%fn, %data, %nt, %c0_i32) : (!llvm.ptr, !llvm.ptr, i32, i32) -> ()
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, llvm, memref, scf
from xdsl.dialects.builtin import (
    AnyFloat,
    FunctionType,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    UnrealizedConversionCastOp,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from dialects.hw.attrs import TARGET_ATTR
from dialects.hw.microkernels import get_microkernel
from dialects.hw.ops import MicrokernelOp, ParallelLaunchOp, PrefetchOp
from dialects.hw.vector_ops import VCastOp, VCmpfOp, VCmpiOp, VSelectOp
from mlc_dialects.codegen import llvm_ext
from mlc_dialects.codegen.conversion import Lowering, bit_width, llvm_type, run_conversion

PTR = llvm.LLVMPointerType()
NUM_THREADS_HELPER = "__mlc_num_threads"
ENV_VAR = "MLC_NUM_THREADS"

# Functions of libgomp and libc the lowering calls: name -> (inputs, output).
_EXTERNALS: dict[str, tuple[list[Attribute], list[Attribute]]] = {
    "GOMP_parallel": ([PTR, PTR, i32, i32], []),
    "omp_get_thread_num": ([], [i32]),
    "omp_get_num_threads": ([], [i32]),
    "omp_get_num_procs": ([], [i32]),
    "getenv": ([PTR], [PTR]),
    "atoi": ([PTR], [i32]),
}


class HwLoweringError(DiagnosticException):
    """An hw op that cannot be lowered; the message names the pass and the op."""


class _Ops:
    """Collects ops to insert somewhere, returning their results."""

    def __init__(self) -> None:
        self.ops: list[Operation] = []

    def add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def index(self, value: int) -> SSAValue:
        return self.add(arith.ConstantOp(IntegerAttr(value, IndexType())))

    def int(self, value: int, t: Attribute) -> SSAValue:
        return self.add(arith.ConstantOp(IntegerAttr(value, t)))

    def call(self, name: str, args: Sequence[SSAValue]) -> SSAValue:
        outputs = _EXTERNALS[name][1] if name in _EXTERNALS else [i32]
        return self.add(func.CallOp(name, list(args), outputs))

    def cast(self, value: SSAValue, t: Attribute) -> SSAValue:
        return self.add(UnrealizedConversionCastOp.get([value], [t]))


def _llvm_scalar(t: Attribute) -> Attribute:
    """The llvm type a captured value of type `t` has (the backend's memref ABI)."""
    if isinstance(t, MemRefType):
        return PTR
    if isinstance(t, IndexType):
        return i64
    return t


def _bits(t: Attribute) -> int:
    if isinstance(t, AnyFloat):
        return t.bitwidth
    if isinstance(t, IntegerType):
        return t.width.data
    return 64


def _to_slot(b: _Ops, value: SSAValue) -> SSAValue:
    """`value` as the i64 stored in its slot (pointers as integers, floats by their bits).

    Every slot is an i64 so that each store and load has one type: llvmlite builds typed
    pointers behind the `alloca i64`, and storing a pointer or a float through them fails.
    """
    t = _llvm_scalar(value.type)
    raw = value if t == value.type else b.cast(value, t)
    if isinstance(t, llvm.LLVMPointerType):
        return b.add(llvm.PtrToIntOp(raw, i64))
    bits = _bits(t)
    if isinstance(t, AnyFloat):
        raw = b.add(llvm.BitcastOp(raw, IntegerType(bits)))
    return raw if bits == 64 else b.add(llvm.ZExtOp(raw, i64))


def _from_slot(b: _Ops, word: SSAValue, t: Attribute) -> SSAValue:
    """The inverse of `_to_slot`: the captured value of type `t` from its i64."""
    scalar = _llvm_scalar(t)
    if isinstance(scalar, llvm.LLVMPointerType):
        raw = b.add(llvm.IntToPtrOp(word))
    else:
        bits = _bits(scalar)
        raw = word if bits == 64 else b.add(llvm.TruncOp(word, IntegerType(bits)))
        if isinstance(scalar, AnyFloat):
            raw = b.add(llvm.BitcastOp(raw, scalar))
    return raw if scalar == t else b.cast(raw, t)


def _check_capture(value: SSAValue) -> None:
    t = value.type
    width = getattr(t, "bitwidth", None) or getattr(getattr(t, "width", None), "data", None)
    if isinstance(t, MemRefType | IndexType | llvm.LLVMPointerType):
        return
    if width is not None and width <= 64:
        return
    raise HwLoweringError(f"convert-hw-to-llvm: cannot capture a value of type {t} in a "
                          "parallel launch (memrefs, index and scalars up to 64 bits only)")


# ============================================================================ declarations


def _declare(module: ModuleOp, name: str) -> None:
    if any(isinstance(op, func.FuncOp) and op.sym_name.data == name for op in module.ops):
        return
    inputs, outputs = _EXTERNALS[name]
    module.body.block.add_op(func.FuncOp.external(name, inputs, outputs))


def _add_num_threads_helper(module: ModuleOp) -> None:
    """`@__mlc_num_threads() -> i32`: MLC_NUM_THREADS if set and positive, else every core."""
    if any(isinstance(op, func.FuncOp) and op.sym_name.data == NUM_THREADS_HELPER
           for op in module.ops):
        return
    for name in ("getenv", "atoi", "omp_get_num_procs"):
        _declare(module, name)
    b = _Ops()
    # The variable's name, NUL-terminated, built on the stack: the backend takes only
    # functions at module level (no string globals).
    text = ENV_VAR.encode() + b"\0"
    text += b"\0" * (-len(text) % 8)
    words = [int.from_bytes(text[i:i + 8], "little") for i in range(0, len(text), 8)]
    name = b.add(llvm.AllocaOp(b.int(len(words), i64), i64, alignment=8))
    for position, word in enumerate(words):
        slot = b.add(llvm.GEPOp.from_mixed_indices(name, [position], i64))
        b.add(llvm.StoreOp(b.int(word - (1 << 64) if word >= 1 << 63 else word, i64), slot))
    env = b.call("getenv", [name])
    is_null = b.add(arith.CmpiOp(b.add(llvm.PtrToIntOp(env, i64)), b.int(0, i64), "eq"))
    procs = b.call("omp_get_num_procs", [])

    parse = _Ops()
    number = parse.call("atoi", [env])
    positive = parse.add(arith.CmpiOp(number, parse.int(0, i32), "sgt"))
    chosen = parse.add(arith.SelectOp(positive, number, procs))
    parse.add(scf.YieldOp(chosen))
    result = b.add(scf.IfOp(is_null, [i32], [Block([scf.YieldOp(procs)])],
                            [Block(parse.ops)]))
    b.add(func.ReturnOp(result))
    helper = func.FuncOp(NUM_THREADS_HELPER, FunctionType.from_lists([], [i32]),
                         Region(Block(b.ops)), visibility="private")
    module.body.block.add_op(helper)


# ============================================================================ parallel launch


def _entry_block(op: Operation) -> Block:
    """The entry block of the function `op` will run in: its func.func, or the body of an
    enclosing launch (outlined into its own function later)."""
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, func.FuncOp | ParallelLaunchOp):
        parent = parent.parent_op()
    if parent is None or not parent.regions[0].blocks:
        raise HwLoweringError(f"convert-hw-to-llvm: '{op.name}' is not inside a func.func")
    return parent.regions[0].blocks.first  # type: ignore[return-value]


def _function_name(op: Operation) -> str:
    function = op.parent_op()
    while function is not None and not isinstance(function, func.FuncOp):
        function = function.parent_op()
    return function.sym_name.data if function is not None else "kernel"


def _fresh_name(module: ModuleOp, base: str) -> str:
    taken = {op.sym_name.data for op in module.ops if isinstance(op, func.FuncOp)}
    index = 0
    while f"{base}_parallel_{index}" in taken:
        index += 1
    return f"{base}_parallel_{index}"


def _outline(launch: ParallelLaunchOp, name: str) -> func.FuncOp:
    """The thread function: chunk bounds, captures from the data array, then the body."""
    entry = Block(arg_types=[PTR])
    data = entry.args[0]
    data.name_hint = "data"
    b = _Ops()
    tid = b.add(arith.IndexCastOp(b.call("omp_get_thread_num", []), IndexType()))
    count = b.add(arith.IndexCastOp(b.call("omp_get_num_threads", []), IndexType()))
    # Static schedule: ceildiv(extent, count) consecutive iterations per thread.
    extent = b.index(launch.extent)
    chunk = b.add(arith.CeilDivSIOp(extent, count))
    first = b.add(arith.MinSIOp(b.add(arith.MuliOp(tid, chunk)), extent))
    last = b.add(arith.MinSIOp(b.add(arith.AddiOp(first, chunk)), extent))
    step, lower = b.index(launch.step_value), b.index(launch.lb)
    lo = b.add(arith.AddiOp(lower, b.add(arith.MuliOp(first, step))))
    hi = b.add(arith.AddiOp(lower, b.add(arith.MuliOp(last, step))))
    values: list[SSAValue] = [tid, count, lo, hi]
    for position, capture in enumerate(launch.captures):
        slot = b.add(llvm.GEPOp.from_mixed_indices(data, [position], i64))
        word = b.add(llvm.LoadOp(slot, i64, alignment=8))
        values.append(_from_slot(b, word, capture.type))
    for op in b.ops:
        entry.add_op(op)
    for arg, value in zip(launch.body.block.args, values):
        if value.name_hint is None and arg.name_hint is not None:
            value.name_hint = arg.name_hint
    Rewriter.inline_block(launch.body.block, InsertPoint.at_end(entry), values)
    entry.add_op(func.ReturnOp())
    return func.FuncOp(name, FunctionType.from_lists([PTR], []), Region(entry),
                       visibility="private")


def lower_parallel_launch(launch: ParallelLaunchOp, module: ModuleOp) -> None:
    """Outline the body and replace the launch by a GOMP_parallel call."""
    for capture in launch.captures:
        _check_capture(capture)
    for name in ("GOMP_parallel", "omp_get_thread_num", "omp_get_num_threads"):
        _declare(module, name)
    name = _fresh_name(module, _function_name(launch))
    entry = _entry_block(launch)

    b = _Ops()
    if launch.captures:
        # One array per launch, in the entry block: a launch inside a loop reuses it.
        slots = _Ops()
        data = slots.add(llvm.AllocaOp(slots.int(len(launch.captures), i64), i64,
                                       alignment=8))
        data.name_hint = "data"
        Rewriter.insert_op(slots.ops, InsertPoint.at_start(entry))
        for position, capture in enumerate(launch.captures):
            word = _to_slot(b, capture)
            slot = b.add(llvm.GEPOp.from_mixed_indices(data, [position], i64))
            b.add(llvm.StoreOp(word, slot, alignment=8))
    else:
        data = b.add(llvm.ZeroOp.build(result_types=[PTR]))
    fn = b.add(llvm.AddressOfOp(name, PTR))
    if launch.num_threads is not None and launch.num_threads.value.data > 0:
        threads = b.int(launch.num_threads.value.data, i32)
    else:
        _add_num_threads_helper(module)
        threads = b.add(func.CallOp(NUM_THREADS_HELPER, [], [i32]))
    b.add(func.CallOp("GOMP_parallel", [fn, data, threads, b.int(0, i32)], []))

    outlined = _outline(launch, name)
    module.body.block.add_op(outlined)
    Rewriter.insert_op(b.ops, InsertPoint.before(launch))
    Rewriter.erase_op(launch)


# ============================================================================ stack buffers


def lower_stack_buffer(op: memref.AllocaOp) -> None:
    """memref.alloca -> llvm.alloca in the entry block, seen through an untyped pointer.

    A workaround for the backend (to be removed when its memref.alloca lowering does this):
    llvmlite gives an `alloca float` the typed pointer `float*`, every getelementptr from it
    stays typed, and the backend's `vector.store` of a `<16 x float>` through it is rejected
    ("cannot store <16 x float> to float*"). `inttoptr(ptrtoint p)` yields an opaque `ptr`;
    LLVM's instcombine folds the pair away before SROA promotes the buffer to registers.
    """
    t = op.memref.type
    assert isinstance(t, MemRefType)
    shape = t.get_shape()
    if op.dynamic_sizes or any(d < 0 for d in shape):
        return  # the backend reports dynamic sizes with its own message
    count = 1
    for d in shape:
        count *= d
    element = i64 if isinstance(t.element_type, IndexType) else t.element_type
    alignment = op.alignment.value.data if op.alignment is not None else 64
    b = _Ops()
    size = b.add(llvm.ConstantOp(IntegerAttr(count, i64), i64))
    typed = b.add(llvm.AllocaOp(size, element, alignment=max(alignment, 16)))
    opaque = b.add(llvm.IntToPtrOp(b.add(llvm.PtrToIntOp(typed, i64))))
    buffer = b.cast(opaque, t)
    buffer.name_hint = op.memref.name_hint
    Rewriter.insert_op(b.ops, InsertPoint.at_start(_entry_block(op)))
    op.memref.replace_all_uses_with(buffer)
    Rewriter.erase_op(op)


# ============================================================================ prefetch, kernels


def lower_prefetch(op: PrefetchOp) -> None:
    """hw.prefetch -> llvm.prefetch.p0 on the element's address."""
    from mlc_dialects.codegen.conversion import Lowering, memref_element_pointer

    b = Lowering()
    ptr = memref_element_pointer(b, op.memref, op.indices)
    args = [ptr, b.constant(op.is_write.value.data & 1, i32),
            b.constant(op.locality.value.data, i32), b.constant(1, i32)]  # 1: data cache
    b.add(llvm.CallIntrinsicOp("llvm.prefetch.p0", args, []))
    Rewriter.insert_op(b.ops, InsertPoint.before(op))
    Rewriter.erase_op(op)


def lower_microkernel(op: MicrokernelOp) -> None:
    """hw.microkernel -> the registered kernel's ops, in place."""
    try:
        kernel = get_microkernel(op.kernel_name)
        tiles = op.tiles()
        kernel.check(tiles)
    except (KeyError, ValueError) as err:
        message = err.args[0] if err.args else str(err)
        raise HwLoweringError(f"convert-hw-to-llvm: {message}") from None
    Rewriter.insert_op(kernel.emit(tiles), InsertPoint.before(op))
    Rewriter.erase_op(op)


# ============================================================================ vector ops

_VECTOR_CASTS: dict[str, type[Operation]] = {
    "sitofp": llvm.SIToFPOp, "uitofp": llvm_ext.UIToFPOp, "fptosi": llvm_ext.FPToSIOp,
    "fptoui": llvm_ext.FPToUIOp, "extsi": llvm.SExtOp, "extui": llvm.ZExtOp,
    "trunci": llvm.TruncOp,
}


class VectorOpLowering(RewritePattern):
    """hw.vcmpf/vcmpi/vselect/vcast -> llvm.fcmp/icmp/select/casts on the same vectors."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, VCmpfOp | VCmpiOp | VSelectOp | VCastOp):
            return
        b = Lowering()
        args = b.values(op.operands)
        if isinstance(op, VCmpfOp):
            new = b.add(llvm_ext.FCmpOp(args[0], args[1], op.predicate.data))
        elif isinstance(op, VCmpiOp):
            # arith's and llvm's icmp predicates are numbered alike.
            new = b.add(llvm.ICmpOp(args[0], args[1], IntegerAttr(op.predicate_index, 64)))
        elif isinstance(op, VSelectOp):
            new = b.add(llvm_ext.SelectOp(*args))
        else:
            to = llvm_type(op.result.type)
            if bit_width(to) == bit_width(args[0].type) and op.kind.data in ("extsi", "extui",
                                                                              "trunci"):
                new = args[0]  # index <-> i64: the same bits
            else:
                new = b.add(_VECTOR_CASTS[op.kind.data](args[0], to))  # type: ignore[call-arg]
        b.replace(rewriter, op, [new])


# ============================================================================ pass


@dataclass(frozen=True)
class ConvertHwToLLVMPass(ModulePass):
    """Lower hw ops: thread launches to GOMP_parallel with outlined bodies, prefetches to
    llvm.prefetch, micro-kernels to their bodies, vector compares/selects/casts to their llvm
    ops (see the module docstring)."""

    name = "convert-hw-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [o for o in op.walk() if isinstance(o, MicrokernelOp)]:
            lower_microkernel(kernel)
        for prefetch in [o for o in op.walk() if isinstance(o, PrefetchOp)]:
            lower_prefetch(prefetch)
        # Before the launches: a buffer inside a launch body lands in the thread function.
        for buffer in [o for o in op.walk() if isinstance(o, memref.AllocaOp)]:
            lower_stack_buffer(buffer)
        # Innermost first: an inner launch is lowered inside the body it is outlined with.
        launches = [o for o in op.walk() if isinstance(o, ParallelLaunchOp)]
        for launch in reversed(launches):
            lower_parallel_launch(launch, op)
        run_conversion(self.name, [VectorOpLowering()], op)
        if TARGET_ATTR in op.attributes:
            del op.attributes[TARGET_ATTR]


__all__ = ["ConvertHwToLLVMPass", "HwLoweringError"]
