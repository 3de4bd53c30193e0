"""Runtime support: the library registry (Python and native entries) and the built-in library
functions (`mlc_dialects.runtime.libs`)."""

from mlc_dialects.runtime.registry import (
    F32,
    F64,
    I32,
    I64,
    ArraySpec,
    LibraryFunction,
    NativeFunction,
    Ptr,
    UnknownFunctionError,
    get_func,
    list_funcs,
    pointers_only,
    register_func,
    register_native,
    remove_func,
)

__all__ = [
    "F32",
    "F64",
    "I32",
    "I64",
    "ArraySpec",
    "LibraryFunction",
    "NativeFunction",
    "Ptr",
    "UnknownFunctionError",
    "get_func",
    "list_funcs",
    "pointers_only",
    "register_func",
    "register_native",
    "remove_func",
]
