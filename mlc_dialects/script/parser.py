"""TVMScript (a subset) to tensor-dialect IR, read from the Python AST; the body never runs.

How a function is read:
1. the parameters' annotations give the argument buffers (`T.Buffer(shape, dtype)`, or
   `T.handle` plus a `T.match_buffer` in the body);
2. statements are walked in order: `T.func_attr`, `T.alloc_buffer` (-> `tensor.alloc_buffer`),
   loops (`range`, `T.serial/parallel/vectorized/unroll`, `T.grid` -> `loops.for` nests) and
   blocks (`with T.block(...)` / `T.sblock` -> `tensor.block`); a block without iterators that
   holds loops is TVM's root block and is transparent;
3. inside a block, `T.axis.*` declare iterators (bindings become an affine map over the loop
   variables they use, in order of first use), `T.where` a predicate, `T.reads`/`T.writes`
   regions (checked against the accesses), `with T.init():` the init part; buffer stores and
   their scalar expressions are built as `mlc_dialects.te` expressions and emitted with te's
   lowering (`_StageBuilder.emit`), so the scalar code is exactly what te produces;
4. regions not declared are inferred as TVM does (`GetBlockReadWriteRegion`): the union of
   the accesses per buffer, in order of first access; with an init part, the written buffers
   are not listed as reads;
5. arguments that no block writes are inputs (`tensor.num_inputs`); they must come first.

Every mistake raises `ScriptError` (a `DiagnosticError`) located at the Python construct:
`file.py:line:col: error: message`, the source line and a caret. The verifier runs on the
result; its errors point at the `.py` line of the loop or block too (ops carry FileLineColLoc).
"""

from __future__ import annotations

import ast
import builtins
import difflib
import inspect
import linecache
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xdsl.dialects import func, memref
from xdsl.dialects.builtin import (
    BoolAttr,
    FileLineColLoc,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    UnknownLoc,
    f64,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineExpr, AffineMap
from xdsl.ir.affine.affine_set import AffineConstraintExpr, AffineSet

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import expr_range, make_constraint
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import NUM_INPUTS_ATTR, AllocBufferOp, BlockOp, InitOp, constant_difference
from mlc_dialects import te
from mlc_dialects.diagnostics import SOURCES, Diagnostic, DiagnosticError
from mlc_dialects.ir_module import IRModule
from mlc_dialects.parsing import verify_located
from mlc_dialects.script import tir as _tir
from mlc_dialects.te.expr import (
    DTYPES,
    Const,
    Expr,
    IterVar,
    Load,
    Logical,
    binary,
    cast,
    compare,
    const,
    index_exprs,
    is_float,
)

# te's lowering helpers are private there; they are reused rather than written twice.
from mlc_dialects.te.lower import _StageBuilder, _union, element_type
from mlc_dialects.te.tensor import PlaceholderOp, Tensor


class ScriptError(DiagnosticError):
    """A mistake in a TVMScript function, located at the Python construct (file:line:col)."""


# ============================================================================ source locations


@dataclass
class SourceInfo:
    """Where the parsed text sits in its file: AST positions are shifted by these."""

    filename: str
    first_line: int = 1  # file line of the parsed text's line 1
    indent: int = 0  # columns removed from every line before parsing

    def position(self, node: ast.AST) -> tuple[int, int, int]:
        line = getattr(node, "lineno", 0)
        if not line:
            return 0, 0, 1
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", line)
        end_col = getattr(node, "end_col_offset", None)
        length = end_col - col if end_line == line and end_col is not None else 1
        return line + self.first_line - 1, col + self.indent + 1, max(1, length)

    def error(self, node: ast.AST, message: str) -> ScriptError:
        line, col, length = self.position(node)
        return ScriptError(Diagnostic("error", message, self.filename, line, col, length))

    def location(self, node: ast.AST) -> FileLineColLoc:
        line, col, _ = self.position(node)
        return FileLineColLoc(StringAttr(self.filename), IntAttr(line), IntAttr(col))


# ============================================================================ entry points


def parse_function(function: Callable[..., Any]) -> ModuleOp:
    """The module of a `@T.prim_func`-decorated Python function (its source is parsed)."""
    source, tree, env = _read_function(function)
    fndef = next((s for s in tree.body if isinstance(s, ast.FunctionDef)), None)
    if fndef is None:
        raise source.error(tree.body[0] if tree.body else tree, "expected a function definition")
    module = IRModule([_FunctionParser(fndef, source, env).parse()])
    verify_module(module)
    return module


def parse_source(
    text: str, filename: str = "<tvmscript>", env: dict[str, Any] | None = None
) -> ModuleOp:
    """Parse TVMScript from a string: every top-level function (and every function of a
    top-level class, as `@I.ir_module` would) becomes a tensor function of one module.

    `env` gives the names the script may use besides `T`/`I` (which default to this
    package's namespaces); simple top-level constant assignments (`n = 128`) are seen too.
    """
    from mlc_dialects.script import ir as _ir

    SOURCES[filename] = text
    source = SourceInfo(filename)
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as err:
        raise ScriptError(
            Diagnostic(
                "error",
                f"Python syntax error: {err.msg}",
                filename,
                err.lineno or 0,
                err.offset or 0,
            )
        ) from None
    scope: dict[str, Any] = {"T": _tir, "I": _ir, **(env or {})}
    functions: list[ast.FunctionDef] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            functions.append(stmt)
        elif isinstance(stmt, ast.ClassDef):
            functions.extend(s for s in stmt.body if isinstance(s, ast.FunctionDef))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            try:
                value = ast.literal_eval(stmt.value)
            except ValueError:
                continue
            if isinstance(target, ast.Name):
                scope[target.id] = value
    module = IRModule([_FunctionParser(f, source, scope).parse() for f in functions])
    verify_module(module)
    return module


def verify_module(module: ModuleOp) -> None:
    """Verify a parsed module; verifier errors point at the Python source of the op."""
    try:
        verify_located(module)
    except ScriptError:
        raise
    except DiagnosticError as err:
        raise ScriptError(err.diagnostics) from None


def function_error(function: Callable[..., Any], message: str) -> ScriptError:
    """A ScriptError located at the `def` line of `function`."""
    try:
        source, tree, _ = _read_function(function)
    except ScriptError as err:
        return ScriptError(Diagnostic("error", message, *_split_first(err)))
    node = next((s for s in tree.body if isinstance(s, ast.FunctionDef)), tree)
    return source.error(node, message)


def _split_first(err: ScriptError) -> tuple[str, int, int]:
    diag = err.diagnostics[0]
    return diag.filename, diag.line, diag.col


def _read_function(function: Callable[..., Any]) -> tuple[SourceInfo, ast.Module, dict[str, Any]]:
    name = getattr(function, "__qualname__", repr(function))
    try:
        lines, first_line = inspect.getsourcelines(function)
        filename = inspect.getsourcefile(function) or inspect.getfile(function)
    except (OSError, TypeError) as err:
        raise ScriptError(
            Diagnostic(
                "error",
                f"cannot read the source of {name} ({err}); @T.prim_func parses the function's "
                f"source, so it must be defined in a file or a notebook cell",
            )
        ) from None
    indent = len(lines[0]) - len(lines[0].lstrip())
    dedented = "".join(
        line[indent:] if not line[:indent].strip() else line.lstrip() for line in lines
    )
    full_text = "".join(linecache.getlines(filename))
    SOURCES[filename] = full_text or "".join(lines)
    source = SourceInfo(filename, first_line, indent)
    try:
        tree = ast.parse(dedented, filename)
    except SyntaxError as err:
        raise ScriptError(
            Diagnostic(
                "error",
                f"Python syntax error: {err.msg}",
                filename,
                (err.lineno or 1) + first_line - 1,
                (err.offset or 0) + indent,
            )
        ) from None
    env: dict[str, Any] = dict(getattr(function, "__globals__", {}))
    try:
        env.update(inspect.getclosurevars(function).nonlocals)
    except (TypeError, ValueError):
        pass
    return source, tree, env


# ============================================================================ scope entries


@dataclass(eq=False)
class _Buffer:
    """A buffer the script names: an argument or an allocation."""

    name: str
    tensor: Tensor  # te's view of it, for building and emitting expressions
    value: SSAValue
    arg_index: int | None = None
    node: ast.AST | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.tensor.shape

    @property
    def dtype(self) -> str:
        return self.tensor.dtype


@dataclass(eq=False)
class _LoopVar:
    name: str
    loop: ForOp


@dataclass(eq=False)
class _Iter:
    """A block iterator: te's IterVar and its binding over the block's outer values."""

    var: IterVar
    binding: AffineExpr


@dataclass(eq=False)
class _Let:
    expr: Expr | int | float | bool


@dataclass(eq=False)
class _Access:
    buffer: _Buffer
    indices: tuple[Expr, ...]
    node: ast.AST
    is_write: bool


@dataclass(eq=False)
class _Store:
    buffer: _Buffer
    indices: tuple[Expr, ...]
    value: Expr
    node: ast.AST


@dataclass(eq=False)
class _LetStmt:
    """`x = expr` in a block body: computed once, where it is written (TVM's Let)."""

    expr: Expr
    node: ast.AST


@dataclass(eq=False)
class _BlockState:
    """What a `with T.block(...)` body declares, gathered before any op is built."""

    name: str
    node: ast.With
    iters: list[_Iter] = field(default_factory=list)
    outer: list[SSAValue] = field(default_factory=list)  # binding values (loop variables)
    constraints: list[AffineConstraintExpr] = field(default_factory=list)
    reads: ast.Call | None = None
    writes: ast.Call | None = None
    annotations: dict[str, Attribute] = field(default_factory=dict)
    init: list[_Store | _LetStmt] | None = None
    stores: list[_Store | _LetStmt] = field(default_factory=list)
    accesses: list[_Access] = field(default_factory=list)

    def outer_dim(self, value: SSAValue) -> AffineExpr:
        for position, known in enumerate(self.outer):
            if known is value:
                return AffineExpr.dimension(position)
        self.outer.append(value)
        return AffineExpr.dimension(len(self.outer) - 1)


class _Emitter(_StageBuilder):
    """te's scalar-code emitter, pointed at a script block instead of a te compute."""

    def __init__(self, iter_vars: Sequence[IterVar], buffers: dict[Tensor, SSAValue]):
        self.iter_vars = list(iter_vars)
        self.position = {iv: d for d, iv in enumerate(self.iter_vars)}
        self.buffers = buffers
        self.values = {}
        self.body = None
        self.lets: dict[int, SSAValue] = {}  # id(let expression) -> its value
        self.init_scalar_state()

    def emit(self, expr: Expr) -> SSAValue:
        value = self.lets.get(id(expr))
        return value if value is not None else super().emit(expr)


# ============================================================================ names

_LOOP_KINDS = {"serial": "serial", "parallel": "parallel", "vectorized": "vectorized",
               "unroll": "unrolled"}  # fmt: skip
_BLOCK_NAMES = ("block", "sblock")
_ALLOC_NAMES = ("alloc_buffer", "sblock_alloc_buffer")
_DTYPE_CTORS = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "bool")
_UNARY = {
    "exp": te.exp, "log": te.log, "sqrt": te.sqrt, "rsqrt": te.rsqrt, "tanh": te.tanh,
    "sigmoid": te.sigmoid, "erf": te.erf, "floor": te.floor, "ceil": te.ceil, "abs": te.abs,
}  # fmt: skip
_BINARY = {"max": "max", "min": "min", "pow": "pow", "power": "pow", "floordiv": "floordiv",
           "floormod": "floormod"}  # fmt: skip
