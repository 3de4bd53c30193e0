"""An ONNX backend (`onnx.backend.base.Backend`) over mlc-dialects, so that onnx's backend test
suite (`onnx.backend.test.BackendTest`) runs on it:

    from mlc_dialects.frontend.onnx_backend import MlcBackend
    rep = MlcBackend.prepare(model, "CPU")            # import once
    outputs = rep.run([x])                            # a tuple, one array per graph output

`prepare` imports the model with `from_onnx` (inputs that must be known at import time, such
as a Reshape's shape, are bound to their values at `run`: see `MlcBackendRep`); `run`
executes `@main` in one of two modes:
- `"interpret"` (the default): the graph reference interpreter;
- `"compile"`: `mlc.compile(module)` (the whole-graph compiler: fusion, default schedules,
  memory planning, one native driver) and the compiled `main`, compiled once per prepared
  module. What the compiler does not support yet (bf16 kernels, ...) is a `DiagnosticError`
  at `prepare`, as an unsupported op is.
The mode is `prepare(..., mode=...)`, else the environment variable `MLC_ONNX_BACKEND_MODE`.
Only the CPU device is supported. tests/onnx/summary.py runs the node tests in both modes.

bf16 tensors cross the boundary as ml_dtypes' bfloat16 arrays (what onnx uses) and are held as
float32 inside, as the interpreter does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import ModelProto, NodeProto, helper
from onnx.backend.base import Backend, BackendRep, Device, DeviceType
from xdsl.dialects.builtin import BFloat16Type, ModuleOp, TensorType
from xdsl.dialects.func import FuncOp

from mlc_dialects.dtypes import numpy_dtype
from mlc_dialects.frontend.onnx import from_onnx
from mlc_dialects.frontend.onnx.context import NeedsConstant

MODES = ("interpret", "compile")


def _mode(kwargs: dict[str, Any]) -> str:
    mode = kwargs.pop("mode", None) or os.environ.get("MLC_ONNX_BACKEND_MODE", "interpret")
    if mode not in MODES:
        raise ValueError(f"unknown mlc backend mode '{mode}' (expected one of {MODES})")
    return mode


class _Prepared:
    """One imported module (for one set of bound input values) and how to run it."""

    def __init__(self, module: ModuleOp, mode: str) -> None:
        self.module = module
        main = next(op for op in module.ops if isinstance(op, FuncOp)
                    and op.sym_name.data == "main")
        self.input_types: list[TensorType] = list(main.function_type.inputs.data)
        self.output_types: list[TensorType] = list(main.function_type.outputs.data)
        self.exe: Any = _compile(module) if mode == "compile" else None

    def run(self, arrays: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        arrays = [_to_storage(a, t) for a, t in zip(arrays, self.input_types, strict=True)]
        if self.exe is not None:
            result = self.exe["main"](*arrays)
        else:
            from dialects.graph.interp import interpret

            result = interpret(self.module, "main", *arrays)
        outs = result if isinstance(result, tuple) else (result,)
        return tuple(_from_storage(np.asarray(o), t) for o, t in zip(outs, self.output_types,
                                                                     strict=True))


def _compile(module: ModuleOp) -> Any:
    import mlc_dialects as mlc

    return mlc.compile(module)


class MlcBackendRep(BackendRep):
    """A prepared model.

    Graph inputs that an op needs at import time (a Reshape's shape, a Slice's starts, ...)
    cannot be arguments of a static-shape graph function. The representation binds them to
    their values at `run` (`from_onnx(..., bind_inputs=...)`) and caches one module per
    distinct bound value: the module is specialized on those values, the rest stays data.
    Models without such inputs are imported once, in `prepare`.
    """

    def __init__(self, model: ModelProto, mode: str, import_kwargs: dict[str, Any]) -> None:
        self.model = model
        self.mode = mode
        self.import_kwargs = import_kwargs
        inits = {t.name for t in model.graph.initializer}
        self.input_names = [i.name for i in model.graph.input if i.name not in inits]
        self.bound: list[str] = []
        """Inputs specialized on their run-time values, in the order they were found."""
        self._cache: dict[tuple[Any, ...], _Prepared] = {}
        try:
            self._cache[()] = self._import({})
        except NeedsConstant as err:
            self.bound.append(err.input_name)

    @property
    def module(self) -> ModuleOp | None:
        """The imported module, if the model needs no input bound to a value."""
        prepared = self._cache.get(())
        return prepared.module if prepared is not None else None

    def _import(self, bind: dict[str, np.ndarray]) -> _Prepared:
        module = from_onnx(self.model, bind_inputs=bind or None, **self.import_kwargs)
        return _Prepared(module, self.mode)

    def run(self, inputs: Any, **kwargs: Any) -> tuple[np.ndarray, ...]:
        if isinstance(inputs, dict):
            inputs = [inputs[n] for n in self.input_names]
        elif isinstance(inputs, np.ndarray) or not isinstance(inputs, Sequence):
            inputs = [inputs]
        if len(inputs) != len(self.input_names):
            raise ValueError(f"the model takes {len(self.input_names)} inputs, got "
                             f"{len(inputs)}")
        feeds = {n: np.asarray(a) for n, a in zip(self.input_names, inputs, strict=True)}
        while True:
            key = tuple((n, feeds[n].dtype.str, feeds[n].shape, feeds[n].tobytes())
                        for n in self.bound)
            prepared = self._cache.get(key)
            if prepared is not None:
                break
            try:
                prepared = self._import({n: feeds[n] for n in self.bound})
            except NeedsConstant as err:
                if err.input_name in self.bound:
                    raise
                self.bound.append(err.input_name)
                continue
            self._cache[key] = prepared
            break
        return prepared.run([feeds[n] for n in self.input_names if n not in self.bound])


def _to_storage(a: np.ndarray, t: TensorType) -> np.ndarray:
    if isinstance(t.element_type, BFloat16Type):
        return a.astype(np.float32)
    return a


def _from_storage(a: np.ndarray, t: TensorType) -> np.ndarray:
    if isinstance(t.element_type, BFloat16Type):
        import ml_dtypes

        return a.astype(ml_dtypes.bfloat16)
    return a.astype(numpy_dtype(t.element_type), copy=False)


class MlcBackend(Backend):
    """onnx's Backend interface over `from_onnx` and the interpreter (or the compiler)."""

    @classmethod
    def is_compatible(cls, model: ModelProto, device: str = "CPU", **kwargs: Any) -> bool:
        return cls.supports_device(device)

    @classmethod
    def prepare(cls, model: ModelProto | str | bytes, device: str = "CPU", **kwargs: Any
                ) -> MlcBackendRep:
        if not cls.supports_device(device):
            raise ValueError(f"the mlc backend runs on CPU only, not on '{device}'")
        if isinstance(model, bytes):
            model = onnx.load_from_string(model)
        mode = _mode(kwargs)
        import_kwargs = {"input_shapes": kwargs.pop("input_shapes", None)}
        return MlcBackendRep(model, mode, import_kwargs)

    @classmethod
    def run_model(cls, model: ModelProto, inputs: Any, device: str = "CPU", **kwargs: Any
                  ) -> tuple[np.ndarray, ...]:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(cls, node: NodeProto, inputs: Any, device: str = "CPU",
                 outputs_info: Sequence[tuple[Any, tuple[int, ...]]] | None = None,
                 **kwargs: Any) -> tuple[np.ndarray, ...]:
        """Run one node: wrap it in a model whose inputs have the given arrays' types."""
        if isinstance(inputs, dict):
            names = list(inputs)
            arrays = [np.asarray(inputs[n]) for n in names]
        else:
            names = [n for n in node.input if n]
            arrays = [np.asarray(a) for a in inputs]
        value_infos = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype),
                                                     a.shape) for n, a in zip(names, arrays,
                                                                              strict=True)]
        outputs = [helper.make_empty_tensor_value_info(n) for n in node.output if n]
        graph = helper.make_graph([node], "run_node", value_infos, outputs)
        opset = kwargs.pop("opset_version", onnx.defs.onnx_opset_version())
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        return cls.run_model(model, arrays, device, **kwargs)

    @classmethod
    def supports_device(cls, device: str) -> bool:
        try:
            return Device(device).type == DeviceType.CPU
        except Exception:  # noqa: BLE001 - onnx raises various errors for unknown devices
            return False


prepare = MlcBackend.prepare
run_model = MlcBackend.run_model
run_node = MlcBackend.run_node
supports_device = MlcBackend.supports_device

__all__ = ["MlcBackend", "MlcBackendRep", "prepare", "run_model", "run_node", "supports_device"]
