"""Combine existing tensor functions into one (a producer and its consumers): TVM's FuseTIR.

`fuse_functions` is the tool graph fusion uses: given the tensor functions called by a chain
of `graph.call_tir`s, with a name for each buffer they pass, it builds one function whose
arguments are the chain's external inputs and outputs; every other buffer becomes a
`tensor.alloc_buffer`. Bodies are copied in order, so the result computes exactly what the
calls computed one after the other.

Example: `Y = mm(A, B)` then `C = relu(Y)`:

    fused = fuse_functions(
        [(mm, ["A", "B", "Y"]), (relu, ["Y", "C"])], inputs=["A", "B"], outputs=["C"],
        name="fused_mm_relu")

gives `@fused_mm_relu(%A, %B, %C)` with `%Y = tensor.alloc_buffer`, the `mm` loops writing
`%Y`, then the `relu` loops reading it. Block names are kept, with `_1`, `_2`, ... added where
two stages use the same name, so that `get_block(name)` stays unambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, MemRefType, StringAttr, i64
from xdsl.ir import Block, Region, SSAValue

from dialects.tensor.ops import NUM_INPUTS_ATTR, AllocBufferOp, BlockOp


def fuse_functions(
    stages: Sequence[tuple[func.FuncOp, Sequence[str]]],
    inputs: Sequence[str],
    outputs: Sequence[str],
    name: str,
) -> func.FuncOp:
    """One tensor function running `stages` in order; see the module docstring.

    Each stage is a tensor function and one buffer name per argument (its inputs, then its
    outputs). Raises ValueError when a name is used with two types, a fused input is written,
    an intermediate is read before it is written, or a name is listed twice.
    """
    listed = [*inputs, *outputs]
    if len(set(listed)) != len(listed):
        raise ValueError(f"fuse_functions: a buffer name is listed twice in {listed}")
    types = _buffer_types(stages)
    for buffer_name in listed:
        if buffer_name not in types:
            raise ValueError(f"fuse_functions: '{buffer_name}' is not used by any stage")
    _check_dataflow(stages, set(inputs))

    entry = Block(arg_types=[types[n] for n in listed])
    buffers: dict[str, SSAValue] = {}
    for buffer_name, arg in zip(listed, entry.args):
        arg.name_hint = buffer_name
        buffers[buffer_name] = arg
    for buffer_name, buffer_type in types.items():
        if buffer_name not in buffers:
            alloc = AllocBufferOp(buffer_type, buffer_name)
            entry.add_op(alloc)
            buffers[buffer_name] = alloc.buffer

    used_labels: dict[str, int] = {}
    for function, names in stages:
        mapping: dict[SSAValue, SSAValue] = {
            arg: buffers[n] for arg, n in zip(function.body.block.args, names)
        }
        for op in function.body.block.ops:
            if isinstance(op, func.ReturnOp):
                continue
            clone = op.clone(value_mapper=mapping)
            _rename_blocks(clone, used_labels)
            entry.add_op(clone)
    entry.add_op(func.ReturnOp())

    fused = func.FuncOp(name, ([types[n] for n in listed], []), Region(entry))
    fused.attributes[NUM_INPUTS_ATTR] = IntegerAttr(len(inputs), i64)
    return fused


def _buffer_types(stages: Sequence[tuple[func.FuncOp, Sequence[str]]]) -> dict[str, MemRefType]:
    types: dict[str, MemRefType] = {}
    for index, (function, names) in enumerate(stages):
        params = function.function_type.inputs.data
        if len(names) != len(params):
            raise ValueError(
                f"fuse_functions: stage #{index} (@{function.sym_name.data}) takes "
                f"{len(params)} buffers but {len(names)} names were given"
            )
        for buffer_name, param in zip(names, params):
            if not isinstance(param, MemRefType):
                raise ValueError(  # noqa: TRY004 - all fuse_functions input errors are ValueErrors
                    f"fuse_functions: @{function.sym_name.data} takes a non-memref {param}"
                )
            known = types.setdefault(buffer_name, param)
            if known != param:
                raise ValueError(
                    f"fuse_functions: buffer '{buffer_name}' is {known} in one stage and "
                    f"{param} in stage #{index} (@{function.sym_name.data})"
                )
    return types


def _num_inputs(function: func.FuncOp) -> int:
    attr = function.attributes.get(NUM_INPUTS_ATTR)
    if isinstance(attr, IntegerAttr):
        return attr.value.data
    return len(function.function_type.inputs.data) - 1


def _check_dataflow(stages: Sequence[tuple[func.FuncOp, Sequence[str]]], inputs: set[str]) -> None:
    written: set[str] = set()
    for index, (function, names) in enumerate(stages):
        n = _num_inputs(function)
        for buffer_name in names[:n]:
            if buffer_name not in inputs and buffer_name not in written:
                raise ValueError(
                    f"fuse_functions: buffer '{buffer_name}' is read by stage #{index} "
                    f"(@{function.sym_name.data}) before any stage writes it"
                )
        for buffer_name in names[n:]:
            if buffer_name in inputs:
                raise ValueError(
                    f"fuse_functions: stage #{index} (@{function.sym_name.data}) writes "
                    f"'{buffer_name}', an input of the fused function"
                )
            written.add(buffer_name)


def _rename_blocks(op, used: dict[str, int]) -> None:
    for inner in op.walk():
        if not isinstance(inner, BlockOp):
            continue
        label = inner.label
        count = used.get(label, 0)
        used[label] = count + 1
        if count:
            inner.block_name = StringAttr(f"{label}_{count}")
