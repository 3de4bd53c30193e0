"""The tensor and loops dialects: construction, custom/generic round trips, verifier rules.

The lit files tests/lit/dialects/{tensor,loops}/ cover the textual forms op by op; here the
Python side: building IR, the printed forms being stable, and the verifier's messages.
"""

from __future__ import annotations

import io

import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType, f32
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from dialects.loops import ForOp
from dialects.tensor import AccessRegionAttr, BlockOp
from mlc_dialects import te
from tests.tensor.helpers import parse

SPLIT = """
func.func @split(%A: memref<130x16xf32>, %S: memref<130xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i0 = 0 to 33 parallel {
    loops.for %i1 = 0 to 4 vectorized annotations {hint = 4 : i64} {
      loops.for %k = 0 to 16 step 2 {
        tensor.block "B"(%vi = spatial(130, %i0 * 4 + %i1), %vk = reduce(16, %k)) where(%i0 * 4 + %i1 < 130, %k >= 0) reads(%A[%vi, 0 : 16], %A[%vi floordiv 2 + 1, %vk mod 4]) writes(%S[%vi]) {
          tensor.init {
            %z = arith.constant 0.000000e+00 : f32
            memref.store %z, %S[%vi] : memref<130xf32>
          }
          %s = memref.load %S[%vi] : memref<130xf32>
          memref.store %s, %S[%vi] : memref<130xf32>
        }
      }
    }
  }
  func.return
}
"""


def generic(module) -> str:
    stream = io.StringIO()
    Printer(stream, print_generic_format=True).print_op(module)
    return stream.getvalue()


def mm_relu_module():
    A = te.placeholder((16, 16), name="A")
    B = te.placeholder((16, 16), name="B")
    k = te.reduce_axis((0, 16), name="k")
    Y = te.compute((16, 16), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")
    C = te.compute((16, 16), lambda i, j: te.max(Y[i, j], 0), name="C")
    return te.create_prim_func([A, B, C])


@pytest.mark.parametrize("make", [lambda: parse(SPLIT), mm_relu_module], ids=["split", "mm_relu"])
def test_custom_and_generic_round_trip(make) -> None:
    module = make()
    custom = str(module)
    assert str(parse(custom)) == custom
    assert str(parse(generic(module))) == custom
    assert generic(parse(custom)) == generic(module)


def test_custom_syntax_is_readable() -> None:
    text = str(parse(SPLIT))
    assert "loops.for %i0 = 0 to 33 parallel {" in text
    assert "loops.for %i1 = 0 to 4 vectorized annotations {hint = 4 : i64} {" in text
    assert "loops.for %k = 0 to 16 step 2 {" in text
    assert (
        'tensor.block "B"(%vi = spatial(130, %i0 * 4 + %i1), %vk = reduce(16, %k)) '
        "where(%i0 * 4 + %i1 < 130, %k >= 0) "
        "reads(%A[%vi, 0 : 16], %A[%vi floordiv 2 + 1, %vk mod 4]) writes(%S[%vi])" in text
    )


def test_block_queries() -> None:
    module = parse(SPLIT)
    block = next(op for op in module.walk() if isinstance(op, BlockOp))
    assert block.label == "B"
    assert block.iter_kinds == ("spatial", "reduce")
    assert block.domain_values == (130, 16)
    assert [v.name_hint for v in block.binding_values] == ["i0", "i1", "k"]
    assert block.init is not None and block.is_reduction
    (buffer, region), _ = block.read_accesses()
    assert buffer.name_hint == "A" and region.extent_values == (1, 16)
    loops = [op for op in module.walk() if isinstance(op, ForOp)]
    assert [(lp.lb, lp.ub, lp.step_value, lp.extent, lp.kind_name) for lp in loops] == [
        (0, 33, 1, 33, "parallel"),
        (0, 4, 1, 4, "vectorized"),
        (0, 16, 2, 8, "serial"),
    ]
    assert loops[1].annotation_dict()["hint"].value.data == 4


def test_build_block_in_python() -> None:
    """A copy block built with the constructors verifies and prints like the parsed form."""
    buffer = MemRefType(f32, [8])
    function = func.FuncOp("copy", ([buffer, buffer], []))
    src, dst = function.body.block.args
    src.name_hint, dst.name_hint = "A", "B"
    loop = ForOp(0, 8, iv_name="i")
    point = AccessRegionAttr.point(1, [AffineExpr.dimension(0)])
    block = BlockOp(
        "copy", [("spatial", 8)], AffineMap.identity(1), [loop.iv],
        reads=[(src, point)], writes=[(dst, point)], iter_names=["vi"],
    )  # fmt: skip
    loop.body.block.add_op(block)
    function.body.block.add_ops([loop, func.ReturnOp()])
    function.verify()
    assert 'tensor.block "copy"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%B[%vi]) {' in str(
        function
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'tensor.block "B"(%vi = spatial(4, %i)) reads() writes(%S[%vi]) {}',
            "binding of iterator %vi ranges over [0, 8) but its domain is [0, 4)",
        ),
        (
            'tensor.block "B"(%vi = spatial(8, %i)) reads(%S[%vi]) writes(%A[%vi]) {}',
            (
                "writes %A, argument #0 of @f, which is an input (tensor.num_inputs = 1); "
                "inputs are never written"
            ),
        ),
        (
            'tensor.block "B"(%vk = reduce(8, %i)) reads(%A[%vk]) writes(%S[%vk]) {}',
            "reduce iterator %vk indexes the written buffer %S",
        ),
        (
            'tensor.block "B"(%vk = reduce(8, %i)) reads(%A[%vk]) writes(%S[0]) {}',
            (
                'block "B" has reduce iterators (%vk) but neither a tensor.init nor a read of the '
                "buffer it writes"
            ),
        ),
    ],
    ids=["binding-domain", "input-written", "reduce-indexes-output", "reduce-without-init"],
)
def test_verifier_messages(body: str, message: str) -> None:
    text = f"""
    func.func @f(%A: memref<8xf32>, %S: memref<8xf32>) attributes {{tensor.num_inputs = 1 : i64}} {{
      loops.for %i = 0 to 8 {{
        {body}
      }}
      func.return
    }}"""
    with pytest.raises(VerifyException, match=None) as info:
        parse(text)
    assert message in str(info.value)


def test_update_block_without_init_is_valid() -> None:
    """decompose_reduction leaves an update block: reduce iterators, no init, reads its output."""
    parse("""
    func.func @f(%A: memref<8xf32>, %S: memref<f32>) attributes {tensor.num_inputs = 1 : i64} {
      loops.for %k = 0 to 8 {
        tensor.block "S_update"(%vk = reduce(8, %k)) reads(%S[], %A[%vk]) writes(%S[]) {
          %s = memref.load %S[] : memref<f32>
          %a = memref.load %A[%vk] : memref<8xf32>
          %t = arith.addf %s, %a : f32
          memref.store %t, %S[] : memref<f32>
        }
      }
      func.return
    }""")


def test_predicate_allows_overshooting_binding() -> None:
    parse(SPLIT)  # %i0 * 4 + %i1 reaches 131 > 130, guarded by the predicate
    with pytest.raises(
        VerifyException, match=r"ranges over \[0, 132\) but its domain is \[0, 130\)"
    ):
        parse(SPLIT.replace("where(%i0 * 4 + %i1 < 130, %k >= 0) ", ""))
