"""The course's TVMScript programs parse to the IR that te builds, and compute what numpy does."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp

import mlc_dialects as mlc
from mlc_dialects.script import ir as I
from mlc_dialects.script import tir as T
from tests.script.course_code import MyBmmRelu, MyModule, MyModuleEp4, MyModuleWithAxisRemap
from tests.script.helpers import anonymous_text, sequential_matmul, te_bmm_relu, te_mm_relu

MM_RELU_TEXT = """\
builtin.module {
  func.func @mm_relu(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64} {
    %Y = tensor.alloc_buffer : memref<128x128xf32>
    loops.for %i = 0 to 128 {
      loops.for %j = 0 to 128 {
        loops.for %k = 0 to 128 {
          tensor.block "Y"(%vi = spatial(128, %i), %vj = spatial(128, %j), %vk = reduce(128, %k)) reads(%A[%vi, %vk], %B[%vk, %vj]) writes(%Y[%vi, %vj]) {
            tensor.init {
              %0 = arith.constant 0.000000e+00 : f32
              memref.store %0, %Y[%vi, %vj] : memref<128x128xf32>
            }
            %1 = memref.load %Y[%vi, %vj] : memref<128x128xf32>
            %2 = memref.load %A[%vi, %vk] : memref<128x128xf32>
            %3 = memref.load %B[%vk, %vj] : memref<128x128xf32>
            %4 = arith.mulf %2, %3 : f32
            %5 = arith.addf %1, %4 : f32
            memref.store %5, %Y[%vi, %vj] : memref<128x128xf32>
          }
        }
      }
    }
    loops.for %i_1 = 0 to 128 {
      loops.for %j_1 = 0 to 128 {
        tensor.block "C"(%vi_1 = spatial(128, %i_1), %vj_1 = spatial(128, %j_1)) reads(%Y[%vi_1, %vj_1]) writes(%C[%vi_1, %vj_1]) {
          %6 = memref.load %Y[%vi_1, %vj_1] : memref<128x128xf32>
          %7 = arith.constant 0.000000e+00 : f32
          %8 = arith.maximumf %6, %7 : f32
          memref.store %8, %C[%vi_1, %vj_1] : memref<128x128xf32>
        }
      }
    }
    func.return
  }
}"""


def test_mm_relu_is_a_module_with_the_expected_text() -> None:
    assert isinstance(MyModule, ModuleOp)
    assert str(MyModule) == MM_RELU_TEXT
    assert str(mlc.parse(MM_RELU_TEXT)) == MM_RELU_TEXT  # the printed IR round-trips


def test_mm_relu_equals_te() -> None:
    reference = te_mm_relu()
    assert MyModule.is_structurally_equivalent(reference)
    assert anonymous_text(MyModule) == anonymous_text(reference)


def test_axis_remap_spelling_gives_the_same_program() -> None:
    assert str(MyModuleWithAxisRemap) == MM_RELU_TEXT


def test_mm_relu_numerics(rng: np.random.Generator) -> None:
    a = rng.standard_normal((128, 128), dtype=np.float32)
    b = rng.standard_normal((128, 128), dtype=np.float32)
    c = np.empty((128, 128), np.float32)
    mlc.interpret(MyModule, "mm_relu", a, b, c)
    np.testing.assert_array_equal(c, np.maximum(sequential_matmul(a, b), 0))
    np.testing.assert_allclose(c, np.maximum(a @ b, 0), rtol=1e-4, atol=1e-4)


def test_bmm_relu_equals_te_and_numpy(rng: np.random.Generator) -> None:
    reference = te_bmm_relu()
    assert MyBmmRelu.is_structurally_equivalent(reference)
    assert anonymous_text(MyBmmRelu) == anonymous_text(reference)
    text = str(MyBmmRelu)
    assert (
        'tensor.block "M"(%vn = spatial(16, %n), %vi = spatial(128, %i), %vj = spatial(128, %j), '
        "%vk = reduce(128, %k)) reads(%A[%vn, %vi, %vk], %W[%vn, %vk, %vj]) "
        "writes(%Y_[%vn, %vi, %vj])" in text
    )
    a = rng.standard_normal((16, 128, 128), dtype=np.float32)
    w = rng.standard_normal((16, 128, 128), dtype=np.float32)
    y = np.empty((16, 128, 128), np.float32)
    mlc.interpret(MyBmmRelu, "bmm_relu", a, w, y)
    np.testing.assert_array_equal(y, np.maximum(sequential_matmul(a, w), 0))


def test_episode4_matmul_python_float_init(rng: np.random.Generator) -> None:
    """`C[vi, vj] = 0.0` stores a float32 constant; C is read and written, so it is the output."""
    text = str(MyModuleEp4)
    assert "func.func @main(" in text and "tensor.num_inputs = 2 : i64" in text
    assert "reads(%A[%vi, %vk], %B[%vk, %vj]) writes(%C[%vi, %vj])" in text
    a = rng.standard_normal((128, 128), dtype=np.float32)
    b = rng.standard_normal((128, 128), dtype=np.float32)
    c = np.full((128, 128), np.nan, np.float32)
    mlc.interpret(MyModuleEp4, "main", a, b, c)
    np.testing.assert_array_equal(c, sequential_matmul(a, b))


@T.prim_func
def mm_relu(
    A: T.Buffer((128, 128), "float32"),
    B: T.Buffer((128, 128), "float32"),
    C: T.Buffer((128, 128), "float32"),
):
    T.func_attr({"global_symbol": "mm_relu", "tir.noalias": True})
    Y = T.alloc_buffer((128, 128), dtype="float32")
    for i, j, k in T.grid(128, 128, 128):
        with T.block("Y"):
            vi = T.axis.spatial(128, i)
            vj = T.axis.spatial(128, j)
            vk = T.axis.reduce(128, k)
            with T.init():
                Y[vi, vj] = T.float32(0)
            Y[vi, vj] = Y[vi, vj] + A[vi, vk] * B[vk, vj]
    for i, j in T.grid(128, 128):
        with T.block("C"):
            vi, vj = T.axis.remap("SS", [i, j])
            C[vi, vj] = T.max(Y[vi, vj], T.float32(0))


def test_standalone_prim_func_is_a_module_with_one_function() -> None:
    assert isinstance(mm_relu, ModuleOp)
    assert str(mm_relu) == MM_RELU_TEXT


@I.ir_module
class TVM027Spelling:
    """What TVM 0.27 prints for mm_relu (`T.sblock`, root block, reads/writes, tirx.noalias)."""

    @T.prim_func(s_tir=True)
    def mm_relu(
        A: T.Buffer((128, 128), "float32"),
        B: T.Buffer((128, 128), "float32"),
        C: T.Buffer((128, 128), "float32"),
    ):
        T.func_attr({"global_symbol": "mm_relu", "tirx.noalias": True})
        with T.sblock("root"):
            T.reads()
            T.writes()
            Y = T.sblock_alloc_buffer((128, 128))
            for i, j, k in T.grid(128, 128, 128):
                with T.sblock("Y"):
                    vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                    T.reads(A[vi, vk], B[vk, vj])
                    T.writes(Y[vi, vj])
                    with T.init():
                        Y[vi, vj] = T.float32(0.0)
                    Y[vi, vj] = Y[vi, vj] + A[vi, vk] * B[vk, vj]
            for i, j in T.grid(128, 128):
                with T.sblock("C"):
                    vi, vj = T.axis.remap("SS", [i, j])
                    T.reads(Y[vi, vj])
                    T.writes(C[vi, vj])
                    C[vi, vj] = T.max(Y[vi, vj], T.float32(0.0))


def test_tvm_027_spellings_give_the_same_program() -> None:
    assert str(TVM027Spelling) == MM_RELU_TEXT


@I.ir_module
class TwoFunctions:
    @T.prim_func
    def add(
        A: T.Buffer((4, 4), "int64"), B: T.Buffer((4, 4), "int64"), C: T.Buffer((4, 4), "int64")
    ):
        T.func_attr({"global_symbol": "add"})
        for i, j in T.grid(4, 4):
            with T.block("C"):
                vi = T.axis.spatial(4, i)
                vj = T.axis.spatial(4, j)
                C[vi, vj] = A[vi, vj] + B[vi, vj]

    @T.prim_func
    def broadcast_add(
        A: T.Buffer((4, 4), "int64"), B: T.Buffer((4,), "int64"), C: T.Buffer((4, 4), "int64")
    ):
        for i, j in T.grid(4, 4):
            with T.block("C"):
                vi, vj = T.axis.remap("SS", [i, j])
                C[vi, vj] = A[vi, vj] + B[vj]


def test_module_with_several_functions_course_exercises(rng: np.random.Generator) -> None:
    """The episode 2 exercises: element-wise add and broadcast add on int64."""
    names = [op.sym_name.data for op in TwoFunctions.ops]
    assert names == ["add", "broadcast_add"]
    a = rng.integers(-100, 100, (4, 4))
    b = rng.integers(-100, 100, (4, 4))
    c = np.empty((4, 4), np.int64)
    mlc.interpret(TwoFunctions, "add", a, b, c)
    np.testing.assert_array_equal(c, a + b)
    mlc.interpret(TwoFunctions, "broadcast_add", a, b[0], c)
    np.testing.assert_array_equal(c, a + b[0])
