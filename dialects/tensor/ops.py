"""Operations of the `tensor` dialect: `tensor.alloc_buffer`, `tensor.block`, `tensor.init`.

A tensor function is an upstream `func.func` over memrefs (see the package docstring). Inside
it, `loops.for` nests surround `tensor.block`s; blocks are where computation happens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.dialects import func, memref
from xdsl.dialects.builtin import (
    AffineMapAttr,
    AffineSetAttr,
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    StringAttr,
    i64,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineExpr, AffineMap
from xdsl.ir.affine.affine_set import AffineConstraintExpr, AffineSet
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    lazy_traits_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import HasParent, NoTerminator, RecursiveMemoryEffect
from xdsl.utils.exceptions import ParseError, VerifyException
from xdsl.utils.lexer import Span

from dialects.tensor.affine_syntax import (
    constraint_to_str,
    expr_range,
    expr_to_str,
    parse_affine_expr,
    parse_constraint,
    printer_names,
    shifted_to_str,
    summands,
    value_name,
)
from dialects.tensor.attrs import AccessRegionAttr

ITER_KINDS: tuple[str, ...] = ("spatial", "reduce")
"""Iterator kinds of a block, TVM's `T.axis.spatial` / `T.axis.reduce`."""

NUM_INPUTS_ATTR = "tensor.num_inputs"
"""Attribute of a tensor `func.func`: its first N arguments are inputs (never written); the
remaining arguments are outputs (destination passing). Without it no argument is read-only."""


# =========================================================================== alloc_buffer


@irdl_op_definition
class AllocBufferOp(IRDLOperation):
    """Allocate an intermediate buffer of a tensor function.

    The buffer lives for the whole function and is private to it (no aliasing with arguments
    or other buffers). Its contents are undefined until written; the reference interpreter
    fills float buffers with NaN so that a read before a write shows up in results. It is a
    separate op (not `memref.alloc`) so that schedule primitives can tell the buffers a tensor
    program owns (and may re-layout or shrink) from anything else; `tensor-lower-blocks`
    turns it into `memref.alloc`. Shapes are static.

    Example:
    ```mlir
    %Y = tensor.alloc_buffer : memref<128x128xf32>
    ```
    """

    name = "tensor.alloc_buffer"

    buffer = result_def(MemRefType)

    assembly_format = "attr-dict `:` type($buffer)"

    def __init__(self, buffer_type: MemRefType, name_hint: str | None = None):
        super().__init__(result_types=[buffer_type])
        if name_hint is not None:
            self.buffer.name_hint = name_hint

    def verify_(self) -> None:
        buffer_type = self.buffer.type
        assert isinstance(buffer_type, MemRefType)
        if any(d < 0 for d in buffer_type.get_shape()):
            raise VerifyException(f"buffer shape must be static, got {buffer_type}")


# =========================================================================== init


@irdl_op_definition
class InitOp(IRDLOperation):
    """The initialization part of a reduction block (TVM's `with T.init():`).

    Must be the first operation of a `tensor.block` body. It runs once per spatial point,
    before the first reduction step: when every reduce iterator of the block is at the start
    of its domain (0). It may use the block's iterator values; it must not use reduce
    iterators to index what it writes.

    Example:
    ```mlir
    tensor.init {
      %zero = arith.constant 0.000000e+00 : f32
      memref.store %zero, %Y[%vi, %vj] : memref<128x128xf32>
    }
    ```
    """

    name = "tensor.init"

    body = region_def("single_block")

    traits = lazy_traits_def(lambda: (NoTerminator(), HasParent(BlockOp), RecursiveMemoryEffect()))

    def __init__(self, body: Region | Block | None = None):
        if body is None:
            body = Block()
        if isinstance(body, Block):
            body = Region(body)
        super().__init__(regions=[body])

    def verify_(self) -> None:
        if self.body.block.args:
            raise VerifyException("init region must not have arguments")
        parent = self.parent_op()
        if isinstance(parent, BlockOp) and parent.body.block.first_op is not self:
            raise VerifyException("must be the first operation of its tensor.block")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)
        printer.print_op_attributes(self.attributes, print_keyword=True)

    @classmethod
    def parse(cls, parser: Parser) -> InitOp:
        region = parser.parse_region()
        if not region.blocks:  # `{}` parses to no block; the op always has one
            region.add_block(Block())
        op = cls(region)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        if attrs is not None:
            op.attributes |= attrs.data
        return op


