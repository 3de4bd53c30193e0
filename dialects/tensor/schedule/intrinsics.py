"""Tensor intrinsics for `tensorize` (TVM's `TensorIntrin.register` / `TensorIntrin.get`).

An intrinsic is a pair of tensor functions over buffers of the tile's shape, with the same
arguments (same order, same types):

- `desc`, the *description*: what the intrinsic computes, as a loop nest around one block
  (written in the IR syntax, with `mlc_dialects.te`, or with `@T.prim_func`). tensorize
  compares a block's computation with it structurally. It is an *update*: no `tensor.init`
  (tensorize keeps the init of the block it replaces, so a reduction tile is initialized by
  the block and accumulated by the intrinsic), and no predicate.
- `impl`, the *implementation*: what replaces the block's body. Loops (of any kind, e.g. a
  `vectorized` loop) around plain `memref.load` / `memref.store` and scalar ops, or blocks
  (they are inlined: their iterators become `arith` index computations; no init, no
  predicate). Its indices are relative to the tile; tensorize rebases them by the start of
  the tile in the real buffers.

```python
register_intrin("my.mac16", desc=desc_module, impl=impl_module)
get_intrin("my.mac16")             # IntrinNotFoundError listing the registered names
```

Built in (registered at import):
- `mlc.vec_mac_1x16_f32`: `c[0:16] += a[0] * b[0:16]` on f32, implemented with a
  `vectorized` loop (a broadcast multiply-accumulate);
- `mlc.matmul_acc_4x4x4_f32`: `C[4, 4] += A[4, 4] @ B[4, 4]` on f32 (the name of the hw
  dialect's micro-kernel for it), implemented as i, k loops around a vectorized j loop.
Both implementations sum in the description's order, so results are bit-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule.blockize import (
    Computation,
    IntrinDefinitionError,
    IntrinNotFoundError,
    TensorizeTargetError,
    description_computation,
)
from dialects.tensor.schedule.editing import emit_affine


def _function(what: str, name: str, value: ModuleOp | func.FuncOp | str) -> func.FuncOp:
    if isinstance(value, str):
        from dialects.tensor.schedule.schedule import _parse_module

        value = _parse_module(value)
    if isinstance(value, ModuleOp):
        functions = [op for op in value.ops if isinstance(op, func.FuncOp) and op.body.blocks]
        if len(functions) != 1:
            raise IntrinDefinitionError(
                f'intrinsic "{name}": the {what} module must hold exactly one function, it '
                f"holds {len(functions)}"
            )
        value = functions[0]
    if not isinstance(value, func.FuncOp):
        raise IntrinDefinitionError(
            f'intrinsic "{name}": the {what} must be a module, a func.func or IR text, got '
            f"{type(value).__name__}"
        )
    return value.clone()


@dataclass
class TensorIntrin:
    """A registered intrinsic: its description and implementation functions."""

    name: str
    description_function: func.FuncOp
    implementation_function: func.FuncOp
    description: Computation = field(init=False)

    def __post_init__(self) -> None:
        desc, impl = self.description_function, self.implementation_function
        try:
            self.description = description_computation(desc)
        except TensorizeTargetError as error:
            raise IntrinDefinitionError(
                f'intrinsic "{self.name}": {error.message}',
                detail="a description is a loop nest around a single block",
            ) from error
        block = self.description.block
        if block.init is not None or block.predicate is not None:
            raise IntrinDefinitionError(
                f'intrinsic "{self.name}": the description block "{block.label}" has an init '
                "or a predicate",
                detail="write the description as an update (no tensor.init); tensorize keeps "
                "the init of the block it replaces",
            )
        d_types = [str(a.type) for a in desc.body.block.args]
        i_types = [str(a.type) for a in impl.body.block.args]
        if d_types != i_types:
            raise IntrinDefinitionError(
                f'intrinsic "{self.name}": the description takes ({", ".join(d_types)}) but '
                f"the implementation ({', '.join(i_types)})",
                detail="both functions take the same tile buffers in the same order",
            )
        for op in impl.walk():
            if isinstance(op, BlockOp) and (op.init is not None or op.predicate is not None):
                raise IntrinDefinitionError(
                    f'intrinsic "{self.name}": implementation block "{op.label}" has an init '
                    "or a predicate (not supported)"
                )

    def flat_implementation(self) -> func.FuncOp:
        """A fresh copy of the implementation with its blocks inlined."""
        function = self.implementation_function.clone()
        while True:
            block = next((op for op in function.walk() if isinstance(op, BlockOp)), None)
            if block is None:
                return function
            _inline_block(block)


def _inline_block(block: BlockOp) -> None:
    parent = block.parent_block()
    assert parent is not None
    values = list(block.binding_values)
    for arg, expr in zip(block.iter_vars, block.binding_map.results):
        arg.replace_all_uses_with(emit_affine(expr, values, parent, block))
    for op in list(block.body.block.ops):
        op.detach()
        parent.insert_op_before(op, block)
    block.detach()
    block.erase()


_REGISTRY: dict[str, TensorIntrin] = {}


def register_intrin(
    name: str,
    desc: ModuleOp | func.FuncOp | str,
    impl: ModuleOp | func.FuncOp | str,
    override: bool = False,
) -> TensorIntrin:
    """Register intrinsic `name` (TVM's `TensorIntrin.register(name, desc, impl)`).

    `desc` and `impl` are tensor functions (a module with one function, a `func.func`, or IR
    text) over buffers of the tile's shape; see the module docstring. Registering a name twice
    needs `override=True`.
    """
    if name in _REGISTRY and not override:
        raise IntrinDefinitionError(
            f'intrinsic "{name}" is already registered (pass override=True to replace it)'
        )
    intrin = TensorIntrin(name, _function("description", name, desc),
                          _function("implementation", name, impl))  # fmt: skip
    _REGISTRY[name] = intrin
    return intrin


def get_intrin(name: str) -> TensorIntrin:
    """The intrinsic registered as `name` (TVM's `TensorIntrin.get`)."""
    intrin = _REGISTRY.get(name)
    if intrin is None:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise IntrinNotFoundError(
            f'no tensor intrinsic named "{name}"', detail=f"registered: {known}"
        )
    return intrin


def registered_intrins() -> list[str]:
    return sorted(_REGISTRY)


# --------------------------------------------------------------------------- built-ins

VEC_MAC_1X16_F32 = "mlc.vec_mac_1x16_f32"
MATMUL_ACC_4X4X4_F32 = "mlc.matmul_acc_4x4x4_f32"

_VEC_MAC_DESC = """
func.func @vec_mac_1x16_f32_desc(%a: memref<1xf32>, %b: memref<16xf32>, %c: memref<16xf32>) attributes {tensor.num_inputs = 2 : i64} {
  loops.for %j = 0 to 16 {
    tensor.block "vec_mac"(%vj = spatial(16, %j)) reads(%c[%vj], %a[0], %b[%vj]) writes(%c[%vj]) {
      %zero = arith.constant 0 : index
      %0 = memref.load %c[%vj] : memref<16xf32>
      %1 = memref.load %a[%zero] : memref<1xf32>
      %2 = memref.load %b[%vj] : memref<16xf32>
      %3 = arith.mulf %1, %2 : f32
      %4 = arith.addf %0, %3 : f32
      memref.store %4, %c[%vj] : memref<16xf32>
    }
  }
  func.return
}
"""

_VEC_MAC_IMPL = """
func.func @vec_mac_1x16_f32_impl(%a: memref<1xf32>, %b: memref<16xf32>, %c: memref<16xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %zero = arith.constant 0 : index
  %s = memref.load %a[%zero] : memref<1xf32>
  loops.for %j = 0 to 16 vectorized {
    %0 = memref.load %c[%j] : memref<16xf32>
    %1 = memref.load %b[%j] : memref<16xf32>
    %2 = arith.mulf %s, %1 : f32
    %3 = arith.addf %0, %2 : f32
    memref.store %3, %c[%j] : memref<16xf32>
  }
  func.return
}
"""

_MATMUL_DESC = """
func.func @matmul_acc_4x4x4_f32_desc(%A: memref<4x4xf32>, %B: memref<4x4xf32>, %C: memref<4x4xf32>) attributes {tensor.num_inputs = 2 : i64} {
  loops.for %i = 0 to 4 {
    loops.for %j = 0 to 4 {
      loops.for %k = 0 to 4 {
        tensor.block "matmul"(%vi = spatial(4, %i), %vj = spatial(4, %j), %vk = reduce(4, %k)) reads(%C[%vi, %vj], %A[%vi, %vk], %B[%vk, %vj]) writes(%C[%vi, %vj]) {
          %0 = memref.load %C[%vi, %vj] : memref<4x4xf32>
          %1 = memref.load %A[%vi, %vk] : memref<4x4xf32>
          %2 = memref.load %B[%vk, %vj] : memref<4x4xf32>
          %3 = arith.mulf %1, %2 : f32
          %4 = arith.addf %0, %3 : f32
          memref.store %4, %C[%vi, %vj] : memref<4x4xf32>
        }
      }
    }
  }
  func.return
}
"""

_MATMUL_IMPL = """
func.func @matmul_acc_4x4x4_f32_impl(%A: memref<4x4xf32>, %B: memref<4x4xf32>, %C: memref<4x4xf32>) attributes {tensor.num_inputs = 2 : i64} {
  loops.for %i = 0 to 4 {
    loops.for %k = 0 to 4 {
      %a = memref.load %A[%i, %k] : memref<4x4xf32>
      loops.for %j = 0 to 4 vectorized {
        %0 = memref.load %C[%i, %j] : memref<4x4xf32>
        %1 = memref.load %B[%k, %j] : memref<4x4xf32>
        %2 = arith.mulf %a, %1 : f32
        %3 = arith.addf %0, %2 : f32
        memref.store %3, %C[%i, %j] : memref<4x4xf32>
      }
    }
  }
  func.return
}
"""


def register_builtin_intrins() -> None:
    """(Re-)register the built-in intrinsics."""
    register_intrin(VEC_MAC_1X16_F32, _VEC_MAC_DESC, _VEC_MAC_IMPL, override=True)
    register_intrin(MATMUL_ACC_4X4X4_F32, _MATMUL_DESC, _MATMUL_IMPL, override=True)


register_builtin_intrins()

__all__ = [
    "MATMUL_ACC_4X4X4_F32",
    "VEC_MAC_1X16_F32",
    "TensorIntrin",
    "get_intrin",
    "register_intrin",
    "registered_intrins",
]
