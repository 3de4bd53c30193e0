"""Shape arithmetic of graph ops, on plain tuples of ints (`DYN` is a dynamic dimension, `?`).

These functions are shared by the verifiers (which compare a result type with the inferred one)
and the builder (which creates result types). They raise `ShapeError` with a message that
quotes both sides; the verifier turns it into a located diagnostic.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import DYNAMIC_INDEX
from xdsl.utils.exceptions import VerifyException

DYN = DYNAMIC_INDEX
"""A dynamic dimension: xDSL's `TensorType.get_shape()` value for `?` (not -1)."""
Shape = tuple[int, ...]


class ShapeError(VerifyException):
    """Operand shapes or attributes that do not fit the op's rule."""


def fmt(shape: Sequence[int]) -> str:
    """`2x3x?` as MLIR writes a shape (`scalar` for rank 0)."""
    if len(shape) == 0:
        return "scalar"
    return "x".join("?" if d == DYN else str(d) for d in shape)


def broadcast(*shapes: Sequence[int]) -> Shape:
    """numpy broadcasting of any number of shapes."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[int] = []
    for axis in range(rank):
        dims = [s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0]
        static = {d for d in dims if d not in (1, DYN)}
        if len(static) > 1:
            raise ShapeError(
                "operand shapes "
                + ", ".join(fmt(s) for s in shapes)
                + f" are not broadcastable (dimension {axis} of the result: "
                + " vs ".join(str(d) for d in sorted(static))
                + ")"
            )
        if static:
            out.append(static.pop())
        elif DYN in dims:
            out.append(DYN)
        else:
            out.append(1)
    return tuple(out)


def broadcasts_to(shape: Sequence[int], target: Sequence[int]) -> bool:
    """Whether `numpy.broadcast_to(x, target)` accepts an x of `shape`."""
    if len(shape) > len(target):
        return False
    tail = target[len(target) - len(shape):]
    return all(d in (1, t) or DYN in (d, t) for d, t in zip(shape, tail, strict=True))


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    """numpy-style negative axes; an out-of-range axis is a ShapeError.

    As in numpy, a 0-d tensor has no axis at all (`np.sum(np.float32(1), axis=0)` fails).
    """
    if rank == 0:
        raise ShapeError(f"{what} {axis} is out of range: the operand has rank 0 (no axes)")
    if not -rank <= axis < rank:
        raise ShapeError(
            f"{what} {axis} is out of range for rank {rank} (expected {-rank} <= {what} < {rank})"
        )
    return axis % rank


def normalize_axes(axes: Sequence[int], rank: int, what: str = "axes") -> list[int]:
    out = [normalize_axis(a, rank, "axis") for a in axes]
    if len(set(out)) != len(out):
        raise ShapeError(f"{what} {list(axes)} repeat an axis")
    return out


def _dims_equal(a: int, b: int) -> bool:
    return a == b or DYN in (a, b)


def compatible(a: Sequence[int], b: Sequence[int]) -> bool:
    """Same rank and every dimension equal or dynamic on one side (MLIR's compatible shapes)."""
    return len(a) == len(b) and all(_dims_equal(x, y) for x, y in zip(a, b, strict=True))


def matmul(a: Sequence[int], b: Sequence[int]) -> Shape:
    """numpy.matmul: 1-D operands are promoted (and the promoted axis removed again); batch
    dimensions broadcast."""
    if len(a) == 0 or len(b) == 0:
        raise ShapeError("matmul operands must have rank >= 1, got " f"{fmt(a)} and {fmt(b)}")
    a2 = (1, *a) if len(a) == 1 else tuple(a)
    b2 = (*b, 1) if len(b) == 1 else tuple(b)
    k_a, k_b = a2[-1], b2[-2]
    if not _dims_equal(k_a, k_b):
        raise ShapeError(f"contracting dimensions differ: lhs has {k_a}, rhs has {k_b}")
    try:
        batch = broadcast(a2[:-2], b2[:-2])
    except ShapeError:
        raise ShapeError(
            f"batch dimensions {fmt(a2[:-2])} and {fmt(b2[:-2])} are not broadcastable"
        ) from None
    out = [*batch]
    if len(a) > 1:
        out.append(a2[-2])
    if len(b) > 1:
        out.append(b2[-1])
    return tuple(out)


def window_out(size: int, kernel: int, stride: int, pad_lo: int, pad_hi: int, dilation: int,
               ceil_mode: bool = False) -> int:
    """Output length of a sliding window (ONNX Conv/Pool)."""
    if size == DYN:
        return DYN
    effective = dilation * (kernel - 1) + 1
    span = size + pad_lo + pad_hi - effective
    if span < 0:
        raise ShapeError(
            f"window of effective size {effective} does not fit input size {size} "
            f"with padding {pad_lo}+{pad_hi}"
        )
    if ceil_mode:
        out = -(-span // stride) + 1
        # ONNX: the last window must start inside the input or the left padding.
        if (out - 1) * stride >= size + pad_lo:
            out -= 1
        return out
    return span // stride + 1


def conv2d(x: Sequence[int], w: Sequence[int], strides: Sequence[int], padding: Sequence[int],
           dilations: Sequence[int], groups: int) -> Shape:
    """ONNX Conv, NCHW input and OIHW weights."""
    if len(x) != 4 or len(w) != 4:
        raise ShapeError(f"conv2d expects a rank-4 input and weight, got {fmt(x)} and {fmt(w)}")
    n, c, h, wd = x
    o, ci, kh, kw = w
    if groups < 1:
        raise ShapeError(f"groups must be positive, got {groups}")
    if c != DYN and ci != DYN and c != ci * groups:
        raise ShapeError(
            f"input channels differ: input has {c}, weight expects {ci} x {groups} groups"
        )
    if o != DYN and o % groups != 0:
        raise ShapeError(f"output channels {o} are not divisible by groups {groups}")
    oh = window_out(h, kh, strides[0], padding[0], padding[2], dilations[0])
    ow = window_out(wd, kw, strides[1], padding[1], padding[3], dilations[1])
    return (n, o, oh, ow)


def pool2d(x: Sequence[int], kernel: Sequence[int], strides: Sequence[int],
           padding: Sequence[int], dilations: Sequence[int], ceil_mode: bool) -> Shape:
    if len(x) != 4:
        raise ShapeError(f"pooling expects a rank-4 NCHW input, got {fmt(x)}")
    n, c, h, w = x
    oh = window_out(h, kernel[0], strides[0], padding[0], padding[2], dilations[0], ceil_mode)
    ow = window_out(w, kernel[1], strides[1], padding[1], padding[3], dilations[1], ceil_mode)
    return (n, c, oh, ow)


def reduce(x: Sequence[int], axes: Sequence[int], keepdims: bool) -> Shape:
    norm = set(normalize_axes(axes, len(x)))
    if keepdims:
        return tuple(1 if i in norm else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in norm)


def num_elements(shape: Sequence[int]) -> int | None:
    if DYN in shape:
        return None
    n = 1
    for d in shape:
        n *= d
    return n


def transpose(x: Sequence[int], perm: Sequence[int]) -> Shape:
    if sorted(perm) != list(range(len(x))):
        raise ShapeError(f"perm {list(perm)} is not a permutation of the {len(x)} axes")
    return tuple(x[p] for p in perm)


def concat(shapes: Sequence[Sequence[int]], axis: int) -> Shape:
    if not shapes:
        raise ShapeError("concat needs at least one operand")
    rank = len(shapes[0])
    if rank == 0:
        raise ShapeError("concat operands must have rank >= 1, got scalar operands")
    ax = normalize_axis(axis, rank)
    for i, s in enumerate(shapes):
        if len(s) != rank:
            raise ShapeError(f"operand {i} has rank {len(s)}, operand 0 has rank {rank}")
        for d in range(rank):
            if d != ax and not _dims_equal(s[d], shapes[0][d]):
                raise ShapeError(
                    f"operand {i} has shape {fmt(s)}, which differs from operand 0 "
                    f"({fmt(shapes[0])}) outside the concatenation axis {ax}"
                )
    total = 0
    for s in shapes:
        if s[ax] == DYN:
            total = DYN
            break
        total += s[ax]
    return tuple(total if d == ax else shapes[0][d] for d in range(rank))


def slice_shape(x: Sequence[int], starts: Sequence[int], ends: Sequence[int],
                steps: Sequence[int]) -> Shape:
    """Basic slicing `x[s0:e0:k0, ...]` with numpy's clamping of out-of-range bounds."""
    if not len(starts) == len(ends) == len(steps) == len(x):
        raise ShapeError(
            f"starts, ends and steps need one entry per axis ({len(x)}), got "
            f"{len(starts)}, {len(ends)} and {len(steps)}"
        )
    out: list[int] = []
    for axis, (d, s, e, k) in enumerate(zip(x, starts, ends, steps, strict=True)):
        if k == 0:
            raise ShapeError(f"step of axis {axis} is zero")
        out.append(DYN if d == DYN else len(range(*slice(s, e, k).indices(d))))
    return tuple(out)


def einsum(equation: str, shapes: Sequence[Sequence[int]]) -> Shape:
    """numpy.einsum in explicit `->` form (letters only; no ellipsis)."""
    if equation.count("->") != 1:
        raise ShapeError(
            f"einsum equation '{equation}' must have the explicit form 'inputs->output' "
            "with exactly one '->'"
        )
    lhs, rhs = equation.replace(" ", "").split("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ShapeError(
            f"einsum equation '{equation}' has {len(terms)} inputs, op has {len(shapes)} operands"
        )
    sizes: dict[str, int] = {}
    for i, (term, shape) in enumerate(zip(terms, shapes, strict=True)):
        if not term.isalpha() and term != "":
            raise ShapeError(f"einsum term '{term}' may only contain letters")
        if len(term) != len(shape):
            raise ShapeError(
                f"einsum term '{term}' has {len(term)} indices, operand {i} has rank {len(shape)}"
            )
        for letter, d in zip(term, shape, strict=True):
            known = sizes.get(letter)
            if known is not None and d != 1 and known != 1 and not _dims_equal(known, d):
                raise ShapeError(
                    f"einsum index '{letter}' has size {known} and {d} in different operands"
                )
            # Keep the most informative size: a static size beats 1 (broadcast) and `?`.
            if known is None or known == 1 or (known == DYN and d != 1):
                sizes[letter] = d
    if not rhs.isalpha() and rhs != "":
        raise ShapeError(f"einsum output '{rhs}' may only contain letters")
    if len(set(rhs)) != len(rhs):
        raise ShapeError(f"einsum output '{rhs}' repeats an index")
    for letter in rhs:
        if letter not in sizes:
            raise ShapeError(f"einsum output index '{letter}' does not appear in any input")
    return tuple(sizes[letter] for letter in rhs)
