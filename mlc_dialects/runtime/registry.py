"""The library registry: functions from any environment, registered by name.

`graph.call_lib "name"(...)` calls the function registered under `name`. Library functions
use destination-passing style: the caller allocates one output array per result and passes
the outputs after the inputs; the function writes its results into them and returns None.

    import mlc_dialects as mlc

    @mlc.register_func("env.linear")
    def linear(x, w, out):          # numpy arrays: inputs (read-only views), then outputs
        np.matmul(x, w.T, out=out)

Python callables receive numpy arrays without copies: inputs as read-only views, outputs as
fresh writable C-contiguous arrays of the result types. Names are dotted by convention
(`env.linear`, `blas.sgemm`); registering a taken name is an error unless `override=True`.

Native C symbols are the second kind (`kind == "native"`): a function of a shared library
that takes pointers (and scalars), registered with `register_native`:

    mlc.register_native("blas.sgemm", "cblas_sgemm", "/path/libopenblas.so", signature=sgemm)

`signature(ins, outs)` receives the `ArraySpec`s (shape, dtype) of the inputs and outputs of
one call and returns the C argument list: `Ptr(i)` (the data pointer of array #i, counting
inputs then outputs), `I32(v)`, `I64(v)`, `F32(v)`, `F64(v)`. The default (`signature=None`)
is pure destination passing: one pointer per input, then one per output. Compiled code calls
the symbol directly with that argument list (shapes are static, so the scalars are constants);
calling the entry from Python (`get_func(name)(*arrays)`, as the reference interpreter does)
goes through ctypes with the same list. `LibraryFunction.kind` is the switch callers dispatch
on.
"""

from __future__ import annotations

import ctypes
import difflib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np

LibraryCallable = Callable[..., Any]


# --- native C symbols -------------------------------------------------------------------------


@dataclass(frozen=True)
class ArraySpec:
    """What a native signature sees of one array argument: its shape and numpy dtype."""

    shape: tuple[int, ...]
    dtype: np.dtype


@dataclass(frozen=True)
class Ptr:
    """C argument: the data pointer of array #index (inputs first, then outputs)."""

    index: int


@dataclass(frozen=True)
class I32:
    """C argument: a 32-bit integer (also C enums)."""

    value: int


@dataclass(frozen=True)
class I64:
    """C argument: a 64-bit integer (`long`, `size_t`, 64-bit `blasint`)."""

    value: int


@dataclass(frozen=True)
class F32:
    """C argument: a `float`."""

    value: float


@dataclass(frozen=True)
class F64:
    """C argument: a `double`."""

    value: float


NativeArg = Ptr | I32 | I64 | F32 | F64
NativeSignature = Callable[[Sequence[ArraySpec], Sequence[ArraySpec]], Sequence[NativeArg]]

_CTYPES: dict[type, Any] = {Ptr: ctypes.c_void_p, I32: ctypes.c_int32, I64: ctypes.c_int64,
                            F32: ctypes.c_float, F64: ctypes.c_double}


def pointers_only(ins: Sequence[ArraySpec], outs: Sequence[ArraySpec]) -> list[NativeArg]:
    """The default native signature: `f(in0, .., inN, out0, .., outM)`, all data pointers."""
    return [Ptr(i) for i in range(len(ins) + len(outs))]


@dataclass(frozen=True)
class NativeFunction:
    """A C symbol: its name in the library, its address and how to build its arguments."""

    symbol: str
    address: int
    signature: NativeSignature
    library: str

    def arguments(self, ins: Sequence[ArraySpec], outs: Sequence[ArraySpec]) -> list[NativeArg]:
        """The C argument list for arrays of these specs; ValueError if it is malformed."""
        args = list(self.signature(ins, outs))
        count = len(ins) + len(outs)
        for a in args:
            if type(a) not in _CTYPES:
                raise ValueError(f"native signature of '{self.symbol}' returned {a!r}; expected "
                                 "Ptr, I32, I64, F32 or F64 items")
            if isinstance(a, Ptr) and not 0 <= a.index < count:
                raise ValueError(f"native signature of '{self.symbol}' uses Ptr({a.index}), but "
                                 f"the call has {count} arrays")
        return args


def _call_native(native: NativeFunction, num_outputs: int | None, arrays: Sequence[Any]) -> None:
    arrays = [np.asarray(a) for a in arrays]
    n_out = num_outputs if num_outputs is not None else 1
    specs = [ArraySpec(a.shape, a.dtype) for a in arrays]
    ins, outs = specs[:len(specs) - n_out], specs[len(specs) - n_out:]
    for a in arrays:
        if not a.flags.c_contiguous:
            raise ValueError(f"native function '{native.symbol}' needs C-contiguous arrays")
    args = native.arguments(ins, outs)
    cfunc = ctypes.CFUNCTYPE(None, *(_CTYPES[type(a)] for a in args))(native.address)
    values = [arrays[a.index].ctypes.data if isinstance(a, Ptr) else a.value for a in args]
    cfunc(*values)