# =========================================================================== block


def _parse_defined_operand(parser: Parser) -> SSAValue:
    """An operand that must already be defined (a buffer), with the type it was defined with."""
    unresolved = parser.parse_unresolved_operand()
    values = parser.ssa_values.get(unresolved.operand_name)
    if values is None:
        parser.raise_error(f"use of undefined value '%{unresolved.operand_name}'", unresolved.span)
    return values[unresolved.index]


def constant_difference(stop: AffineExpr, start: AffineExpr) -> int | None:
    """`stop - start` if it is a constant, else None."""
    diff = stop - start
    num_dims = 1 + max((e.position for e in diff.dfs() if hasattr(e, "position")), default=0)
    simplified = diff.simplify(num_dims, 0) if diff.is_pure_affine() else diff
    return simplified.value if isinstance(simplified, AffineConstantExpr) else None


def loop_range(value: SSAValue) -> tuple[int, int] | None:
    """Inclusive [first, last] of `value` if it is the induction variable of a `loops.for`."""
    from dialects.loops.ops import ForOp

    if not isinstance(value, BlockArgument):
        return None
    loop = value.block.parent_op()
    if not isinstance(loop, ForOp) or loop.extent == 0:
        return None
    return (loop.lb, loop.lb + (loop.extent - 1) * loop.step_value)


