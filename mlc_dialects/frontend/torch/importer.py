"""The PyTorch importer: an `nn.Module` and example arguments -> a graph module with `@main`.

How a module is imported:
1. `torch.export.export(module, example_args)` traces it (non-strict) into an ATen graph with
   static shapes; `dynamic_shapes` is refused for now (graph types are static; a clear error
   rather than a silently specialized model).
2. If some op has no converter, `run_decompositions` lowers the graph to the core ATen op set,
   except the composite ops that a converter maps more directly (`registry.PRESERVED`:
   linear, matmul, layer_norm, softmax, gelu, silu, scaled_dot_product_attention, ...). Ops
   with a decomposition therefore import without a converter of their own (batch_norm,
   flatten, in-place ops, ...). A graph whose ops all have converters skips this step (it
   costs ~0.3 s even for a tiny graph).
3. `@main` takes the tensor user inputs in order and returns the outputs in order (pytree
   flattened: nested tuples and lists become a flat list of results). Parameters, buffers and
   lifted constants are tensors known at import time; with `params_as_args=True` the
   parameters and buffers become trailing arguments instead, in `module.named_parameters()`
   then `module.named_buffers()` order (`torch_params(module)` returns them in that order).
4. Nodes are converted in order, each by the converter the registry has for its ATen op. A
   node whose tensor inputs are all known (or that has none: `arange`, `ones`, a causal mask
   built with `tril`) is evaluated by torch itself at import time, so such subgraphs fold
   into constants, whatever their ops; nondeterministic ops are never folded. Known tensors
   become `graph.constant`s only where a graph op uses them (once per value).
5. Each result is checked against torch's own value of the node (`meta["val"]`: shape and
   dtype). A disagreement is a bug in a converter and is reported at the node, never imported
   silently.
6. Unused ops are removed, the module is verified and returned.

An op without a converter (and without a decomposition) is a `DiagnosticError` naming the node,
its ATen op and the line of the model that made it; never an AssertionError (apache/tvm#18339).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.export.graph_signature import InputKind, OutputKind
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import SSAValue
from xdsl.transforms.dead_code_elimination import dce
from xdsl.utils.exceptions import VerifyException

from dialects.graph.builder import GraphBuilder
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError
from mlc_dialects.frontend.torch.registry import FAMILIES, PRESERVED, lookup

# The converter families register themselves on import.
from mlc_dialects.frontend.torch import (  # noqa: F401  isort: skip
    elementwise, linalg, nn, reduce, shape,
)
from mlc_dialects.frontend.torch.context import (
    Context,
    Node,
    graph_elem_type,
    op_name,
    ssa_name,
    to_numpy,
)

_FOLD_LIMIT = 1 << 24
"""A node with only known inputs is not folded when its result has more elements than this
(the converter builds graph ops on constants instead)."""

_SKIPPED = {"_assert_tensor_metadata.default", "_assert_scalar.default",
            "sym_constrain_range_for_size.default", "_assert_async.msg"}
"""Checks that torch.export leaves in the graph; they compute nothing."""

_TRAINING_ONLY = {
    "_native_batch_norm_legit_functional.default": "batch norm in training mode",
    "_native_batch_norm_legit.default": "batch norm in training mode",
    "native_batch_norm.default": "batch norm in training mode",
    "native_dropout.default": "dropout in training mode",
    "bernoulli.p": "dropout in training mode",
}


def torch_params(module: torch.nn.Module) -> list[np.ndarray]:
    """The parameters and buffers that `from_torch(..., params_as_args=True)` turns into
    trailing arguments of `@main`, in argument order: `module.named_parameters()`, then
    `module.named_buffers()` (bf16 ones as float32 arrays, the interpreter's convention)."""
    return [to_numpy(t) for _, t in _param_items(module)]


def _param_items(module: torch.nn.Module) -> list[tuple[str, torch.Tensor]]:
    return [*module.named_parameters(), *module.named_buffers()]


def _source_name(module: torch.nn.Module) -> str:
    return f"<torch {type(module).__name__}>"


_TABLE: dict | None = None


def _decomposition_table() -> dict:
    """torch's core-ATen decompositions minus the ops we convert whole (built once: making
    the table costs ~0.15 s)."""
    global _TABLE
    if _TABLE is None:
        table = torch.export.default_decompositions()
        for name in PRESERVED:
            packet, overload = name.rsplit(".", 1)
            table.pop(getattr(getattr(torch.ops.aten, packet), overload), None)
        _TABLE = dict(table.items())
    return _TABLE


def _needs_decompositions(ep: torch.export.ExportedProgram) -> bool:
    """Whether some op of the graph has no converter. Decomposing costs ~0.3 s even for a
    tiny graph, so a graph whose ops all convert directly skips it (in-place ops have no
    converters: a graph with one is decomposed, which also makes it functional)."""
    for node in ep.graph.nodes:
        if node.op != "call_function":
            continue
        name = op_name(node.target)
        if name in _SKIPPED or name == "operator.getitem":
            continue
        if lookup(name) is None:
            return True
    return False


def export(module: torch.nn.Module, example_args: tuple, source: str
           ) -> torch.export.ExportedProgram:
    """torch.export, then our decompositions where needed; a failure of torch is a
    `DiagnosticError`."""
    with warnings.catch_warnings():
        # torch's own deprecation noise from inside export (pytree LeafSpec), not the user's.
        warnings.simplefilter("ignore", FutureWarning)
        try:
            ep = torch.export.export(module, example_args)
        except Exception as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            raise DiagnosticError(Diagnostic(
                "error", f"torch.export could not trace the module ({type(err).__name__}: "
                f"{first})", source)) from err
        if not _needs_decompositions(ep):
            return ep
        try:
            return ep.run_decompositions(_decomposition_table())
        except Exception as err:
            raise DiagnosticError(Diagnostic(
                "error", f"torch's decompositions failed ({type(err).__name__}: {err})",
                source)) from err


class Importer:
    def __init__(self, module: torch.nn.Module, example_args: tuple, params_as_args: bool
                 ) -> None:
        self.module = module
        self.example_args = example_args
        self.params_as_args = params_as_args
        self.source = _source_name(module)
        self.builder = GraphBuilder()
        self.cx = Context(self.builder, self.source)

    def error(self, message: str) -> DiagnosticError:
        return DiagnosticError(Diagnostic("error", message, self.source))

    # --- signature --------------------------------------------------------------------------

    def _tensor_type(self, what: str, t: Any) -> TensorType:
        if not isinstance(t, torch.Tensor):
            raise self.error(f"{what} is a {type(t).__name__}; only tensors are supported")
        elem = graph_elem_type(t.dtype)
        if elem is None:
            raise self.error(f"{what} has dtype {t.dtype}, which the graph dialect has no type "
                             "for")
        dims = []
        for i, d in enumerate(t.shape):
            if not isinstance(d, int):
                raise self.error(f"{what} has a dynamic dimension {d} (dimension {i}); only "
                                 "static shapes are supported")
            dims.append(d)
        return TensorType(elem, dims)

    def run(self) -> ModuleOp:
        ep = export(self.module, self.example_args, self.source)
        sig = ep.graph_signature
        for spec in sig.output_specs:
            if spec.kind == OutputKind.USER_INPUT_MUTATION:
                raise self.error(
                    f"the module updates its input '{spec.target}' in place (an in-place op "
                    "such as relu(x, inplace=True) or x.add_(...) on an input); graph "
                    "functions are pure: compute a new tensor instead")
            if spec.kind in (OutputKind.BUFFER_MUTATION, OutputKind.PARAMETER_MUTATION):
                raise self.error(
                    f"the module updates '{spec.target}' in forward; graph functions are pure: "
                    "import the module in eval mode (module.eval(): batch norm in training "
                    "mode updates its running statistics) and without in-place updates of "
                    "parameters or buffers")
            if spec.kind not in (OutputKind.USER_OUTPUT,):
                raise self.error(f"output '{spec.arg}' of kind {spec.kind.name} is not supported")

        placeholders = {n.name: n for n in ep.graph.nodes if n.op == "placeholder"}
        user: list[tuple[str, torch.fx.Node]] = []
        params: dict[str, torch.fx.Node] = {}
        known: dict[torch.fx.Node, Any] = {}
        for spec in sig.input_specs:
            node = placeholders[spec.arg.name]
            if spec.kind == InputKind.USER_INPUT:
                user.append((spec.arg.name, node))
            elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER):
                tensor = ep.state_dict[spec.target] if spec.target in ep.state_dict \
                    else ep.constants[spec.target]  # non-persistent buffers
                known[node] = tensor.detach()
                params[spec.target] = node
            elif spec.kind == InputKind.CONSTANT_TENSOR:
                known[node] = ep.constants[spec.target].detach()
            else:
                raise self.error(f"input '{spec.arg.name}' of kind {spec.kind.name} is not "
                                 "supported")

        arg_types: list[TensorType] = []
        arg_names: list[str] = []
        arg_nodes: list[torch.fx.Node] = []
        for i, (name, node) in enumerate(user):
            val = node.meta.get("val")
            if val is None or not isinstance(val, torch.Tensor):
                # A non-tensor input (an int, a flag) is specialized by torch.export to the
                # example's value; it is not an argument of @main.
                known[node] = val
                continue
            arg_types.append(self._tensor_type(f"input #{i} '{name}'", val))
            arg_names.append(name)
            arg_nodes.append(node)
        if self.params_as_args:
            order = [n for n, _ in _param_items(self.module)]
            missing = sorted(set(params) - set(order))
            if missing:
                raise self.error(f"torch.export lists parameters or buffers that the module "
                                 f"does not name: {', '.join(missing)}")
            for target in order:
                node = params.get(target)
                if node is None:  # a parameter that export dropped (a tied duplicate)
                    raise self.error(f"parameter or buffer '{target}' is not an input of the "
                                     "exported program (tied weights are not supported with "
                                     "params_as_args)")
                arg_types.append(self._tensor_type(f"parameter '{target}'", known.pop(node)))
                arg_names.append(node.name)
                arg_nodes.append(node)

        cx = self.cx
        b = self.builder
        with b.function("main", arg_types, [ssa_name(n) for n in arg_names]) as args:
            for node, arg in zip(arg_nodes, args, strict=True):
                cx.values[node] = arg
            cx.values.update(known)
            with b.dataflow() as df:
                outs: list[SSAValue] = []
                for node in ep.graph.nodes:
                    if node.op == "call_function":
                        self._convert(node)
                    elif node.op == "output":
                        outs = self._outputs(node)
                    elif node.op == "get_attr":
                        attr = getattr(ep.graph_module, str(node.target))
                        if not isinstance(attr, torch.Tensor):
                            raise self.error(f"node '{node.name}' reads attribute "
                                             f"'{node.target}', a {type(attr).__name__}: "
                                             "control flow and submodules are not supported")
                        cx.values[node] = attr.detach()
                    elif node.op != "placeholder":
                        raise self.error(f"node '{node.name}' has kind '{node.op}', which is "
                                         "not supported")
                if not outs:
                    raise self.error("the module returns no tensors")
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

    def _outputs(self, node: torch.fx.Node) -> list[SSAValue]:
        flat = torch.utils._pytree.tree_leaves(node.args[0])
        outs = []
        for i, o in enumerate(flat):
            if not isinstance(o, torch.fx.Node):
                raise self.error(f"output #{i} is a {type(o).__name__} ({o!r}); only tensor "
                                 "outputs are supported")
            v = self.cx.values.get(o)
            if isinstance(v, torch.Tensor):
                v = self.cx.const(v)
            if not isinstance(v, SSAValue):
                raise self.error(f"output #{i} ('{o.name}') is a {type(v).__name__}; only "
                                 "tensor outputs are supported")
            outs.append(v)
        return outs

    # --- nodes ------------------------------------------------------------------------------

    def _convert(self, fx_node: torch.fx.Node) -> None:
        cx = self.cx
        node = Node(fx_node)
        if node.op in _SKIPPED:
            cx.values[fx_node] = None
            return
        if node.op == "operator.getitem":
            cx.values[fx_node] = self._getitem(node)
            return
        folded = self._fold(node)
        if folded is not None:
            cx.values[fx_node] = folded
            return
        fn = lookup(node.op)
        if fn is None:
            raise cx.unsupported(node, self._why_unsupported(node))
        try:
            result = fn(cx, node)
        except DiagnosticError:
            raise
        except Exception as err:  # a converter bug: still name the node
            raise cx.unsupported(node, f"the converter failed ({type(err).__name__}: {err}); "
                                 "this is a bug in the importer") from err
        self._check(node, result)
        if isinstance(result, SSAValue) and not result.name_hint:
            result.name_hint = ssa_name(fx_node.name)
        cx.values[fx_node] = result

    def _why_unsupported(self, node: Node) -> str:
        if node.op in _TRAINING_ONLY:
            return (f"{_TRAINING_ONLY[node.op]} is not supported: call module.eval() before "
                    "importing")
        if not isinstance(node.fx.target, torch._ops.OpOverload):
            return f"calls of '{node.op}' are not supported"
        tensors = [a for a in node.fx.all_input_nodes]
        runtime = [a.name for a in tensors if not isinstance(self.cx.values.get(a),
                                                               torch.Tensor)]
        how = f" on run-time values (here: {', '.join(runtime)})" if runtime else ""
        same = sorted(op for op in FAMILIES if op.split(".")[0] == node.op.split(".")[0])
        also = f"; supported overloads of it: {', '.join(same)}" if same else ""
        return (f"op '{node.qualified_op}' is not supported{how}: it has no graph-level "
                f"equivalent (ops whose inputs are all known at import time are folded){also}")

    def _getitem(self, node: Node) -> Any:
        src, index = node.fx.args
        v = self.cx.values[src]
        if not isinstance(v, (tuple, list)):
            raise self.cx.unsupported(node, f"'{src.name}' is not a tuple")
        item = v[index]
        if item is None and not node.fx.users:
            return None  # torch.export reads every output of a tuple, even unused ones
        if item is None:
            src_node = Node(src)
            raise self.cx.unsupported(
                src_node, f"output #{index} is used (by '{node.fx.name}') but only "
                f"{'output #0 is' if index else 'other outputs are'} supported")
        return item

    def _fold(self, node: Node) -> Any:
        """Evaluate a node whose tensor inputs are all known, with torch itself."""
        target = node.fx.target
        if not isinstance(target, torch._ops.OpOverload):
            return None
        if torch.Tag.nondeterministic_seeded in target.tags:
            return None
        values = self.cx.values

        def known(a: Any) -> bool:
            if isinstance(a, torch.fx.Node):
                return isinstance(values.get(a), (torch.Tensor, int, float, bool))
            if isinstance(a, (list, tuple)):
                return all(known(x) for x in a)
            return True

        if not all(known(a) for a in node.fx.args) or not all(
                known(a) for a in node.fx.kwargs.values()):
            return None
        meta = node.meta
        leaves = torch.utils._pytree.tree_leaves(meta)
        if not leaves or not all(isinstance(t, torch.Tensor) for t in leaves):
            return None
        if sum(t.numel() for t in leaves) > _FOLD_LIMIT:
            return None

        def real(a: Any) -> Any:
            return torch.fx.node.map_arg(a, lambda n: values[n])

        try:
            with torch.no_grad():
                out = target(*real(node.fx.args), **real(node.fx.kwargs))
        except Exception as err:  # noqa: BLE001 - torch rejected it: say so at the node
            raise self.cx.unsupported(node, f"torch failed to evaluate it at import time "
                                      f"({type(err).__name__}: {err})") from None
        if isinstance(out, torch.Tensor):
            return out.detach()
        if isinstance(out, (tuple, list)):
            return tuple(o.detach() if isinstance(o, torch.Tensor) else o for o in out)
        return None

    def _check(self, node: Node, result: Any) -> None:
        """Compare a result with torch's value of the node; a difference is an importer bug."""
        meta = node.meta
        if isinstance(result, (tuple, list)):
            metas = meta if isinstance(meta, (tuple, list)) else [None] * len(result)
            for i, (r, m) in enumerate(zip(result, metas, strict=False)):
                if r is not None:
                    self._check_one(node, r, m, f"output #{i}")
            return
        self._check_one(node, result, meta, "the result")

    def _check_one(self, node: Node, value: Any, meta: Any, what: str) -> None:
        if not isinstance(value, (SSAValue, torch.Tensor)):
            raise self.cx.unsupported(node, f"{what} was imported as a {type(value).__name__} "
                                      "(a bug in the importer)")
        if not isinstance(meta, torch.Tensor):
            return
        got_shape = self.cx.shape(value)
        want = [int(d) for d in meta.shape]
        if got_shape != want:
            raise self.cx.unsupported(node, f"{what} was imported with shape {got_shape}, but torch "
                                      f"computes {want} (a bug in the importer)")
        elem = graph_elem_type(meta.dtype)
        got = graph_elem_type(value.dtype) if isinstance(value, torch.Tensor) \
            else value.type.element_type
        if elem is not None and got != elem:
            raise self.cx.unsupported(node, f"{what} was imported with element type {got}, but "
                                      f"torch computes {meta.dtype} (a bug in the importer)")


