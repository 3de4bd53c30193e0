"""The ONNX importer: a `ModelProto` -> a graph-level module with `@main`.

How a model is imported:
1. Load (a path or a `ModelProto`), inline local functions, check the default-domain opset
   (7 or newer), fix input dimensions the caller gave in `input_shapes`, and run onnx's shape
   inference (`data_prop=True`) so that every intermediate value has a type to check against.
2. `@main` takes the graph inputs that are not initializers, in order (old models list
   initializers among the inputs too); every dimension must be static.
3. Nodes are converted in order, each by the converter that the registry has for its op type
   and the model's opset. Values known at import time (initializers, `Constant`, `Shape` of a
   static tensor, and any deterministic node whose inputs are all known) stay numpy arrays and
   are folded: a node with only known inputs is evaluated with onnx's reference implementation
   (`onnx.reference`), so shape subgraphs (`Shape -> Gather -> Concat -> Reshape`) and
   comparisons on constants disappear. A known value becomes a `graph.constant` only where a
   graph op uses it (once per value).
4. Each result is checked against onnx's inferred type: a disagreement is a bug in a converter
   and is reported at the node, never imported silently.
5. Unused ops are removed (a `Pad` folded into a `Conv` leaves its concats dead), the module is
   verified and returned.

With `params_as_args=True`, floating-point initializers become trailing arguments of `@main`
(in initializer order; `onnx_params(model)` returns the arrays in that order); integer
initializers stay constants because they are shapes and indices that ops need at import time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import ModelProto, TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import SSAValue
from xdsl.transforms.dead_code_elimination import dce
from xdsl.utils.exceptions import VerifyException

from dialects.graph.builder import GraphBuilder
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError
from mlc_dialects.frontend.onnx.registry import MIN_OPSET, Node, lookup

# The converter families register themselves on import.
from mlc_dialects.frontend.onnx import (  # noqa: F401  isort: skip
    constant, elementwise, linalg, nn, reduce, shape,
)
from mlc_dialects.frontend.onnx.context import (
    Context,
    array_elem_type,
    graph_elem_type,
    onnx_type_name,
    ssa_name,
)

_NONDETERMINISTIC = {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
                     "Multinomial", "Bernoulli"}
"""Ops that are never folded even when all their inputs are known."""

_CONVERT_NOT_FOLD = {"Constant", "ConstantOfShape", "Shape", "Size", "Identity"}
"""Ops whose converters already produce known values, more cheaply than the reference
implementation (ConstantOfShape gives a zero-stride splat instead of a full array)."""

_OLD_AXIS_OPS = {"Softmax", "LogSoftmax", "Hardmax"}
"""onnx.reference implements only the opset-13 semantics of these (no 2-D coercion): never
fold them for older opsets."""

_FOLD_TRUSTED = {
    "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Max", "Min", "Sum", "Clip", "Cast", "CastLike",
    "Where", "Identity", "Concat", "Gather", "Unsqueeze", "Squeeze", "Reshape", "Flatten",
    "Slice", "Split", "Transpose", "Expand", "Tile",
}
"""Ops with a converter that are still folded by onnx.reference when their inputs are known:
the shape arithmetic of exported models. Other converted ops are imported as graph ops on
constants, because onnx.reference is not an oracle everywhere (its LRN only normalizes
channel 0 of batch 1, its BatchNormalization-9 applies the training update by default)."""

_FOLD_LIMIT = 1 << 24
"""Folding is skipped (the converter runs instead) when a node's known inputs are bigger."""


# =================================================================================================


def load_model(model_or_path: ModelProto | str | Path) -> tuple[ModelProto, str]:
    """The model and the name to use in messages."""
    if isinstance(model_or_path, ModelProto):
        return model_or_path, model_or_path.graph.name or "<onnx model>"
    path = str(model_or_path)
    try:
        return onnx.load(path), path
    except FileNotFoundError:
        raise DiagnosticError(Diagnostic("error", "no such file", path)) from None
    except (OSError, onnx.onnx_cpp2py_export.checker.ValidationError) as err:
        raise DiagnosticError(Diagnostic("error", f"cannot read the ONNX model: {err}", path)
                              ) from None
    except Exception as err:  # noqa: BLE001 - protobuf's DecodeError and friends: not ONNX
        raise DiagnosticError(Diagnostic(
            "error", f"cannot read the ONNX model ({type(err).__name__}: {err})", path)) from None


def default_opset(model: ModelProto) -> int:
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return imp.version
    return 1


