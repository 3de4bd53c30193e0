"""The registry of micro-kernels that `hw.microkernel` names (TVM's tensor intrinsics).

A micro-kernel is a small fixed-shape computation on tiles of buffers (a register-blocked
matmul step, a dot product, ...) with a hand-chosen instruction sequence. A tensorized block
names one (`hw.microkernel` at the loops level) and `convert-hw-to-llvm` expands it in place
with its `emit` function, which builds upstream `vector`/`arith`/`memref` ops for the target.

    register_microkernel(MicroKernel(name, operands=[...], emit=...))
    get_microkernel(name)          # KeyError listing the registered names

Built in: `matmul_acc_kernel(m, n, k)` registers `mlc.matmul_acc_{m}x{n}x{k}_f32`,
`C[m, n] += A[m, k] @ B[k, n]` on f32 tiles, as n-lane vector FMAs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, memref, vector
from xdsl.dialects.builtin import IndexType, IntegerAttr, MemRefType, VectorType, f32
from xdsl.ir import Attribute, Operation, SSAValue

Tile = tuple[SSAValue, list[SSAValue]]
"""A buffer and the start index of the kernel's tile in each of its dimensions."""

Emitter = Callable[[list[Tile]], list[Operation]]


@dataclass(frozen=True)
class TileSpec:
    """One operand of a micro-kernel: the tile's shape and element type, and if it is written."""

    shape: tuple[int, ...]
    element_type: Attribute
    written: bool = False


@dataclass(frozen=True)
class MicroKernel:
    """A registered micro-kernel: its operands and the function that emits its body."""

    name: str
    operands: tuple[TileSpec, ...]
    emit: Emitter
    doc: str = ""

    def check(self, tiles: Sequence[Tile]) -> None:
        """ValueError naming the first operand that does not fit the kernel's declaration."""
        if len(tiles) != len(self.operands):
            raise ValueError(f"micro-kernel '{self.name}' takes {len(self.operands)} buffers, "
                             f"got {len(tiles)}")
        for index, ((buffer, offsets), spec) in enumerate(zip(tiles, self.operands)):
            t = buffer.type
            assert isinstance(t, MemRefType)
            if t.element_type != spec.element_type:
                raise ValueError(f"micro-kernel '{self.name}' operand #{index}: expected "
                                 f"element type {spec.element_type}, got {t}")
            if len(offsets) != len(spec.shape) or len(offsets) != t.get_num_dims():
                raise ValueError(f"micro-kernel '{self.name}' operand #{index}: expected a "
                                 f"rank-{len(spec.shape)} buffer, got {t}")
            if any(s > d for s, d in zip(spec.shape, t.get_shape())):
                raise ValueError(f"micro-kernel '{self.name}' operand #{index}: tile "
                                 f"{spec.shape} does not fit in {t}")


_REGISTRY: dict[str, MicroKernel] = {}


def register_microkernel(kernel: MicroKernel, *, replace: bool = False) -> MicroKernel:
    if kernel.name in _REGISTRY and not replace:
        raise ValueError(f"micro-kernel '{kernel.name}' is already registered")
    _REGISTRY[kernel.name] = kernel
    return kernel


def get_microkernel(name: str) -> MicroKernel:
    if name not in _REGISTRY and name.startswith("mlc.matmul_acc_"):
        _matmul_from_name(name)
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"no micro-kernel named '{name}' (registered: {known}; "
                       "mlc.matmul_acc_MxNxK_f32 is made on demand)")
    return _REGISTRY[name]


def registered_microkernels() -> list[str]:
    return sorted(_REGISTRY)


# ============================================================================ built-in kernels


def _matmul_from_name(name: str) -> None:
    shape = name.removeprefix("mlc.matmul_acc_").removesuffix("_f32")
    try:
        m, n, k = (int(x) for x in shape.split("x"))
    except ValueError:
        return
    matmul_acc_kernel(m, n, k)


def matmul_acc_kernel(m: int, n: int, k: int) -> MicroKernel:
    """Register (once) and return `mlc.matmul_acc_{m}x{n}x{k}_f32`: C += A @ B on tiles.

    Operands: A (m x k), B (k x n), C (m x n, read and written). Each row of C is one
    `vector<n x f32>` accumulator, loaded once, updated with k broadcast-FMAs and stored once,
    the register-blocked inner kernel of every fast CPU matmul. FMA rounds once per step, so
    results may differ from separate multiply-add in the last bits.
    """
    name = f"mlc.matmul_acc_{m}x{n}x{k}_f32"
    if name in _REGISTRY:
        return _REGISTRY[name]

    def emit(tiles: list[Tile]) -> list[Operation]:
        (a, (ai, ak)), (b, (bk, bj)), (c, (ci, cj)) = tiles
        ops: list[Operation] = []

        def add(op: Operation) -> SSAValue:
            ops.append(op)
            return op.results[0]

        def offset(base: SSAValue, delta: int) -> SSAValue:
            if delta == 0:
                return base
            const = add(arith.ConstantOp(IntegerAttr(delta, IndexType())))
            return add(arith.AddiOp(base, const))

        vt = VectorType(f32, [n])
        for row in range(m):
            c_row = offset(ci, row)
            acc = add(vector.LoadOp(c, [c_row, cj], vt))
            a_row = offset(ai, row)
            for kk in range(k):
                a_value = add(memref.LoadOp.get(a, [a_row, offset(ak, kk)]))
                a_vec = add(vector.BroadcastOp(a_value, vt))
                b_vec = add(vector.LoadOp(b, [offset(bk, kk), bj], vt))
                acc = add(vector.FMAOp(a_vec, b_vec, acc))
            ops.append(vector.StoreOp(acc, c, [c_row, cj]))
        return ops

    kernel = MicroKernel(
        name,
        (TileSpec((m, k), f32), TileSpec((k, n), f32), TileSpec((m, n), f32, written=True)),
        emit,
        doc=f"C[{m}x{n}] += A[{m}x{k}] @ B[{k}x{n}], f32, vector FMAs",
    )
    return register_microkernel(kernel)
