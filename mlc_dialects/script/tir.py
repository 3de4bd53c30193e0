"""`T`: the TVMScript `tir` namespace, as far as mlc_dialects understands it.

    from mlc_dialects.script import tir as T      # was: from tvm.script import tir as T

Only `prim_func` does something when Python runs it: it parses the decorated function's source
(never runs its body) and returns a `builtin.module` holding one tensor function. Every other
name here exists so that the body *reads* as TVMScript and so that annotations such as
`A: T.Buffer((128, 128), "float32")` evaluate when Python defines the function; calling them
outside a `@T.prim_func` body raises a RuntimeError saying so. The parser recognizes these
objects by identity (`T.grid`, or `grid` imported by name, or `T` under another alias).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Names the parser understands, by their dotted TVMScript spelling. `SCRIPT_NAMES[obj]` is how
# the parser maps a Python object found in the user's globals back to a construct.
SCRIPT_NAMES: dict[int, str] = {}
KNOWN_NAMES: set[str] = set()
"""Every dotted name the parser understands (aliases such as `axis.S` included)."""


def _register(name: str, obj: Any) -> Any:
    SCRIPT_NAMES.setdefault(id(obj), name)
    KNOWN_NAMES.add(name)
    return obj


def _stub(name: str) -> Callable[..., Any]:
    def stub(*args: object, **kwargs: object) -> Any:
        raise RuntimeError(
            f"T.{name} only has a meaning inside a @T.prim_func body, which mlc_dialects parses "
            f"instead of running"
        )

    stub.__name__ = name
    stub.__qualname__ = f"T.{name}"
    stub.__doc__ = f"TVMScript `T.{name}` (parsed inside @T.prim_func bodies; see parser.py)."
    return _register(name, stub)


# ---------------------------------------------------------------------------- function level


def prim_func(
    func: Callable[..., Any] | None = None,
    *,
    private: bool = False,
    s_tir: bool = True,
    check_well_formed: bool = True,
) -> Any:
    """Parse a TVMScript function into a module with one tensor function named after it.

    Usable as `@T.prim_func`, `@T.prim_func()` and TVM 0.27's `@T.prim_func(s_tir=True)`;
    `private`, `s_tir` and `check_well_formed` are accepted for compatibility and have no
    effect (blocks are always allowed; the result is always verified). Returns an xDSL
    `ModuleOp`; inside an `@I.ir_module` class the functions are collected into one module.
    Raises `ScriptError` (a `DiagnosticError`) located at the offending Python source.
    """
    from mlc_dialects.script.parser import parse_function

    del private, s_tir, check_well_formed
    if func is None:
        return lambda f: parse_function(f)
    return parse_function(func)


_register("prim_func", prim_func)


class Buffer:
    """A buffer parameter annotation: `T.Buffer((128, 128), "float32")` or the older
    `T.Buffer[(128, 128), "float32"]`. The parser reads the annotation's source, not this
    object; it only has to exist when Python evaluates the annotation."""

    def __init__(self, shape: Any = (), dtype: str = "float32", *args: Any, **kwargs: Any):
        self.shape = shape
        self.dtype = dtype

    def __class_getitem__(cls, key: Any) -> Buffer:
        return cls(*key) if isinstance(key, tuple) and len(key) == 2 else cls(key)

    def __repr__(self) -> str:
        return f"T.Buffer({self.shape!r}, {self.dtype!r})"


_register("Buffer", Buffer)


class handle:
    """An untyped buffer parameter (`a: T.handle`), given a shape by `T.match_buffer`."""


_register("handle", handle)


class _Axis:
    """`T.axis`: block iterator declarations."""

    spatial = _stub("axis.spatial")
    S = _register("axis.S", spatial)
    reduce = _stub("axis.reduce")
    R = _register("axis.R", reduce)
    remap = _stub("axis.remap")
    scan = _stub("axis.scan")
    opaque = _stub("axis.opaque")


axis = _register("axis", _Axis())

func_attr = _stub("func_attr")
match_buffer = _stub("match_buffer")
alloc_buffer = _stub("alloc_buffer")
sblock_alloc_buffer = _stub("sblock_alloc_buffer")

# ---------------------------------------------------------------------------- loops
grid = _stub("grid")
serial = _stub("serial")
parallel = _stub("parallel")
vectorized = _stub("vectorized")
unroll = _stub("unroll")
thread_binding = _stub("thread_binding")

# ---------------------------------------------------------------------------- blocks
block = _stub("block")
sblock = _stub("sblock")
init = _stub("init")
reads = _stub("reads")
writes = _stub("writes")
where = _stub("where")
block_attr = _stub("block_attr")
sblock_attr = _stub("sblock_attr")
evaluate = _stub("evaluate")

# ---------------------------------------------------------------------------- scalar expressions
float16 = _stub("float16")
float32 = _stub("float32")
float64 = _stub("float64")
int8 = _stub("int8")
int16 = _stub("int16")
int32 = _stub("int32")
int64 = _stub("int64")
bool = _stub("bool")
Cast = _stub("Cast")
cast = _stub("cast")
max = _stub("max")
min = _stub("min")
abs = _stub("abs")
exp = _stub("exp")
log = _stub("log")
sqrt = _stub("sqrt")
rsqrt = _stub("rsqrt")
tanh = _stub("tanh")
sigmoid = _stub("sigmoid")
erf = _stub("erf")
floor = _stub("floor")
ceil = _stub("ceil")
pow = _stub("pow")
power = _stub("power")
floordiv = _stub("floordiv")
floormod = _stub("floormod")
if_then_else = _stub("if_then_else")
Select = _stub("Select")
likely = _stub("likely")
all = _stub("all")
any = _stub("any")
min_value = _stub("min_value")
max_value = _stub("max_value")

__all__ = [
    name
    for name in list(globals())
    if not name.startswith("_")
    and name not in ("annotations", "Any", "Callable", "SCRIPT_NAMES", "KNOWN_NAMES")
]