def onnx_params(model_or_path: ModelProto | str | Path) -> list[np.ndarray]:
    """The initializers that `from_onnx(..., params_as_args=True)` turns into arguments, in
    argument order (after the model's inputs)."""
    model, _ = load_model(model_or_path)
    return [_param_array(t) for t in model.graph.initializer if _is_param(t)]


def _is_param(t: TensorProto) -> bool:
    return t.data_type in (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16,
                           TensorProto.BFLOAT16)


def _param_array(t: TensorProto) -> np.ndarray:
    a = numpy_helper.to_array(t)
    return a.astype(np.float32) if a.dtype.name == "bfloat16" else a


class Importer:
    def __init__(self, model: ModelProto, source: str, params_as_args: bool,
                 input_shapes: Mapping[str, Sequence[int]] | None,
                 bind_inputs: Mapping[str, np.ndarray] | None = None) -> None:
        self.source = source
        self.bind_inputs = {k: np.asarray(v) for k, v in (bind_inputs or {}).items()}
        self.params_as_args = params_as_args
        self.input_shapes = dict(input_shapes or {})
        self.model = self._prepare(model)
        self.opset = default_opset(self.model)
        self.inferred: dict[str, onnx.TypeProto] = {}
        self.builder = GraphBuilder()
        self.cx = Context(self.builder, source)

    def error(self, message: str) -> DiagnosticError:
        return DiagnosticError(Diagnostic("error", message, self.source))

    # --- preparation ------------------------------------------------------------------------

    def _prepare(self, model: ModelProto) -> ModelProto:
        opset = default_opset(model)
        if opset < MIN_OPSET:
            raise self.error(f"the model uses opset {opset} of the default ONNX domain; "
                             f"opsets {MIN_OPSET} and newer are supported (convert it with "
                             "onnx.version_converter)")
        model_copy = ModelProto()
        model_copy.CopyFrom(model)
        if model_copy.functions:
            from onnx import inliner

            model_copy = inliner.inline_local_functions(model_copy)
        initializers = {t.name for t in model_copy.graph.initializer}
        known = {i.name for i in model_copy.graph.input}
        for name in [*self.input_shapes, *self.bind_inputs]:
            if name not in known or name in initializers:
                raise self.error(f"input_shapes or bind_inputs names '{name}', which is not an input of the "
                                 f"model (inputs: {', '.join(self._input_names(model_copy))})")
        for inp in model_copy.graph.input:
            if inp.name in self.input_shapes:
                self._fix_shape(inp, self.input_shapes[inp.name])
        for name, value in self.bind_inputs.items():
            # A bound input is an initializer from here on (and shape inference sees it).
            model_copy.graph.initializer.append(numpy_helper.from_array(value, name))
        return model_copy

    @staticmethod
    def _input_names(model: ModelProto) -> list[str]:
        inits = {t.name for t in model.graph.initializer}
        return [i.name for i in model.graph.input if i.name not in inits]

    def _fix_shape(self, inp: onnx.ValueInfoProto, dims: Sequence[int]) -> None:
        tt = inp.type.tensor_type
        if tt.HasField("shape") and len(tt.shape.dim) != len(dims):
            raise self.error(f"input_shapes gives {len(dims)} dimensions for input "
                             f"'{inp.name}', which has rank {len(tt.shape.dim)}")
        tt.ClearField("shape")
        for d in dims:
            tt.shape.dim.add().dim_value = int(d)

    def _infer_shapes(self) -> None:
        try:
            inferred = onnx.shape_inference.infer_shapes(self.model, data_prop=True)
        except Exception:  # noqa: BLE001 - inference is only a cross-check; our own type
            return  # rules still apply
        for vi in [*inferred.graph.value_info, *inferred.graph.output]:
            if vi.type.HasField("tensor_type"):
                self.inferred[vi.name] = vi.type

    # --- the function -----------------------------------------------------------------------

    def _input_type(self, inp: onnx.ValueInfoProto) -> TensorType:
        if not inp.type.HasField("tensor_type"):
            raise self.error(f"input '{inp.name}' is not a tensor ({inp.type.WhichOneof('value')}"
                             "); only tensor inputs are supported")
        tt = inp.type.tensor_type
        elem = graph_elem_type(tt.elem_type)
        if elem is None:
            raise self.error(f"input '{inp.name}' has element type "
                             f"{onnx_type_name(tt.elem_type)}, which the graph dialect has no "
                             "type for")
        if not tt.HasField("shape"):
            raise self.error(f"input '{inp.name}' has no shape (not even a rank); give one with "
                             f"input_shapes={{'{inp.name}': (...)}}")
        dims = []
        for i, d in enumerate(tt.shape.dim):
            if not d.HasField("dim_value"):
                what = f"'{d.dim_param}'" if d.dim_param else "unknown"
                raise self.error(
                    f"input '{inp.name}' has a dynamic dimension {what} (dimension {i}); only "
                    f"static shapes are supported: fix it with input_shapes="
                    f"{{'{inp.name}': (...)}}")
            dims.append(d.dim_value)
        return TensorType(elem, dims)

    def run(self) -> ModuleOp:
        graph = self.model.graph
        self._infer_shapes()
        initializers = {t.name: t for t in graph.initializer}
        inputs = [i for i in graph.input if i.name not in initializers]
        arg_types = [self._input_type(i) for i in inputs]
        arg_names = [i.name for i in inputs]
        params = [t for t in graph.initializer if self.params_as_args and _is_param(t)
                  and t.name not in self.bind_inputs]
        for t in params:
            arg_types.append(TensorType(graph_elem_type(t.data_type), list(t.dims)))
            arg_names.append(t.name)
        if not graph.output:
            raise self.error("the model has no outputs")

        cx = self.cx
        cx.graph_outputs = {o.name for o in graph.output}
        cx.graph_inputs = {i.name for i in inputs}
        for i, proto in enumerate(graph.node):
            node = Node(proto, i, self.opset)
            for name in node.inputs:
                if name:
                    cx.consumers.setdefault(name, []).append(node)
            for name in node.outputs:
                cx.producers[name] = node

        b = self.builder
        with b.function("main", arg_types, [ssa_name(n) for n in arg_names]) as args:
            for name, arg in zip(arg_names, args, strict=True):
                cx.values[name] = arg
            for t in graph.initializer:
                if t.name not in cx.values:
                    cx.values[t.name] = self._initializer(t)
            with b.dataflow() as df:
                for i, proto in enumerate(graph.node):
                    self._convert(Node(proto, i, self.opset))
                outs = []
                for o in graph.output:
                    if o.name not in cx.values:
                        raise self.error(f"graph output '{o.name}' is not computed by any node")
                    v = cx.values[o.name]
                    if isinstance(v, np.ndarray):
                        v = cx.const(v)
                    outs.append(v)
                df.output(*outs)
            b.ret(*df.results)
        module = b.module
        dce(module)  # unused pure graph ops, e.g. weights folded at import (xDSL's DCE)
        try:
            module.verify()
        except VerifyException as err:
            raise self.error(f"the imported module does not verify (a bug in the importer): "
                             f"{err}") from None
        return module

    def _initializer(self, t: TensorProto) -> np.ndarray:
        # Any element type is kept as a known value (folding may use a uint8 table); it is
        # an error only if a graph op needs it as a constant.
        try:
            return numpy_helper.to_array(t)
        except Exception as err:  # noqa: BLE001 - any decoding failure is the model's
            raise self.error(f"cannot read initializer '{t.name}': {err}") from None

    # --- nodes ------------------------------------------------------------------------------

    def _convert(self, node: Node) -> None:
        cx = self.cx
        if node.proto.domain not in ("", "ai.onnx"):
            raise cx.unsupported(node, f"ops of domain '{node.proto.domain}' are not supported "
                                 "(only the default ONNX domain is)")
        for idx, name in enumerate(node.inputs):
            if name and name not in cx.values:
                raise cx.unsupported(node, f"input #{idx} '{name}' is not defined by an earlier "
                                     "node, an input or an initializer")
        results = self._fold(node)
        if results is None:
            reg = lookup(node.op_type, node.opset)
            if reg is None:
                raise cx.unsupported(node, self._why_unsupported(node))
            results = list(reg.fn(cx, node))
        for idx, name in enumerate(node.outputs):
            if not name:
                continue
            value = results[idx] if idx < len(results) else None
            if value is None:
                raise cx.unsupported(node, f"output #{idx} ('{name}') is not supported")
            self._check(node, name, value)
            if isinstance(value, SSAValue) and not value.name_hint:
                value.name_hint = ssa_name(name)
            cx.values[name] = value

    def _why_unsupported(self, node: Node) -> str:
        from mlc_dialects.frontend.onnx.registry import CONVERTERS

        regs = CONVERTERS.get(node.op_type)
        if regs:
            ranges = ", ".join(f"{max(r.since, MIN_OPSET)}" + (f"-{r.until}" if r.until else "+")
                               for r in regs)
            return f"this op is supported for opsets {ranges} only"
        if not node.inputs:
            return f"op type '{node.op_type}' is not supported"
        unknown = [i for i, n in enumerate(node.inputs)
                   if n and not isinstance(self.cx.values.get(n), np.ndarray)]
        which = f"; input #{unknown[0]} is not" if unknown else ""
        return (f"op type '{node.op_type}' is not supported (it is folded at import time only "
                f"when all its inputs are constants{which})")

    def _fold(self, node: Node) -> list[np.ndarray] | None:
        """Evaluate a node whose inputs are all known with onnx's reference implementation."""
        cx = self.cx
        if node.op_type in _NONDETERMINISTIC or node.op_type in _CONVERT_NOT_FOLD:
            return None
        if node.op_type in _OLD_AXIS_OPS and node.opset < 13:
            return None
        if lookup(node.op_type, node.opset) is not None and node.op_type not in _FOLD_TRUSTED:
            return None
        feeds: dict[str, np.ndarray] = {}
        for name in node.inputs:
            if not name:
                continue
            v = cx.values[name]
            if not isinstance(v, np.ndarray):
                return None
            feeds[name] = v
        if not feeds or sum(v.size for v in feeds.values()) > _FOLD_LIMIT:
            return None
        try:
            return _evaluate(node, feeds, self.model)
        except Exception:  # noqa: BLE001 - the converter decides (and names what is missing)
            return None

    def _check(self, node: Node, name: str, value: SSAValue | np.ndarray) -> None:
        """Compare a result with onnx's inferred type; a difference is an importer bug."""
        want = self.inferred.get(name)
        if want is None:
            return
        tt = want.tensor_type
        if isinstance(value, np.ndarray):
            shape = tuple(value.shape)
            elem = array_elem_type(value)
        else:
            shape = tuple(value.type.get_shape())
            elem = value.type.element_type
        want_elem = graph_elem_type(tt.elem_type)
        if elem is not None and want_elem is not None and elem != want_elem:
            raise self.cx.unsupported(
                node, f"output '{name}' was imported with element type {elem}, but ONNX infers "
                f"{onnx_type_name(tt.elem_type)} (a bug in the importer)")
        if not tt.HasField("shape"):
            return
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
        if len(dims) != len(shape) or any(d is not None and d != s
                                          for d, s in zip(dims, shape, strict=True)):
            want_str = "x".join("?" if d is None else str(d) for d in dims) or "scalar"
            got_str = "x".join(map(str, shape)) or "scalar"
            raise self.cx.unsupported(
                node, f"output '{name}' was imported with shape {got_str}, but ONNX infers "
                f"{want_str} (a bug in the importer)")