@dataclass(frozen=True)
class LibraryFunction:
    """One registry entry: its name, what kind of function it is and the function itself.

    For `kind == "native"`, `native` describes the C symbol, `num_outputs` says how many of
    the trailing arrays are outputs (so that the signature sees inputs and outputs apart), and
    `fn` calls the symbol through ctypes.
    """

    name: str
    kind: Literal["python", "native"]
    fn: LibraryCallable
    native: NativeFunction | None = None
    num_outputs: int = 1

    def __call__(self, *arrays: Any) -> Any:
        return self.fn(*arrays)


class UnknownFunctionError(KeyError):
    """No library function of that name; the message lists registered names close to it."""

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument; the message reads better unquoted.
        return str(self.args[0]) if self.args else "unknown library function"


_REGISTRY: dict[str, LibraryFunction] = {}
_LOCK = threading.Lock()


@overload
def register_func(name: str, f: None = None, override: bool = False
                  ) -> Callable[[LibraryCallable], LibraryCallable]: ...
@overload
def register_func(name: str, f: LibraryCallable, override: bool = False) -> LibraryCallable: ...
@overload
def register_func(name: LibraryCallable, f: None = None, override: bool = False
                  ) -> LibraryCallable: ...


def register_func(name: str | LibraryCallable, f: LibraryCallable | None = None,
                  override: bool = False
                  ) -> LibraryCallable | Callable[[LibraryCallable], LibraryCallable]:
    """Register `f` as library function `name`; usable as a call or as a decorator.

    `register_func("env.linear", f)` registers f and returns it; `@register_func("env.linear")`
    does the same to the decorated function; bare `@register_func` uses the function's
    `__name__`. A name that is already registered raises ValueError unless `override=True`.
    """
    if callable(name) and f is None:
        return _register(getattr(name, "__name__", ""), name, override)
    if not isinstance(name, str):
        raise TypeError(f"library function name must be a string, got {type(name).__name__}")
    if f is None:
        def decorator(fn: LibraryCallable) -> LibraryCallable:
            return _register(name, fn, override)
        return decorator
    return _register(name, f, override)


def _register(name: str, f: LibraryCallable, override: bool) -> LibraryCallable:
    if not name:
        raise ValueError("library function name must be a non-empty string")
    if not callable(f):
        raise TypeError(f"library function '{name}' must be callable, got {type(f).__name__}")
    with _LOCK:
        if name in _REGISTRY and not override:
            raise ValueError(
                f"library function '{name}' is already registered "
                "(pass override=True to replace it)"
            )
        _REGISTRY[name] = LibraryFunction(name, "python", f)
    return f


def register_native(name: str, symbol: str, library: str | os.PathLike[str] | ctypes.CDLL,
                    signature: NativeSignature | None = None, num_outputs: int = 1,
                    override: bool = False) -> LibraryFunction:
    """Register C function `symbol` of `library` (a path or a loaded `ctypes.CDLL`) as `name`.

    `signature(ins, outs)` maps the array specs of a call to the C argument list (see the
    module docstring); None means `f(in0, .., out0, ..)` with data pointers only.
    `num_outputs` is how many arrays of a call are outputs (the last ones). The symbol is
    looked up now: a missing library or symbol raises OSError / AttributeError here, not at
    the first call.
    """
    if not name:
        raise ValueError("library function name must be a non-empty string")
    handle = library if isinstance(library, ctypes.CDLL) else ctypes.CDLL(os.fspath(library))
    address = ctypes.cast(getattr(handle, symbol), ctypes.c_void_p).value
    if not address:
        raise AttributeError(f"symbol '{symbol}' of {handle._name} has a null address")
    native = NativeFunction(symbol, address, signature or pointers_only, str(handle._name))

    def call(*arrays: Any) -> None:
        _call_native(native, num_outputs, arrays)

    entry = LibraryFunction(name, "native", call, native, num_outputs)
    with _LOCK:
        if name in _REGISTRY and not override:
            raise ValueError(
                f"library function '{name}' is already registered "
                "(pass override=True to replace it)"
            )
        _REGISTRY[name] = entry
    # Keep the library loaded as long as the entry may be called.
    _HANDLES.append(handle)
    return entry


_HANDLES: list[ctypes.CDLL] = []


def get_func(name: str) -> LibraryFunction:
    """The entry registered as `name`; UnknownFunctionError (a KeyError) if there is none."""
    with _LOCK:
        entry = _REGISTRY.get(name)
        names = sorted(_REGISTRY)
    if entry is not None:
        return entry
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + ", ".join(f"'{c}'" for c in close) + "?"
    elif names:
        hint = f"{len(names)} registered: " + ", ".join(f"'{n}'" for n in names[:10])
        hint += ", ..." if len(names) > 10 else ""
    else:
        hint = "no library functions are registered (see mlc_dialects.register_func)"
    raise UnknownFunctionError(f"no library function named '{name}' is registered; {hint}")


def list_funcs() -> list[str]:
    """Names of all registered library functions, sorted."""
    with _LOCK:
        return sorted(_REGISTRY)


def remove_func(name: str) -> None:
    """Unregister `name` (UnknownFunctionError if it is not registered)."""
    with _LOCK:
        if name in _REGISTRY:
            del _REGISTRY[name]
            return
    get_func(name)  # raises with the close names