_COMPARE = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq",
            ast.NotEq: "ne"}  # fmt: skip
_CONSTRAINT = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=="}
_ARITH = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
          ast.FloorDiv: "floordiv", ast.Mod: "floormod", ast.Pow: "pow"}  # fmt: skip
_PY_ARITH: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}  # fmt: skip
_KNOWN = frozenset(_tir.KNOWN_NAMES)
_SCALAR = (int, float, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, _SCALAR)


# ============================================================================ one function


class _FunctionParser:
    """Builds one tensor `func.func` from a TVMScript `def`."""

    def __init__(self, fndef: ast.FunctionDef, source: SourceInfo, env: dict[str, Any]):
        self.fndef = fndef
        self.source = source
        self.env = env
        self.scopes: list[dict[str, Any]] = [{}]
        self.buffers: dict[Tensor, SSAValue] = {}
        self.args: list[_Buffer] = []
        self.written: set[_Buffer] = set()
        self.block_names: set[str] = set()
        self.entry = Block()

    # ------------------------------------------------------------------ helpers

    def error(self, node: ast.AST, message: str) -> ScriptError:
        return self.source.error(node, message)

    def locate(self, op: Operation, node: ast.AST) -> Operation:
        op.location = self.source.location(node)
        return op

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def define(self, name: str, entry: Any, node: ast.AST) -> None:
        existing = self.lookup(name)
        if isinstance(existing, _Buffer | _LoopVar | _Iter) and not isinstance(entry, _Let):
            raise self.error(node, f"'{name}' is already defined (as a {_describe(existing)})")
        self.scopes[-1][name] = entry

    def python_value(self, name: str) -> tuple[bool, Any]:
        if name in self.env:
            return True, self.env[name]
        builtins_ns = self.env.get("__builtins__", builtins)
        if isinstance(builtins_ns, dict):
            return (name in builtins_ns), builtins_ns.get(name)
        return hasattr(builtins_ns, name), getattr(builtins_ns, name, None)

    def script_name(self, node: ast.AST) -> str | None:
        """`"grid"` for `T.grid`, `"axis.spatial"` for `T.axis.spatial`, `"range"` for the
        builtin; None when `node` does not name a TVMScript construct. Unknown `T.*` names
        and a `T` that is not ours are errors."""
        parts: list[str] = []
        root = node
        while isinstance(root, ast.Attribute):
            parts.append(root.attr)
            root = root.value
        if not isinstance(root, ast.Name) or self.lookup(root.id) is not None:
            return None
        found, value = self.python_value(root.id)
        if not found:
            return None
        parts.reverse()
        if value is _tir:
            name = ".".join(parts)
        elif id(value) in _tir.SCRIPT_NAMES:
            name = ".".join([_tir.SCRIPT_NAMES[id(value)], *parts])
        elif value is builtins.range and not parts:
            return "range"
        elif parts and _looks_like_tvm(value):
            raise self.error(
                node,
                f"'{root.id}' is {getattr(value, '__name__', value)!s}, not mlc_dialects' "
                f"TVMScript namespace; import it with `from mlc_dialects.script import tir as "
                f"{root.id}`",
            )
        else:
            return None
        if name not in _KNOWN:
            close = difflib.get_close_matches(name, sorted(_KNOWN), n=1)
            hint = f"; did you mean T.{close[0]}?" if close else ""
            raise self.error(node, f"T.{name} is not part of the supported TVMScript subset{hint}")
        return name

    def call_name(self, node: ast.AST) -> str | None:
        return self.script_name(node.func) if isinstance(node, ast.Call) else None

    # ------------------------------------------------------------------ constants

    def constant(self, node: ast.AST, what: str) -> Any:
        """A compile-time Python value (numbers, strings, tuples; globals and arithmetic)."""
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                local = self.lookup(name)
                if local is not None:
                    raise self.error(
                        node, f"expected {what}, a constant; '{name}' is a {_describe(local)}"
                    )
                found, value = self.python_value(name)
                if not found:
                    raise self.error(node, f"undefined variable '{name}' (expected {what})")
                return value
            case ast.Tuple(elts=elts) | ast.List(elts=elts):
                return tuple(self.constant(e, what) for e in elts)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -self.constant(operand, what)
            case ast.BinOp(op=op, left=left, right=right) if type(op) in _PY_ARITH:
                return _PY_ARITH[type(op)](self.constant(left, what), self.constant(right, what))
            case ast.Attribute():
                return self._attribute_constant(node, what)
            case ast.Call(args=[arg], keywords=[]) if self.call_name(node) in _DTYPE_CTORS:
                return self.constant(arg, what)  # T.int64(128), as TVM prints shapes
        raise self.error(node, f"expected {what}, a constant")

    def _attribute_constant(self, node: ast.Attribute, what: str) -> Any:
        chain: list[str] = []
        root: ast.AST = node
        while isinstance(root, ast.Attribute):
            chain.append(root.attr)
            root = root.value
        if isinstance(root, ast.Name) and self.lookup(root.id) is None:
            found, value = self.python_value(root.id)
            for attr in reversed(chain):
                if not found or not hasattr(value, attr):
                    found = False
                    break
                value = getattr(value, attr)
            if found and isinstance(value, _SCALAR + (str, tuple)):
                return value
        raise self.error(node, f"expected {what}, a constant")

    def const_int(self, node: ast.AST, what: str, minimum: int | None = None) -> int:
        value = self.constant(node, what)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(node, f"expected {what}, an integer constant; got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(node, f"{what} must be at least {minimum}, got {value}")
        return value

    def shape(self, node: ast.AST) -> tuple[int, ...]:
        value = self.constant(node, "a buffer shape")
        dims = value if isinstance(value, tuple) else (value,)
        for dim in dims:
            if isinstance(dim, bool) or not isinstance(dim, int) or dim <= 0:
                raise self.error(
                    node, f"a buffer shape must be positive integer constants, got {value!r}"
                )
        return tuple(dims)

    def dtype(self, node: ast.AST) -> str:
        value = self.constant(node, "a dtype string")
        if not isinstance(value, str) or value not in DTYPES:
            raise self.error(node, f"unsupported dtype {value!r} (supported: {', '.join(DTYPES)})")
        return value

    # ------------------------------------------------------------------ the function

    def parse(self) -> func.FuncOp:
        fndef = self.fndef
        arguments = fndef.args
        for extra, kind in ((arguments.vararg, "*args"), (arguments.kwarg, "**kwargs")):
            if extra is not None:
                raise self.error(extra, f"{kind} parameters are not supported in a T.prim_func")
        if arguments.kwonlyargs or arguments.defaults:
            node = (arguments.kwonlyargs or arguments.defaults)[0]
            raise self.error(
                node,
                "parameters must be plain buffer parameters (no defaults, "
                "no keyword-only parameters)",
            )
        matched = self._match_buffers(fndef.body)
        params = [*arguments.posonlyargs, *arguments.args]
        specs = [self._param(p, matched) for p in params]
        types = [MemRefType(element_type(dtype), shape) for _, shape, dtype, _ in specs]
        self.entry = Block(arg_types=types)
        for index, ((name, shape, dtype, node), arg) in enumerate(zip(specs, self.entry.args)):
            arg.name_hint = name
            buffer = _Buffer(
                name, Tensor(shape, dtype, name, PlaceholderOp(name)), arg, index, node
            )
            self.define(name, buffer, node)
            self.buffers[buffer.tensor] = arg
            self.args.append(buffer)
        self._statements(fndef.body, self.entry, "function")
        self.entry.add_op(func.ReturnOp())
        function = func.FuncOp(fndef.name, (types, []), Region(self.entry))
        self.locate(function, fndef)
        function.attributes[NUM_INPUTS_ATTR] = IntegerAttr(self._num_inputs(), i64)
        return function

    def _match_buffers(self, body: list[ast.stmt]) -> dict[str, tuple[str, ast.Assign]]:
        """`X = T.match_buffer(handle, shape, dtype)` statements, by handle name."""
        found: dict[str, tuple[str, ast.Assign]] = {}
        for stmt in body:
            if not (isinstance(stmt, ast.Assign) and self.call_name(stmt.value) == "match_buffer"):
                continue
            call = stmt.value
            assert isinstance(call, ast.Call)
            target = stmt.targets[0]
            if not isinstance(target, ast.Name) or not call.args:
                raise self.error(stmt, "expected `X = T.match_buffer(handle, shape, dtype)`")
            handle = call.args[0]
            if not isinstance(handle, ast.Name):
                raise self.error(
                    handle, "T.match_buffer's first argument must be a T.handle parameter"
                )
            found[handle.id] = (target.id, stmt)
        return found

    def _param(
        self, param: ast.arg, matched: dict[str, tuple[str, ast.Assign]]
    ) -> tuple[str, tuple[int, ...], str, ast.AST]:
        annotation = param.annotation
        expected = 'a buffer annotation `T.Buffer((128, 128), "float32")` or `T.handle`'
        if annotation is None:
            raise self.error(param, f"parameter '{param.arg}' needs {expected}")
        name = self.script_name(
            annotation.value
            if isinstance(annotation, ast.Subscript)
            else annotation.func
            if isinstance(annotation, ast.Call)
            else annotation
        )
        if name == "handle":
            if param.arg not in matched:
                raise self.error(
                    param,
                    f"T.handle parameter '{param.arg}' has no "
                    f"`T.match_buffer({param.arg}, shape, dtype)` in the body",
                )
            buffer_name, stmt = matched[param.arg]
            call = stmt.value
            assert isinstance(call, ast.Call)
            shape, dtype = self._buffer_args(call, call.args[1:], "T.match_buffer")
            return buffer_name, shape, dtype, stmt
        if name != "Buffer":
            raise self.error(annotation, f"parameter '{param.arg}' needs {expected}")
        if isinstance(annotation, ast.Subscript):  # T.Buffer[(128, 128), "float32"]
            key = annotation.slice
            items = key.elts if isinstance(key, ast.Tuple) else [key]
            if (
                isinstance(key, ast.Tuple)
                and len(items) == 2
                and isinstance(items[0], ast.Tuple | ast.List | ast.Constant | ast.Name)
            ):
                return param.arg, self.shape(items[0]), self.dtype(items[1]), param
            return param.arg, self.shape(key), "float32", param
        assert isinstance(annotation, ast.Call)
        shape, dtype = self._buffer_args(annotation, annotation.args, "T.Buffer")
        return param.arg, shape, dtype, param

    def _buffer_args(
        self, call: ast.Call, args: Sequence[ast.expr], what: str
    ) -> tuple[tuple[int, ...], str]:
        """(shape, dtype) from `(shape, dtype="float32", ...)`; layout keywords are ignored."""
        keywords = {k.arg: k.value for k in call.keywords}
        shape_node = args[0] if args else keywords.pop("shape", None)
        if shape_node is None:
            raise self.error(call, f"{what} needs a shape")
        dtype_node = args[1] if len(args) > 1 else keywords.pop("dtype", None)
        for key, value in keywords.items():
            if key not in ("scope", "align", "offset_factor", "buffer_type", "axis_separators"):
                raise self.error(value, f"{what}: keyword '{key}' is not supported")
        dtype = "float32" if dtype_node is None else self.dtype(dtype_node)
        return self.shape(shape_node), dtype

    def _num_inputs(self) -> int:
        first_output: _Buffer | None = None
        for buffer in self.args:
            if buffer in self.written:
                first_output = first_output or buffer
            elif first_output is not None:
                raise self.error(
                    buffer.node or self.fndef,
                    f"parameter '{buffer.name}' is never written (an input) but comes after "
                    f"'{first_output.name}', which is written (an output); list inputs first, "
                    f"then outputs (destination passing)",
                )
        return sum(1 for buffer in self.args if buffer not in self.written)

    # ------------------------------------------------------------------ statements

    def _statements(self, stmts: list[ast.stmt], insert: Block, level: str) -> None:
        for stmt in stmts:
            self._statement(stmt, insert, level)

    def _statement(self, stmt: ast.stmt, insert: Block, level: str) -> None:
        match stmt:
            case ast.Pass():
                return
            case ast.Expr(value=ast.Constant(value=str())):
                return  # docstring
            case ast.For():
                return self._for(stmt, insert)
            case ast.With() if self._with_name(stmt) in _BLOCK_NAMES:
                if level == "function" and self._is_root_block(stmt):
                    return self._root_block(stmt, insert)
                return self._block(stmt, insert)
            case ast.Expr(value=ast.Call() as call):
                name = self.call_name(call)
                if name == "evaluate":
                    return
                if name == "func_attr" and level == "function":
                    return self._func_attr(call)
            case ast.Assign(value=ast.Call() as call):
                name = self.call_name(call)
                if name == "match_buffer" and level == "function":
                    return  # read with the parameters
                if name in _ALLOC_NAMES:
                    if level != "function":
                        raise self.error(
                            stmt,
                            f"T.{name} must be at the function level (or in "
                            f"the root block), not inside a loop",
                        )
                    return self._alloc(stmt, call)
            case ast.Assign(targets=[ast.Subscript()]) | ast.AugAssign(target=ast.Subscript()):
                raise self.error(stmt, "a buffer store must be inside a `with T.block(...)`")
        raise self.error(
            stmt,
            f"unsupported statement {_stmt_kind(stmt)} "
            f"{'at function level' if level == 'function' else 'in a loop'}; "
            f"expected loops (`for ... in T.grid/range/T.serial(...)`), "
            f"`with T.block(...)`"
            f"{', T.alloc_buffer, T.func_attr' if level == 'function' else ''}",
        )

    def _with_name(self, stmt: ast.With) -> str | None:
        if len(stmt.items) != 1:
            return None
        return self.call_name(stmt.items[0].context_expr)

    def _func_attr(self, call: ast.Call) -> None:
        if len(call.args) != 1 or not isinstance(call.args[0], ast.Dict):
            raise self.error(call, 'expected T.func_attr({"key": value, ...})')
        for key in call.args[0].keys:
            if key is None:
                raise self.error(call, "T.func_attr: `**` is not supported")
            self.constant(key, "an attribute name")
        # "global_symbol" (the function is named after the Python def), "tir.noalias" and
        # "tirx.noalias" (arguments never alias here) and any other attribute carry no
        # meaning for tensor functions: accepted and dropped.

    def _alloc(self, stmt: ast.Assign, call: ast.Call) -> None:
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise self.error(stmt, "expected `Y = T.alloc_buffer(shape, dtype)`")
        name = stmt.targets[0].id
        shape, dtype = self._buffer_args(call, call.args, "T.alloc_buffer")
        op = AllocBufferOp(MemRefType(element_type(dtype), shape), name)
        self.entry.add_op(self.locate(op, stmt))
        buffer = _Buffer(
            name, Tensor(shape, dtype, name, PlaceholderOp(name)), op.buffer, node=stmt
        )
        self.define(name, buffer, stmt)
        self.buffers[buffer.tensor] = op.buffer

    # ------------------------------------------------------------------ loops

    def _for(self, node: ast.For, insert: Block) -> None:
        if node.orelse:
            raise self.error(node.orelse[0], "a for loop with an `else:` is not supported")
        kind, ranges, annotations = self._loop_iter(node.iter)
        targets = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                raise self.error(target, "a loop variable must be a plain name")
        if len(targets) != len(ranges):
            raise self.error(
                node.target, f"{len(targets)} loop variables for {len(ranges)} loop extents"
            )
        self.scopes.append({})
        body = insert
        for target, (lb, ub, step) in zip(targets, ranges):
            assert isinstance(target, ast.Name)
            loop = ForOp(lb, ub, step=step, kind=kind, annotations=annotations, iv_name=target.id)
            body.add_op(self.locate(loop, node))
            self.scopes[-1][target.id] = _LoopVar(target.id, loop)
            body = loop.body.block
        self._statements(node.body, body, "loop")
        self.scopes.pop()

    def _loop_iter(
        self, node: ast.expr
    ) -> tuple[str, list[tuple[int, int, int]], dict[str, Attribute] | None]:
        expected = (
            "expected range(n), T.grid(n, m, ...), T.serial(n), T.parallel(n), "
            "T.vectorized(n) or T.unroll(n)"
        )
        name = self.call_name(node)
        if name is None or not isinstance(node, ast.Call):
            raise self.error(node, expected)
        if name == "grid":
            if node.keywords or not node.args:
                raise self.error(node, "T.grid takes one or more extents")
            ranges = [(0, self.const_int(a, "a loop extent", 1), 1) for a in node.args]
            return "serial", ranges, None
        if name == "thread_binding":
            raise self.error(
                node,
                "T.thread_binding (GPU threads) is not supported; use T.parallel for CPU threads",
            )
        if name != "range" and name not in _LOOP_KINDS:
            raise self.error(node, f"T.{name} cannot drive a loop; {expected}")
        keywords = {k.arg: k.value for k in node.keywords}
        annotations = None
        if "annotations" in keywords and name != "range":
            annotations = self._annotations(keywords.pop("annotations"))
        if keywords:
            key, value = next(iter(keywords.items()))
            raise self.error(
                value,
                f"{'range' if name == 'range' else 'T.' + name}: keyword '{key}' is not supported",
            )
        max_args = 3 if name == "range" else 2
        if not 1 <= len(node.args) <= max_args:
            raise self.error(
                node,
                f"expected 1 to {max_args} bounds: (stop) or (start, stop)"
                + (" or (start, stop, step)" if name == "range" else ""),
            )
        bounds = [self.const_int(a, "a loop bound") for a in node.args]
        lb, ub = (0, bounds[0]) if len(bounds) == 1 else (bounds[0], bounds[1])
        step = bounds[2] if len(bounds) == 3 else 1
        if step <= 0:
            raise self.error(node.args[2], f"a loop step must be positive, got {step}")
        if ub <= lb:
            raise self.error(node, f"empty loop range [{lb}, {ub})")
        return ("serial" if name == "range" else _LOOP_KINDS[name]), [(lb, ub, step)], annotations

    def _annotations(self, node: ast.expr) -> dict[str, Attribute]:
        if not isinstance(node, ast.Dict):
            raise self.error(node, 'annotations must be a dict literal {"key": value}')
        result: dict[str, Attribute] = {}
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:
                raise self.error(node, "`**` is not supported in annotations")
            key = self.constant(key_node, "an annotation name")
            value = self.constant(value_node, "an annotation value")
            if not isinstance(key, str):
                raise self.error(key_node, "annotation names must be strings")
            if isinstance(value, bool):
                result[key] = BoolAttr.from_bool(value)
            elif isinstance(value, int):
                result[key] = IntegerAttr(value, i64)
            elif isinstance(value, float):
                result[key] = FloatAttr(value, f64)
            elif isinstance(value, str):
                result[key] = StringAttr(value)
            else:
                raise self.error(value_node, "annotation values must be int, float, bool or str")
        return result

    # ------------------------------------------------------------------ blocks

    def _is_root_block(self, stmt: ast.With) -> bool:
        return any(
            isinstance(s, ast.For)
            or (isinstance(s, ast.With) and self._with_name(s) in _BLOCK_NAMES)
            or (isinstance(s, ast.Assign) and self.call_name(s.value) in _ALLOC_NAMES)
            for s in stmt.body
        )

    def _root_block(self, stmt: ast.With, insert: Block) -> None:
        """TVM's root block (`with T.block("root"):` around everything): transparent."""
        for inner in stmt.body:
            name = self.call_name(inner.value) if isinstance(inner, ast.Expr | ast.Assign) else None
            if name in ("reads", "writes", "block_attr", "sblock_attr"):
                continue
            if name is not None and name.startswith("axis."):
                raise self.error(
                    inner,
                    "a block with iterators cannot contain loops or blocks "
                    "(only the root block, without iterators, can)",
                )
            self._statement(inner, insert, "function")

    def _block(self, stmt: ast.With, insert: Block) -> None:
        item = stmt.items[0]
        call = item.context_expr
        assert isinstance(call, ast.Call)
        if item.optional_vars is not None:
            raise self.error(item.optional_vars, "`with T.block(...) as name` is not supported")
        if len(call.args) != 1 or call.keywords:
            raise self.error(call, 'expected T.block("name") with a block name')
        name = self.constant(call.args[0], "a block name")
        if not isinstance(name, str) or not name:
            raise self.error(call.args[0], "a block name must be a non-empty string")
        if name in self.block_names:
            raise self.error(
                call.args[0],
                f'a block named "{name}" already exists in this '
                f"function; block names must be unique (get_block "
                f"finds blocks by name)",
            )
        self.block_names.add(name)
        state = _BlockState(name, stmt)
        self.scopes.append({})
        for inner in stmt.body:
            self._block_statement(inner, state)
        self._build_block(state, insert)
        self.scopes.pop()

    def _block_statement(self, stmt: ast.stmt, state: _BlockState) -> None:
        match stmt:
            case ast.Pass() | ast.Expr(value=ast.Constant(value=str())):
                return
            case ast.Assign(value=ast.Call() as call) if (self.call_name(call) or "").startswith(
                "axis."
            ):
                return self._axis(stmt, call, state)
            case ast.Expr(value=ast.Call() as call) if self.call_name(call) is not None:
                return self._block_directive(call, state)
            case ast.With() if self._with_name(stmt) == "init":
                if state.init is not None:
                    raise self.error(stmt, "a block has at most one `with T.init():`")
                if any(isinstance(s, _Store) for s in state.stores):
                    raise self.error(stmt, "`with T.init():` must come before the block's stores")
                state.init = []
                self.scopes.append({})
                for inner in stmt.body:
                    self._body_statement(inner, state, state.init)
                self.scopes.pop()
                return
            case ast.For() | ast.With():
                raise self.error(
                    stmt,
                    "loops and blocks nested inside a block are not "
                    "supported (only in the root block)",
                )
        self._body_statement(stmt, state, state.stores)

    def _block_directive(self, call: ast.Call, state: _BlockState) -> None:
        name = self.call_name(call)
        if name == "where":
            if len(call.args) != 1:
                raise self.error(call, "T.where takes one condition")
            state.constraints.extend(self._constraints(call.args[0], state))
        elif name in ("reads", "writes"):
            if getattr(state, name) is not None:
                raise self.error(call, f'T.{name} appears twice in block "{state.name}"')
            setattr(state, name, call)
        elif name in ("block_attr", "sblock_attr"):
            if len(call.args) != 1:
                raise self.error(call, f"T.{name} takes one dict")
            state.annotations.update(self._annotations(call.args[0]))
        elif name == "evaluate":
            return
        else:
            raise self.error(
                call,
                f"T.{name}(...) is not a statement of a block body; expected "
                f"T.axis.*, T.where, T.reads, T.writes, T.block_attr, "
                f"`with T.init():` or buffer stores",
            )

    # ------------------------------------------------------------------ iterators

    def _axis(self, stmt: ast.Assign, call: ast.Call, state: _BlockState) -> None:
        name = self.call_name(call)
        if len(stmt.targets) != 1:
            raise self.error(stmt, "expected one assignment target")
        target = stmt.targets[0]
        names = target.elts if isinstance(target, ast.Tuple) else [target]
        for n in names:
            if not isinstance(n, ast.Name):
                raise self.error(n, "a block iterator must be a plain name")
        if name == "axis.remap":
            iterators = self._remap(call, len(names), state)
        elif name in ("axis.spatial", "axis.S", "axis.reduce", "axis.R"):
            if len(names) != 1:
                raise self.error(target, f"T.{name} declares one iterator")
            kind = "spatial" if name in ("axis.spatial", "axis.S") else "reduce"
            if len(call.args) != 2:
                raise self.error(call, f"expected T.{name}(extent, binding)")
            extent = self._domain(call.args[0])
            iterators = [(kind, extent, self._outer_affine(call.args[1], state))]
        else:
            raise self.error(
                call,
                f"T.{name} iterators are not supported; use T.axis.spatial, "
                f"T.axis.reduce or T.axis.remap",
            )
        for n, (kind, extent, binding) in zip(names, iterators):
            assert isinstance(n, ast.Name)
            var = IterVar(n.id, (0, extent), kind)
            self.define(n.id, _Iter(var, binding), n)
            state.iters.append(self.scopes[-1][n.id])

    def _domain(self, node: ast.expr) -> int:
        value = self.constant(node, "an iterator extent")
        if isinstance(value, tuple):
            if len(value) != 2 or value[0] != 0:
                raise self.error(
                    node, f"an iterator domain must be an extent or (0, extent), got {value!r}"
                )
            value = value[1]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.error(node, f"an iterator extent must be a positive integer, got {value!r}")
        return value

    def _remap(
        self, call: ast.Call, count: int, state: _BlockState
    ) -> list[tuple[str, int, AffineExpr]]:
        if len(call.args) != 2:
            raise self.error(call, 'expected T.axis.remap("SSR", [i, j, k])')
        kinds = self.constant(call.args[0], 'iterator kinds like "SSR"')
        if not isinstance(kinds, str) or set(kinds) - {"S", "R"}:
            raise self.error(
                call.args[0],
                f"iterator kinds must be a string of 'S' (spatial) and 'R' (reduce), got {kinds!r}",
            )
        sources = call.args[1]
        if not isinstance(sources, ast.List | ast.Tuple):
            raise self.error(sources, "expected a list of loop variables [i, j, ...]")
        if not len(kinds) == len(sources.elts) == count:
            raise self.error(
                call,
                f"T.axis.remap: {len(kinds)} kinds, {len(sources.elts)} loop "
                f"variables and {count} iterator names must all agree",
            )
        result = []
        for kind, source in zip(kinds, sources.elts):
            loop_var = self.lookup(source.id) if isinstance(source, ast.Name) else None
            if not isinstance(loop_var, _LoopVar):
                raise self.error(
                    source,
                    "T.axis.remap binds loop variables; expected the name "
                    "of an enclosing loop's variable",
                )
            loop = loop_var.loop
            # TVM's domain is the loop's range; ours start at 0, so [0, ub) covers [lb, ub).
            result.append(
                ("spatial" if kind == "S" else "reduce", loop.ub, state.outer_dim(loop.iv))
            )
        return result

    # ------------------------------------------------------------------ affine expressions

    def _affine(
        self, node: ast.expr, name: Callable[[ast.Name], AffineExpr | None], what: str
    ) -> AffineExpr:
        expected = (
            f"expected {what}: an affine expression (+, -, * by a constant, // and % "
            f"by a positive constant)"
        )
        match node:
            case ast.Constant(value=int() as value) if not isinstance(value, bool):
                return AffineExpr.constant(value)
            case ast.Name():
                result = name(node)
                if result is not None:
                    return result
                local = self.lookup(node.id)
                if local is None:
                    found, value = self.python_value(node.id)
                    if not found:
                        raise self.error(node, f"undefined variable '{node.id}'")
                    if isinstance(value, int) and not isinstance(value, bool):
                        return AffineExpr.constant(value)
                raise self.error(
                    node,
                    f"{expected}; '{node.id}' is "
                    f"{'a ' + _describe(local) if local else 'not an integer'}",
                )
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -self._affine(operand, name, what)
            case ast.BinOp(op=op, left=left, right=right) if isinstance(
                op, ast.Add | ast.Sub | ast.Mult | ast.FloorDiv | ast.Mod
            ):
                a, b = self._affine(left, name, what), self._affine(right, name, what)
                if isinstance(op, ast.Add):
                    return a + b
                if isinstance(op, ast.Sub):
                    return a - b
                if isinstance(op, ast.Mult):
                    if isinstance(a, AffineConstantExpr) or isinstance(b, AffineConstantExpr):
                        return a * b
                    raise self.error(node, f"{expected}; a product of two variables is not affine")
                if not isinstance(b, AffineConstantExpr) or b.value <= 0:
                    raise self.error(right, f"{expected}; the divisor must be a positive constant")
                return a // b.value if isinstance(op, ast.FloorDiv) else a % b.value
        raise self.error(node, expected)

    def _outer_affine(self, node: ast.expr, state: _BlockState) -> AffineExpr:
        """A binding or predicate: over loop variables (and this block's iterators, which
        stand for their bindings)."""

        def name(n: ast.Name) -> AffineExpr | None:
            entry = self.lookup(n.id)
            if isinstance(entry, _LoopVar):
                return state.outer_dim(entry.loop.iv)
            if isinstance(entry, _Iter) and any(entry is it for it in state.iters):
                return entry.binding
            return None

        return self._affine(node, name, "an iterator binding over loop variables")

    def _iter_affine(self, node: ast.expr, state: _BlockState) -> AffineExpr:
        """A region index: over the block's iterators."""

        def name(n: ast.Name) -> AffineExpr | None:
            entry = self.lookup(n.id)
            for position, it in enumerate(state.iters):
                if entry is it:
                    return AffineExpr.dimension(position)
            if isinstance(entry, _LoopVar):
                raise self.error(
                    n,
                    f"loop variable '{n.id}' is used in a region of block "
                    f'"{state.name}"; index with its block iterators',
                )
            return None

        return self._affine(node, name, "a region index over block iterators")

    def _constraints(self, node: ast.expr, state: _BlockState) -> list[AffineConstraintExpr]:
        match node:
            case ast.BoolOp(op=ast.And(), values=values):
                return [c for v in values for c in self._constraints(v, state)]
            case ast.Call() if self.call_name(node) in ("all", "likely"):
                return [c for v in node.args for c in self._constraints(v, state)]
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                result = []
                lhs = left
                for op, rhs in zip(ops, comparators):
                    if type(op) not in _CONSTRAINT:
                        raise self.error(node, "T.where supports <, <=, >, >=, == and `and`")
                    result.append(
                        make_constraint(
                            self._outer_affine(lhs, state),
                            _CONSTRAINT[type(op)],
                            self._outer_affine(rhs, state),
                        )
                    )
                    lhs = rhs
                return result
        raise self.error(
            node,
            "expected a T.where condition: affine comparisons (<, <=, >, >=, "
            "==) of loop variables joined by `and`",
        )

    # ------------------------------------------------------------------ block bodies

    def _body_statement(
        self, stmt: ast.stmt, state: _BlockState, out: list[_Store | _LetStmt]
    ) -> None:
        match stmt:
            case ast.Pass() | ast.Expr(value=ast.Constant(value=str())):
                return
            case ast.Assign(targets=[ast.Subscript() as target], value=value):
                self._store(target, self._value(value, state), stmt, state, out)
                return
            case ast.AugAssign(target=ast.Subscript() as target, op=op, value=value) if (
                type(op) in _ARITH
            ):
                current = self._value(target, state)
                rhs = self._value(value, state)
                self._store(
                    target, self._arith(_ARITH[type(op)], current, rhs, stmt), stmt, state, out
                )
                return
            case ast.Assign(targets=[ast.Name(id=name)], value=value):
                expr = self._value(value, state)
                self.define(name, _Let(expr), stmt.targets[0])
                if isinstance(expr, Expr) and not isinstance(expr, Const | IterVar):
                    out.append(_LetStmt(expr, stmt))
                return
            case ast.Expr(value=ast.Call() as call) if self.call_name(call) == "evaluate":
                return
            case ast.If():
                raise self.error(
                    stmt,
                    "`if` statements are not supported in a block; use "
                    "T.where(cond) for a predicate or T.if_then_else(cond, a, "
                    "b) for a value",
                )
        raise self.error(
            stmt,
            f"unsupported statement {_stmt_kind(stmt)} in block "
            f'"{state.name}"; expected buffer stores `B[i, j] = expr`',
        )

    def _buffer(self, node: ast.expr) -> _Buffer:
        if isinstance(node, ast.Name):
            entry = self.lookup(node.id)
            if isinstance(entry, _Buffer):
                return entry
            if entry is None and not self.python_value(node.id)[0]:
                raise self.error(node, f"undefined variable '{node.id}'")
            what = _describe(entry) if entry is not None else "Python value"
            raise self.error(node, f"'{node.id}' is a {what}, not a buffer")
        raise self.error(node, "expected a buffer name")

    def _index_nodes(self, node: ast.Subscript) -> list[ast.expr]:
        key = node.slice
        return list(key.elts) if isinstance(key, ast.Tuple) else [key]

    def _indices(
        self, node: ast.Subscript, buffer: _Buffer, state: _BlockState
    ) -> tuple[Expr, ...]:
        nodes = self._index_nodes(node)
        if len(nodes) != len(buffer.shape):
            raise self.error(
                node,
                f"buffer '{buffer.name}' has rank {len(buffer.shape)} "
                f"(shape {buffer.shape}) but is indexed with {len(nodes)} "
                f"indices",
            )
        values = []
        for index in nodes:
            if isinstance(index, ast.Slice):
                raise self.error(
                    index,
                    "a slice is only allowed in T.reads/T.writes; index "
                    "with one value per dimension",
                )
            values.append(self._value(index, state))
        try:
            return index_exprs(values)
        except TypeError as err:
            raise self.error(node, f"buffer '{buffer.name}': {err}") from None

    def _store(
        self,
        target: ast.Subscript,
        value: Expr | float | bool,
        stmt: ast.stmt,
        state: _BlockState,
        out: list[_Store | _LetStmt],
    ) -> None:
        buffer = self._buffer(target.value)
        indices = self._indices(target, buffer, state)
        if _is_number(value):
            try:
                value = const(value, buffer.dtype)  # type: ignore[arg-type]
            except TypeError as err:
                raise self.error(
                    stmt,
                    f"cannot store {value!r} into {buffer.dtype} buffer '{buffer.name}': {err}",
                ) from None
        assert isinstance(value, Expr)
        if value.dtype != buffer.dtype:
            raise self.error(
                stmt,
                f"cannot store a value of dtype {value.dtype} into {buffer.dtype} "
                f"buffer '{buffer.name}'; convert with T.Cast(\""
                f'{buffer.dtype}", x) or T.{buffer.dtype}(x)',
            )
        state.accesses.append(_Access(buffer, indices, target, True))
        out.append(_Store(buffer, indices, value, stmt))
        self.written.add(buffer)

    # ------------------------------------------------------------------ scalar expressions

    def _value(self, node: ast.expr, state: _BlockState) -> Expr | int | float | bool:
        """A block-body expression as a te expression (or a Python number)."""
        match node:
            case ast.Constant(value=value) if _is_number(value):
                return value
            case ast.Name(id=name):
                return self._name_value(node, name, state)
            case ast.Subscript():
                buffer = self._buffer(node.value)
                indices = self._indices(node, buffer, state)
                state.accesses.append(_Access(buffer, indices, node, False))
                return Load(buffer.tensor, indices, buffer.dtype)
            case ast.BinOp(op=op, left=left, right=right) if type(op) in _ARITH:
                return self._arith(
                    _ARITH[type(op)], self._value(left, state), self._value(right, state), node
                )
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                x = self._value(operand, state)
                return -x if _is_number(x) else self._guard(node, lambda: -x)  # type: ignore[operator]
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return self._value(operand, state)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                x = self._bool(operand, state)
                return self._guard(node, lambda: compare("eq", x, const(False, "bool")))
            case ast.BoolOp(op=op, values=values):
                args = tuple(self._bool(v, state) for v in values)
                return Logical("and" if isinstance(op, ast.And) else "or", args)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                parts = []
                lhs = self._value(left, state)
                for op, rhs_node in zip(ops, comparators):
                    if type(op) not in _COMPARE:
                        raise self.error(node, "unsupported comparison (use <, <=, >, >=, ==, !=)")
                    rhs = self._value(rhs_node, state)
                    parts.append(
                        self._guard(
                            node, lambda a=lhs, b=rhs, o=op: compare(_COMPARE[type(o)], a, b)
                        )
                    )
                    lhs = rhs
                return parts[0] if len(parts) == 1 else Logical("and", tuple(parts))
            case ast.IfExp(test=test, body=body, orelse=orelse):
                cond = self._bool(test, state)
                t, f = self._value(body, state), self._value(orelse, state)
                return self._guard(node, lambda: te.if_then_else(cond, t, f))
            case ast.Call():
                return self._call(node, state)
        raise self.error(node, f"unsupported expression {_expr_kind(node)} in a block body")

    def _name_value(
        self, node: ast.Name, name: str, state: _BlockState
    ) -> Expr | int | float | bool:
        entry = self.lookup(name)
        if isinstance(entry, _Iter):
            if not any(entry is it for it in state.iters):
                raise self.error(node, f"iterator '{name}' belongs to another block")
            return entry.var
        if isinstance(entry, _Let):
            return entry.expr
        if isinstance(entry, _LoopVar):
            raise self.error(
                node,
                f"loop variable '{name}' is used inside block "
                f'"{state.name}"; bind it to a block iterator '
                f"(T.axis.spatial/reduce/remap) and use that",
            )
        if isinstance(entry, _Buffer):
            raise self.error(node, f"buffer '{name}' is used as a value; index it: {name}[...]")
        found, value = self.python_value(name)
        if not found:
            raise self.error(node, f"undefined variable '{name}'")
        if not _is_number(value):
            raise self.error(
                node,
                f"'{name}' is a Python {type(value).__name__}, not a number "
                f"usable in a tensor program",
            )
        return value

    def _bool(self, node: ast.expr, state: _BlockState) -> Expr:
        value = self._value(node, state)
        if isinstance(value, bool):
            return const(value, "bool")
        if not isinstance(value, Expr) or value.dtype != "bool":
            raise self.error(node, "expected a condition (a comparison)")
        return value

    def _guard(self, node: ast.AST, build: Callable[[], Any]) -> Any:
        """Run a te constructor; its TypeError/ValueError becomes a located error."""
        try:
            return build()
        except (TypeError, ValueError, IndexError) as err:
            raise self.error(node, str(err)) from None

    def _arith(self, op: str, a: Any, b: Any, node: ast.AST) -> Expr | int | float:
        if _is_number(a) and _is_number(b):
            return self._guard(node, lambda: _fold(op, a, b))
        return self._guard(node, lambda: binary(op, a, b))

    def _call(self, node: ast.Call, state: _BlockState) -> Expr | int | float | bool:
        name = self.call_name(node)
        if name is None:
            raise self.error(node.func, "only T.* functions can be called in a block body")
        if node.keywords and name not in ("Cast", "cast"):
            raise self.error(node, f"T.{name}: keyword arguments are not supported")
        if name in _DTYPE_CTORS:
            args = self._args(node, state, 1, name)
            return self._guard(
                node,
                lambda: cast(name, args[0]) if isinstance(args[0], Expr) else const(args[0], name),
            )
        if name in ("Cast", "cast"):
            return self._cast(node, state)
        if name in _UNARY:
            args = self._args(node, state, 1, name)
            return self._guard(node, lambda: _UNARY[name](args[0]))
        if name in _BINARY:
            a, b = self._args(node, state, 2, name)
            return self._arith(_BINARY[name], a, b, node)
        if name in ("if_then_else", "Select"):
            if len(node.args) != 3:
                raise self.error(node, f"expected T.{name}(cond, true_value, false_value)")
            cond = self._bool(node.args[0], state)
            t, f = self._value(node.args[1], state), self._value(node.args[2], state)
            return self._guard(node, lambda: te.if_then_else(cond, t, f))
        if name == "likely":
            if len(node.args) != 1:
                raise self.error(node, "T.likely takes one condition")
            return self._bool(node.args[0], state)
        if name in ("all", "any"):
            conds = tuple(self._bool(a, state) for a in node.args)
            if not conds:
                raise self.error(node, f"T.{name} needs at least one condition")
            return conds[0] if len(conds) == 1 else Logical("and" if name == "all" else "or", conds)
        if name in ("min_value", "max_value"):
            if len(node.args) != 1:
                raise self.error(node, f"expected T.{name}(dtype)")
            return _extreme(name, self.dtype(node.args[0]))
        raise self.error(node, f"T.{name}(...) cannot be used in an expression")

    def _args(self, node: ast.Call, state: _BlockState, count: int, name: str) -> list[Any]:
        if len(node.args) != count:
            raise self.error(
                node, f"T.{name} takes {count} argument{'s' * (count != 1)}, got {len(node.args)}"
            )
        return [self._value(a, state) for a in node.args]

    def _cast(self, node: ast.Call, state: _BlockState) -> Expr:
        args = list(node.args) + [k.value for k in node.keywords]
        if len(args) != 2:
            raise self.error(node, "expected T.Cast(dtype, value)")
        first_is_dtype = isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)
        dtype_node, value_node = (args[0], args[1]) if first_is_dtype else (args[1], args[0])
        dtype = self.dtype(dtype_node)
        value = self._value(value_node, state)
        return self._guard(node, lambda: cast(dtype, value))

    # ------------------------------------------------------------------ building a block

    def _build_block(self, state: _BlockState, insert: Block) -> None:
        emitter = _Emitter([it.var for it in state.iters], self.buffers)
        writes = (
            self._declared(state.writes, state)
            if state.writes
            else self._inferred(state, emitter, writes=True)
        )
        reads = (
            self._declared(state.reads, state)
            if state.reads
            else self._inferred(state, emitter, writes=False)
        )
        if state.reads or state.writes:
            self._check_declared(state, emitter, reads, writes)
        n_outer = len(state.outer)
        bindings = AffineMap(n_outer, 0, tuple(it.binding for it in state.iters))
        predicate = AffineSet(n_outer, 0, tuple(state.constraints)) if state.constraints else None
        block = BlockOp(
            state.name,
            [(it.var.kind, it.var.extent) for it in state.iters],
            bindings,
            state.outer,
            reads=[(b.value, r) for b, r in reads],
            writes=[(b.value, r) for b, r in writes],
            predicate=predicate,
            annotations=state.annotations or None,
            iter_names=[it.var.name for it in state.iters],
        )
        insert.add_op(self.locate(block, state.node))
        emitter.values = dict(zip(emitter.iter_vars, block.iter_vars))
        body = block.body.block
        if state.init is not None:
            init = InitOp()
            body.add_op(self.locate(init, state.node))
            for store in state.init:
                self._emit_store(emitter, init.body.block, store)
        for store in state.stores:
            self._emit_store(emitter, body, store)

    def _emit_store(self, emitter: _Emitter, body: Block, store: _Store | _LetStmt) -> None:
        emitter.body = body
        if isinstance(store, _LetStmt):
            emitter.lets[id(store.expr)] = emitter.emit(store.expr)
        else:
            value = emitter.emit(store.value)
            indices = [emitter.emit(i) for i in store.indices]
            emitter.add(memref.StoreOp.get(value, store.buffer.value, indices))
        for op in body.ops:
            if isinstance(op.location, UnknownLoc):
                self.locate(op, store.node)

    def _inferred(
        self, state: _BlockState, emitter: _Emitter, writes: bool
    ) -> list[tuple[_Buffer, AccessRegionAttr]]:
        """TVM's region detection: per buffer, the union of its accesses, in order of first
        access; with an init part, written buffers are not reads."""
        written = {a.buffer for a in state.accesses if a.is_write}
        points: dict[_Buffer, list[tuple[AffineExpr, ...] | None]] = {}
        for access in state.accesses:
            if access.is_write != writes:
                continue
            if not writes and state.init is not None and access.buffer in written:
                continue
            indices = [emitter._affine(i) for i in access.indices]
            point = None if any(i is None for i in indices) else tuple(indices)
            points.setdefault(access.buffer, []).append(point)  # type: ignore[arg-type]
        n = len(state.iters)
        result = []
        for buffer, accesses in points.items():
            starts, extents = _union(accesses, buffer.shape)
            result.append((buffer, AccessRegionAttr(AffineMap(n, 0, starts), extents)))
        return result

    def _declared(
        self, call: ast.Call, state: _BlockState
    ) -> list[tuple[_Buffer, AccessRegionAttr]]:
        """Regions from `T.reads(A[vi, 0:128], ...)` (or a list of them)."""
        items: list[ast.expr] = []
        for arg in call.args:
            items.extend(arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg])
        n = len(state.iters)
        result: list[tuple[_Buffer, AccessRegionAttr]] = []
        for item in items:
            if isinstance(item, ast.Name):  # a whole buffer
                buffer = self._buffer(item)
                starts = tuple(AffineExpr.constant(0) for _ in buffer.shape)
                result.append((buffer, AccessRegionAttr(AffineMap(n, 0, starts), buffer.shape)))
                continue
            if not isinstance(item, ast.Subscript):
                raise self.error(item, "expected a buffer region like A[vi, 0:128]")
            buffer = self._buffer(item.value)
            nodes = self._index_nodes(item)
            if len(nodes) != len(buffer.shape):
                raise self.error(
                    item,
                    f"buffer '{buffer.name}' has rank {len(buffer.shape)} but "
                    f"the region has {len(nodes)} indices",
                )
            starts_list: list[AffineExpr] = []
            extents: list[int] = []
            for dim, index in enumerate(nodes):
                if not isinstance(index, ast.Slice):
                    starts_list.append(self._iter_affine(index, state))
                    extents.append(1)
                    continue
                if index.step is not None:
                    raise self.error(index.step, "a region range cannot have a step")
                start = (
                    self._iter_affine(index.lower, state)
                    if index.lower is not None
                    else AffineExpr.constant(0)
                )
                stop = (
                    self._iter_affine(index.upper, state)
                    if index.upper is not None
                    else AffineExpr.constant(buffer.shape[dim])
                )
                width = constant_difference(stop, start)
                if width is None or width <= 0:
                    raise self.error(
                        index, "a region range start:stop must have a constant positive width"
                    )
                starts_list.append(start)
                extents.append(width)
            result.append((buffer, AccessRegionAttr(AffineMap(n, 0, tuple(starts_list)), extents)))
        return result

    def _check_declared(
        self,
        state: _BlockState,
        emitter: _Emitter,
        reads: list[tuple[_Buffer, AccessRegionAttr]],
        writes: list[tuple[_Buffer, AccessRegionAttr]],
    ) -> None:
        """Every access must fall in a declared region (loads: reads or writes)."""
        for access in state.accesses:
            allowed = writes if access.is_write else reads + writes
            what = "T.writes" if access.is_write else "T.reads (or T.writes)"
            regions = [r for b, r in allowed if b is access.buffer]
            if not regions:
                verb = "writes" if access.is_write else "reads"
                raise self.error(
                    access.node,
                    f'block "{state.name}" {verb} buffer '
                    f"'{access.buffer.name}', which its {what} does "
                    f"not list",
                )
            point = [emitter._affine(i) for i in access.indices]
            domains = [it.var.extent for it in state.iters]
            if not any(_inside(point, region, domains) for region in regions):
                raise self.error(
                    access.node,
                    f"this access to '{access.buffer.name}' is outside "
                    f"the region its {what} declares",
                )