@irdl_op_definition
class BlockOp(IRDLOperation):
    """A named unit of computation over iterators (TensorIR's block, `T.block`).

    Iterators: each is `spatial` or `reduce` with a domain `[0, extent)`, and is *bound* to an
    affine expression of values from outside the block (normally enclosing loop variables):
    `bindings` is an affine map whose dimensions are the `binding_values` operands and whose
    results are the iterator values. The body region's block arguments are the iterator values
    (`index`).

    Optional `predicate` (an affine set over the same dimensions as `bindings`): the block
    instance runs only where every constraint holds. It is what an imperfect split adds
    (`where(%i0 * 4 + %i1 < 130)`); bindings may exceed their domain where it is false.

    `reads` / `writes`: the buffers the block accesses, each with an access region over the
    iterators (`#tensor.region`: start indices as an affine map, constant extents). Every
    `memref.load` in the body reads a buffer listed in reads or writes; every `memref.store`
    writes a buffer listed in writes.

    Reductions: a block with reduce iterators either has a `tensor.init` as the first op of
    its body (run when all reduce iterators are 0, as TVM's `T.init()`), or reads the buffer it
    writes (an update block as left by `decompose_reduction`). Reduce iterators never index
    what the block writes.

    Inputs: when the enclosing function has `tensor.num_inputs = N`, its first N arguments
    must not be written.

    The custom syntax mirrors TVMScript (`T.axis.spatial(128, i)`, `T.reads`, `T.writes`,
    `T.where`); regions `A[a:b]` name half-open ranges of constant width.

    Example:
    ```mlir
    loops.for %i = 0 to 128 {
      loops.for %j = 0 to 128 {
        loops.for %k = 0 to 128 {
          tensor.block "Y"(%vi = spatial(128, %i), %vj = spatial(128, %j),
                           %vk = reduce(128, %k))
              reads(%A[%vi, %vk], %B[%vk, %vj]) writes(%Y[%vi, %vj]) {
            tensor.init {
              %zero = arith.constant 0.000000e+00 : f32
              memref.store %zero, %Y[%vi, %vj] : memref<128x128xf32>
            }
            %y = memref.load %Y[%vi, %vj] : memref<128x128xf32>
            %a = memref.load %A[%vi, %vk] : memref<128x128xf32>
            %b = memref.load %B[%vk, %vj] : memref<128x128xf32>
            %p = arith.mulf %a, %b : f32
            %s = arith.addf %y, %p : f32
            memref.store %s, %Y[%vi, %vj] : memref<128x128xf32>
          }
        }
      }
    }
    ```
    (printed on one header line; wrapped here for width.)
    """

    name = "tensor.block"

    block_name = prop_def(StringAttr)
    iterator_types = prop_def(ArrayAttr[StringAttr])
    domains = prop_def(DenseArrayBase)
    bindings = prop_def(AffineMapAttr)
    predicate = opt_prop_def(AffineSetAttr)
    read_regions = prop_def(ArrayAttr[AccessRegionAttr])
    write_regions = prop_def(ArrayAttr[AccessRegionAttr])
    annotations = opt_prop_def(DictionaryAttr)

    binding_values = var_operand_def(IndexType)
    reads = var_operand_def(MemRefType)
    writes = var_operand_def(MemRefType)

    body = region_def("single_block")

    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(NoTerminator(), RecursiveMemoryEffect())

    def __init__(
        self,
        block_name: str,
        iterators: Sequence[tuple[str, int]],
        bindings: AffineMap,
        binding_values: Sequence[SSAValue | Operation],
        reads: Sequence[tuple[SSAValue | Operation, AccessRegionAttr]] = (),
        writes: Sequence[tuple[SSAValue | Operation, AccessRegionAttr]] = (),
        body: Region | Block | None = None,
        *,
        predicate: AffineSet | None = None,
        annotations: Mapping[str, Attribute] | DictionaryAttr | None = None,
        iter_names: Sequence[str] | None = None,
    ):
        if body is None:
            body = Block(arg_types=[IndexType()] * len(iterators))
        if isinstance(body, Block):
            body = Region(body)
        if iter_names is not None:
            for arg, arg_name in zip(body.block.args, iter_names):
                arg.name_hint = arg_name
        props: dict[str, Attribute] = {
            "block_name": StringAttr(block_name),
            "iterator_types": ArrayAttr([StringAttr(kind) for kind, _ in iterators]),
            "domains": DenseArrayBase.from_list(i64, [extent for _, extent in iterators]),
            "bindings": AffineMapAttr(bindings),
            "read_regions": ArrayAttr([region for _, region in reads]),
            "write_regions": ArrayAttr([region for _, region in writes]),
        }
        if predicate is not None:
            props["predicate"] = AffineSetAttr(predicate)
        if annotations:
            props["annotations"] = (
                annotations
                if isinstance(annotations, DictionaryAttr)
                else DictionaryAttr(dict(annotations))
            )
        super().__init__(
            operands=[binding_values, [b for b, _ in reads], [b for b, _ in writes]],
            properties=props,
            regions=[body],
        )

    # ------------------------------------------------------------------ queries

    @property
    def label(self) -> str:
        """The block's name (`"Y"`)."""
        return self.block_name.data

    @property
    def iter_vars(self) -> tuple[BlockArgument, ...]:
        """The iterator values, i.e. the body's block arguments."""
        return tuple(self.body.block.args)

    @property
    def iter_kinds(self) -> tuple[str, ...]:
        return tuple(t.data for t in self.iterator_types.data)

    @property
    def domain_values(self) -> tuple[int, ...]:
        return tuple(self.domains.get_values())  # type: ignore[arg-type]

    @property
    def binding_map(self) -> AffineMap:
        return self.bindings.data

    @property
    def predicate_set(self) -> AffineSet | None:
        return self.predicate.data if self.predicate is not None else None

    @property
    def init(self) -> InitOp | None:
        first = self.body.block.first_op
        return first if isinstance(first, InitOp) else None

    @property
    def is_reduction(self) -> bool:
        return "reduce" in self.iter_kinds

    def read_accesses(self) -> list[tuple[SSAValue, AccessRegionAttr]]:
        return list(zip(self.reads, self.read_regions.data))

    def write_accesses(self) -> list[tuple[SSAValue, AccessRegionAttr]]:
        return list(zip(self.writes, self.write_regions.data))

    def iter_name(self, index: int) -> str:
        """A name for iterator `index` in messages (`%vi`, or `#0`)."""
        args = self.body.block.args
        if index < len(args):
            return value_name(args[index], f"iterator #{index}")
        return f"iterator #{index}"

    # ------------------------------------------------------------------ verifier

    def verify_(self) -> None:
        self._verify_iterators()
        self._verify_bindings()
        self._verify_regions()
        self._verify_body_accesses()
        self._verify_reduction()
        self._verify_inputs_not_written()

    def _verify_iterators(self) -> None:
        kinds, domains = self.iter_kinds, self.domain_values
        for kind in kinds:
            if kind not in ITER_KINDS:
                raise VerifyException(f"iterator kind must be 'spatial' or 'reduce', got '{kind}'")
        args = self.body.block.args
        counts = {
            "iterator_types": len(kinds),
            "domains": len(domains),
            "bindings": len(self.binding_map.results),
            "body arguments": len(args),
        }
        if len(set(counts.values())) != 1:
            detail = ", ".join(f"{k} has {v}" for k, v in counts.items())
            raise VerifyException(f"iterator counts differ: {detail}")
        for index, arg in enumerate(args):
            if not isinstance(arg.type, IndexType):
                raise VerifyException(
                    f"body argument #{index} must be an 'index' iterator value, got {arg.type}"
                )
        for index, extent in enumerate(domains):
            if extent <= 0:
                raise VerifyException(
                    f"iterator {self.iter_name(index)} has an empty domain: extent {extent}"
                )

    def _verify_bindings(self) -> None:
        bindings = self.binding_map
        if bindings.num_dims != len(self.binding_values) or bindings.num_symbols != 0:
            raise VerifyException(
                f"bindings map has {bindings.num_dims} dimensions and {bindings.num_symbols} "
                f"symbols but the block has {len(self.binding_values)} binding values"
            )
        pred = self.predicate_set
        if pred is not None and (pred.num_dims != bindings.num_dims or pred.num_symbols):
            raise VerifyException(
                f"predicate has {pred.num_dims} dimensions but the block has "
                f"{len(self.binding_values)} binding values"
            )
        ranges = [loop_range(v) for v in self.binding_values]
        for index, (expr, extent) in enumerate(zip(bindings.results, self.domain_values)):
            span = expr_range(expr, ranges)
            if span is None:
                continue
            # With a predicate, values outside the domain are allowed where it is false
            # (imperfect splits); the lower end is still checked.
            too_high = span[1] >= extent and pred is None
            if span[0] < 0 or too_high:
                raise VerifyException(
                    f"binding of iterator {self.iter_name(index)} ranges over "
                    f"[{span[0]}, {span[1] + 1}) but its domain is [0, {extent})"
                )

    def _verify_regions(self) -> None:
        num_iters = len(self.iter_kinds)
        iter_ranges = self._iterator_ranges()
        for what, buffers, regions in (
            ("reads", self.reads, self.read_regions.data),
            ("writes", self.writes, self.write_regions.data),
        ):
            if len(buffers) != len(regions):
                raise VerifyException(
                    f"{what} has {len(buffers)} buffers but {len(regions)} access regions"
                )
            for position, (buffer, region) in enumerate(zip(buffers, regions)):
                buffer_type = buffer.type
                assert isinstance(buffer_type, MemRefType)
                shape = buffer_type.get_shape()
                name = value_name(buffer, f"{what} #{position}")
                if region.map.num_dims != num_iters:
                    raise VerifyException(
                        f"access region of {name} in {what} is over {region.map.num_dims} "
                        f"iterators but the block has {num_iters}"
                    )
                if len(region.map.results) != len(shape):
                    raise VerifyException(
                        f"access region of {name} in {what} has {len(region.map.results)} "
                        f"indices but the buffer has rank {len(shape)} ({buffer_type})"
                    )
                if self.predicate is not None:
                    continue
                for dim, (start, extent) in enumerate(
                    zip(region.map.results, region.extent_values)
                ):
                    span = expr_range(start, iter_ranges)
                    if span is None or shape[dim] < 0:
                        continue
                    if span[0] < 0 or span[1] + extent > shape[dim]:
                        raise VerifyException(
                            f"access region of {name} in {what} covers [{span[0]}, "
                            f"{span[1] + extent}) in dimension {dim} but the buffer has "
                            f"size {shape[dim]} ({buffer_type})"
                        )

    def _iterator_ranges(self) -> list[tuple[int, int]]:
        """Inclusive ranges of the iterators: the domain, narrowed by known loop bindings."""
        loops = [loop_range(v) for v in self.binding_values]
        ranges = []
        for expr, extent in zip(self.binding_map.results, self.domain_values):
            lo, hi = 0, extent - 1
            bound = expr_range(expr, loops)
            if bound is not None:
                lo, hi = max(lo, bound[0]), min(hi, bound[1])
            ranges.append((lo, hi))
        return ranges

    def _verify_reduction(self) -> None:
        reduce_dims = {i for i, k in enumerate(self.iter_kinds) if k == "reduce"}
        for position, (buffer, region) in enumerate(self.write_accesses()):
            used = region.map.used_dims() & reduce_dims
            if used:
                names = ", ".join(self.iter_name(i) for i in sorted(used))
                raise VerifyException(
                    f"reduce iterator {names} indexes the written buffer "
                    f"{value_name(buffer, f'writes #{position}')}; reduce iterators may only "
                    f"drive reductions"
                )
        if not reduce_dims or self.init is not None:
            return
        if any(buffer in set(self.reads) for buffer in self.writes):
            return  # an update block (after decompose_reduction): accumulates into its output
        names = ", ".join(self.iter_name(i) for i in sorted(reduce_dims))
        raise VerifyException(
            f'block "{self.label}" has reduce iterators ({names}) but neither a tensor.init '
            f"nor a read of the buffer it writes"
        )

    def _verify_body_accesses(self) -> None:
        writes, reads = set(self.writes), set(self.reads)
        reduce_args = {
            arg for arg, kind in zip(self.body.block.args, self.iter_kinds) if kind == "reduce"
        }
        for op in _own_ops(self):
            if isinstance(op, BlockOp):
                self._verify_nested_block(op)
                continue
            if isinstance(op, InitOp) and op is not self.body.block.first_op:
                raise VerifyException("tensor.init must be the first operation of the block body")
            if isinstance(op, memref.StoreOp):
                if op.memref not in writes:
                    raise VerifyException(
                        f"body stores to {value_name(op.memref, 'a buffer')}, which is not "
                        f"declared in writes(...)"
                    )
                for index in op.indices:
                    if index in reduce_args:
                        raise VerifyException(
                            f"body stores with reduce iterator {value_name(index, 'value')} "
                            f"as an index; reduce iterators may only drive reductions"
                        )
            elif (
                isinstance(op, memref.LoadOp) and op.memref not in reads and op.memref not in writes
            ):
                raise VerifyException(
                    f"body loads from {value_name(op.memref, 'a buffer')}, which is not "
                    f"declared in reads(...) or writes(...)"
                )

    def _verify_nested_block(self, nested: BlockOp) -> None:
        """A block nested in this one (after blockize) verifies on its own; here only that
        this block declares what it accesses: its buffers are declared here (reads in
        reads or writes, writes in writes) and, where the offset between the two regions
        is an affine function of the loops in between, its regions lie inside ours."""
        writes, reads = set(self.writes), set(self.reads)
        for kind, accesses in (
            ("reads", nested.read_accesses()),
            ("writes", nested.write_accesses()),
        ):
            for buffer, region in accesses:
                declared = writes if kind == "writes" else reads | writes
                if buffer not in declared:
                    raise VerifyException(
                        f'nested block "{nested.label}" {kind} '
                        f'{value_name(buffer, "a buffer")}, which block "{self.label}" does '
                        f"not declare in {'writes' if kind == 'writes' else 'reads or writes'}(...)"
                    )
                own = (
                    self.write_accesses()
                    if kind == "writes"
                    else self.read_accesses() + self.write_accesses()
                )
                candidates = [r for b, r in own if b is buffer]
                spans = _nested_spans(self, nested, region)
                if spans is None:
                    continue
                if not any(_covers(self, r, spans) for r in candidates):
                    raise VerifyException(
                        f'nested block "{nested.label}" {kind} '
                        f"{value_name(buffer, 'a buffer')} outside the region block "
                        f'"{self.label}" declares for it'
                    )

    def _verify_inputs_not_written(self) -> None:
        function = self.parent_op()
        while function is not None and not isinstance(function, func.FuncOp):
            function = function.parent_op()
        if function is None:
            return
        num_inputs = function.attributes.get(NUM_INPUTS_ATTR)
        if not isinstance(num_inputs, IntegerAttr):
            return
        n = num_inputs.value.data
        entry = function.body.blocks.first
        for buffer in self.writes:
            if isinstance(buffer, BlockArgument) and buffer.block is entry and buffer.index < n:
                raise VerifyException(
                    f"writes {value_name(buffer, f'argument #{buffer.index}')}, argument "
                    f"#{buffer.index} of @{function.sym_name.data}, which is an input "
                    f"({NUM_INPUTS_ATTR} = {n}); inputs are never written"
                )

    # ------------------------------------------------------------------ syntax

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.label)
        outer = printer_names(printer, self.binding_values)
        iters = printer_names(printer, self.iter_vars)
        printer.print_string("(")
        for index, (kind, extent, expr) in enumerate(
            zip(self.iter_kinds, self.domain_values, self.binding_map.results)
        ):
            if index:
                printer.print_string(", ")
            printer.print_ssa_value(self.iter_vars[index])
            printer.print_string(f" = {kind}({extent}, {expr_to_str(expr, outer)})")
        printer.print_string(")")
        if self.predicate_set is not None:
            constraints = [constraint_to_str(c, outer) for c in self.predicate_set.constraints]
            printer.print_string(f" where({', '.join(constraints)})")
        for keyword, accesses in (
            ("reads", self.read_accesses()),
            ("writes", self.write_accesses()),
        ):
            printer.print_string(f" {keyword}(")
            for position, (buffer, region) in enumerate(accesses):
                if position:
                    printer.print_string(", ")
                printer.print_ssa_value(buffer)
                printer.print_string("[" + _region_to_str(region, iters) + "]")
            printer.print_string(")")
        if self.annotations is not None and self.annotations.data:
            printer.print_string(" annotations ")
            printer.print_attribute(self.annotations)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)
        printer.print_op_attributes(self.attributes, print_keyword=True)

    @classmethod
    def parse(cls, parser: Parser) -> BlockOp:
        label = parser.parse_str_literal()
        binding_values: list[SSAValue] = []

        def resolve_outer(span: Span) -> AffineExpr:
            value = parser.resolve_operand(UnresolvedOperand(span, 0), IndexType())
            for position, known in enumerate(binding_values):
                if known is value:
                    return AffineExpr.dimension(position)
            binding_values.append(value)
            return AffineExpr.dimension(len(binding_values) - 1)

        iter_args: list[Parser.UnresolvedArgument] = []
        iterators: list[tuple[str, int]] = []
        binding_exprs: list[AffineExpr] = []

        def parse_iterator() -> None:
            iter_args.append(parser.parse_argument(expect_type=False))
            parser.parse_punctuation("=")
            kind = parser.parse_optional_keyword_in(ITER_KINDS)
            if kind is None:
                parser.raise_error("expected iterator kind 'spatial' or 'reduce'")
            parser.parse_punctuation("(")
            extent = parser.parse_integer(allow_boolean=False)
            parser.parse_punctuation(",")
            binding_exprs.append(parse_affine_expr(parser, resolve_outer))
            parser.parse_punctuation(")")
            iterators.append((kind, extent))

        parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_iterator)

        constraints: list[AffineConstraintExpr] = []
        if parser.parse_optional_keyword("where") is not None:
            constraints = parser.parse_comma_separated_list(
                parser.Delimiter.PAREN, lambda: parse_constraint(parser, resolve_outer)
            )

        iter_names = [arg.name.text for arg in iter_args]

        def resolve_iter(span: Span) -> AffineExpr:
            if span.text not in iter_names:
                raise ParseError(span, f"'{span.text}' is not an iterator of block \"{label}\"")
            return AffineExpr.dimension(iter_names.index(span.text))

        def parse_access() -> tuple[SSAValue, AccessRegionAttr]:
            buffer = _parse_defined_operand(parser)
            starts: list[AffineExpr] = []
            extents: list[int] = []

            def parse_index() -> None:
                start_pos = parser.pos
                start = parse_affine_expr(parser, resolve_iter)
                extent = 1
                if parser.parse_optional_punctuation(":") is not None:
                    stop = parse_affine_expr(parser, resolve_iter)
                    width = constant_difference(stop, start)
                    if width is None or width <= 0:
                        parser.raise_error(
                            "a region range 'start:stop' must have a constant positive width",
                            start_pos,
                            parser.pos,
                        )
                    extent = width
                starts.append(start)
                extents.append(extent)

            parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parse_index)
            region = AccessRegionAttr(AffineMap(len(iter_names), 0, tuple(starts)), extents)
            return buffer, region

        parser.parse_keyword("reads")
        reads = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_access)
        parser.parse_keyword("writes")
        writes = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parse_access)
        annotations = None
        if parser.parse_optional_keyword("annotations") is not None:
            annotations = parser.parse_optional_dictionary_attr_dict()
        body = parser.parse_region([arg.resolve(IndexType()) for arg in iter_args])
        if not body.blocks:  # `{}` with no iterators parses to no block
            body.add_block(Block())
        attrs = parser.parse_optional_attr_dict_with_keyword()
        bindings = AffineMap(len(binding_values), 0, tuple(binding_exprs))
        predicate = AffineSet(len(binding_values), 0, tuple(constraints)) if constraints else None
        op = cls(
            label,
            iterators,
            bindings,
            binding_values,
            reads,
            writes,
            body,
            predicate=predicate,
            annotations=annotations,
        )
        if attrs is not None:
            op.attributes |= attrs.data
        return op


