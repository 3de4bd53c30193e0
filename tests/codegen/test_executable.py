"""The call boundary of compiled functions: every mismatch raises ValueError naming the
argument before native code runs (the output stays untouched); DLPack arrays pass without a
copy; compiled modules are cached by structural hash."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_kernels import compile_text, matmul_ikj_vector

from mlc_dialects.api import parse
from mlc_dialects.codegen import Target, assembly, compile_module, llvm_ir
from mlc_dialects.codegen.conversion import ConversionError

M, N, K = 5, 19, 7
TEXT = matmul_ikj_vector(M, N, K)


@pytest.fixture(scope="module")
def matmul():
    return compile_text(TEXT)["matmul"]


def _args() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((M, K)).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    return a, b, np.full((M, N), 7.0, np.float32)


def _misaligned(shape: tuple[int, ...]) -> np.ndarray:
    raw = np.zeros(int(np.prod(shape)) * 4 + 8, np.uint8)
    start = 1 if raw.ctypes.data % 4 == 0 else 0  # an address that is not a multiple of 4
    return raw[start:start + int(np.prod(shape)) * 4].view(np.float32).reshape(shape)


def test_correct_call_writes_the_destination(matmul) -> None:
    a, b, c = _args()
    matmul(a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case, pattern", [
    ("count", r"@matmul takes 3 arguments, got 2"),
    ("shape", r"argument 1 \(%B\): expected shape \(7, 19\) .*got \(7, 18\)"),
    ("dtype", r"argument 0 \(%A\): expected dtype float32 .*got float64"),
    ("non_contiguous", r"argument 1 \(%B\): expected a C-contiguous array"),
    ("misaligned", r"argument 2 \(%C\): expected data aligned to 4 bytes"),
    ("not_an_array", r"argument 0 \(%A\): expected an array .*got list"),
])
def test_boundary_check_fails_before_native_code(matmul, case: str, pattern: str) -> None:
    a, b, c = _args()
    args: list[object] = [a, b, c]
    if case == "count":
        args = [a, b]
    elif case == "shape":
        args[1] = np.zeros((K, N - 1), np.float32)
    elif case == "dtype":
        args[0] = a.astype(np.float64)
    elif case == "non_contiguous":
        args[1] = np.asfortranarray(b)
    elif case == "misaligned":
        c = _misaligned((M, N))
        c[...] = 7.0
        args[2] = c
    elif case == "not_an_array":
        args[0] = a.tolist()
    with pytest.raises(ValueError, match=pattern):
        matmul(*args)
    assert np.all(c == 7.0), "native code ran although the arguments were rejected"


class DLPackOnly:
    """An array known only through the DLPack protocol (like a torch CPU tensor)."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


def test_dlpack_arrays_are_passed_without_copies(matmul) -> None:
    a, b, c = _args()
    matmul(DLPackOnly(a), DLPackOnly(b), DLPackOnly(c))
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


def test_torch_tensors_when_installed(matmul) -> None:
    torch = pytest.importorskip("torch")
    a, b, c = (torch.from_numpy(x) for x in _args())
    matmul(a, b, c)
    assert torch.allclose(c, a @ b, rtol=1e-5, atol=1e-5)


def test_unknown_function_is_a_key_error() -> None:
    with pytest.raises(KeyError, match=r"no compiled function @nope \(functions: @matmul\)"):
        compile_text(TEXT)["nope"]


def test_cache_hit_for_the_same_module_text() -> None:
    first = compile_module(parse(TEXT))
    assert compile_module(parse(TEXT)) is first
    assert compile_module(parse(matmul_ikj_vector(M, N + 1, K))) is not first


def test_llvm_ir_and_assembly_text() -> None:
    module = parse(TEXT)
    ir_text = llvm_ir(module)
    assert 'define void @"matmul"(ptr noalias' in ir_text
    assert "<16 x float>" in ir_text and "llvm.fma.v16f32" in ir_text
    assert "align 4" in ir_text
    asm = assembly(module)
    assert "matmul:" in asm and "vfmadd" in asm
    if Target.host().vector_bits == 512:
        assert "zmm" in asm  # vector<16xf32> stays one AVX-512 register
    assert str(module).startswith("builtin.module") and "func.func @matmul" in str(module)


def test_scalar_arguments_are_checked() -> None:
    scale = compile_text("""
func.func @scale(%X: memref<3xf32>, %s: f32, %n: i32) -> i32 {
  %c0 = arith.constant 0 : index
  %x = memref.load %X[%c0] : memref<3xf32>
  %y = arith.mulf %x, %s : f32
  memref.store %y, %X[%c0] : memref<3xf32>
  func.return %n : i32
}""")["scale"]
    x = np.ones(3, np.float32)
    assert scale(x, 2.5, 7) == 7 and x[0] == 2.5
    with pytest.raises(ValueError, match=r"argument 1 \(%s\): expected a f32 number, got str"):
        scale(x, "2", 7)
    with pytest.raises(ValueError, match=r"argument 2 \(%n\): expected a i32 number, got float"):
        scale(x, 2.0, 7.5)
    assert x[0] == 2.5


def test_dynamic_shapes_are_rejected_naming_the_pass() -> None:
    module = parse("""
func.func @f(%A: memref<?xf32>, %i: index) -> f32 {
  %x = memref.load %A[%i] : memref<?xf32>
  func.return %x : f32
}""")
    with pytest.raises(ConversionError, match=r"^convert-memref-to-llvm: memref<\?xf32> "
                       r"has a dynamic shape"):
        compile_module(module)


def test_strided_layout_argument_takes_a_matching_view() -> None:
    """A memref<3x4xf32, strided<[8, 2], offset: 1>> argument is a numpy view with those
    strides; element (0, 0) of the view is element (0, 0) of the memref."""
    mt = "memref<3x4xf32, strided<[8, 2], offset: 1>>"
    double = compile_text(f"""
func.func @double(%X: {mt}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c3 step %c1 {{
    scf.for %j = %c0 to %c4 step %c1 {{
      %x = memref.load %X[%i, %j] : {mt}
      %y = arith.addf %x, %x : f32
      memref.store %y, %X[%i, %j] : {mt}
    }}
  }}
  func.return
}}""")["double"]
    base = np.arange(24, dtype=np.float32).reshape(3, 8)
    expected = base.copy()
    expected[:, 1::2] *= 2
    double(base[:, 1::2])
    np.testing.assert_array_equal(base, expected)
    with pytest.raises(ValueError, match=r"expected byte strides \(32, 8\)"):
        double(np.zeros((3, 4), np.float32))