# ============================================================================ small helpers


def _inside(
    point: Sequence[AffineExpr | None], region: AccessRegionAttr, domains: Sequence[int]
) -> bool:
    """False when `point` leaves `region` for some iterator values in their domains (an
    index the analysis cannot bound counts as inside)."""
    ranges = [(0, extent - 1) for extent in domains]
    for index, start, extent in zip(point, region.map.results, region.extent_values):
        if index is None:
            continue
        offset = index - start
        if offset.is_pure_affine():
            offset = offset.simplify(len(domains), 0)
        span = expr_range(offset, ranges)
        if span is not None and (span[0] < 0 or span[1] >= extent):
            return False
    return True


def _fold(op: str, a: Any, b: Any) -> Any:
    match op:
        case "add":
            return a + b
        case "sub":
            return a - b
        case "mul":
            return a * b
        case "div":
            return a / b
        case "floordiv":
            return a // b
        case "floormod":
            return a % b
        case "pow":
            return a**b
        case "max":
            return builtins.max(a, b)
        case "min":
            return builtins.min(a, b)
    raise ValueError(f"unknown operator {op}")


def _extreme(name: str, dtype: str) -> Const:
    import numpy as np

    info = np.finfo(dtype) if is_float(dtype) else np.iinfo(dtype)
    value = info.min if name == "min_value" else info.max
    return const(float(value) if is_float(dtype) else int(value), dtype)


def _describe(entry: Any) -> str:
    return {
        _Buffer: "buffer", _LoopVar: "loop variable", _Iter: "block iterator",
        _Let: "local value",
    }.get(type(entry), type(entry).__name__)  # fmt: skip


def _looks_like_tvm(value: Any) -> bool:
    return getattr(value, "__name__", "").startswith("tvm")


def _stmt_kind(stmt: ast.stmt) -> str:
    return {
        ast.If: "`if`", ast.While: "`while`", ast.Return: "`return`", ast.Assign: "assignment",
        ast.AugAssign: "augmented assignment", ast.Expr: "expression", ast.With: "`with`",
        ast.FunctionDef: "nested `def`",
    }.get(type(stmt), type(stmt).__name__)  # fmt: skip


def _expr_kind(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return f"constant {node.value!r}"
    return type(node).__name__


__all__ = ["ScriptError", "SourceInfo", "parse_function", "parse_source", "verify_module"]