def from_torch(module: torch.nn.Module, example_args: Sequence[Any], *,
               params_as_args: bool = False, dynamic_shapes: Any = None) -> ModuleOp:
    """Import a PyTorch module through `torch.export` as a graph-level module.

    `@main` takes the tensor inputs of `module(*example_args)` in order (with their shapes and
    dtypes) and returns its tensor outputs in order (nested tuples flattened). Parameters and
    buffers become `graph.constant`s or, with `params_as_args`, trailing arguments in
    `torch_params(module)` order. Import the module in eval mode: training-mode batch norm and
    dropout are errors. `dynamic_shapes` is not supported yet (an error).

    An unsupported op, dtype or dynamic shape raises `DiagnosticError` naming the node, its
    ATen op and what is missing.
    """
    source = _source_name(module)
    if not isinstance(module, torch.nn.Module):
        raise DiagnosticError(Diagnostic("error", f"from_torch needs a torch.nn.Module, got "
                                         f"{type(module).__name__}", source))
    if dynamic_shapes is not None:
        raise DiagnosticError(Diagnostic(
            "error", "dynamic shapes are not supported yet: graph types are static; export "
            "with dynamic_shapes=None (the example arguments fix every dimension) and import "
            "once per shape", source))
    if isinstance(example_args, torch.Tensor):
        example_args = (example_args,)
    if not isinstance(example_args, (tuple, list)):
        raise DiagnosticError(Diagnostic("error", "example_args must be a tuple of the "
                                         f"module's arguments, got {type(example_args).__name__}",
                                         source))
    return Importer(module, tuple(example_args), params_as_args).run()