def _own_ops(block: BlockOp):
    """The ops of a block's body (its init included) that are not inside a nested block;
    nested blocks themselves are yielded (their bodies are their own business)."""

    def visit(region_owner: Operation):
        for region in region_owner.regions:
            for inner_block in region.blocks:
                for op in inner_block.ops:
                    yield op
                    if not isinstance(op, BlockOp):
                        yield from visit(op)

    yield from visit(block)


def _nested_spans(
    outer: BlockOp, nested: BlockOp, region: AccessRegionAttr
) -> list[tuple[dict[int, int], int, int]] | None:
    """Per dimension of a nested block's access region: the indices it covers as
    `(linear part over the outer block's iterators, lo, hi)`, where the values between the
    two blocks (loop variables) range over their loops. None when not affine in that form."""
    outer_args = list(outer.body.block.args)
    out = []
    bindings = list(nested.binding_map.results)
    for start, extent in zip(region.map.results, region.extent_values):
        composed = start.replace_dims_and_symbols(bindings, [])
        linear: dict[int, int] = {}
        lo = hi = 0
        for term, coeff in summands(composed):
            if term is None:
                lo, hi = lo + coeff, hi + coeff
                continue
            values = [nested.binding_values[d] for d in term.used_dims()]
            if len(values) == 1 and values[0] in outer_args and isinstance(term, AffineDimExpr):
                index = outer_args.index(values[0])
                linear[index] = linear.get(index, 0) + coeff
                continue
            if any(v in outer_args for v in values):
                return None
            ranges = [loop_range(v) for v in nested.binding_values]
            span = expr_range(term * coeff, ranges)
            if span is None:
                return None
            lo, hi = lo + span[0], hi + span[1]
        out.append(({k: c for k, c in linear.items() if c}, lo, hi + extent - 1))
    return out


def _covers(
    outer: BlockOp, region: AccessRegionAttr, spans: list[tuple[dict[int, int], int, int]]
) -> bool:
    """Whether `region` of the outer block contains the nested spans for every value of the
    outer block's iterators (True when the region is not linear and cannot be compared)."""
    domains = outer.domain_values
    for start, extent, (linear, lo, hi) in zip(region.map.results, region.extent_values, spans):
        diff = dict(linear)
        const = 0
        for term, coeff in summands(start):
            if term is None:
                const += coeff
            elif isinstance(term, AffineDimExpr):
                diff[term.position] = diff.get(term.position, 0) - coeff
            else:
                return True  # not linear: cannot compare, trust the declaration
        for position, coeff in diff.items():  # nested - own, over the iterators' domains
            a, b = 0, coeff * (domains[position] - 1)
            lo, hi = lo + min(a, b), hi + max(a, b)
        if lo < const or hi > const + extent - 1:
            return False
    return True


def _region_to_str(region: AccessRegionAttr, name) -> str:
    parts = []
    for start, extent in zip(region.map.results, region.extent_values):
        text = expr_to_str(start, name)
        if extent != 1:
            text += " : " + shifted_to_str(start, extent, name)
        parts.append(text)
    return ", ".join(parts)
