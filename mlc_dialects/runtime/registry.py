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

Native C symbols (a shared library's function called through DLPack tensors) will be a second
kind of entry beside `"python"`; `LibraryFunction.kind` is the switch callers dispatch on, so
that adding them changes no caller of `get_func`.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, overload

LibraryCallable = Callable[..., Any]


@dataclass(frozen=True)
class LibraryFunction:
    """One registry entry: its name, what kind of function it is and the function itself."""

    name: str
    kind: Literal["python"]
    fn: LibraryCallable

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