def _evaluate(node: Node, feeds: dict[str, np.ndarray], model: ModelProto) -> list[np.ndarray]:
    from onnx.reference import ReferenceEvaluator

    inputs = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype),
                                            a.shape) for n, a in feeds.items()]
    outputs = [helper.make_empty_tensor_value_info(n) for n in node.outputs if n]
    graph = helper.make_graph([node.proto], "fold", inputs, outputs)
    opsets = [o for o in model.opset_import]
    small = helper.make_model(graph, opset_imports=opsets, ir_version=model.ir_version or 8)
    results = ReferenceEvaluator(small).run(None, feeds)
    out: list[np.ndarray] = []
    it = iter(results)
    for n in node.outputs:
        if not n:
            out.append(None)  # type: ignore[arg-type]
            continue
        r = next(it)
        if not isinstance(r, np.ndarray):
            if isinstance(r, np.generic):
                r = np.asarray(r)
            else:
                raise TypeError("not a tensor")
        out.append(r)
    return out


def from_onnx(model_or_path: ModelProto | str | Path, *, params_as_args: bool = False,
              input_shapes: Mapping[str, Sequence[int]] | None = None,
              bind_inputs: Mapping[str, np.ndarray] | None = None) -> ModuleOp:
    """Import an ONNX model as a graph-level module.

    `@main` takes the graph inputs that are not initializers, in order, and returns the graph
    outputs, in order. Initializers become `graph.constant`s, or, with `params_as_args`, the
    floating-point ones become trailing arguments (see `onnx_params`). `input_shapes` fixes
    dynamic input dimensions: `{"input": (1, 3, 224, 224)}`. `bind_inputs` makes graph inputs
    known values (they are no longer arguments): `{"shape": np.array([2, 3])}`.

    An unsupported op, attribute, element type or dynamic shape raises `DiagnosticError`
    naming the node, its op type and what is missing.
    """
    model, source = load_model(model_or_path)
    return Importer(model, source, params_as_args, input_shapes, bind_inputs).run()
