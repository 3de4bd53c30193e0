"""Runtime support: the library registry (later the JIT, the executor and DLPack exchange)."""

from mlc_dialects.runtime.registry import (
    LibraryFunction,
    UnknownFunctionError,
    get_func,
    list_funcs,
    register_func,
    remove_func,
)

__all__ = [
    "LibraryFunction",
    "UnknownFunctionError",
    "get_func",
    "list_funcs",
    "register_func",
    "remove_func",
]
