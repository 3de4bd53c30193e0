"""Traces: the schedule as data, printable as Python, storable as JSON, replayable.

Every call of a `Schedule` primitive appends an `Instruction`: the method name (`kind`), its
arguments (random variables, integers, strings, lists, ...), the random variables it returned
and, for sampling primitives, the `decision` that was taken. A trace replayed on a fresh
schedule of the same program (`trace.apply_to_schedule(sch)`) takes the same decisions and
therefore produces the same program.

Text form (TVM's): a Python function that a course user could paste and run; random variables
are named by kind and position: `b` blocks, `l` loops, `v` integers.

```python
def apply_trace(sch):
  b0 = sch.get_block(name="Y", func_name="main")
  l1, l2, l3 = sch.get_loops(block=b0)
  v4, v5 = sch.sample_perfect_tile(loop=l2, n=2, max_innermost_factor=16, decision=[16, 8])
  l6, l7 = sch.split(loop=l2, factors=[v4, v5], preserve_unit_iters=True)
  sch.reorder(l1, l6, l3, l7)
  b8 = sch.decompose_reduction(block=b0, loop=l3)
```

`Trace.parse(text)` reads it back with Python's `ast` module (never `exec`): only calls of
known schedule methods with literal arguments and previously defined names are accepted.

JSON form (`trace.as_json()`, `Trace.from_json(data)`), for tuning databases; a random variable
is `{"rv": "l2"}` so that it cannot be confused with a string argument:

```json
{"format": "mlc-schedule-trace", "version": 1, "instructions": [
  {"kind": "get_block", "args": [], "kwargs": {"name": "Y", "func_name": "main"},
   "outputs": ["b0"]},
  {"kind": "sample_perfect_tile", "args": [],
   "kwargs": {"loop": {"rv": "l2"}, "n": 2, "max_innermost_factor": 16},
   "outputs": ["v4", "v5"], "decision": [16, 8]}]}
```
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dialects.tensor.schedule.errors import ScheduleError, TraceError
from dialects.tensor.schedule.rv import RV, BlockRV, ExprRV, LoopRV

if TYPE_CHECKING:
    from dialects.tensor.schedule.schedule import Schedule

JSON_FORMAT = "mlc-schedule-trace"
JSON_VERSION = 1

LIST_KINDS = frozenset(
    {"get_loops", "get_child_blocks", "get_producers", "get_consumers", "split",
     "sample_perfect_tile"}
)  # fmt: skip
"""Instructions that return a list of random variables (printed `a, b = ...`)."""

SAMPLING_KINDS = frozenset({"sample_perfect_tile", "sample_categorical"})
"""Instructions that take a decision (recorded, and passed back on replay)."""

KINDS = frozenset(
    {
        "get_block", "get_loops", "get_child_blocks", "get_producers", "get_consumers",
        "split", "fuse", "reorder", "parallel", "vectorize", "unroll", "annotate",
        "unannotate", "compute_at", "reverse_compute_at", "compute_inline",
        "reverse_compute_inline", "decompose_reduction", "rfactor", "cache_read",
        "cache_write", "blockize", "tensorize", "sample_perfect_tile", "sample_categorical",
        "enter_postproc",
    }
)  # fmt: skip
"""The schedule methods a trace may call; anything else is rejected by `Trace.parse`."""

_RV_CLASSES: dict[str, type[RV]] = {"b": BlockRV, "l": LoopRV, "v": ExprRV}


@dataclass
class Instruction:
    """One recorded schedule call: `outputs = sch.<kind>(*args, **kwargs, decision=...)`."""

    kind: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[RV, ...] = ()
    decision: Any = None


def _walk_values(value: Any) -> list[RV]:
    if isinstance(value, RV):
        return [value]
    if isinstance(value, list | tuple):
        return [rv for item in value for rv in _walk_values(item)]
    return []


class Trace:
    """An immutable-by-convention list of instructions (see the module docstring)."""

    def __init__(self, instructions: Sequence[Instruction] = ()):
        self.insts: list[Instruction] = list(instructions)

    # ------------------------------------------------------------------ decisions

    @property
    def decisions(self) -> dict[int, Any]:
        """Index of each sampling instruction -> its decision."""
        return {
            i: inst.decision for i, inst in enumerate(self.insts) if inst.kind in SAMPLING_KINDS
        }

    def with_decision(self, index: int, decision: Any, remove_postproc: bool = False) -> Trace:
        """A copy with the decision of instruction `index` replaced (for mutators)."""
        insts = list(self.insts)
        if not 0 <= index < len(insts) or insts[index].kind not in SAMPLING_KINDS:
            raise TraceError(f"instruction {index} is not a sampling instruction")
        old = insts[index]
        insts[index] = Instruction(old.kind, old.args, dict(old.kwargs), old.outputs, decision)
        trace = Trace(insts)
        return trace.without_postproc() if remove_postproc else trace

    def without_postproc(self) -> Trace:
        """The instructions before `enter_postproc()`."""
        for index, inst in enumerate(self.insts):
            if inst.kind == "enter_postproc":
                return Trace(self.insts[:index])
        return Trace(self.insts)

    # ------------------------------------------------------------------ naming

    def _names(self) -> dict[RV, str]:
        names: dict[RV, str] = {}
        counter = 0
        for inst in self.insts:
            for rv in inst.outputs:
                if rv not in names:
                    names[rv] = f"{rv.prefix}{counter}"
                    counter += 1
        return names

    # ------------------------------------------------------------------ text

    def as_python(self, func_name: str = "apply_trace") -> str:
        """The trace as the body of `def apply_trace(sch):` (module docstring)."""
        names = self._names()
        lines = [f"def {func_name}(sch):"]
        for inst in self.insts:
            lines.append("  " + self._line(inst, names))
        if not self.insts:
            lines.append("  pass")
        return "\n".join(lines) + "\n"

    def _line(self, inst: Instruction, names: Mapping[RV, str]) -> str:
        def render(value: Any) -> str:
            if isinstance(value, RV):
                if value not in names:
                    raise TraceError(f"{type(value).__name__} used before it was defined")
                return names[value]
            if isinstance(value, list | tuple):
                return "[" + ", ".join(render(v) for v in value) + "]"
            if isinstance(value, str):
                return json.dumps(value)
            return repr(value)

        parts = [render(a) for a in inst.args]
        parts += [f"{key}={render(value)}" for key, value in inst.kwargs.items()]
        if inst.kind in SAMPLING_KINDS:
            parts.append(f"decision={render(inst.decision)}")
        call = f"sch.{inst.kind}({', '.join(parts)})"
        outs = [names[rv] for rv in inst.outputs]
        if inst.kind in LIST_KINDS:
            if not outs:
                return f"_ = {call}"
            return f"{', '.join(outs)}{',' if len(outs) == 1 else ''} = {call}"
        if outs:
            return f"{outs[0]} = {call}"
        return call

    def __str__(self) -> str:
        return self.as_python()

    def __repr__(self) -> str:
        return f"Trace({len(self.insts)} instructions)"

    def show(self) -> None:
        print(self.as_python())

    @staticmethod
    def parse(text: str) -> Trace:
        """Read the text form back (module docstring); raises TraceError on anything else."""
        try:
            module = ast.parse(text)
        except SyntaxError as error:
            raise TraceError(f"trace is not valid Python: {error}") from error
        functions = [node for node in module.body if isinstance(node, ast.FunctionDef)]
        if len(functions) != 1 or not functions[0].args.args:
            raise TraceError("a trace is one function `def apply_trace(sch): ...`")
        function = functions[0]
        sch_name = function.args.args[0].arg
        env: dict[str, RV] = {}
        insts: list[Instruction] = []
        for stmt in function.body:
            inst = _parse_statement(stmt, sch_name, env)
            if inst is not None:
                insts.append(inst)
        return Trace(insts)

    # ------------------------------------------------------------------ JSON

    def as_json(self) -> dict[str, Any]:
        """The JSON form as Python data (`json.dumps` it to store)."""
        names = self._names()

        def encode(value: Any) -> Any:
            if isinstance(value, RV):
                return {"rv": names[value]}
            if isinstance(value, list | tuple):
                return [encode(v) for v in value]
            return value

        insts = []
        for inst in self.insts:
            entry: dict[str, Any] = {
                "kind": inst.kind,
                "args": encode(list(inst.args)),
                "kwargs": {key: encode(value) for key, value in inst.kwargs.items()},
                "outputs": [names[rv] for rv in inst.outputs],
            }
            if inst.kind in SAMPLING_KINDS:
                entry["decision"] = encode(inst.decision)
            insts.append(entry)
        return {"format": JSON_FORMAT, "version": JSON_VERSION, "instructions": insts}

    def to_json_str(self) -> str:
        return json.dumps(self.as_json(), indent=1)

    @staticmethod
    def from_json(data: Mapping[str, Any] | str) -> Trace:
        """Read the JSON form (a parsed object or its text)."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as error:
                raise TraceError(f"trace is not valid JSON: {error}") from error
        if not isinstance(data, Mapping) or data.get("format") != JSON_FORMAT:
            raise TraceError(f'a JSON trace is an object with "format": "{JSON_FORMAT}"')
        if data.get("version") != JSON_VERSION:
            raise TraceError(f"unsupported trace version {data.get('version')!r}")
        env: dict[str, RV] = {}

        def decode(value: Any) -> Any:
            if isinstance(value, dict):
                if set(value) != {"rv"} or value["rv"] not in env:
                    raise TraceError(f"undefined random variable {value!r} in JSON trace")
                return env[value["rv"]]
            if isinstance(value, list):
                return [decode(v) for v in value]
            return value

        insts = []
        for index, entry in enumerate(data.get("instructions", [])):
            kind = entry.get("kind") if isinstance(entry, dict) else None
            if kind not in KINDS:
                raise TraceError(f"instruction {index}: unknown kind {kind!r}")
            args = tuple(decode(entry.get("args", [])))
            kwargs = {key: decode(value) for key, value in entry.get("kwargs", {}).items()}
            outputs = tuple(_new_output(name, env) for name in entry.get("outputs", []))
            insts.append(Instruction(kind, args, kwargs, outputs, entry.get("decision")))
        return Trace(insts)

    # ------------------------------------------------------------------ replay

    def apply_to_schedule(
        self,
        sch: Schedule,
        remove_postproc: bool = False,
        decision_provider: Callable[[Instruction, Any], Any] | None = None,
    ) -> None:
        """Replay the instructions on `sch`, with the recorded decisions.

        `decision_provider(inst, decision)` may return a different decision for a sampling
        instruction (None lets the schedule sample afresh).
        """
        env: dict[RV, Any] = {}

        def subst(value: Any) -> Any:
            if isinstance(value, RV):
                if value not in env:
                    raise TraceError(f"{type(value).__name__} used before it was defined")
                return env[value]
            if isinstance(value, list | tuple):
                return [subst(v) for v in value]
            return value

        for index, inst in enumerate(self.insts):
            if inst.kind == "enter_postproc" and remove_postproc:
                break
            args = [subst(a) for a in inst.args]
            kwargs = {key: subst(value) for key, value in inst.kwargs.items()}
            if inst.kind in SAMPLING_KINDS:
                decision = inst.decision
                if decision_provider is not None:
                    decision = decision_provider(inst, decision)
                kwargs["decision"] = decision
            try:
                result = getattr(sch, inst.kind)(*args, **kwargs)
            except ScheduleError as error:
                error.add_note(f"while replaying instruction {index}: {inst.kind}")
                raise
            outputs = _as_outputs(result)
            if len(outputs) != len(inst.outputs):
                raise TraceError(
                    f"instruction {index} ({inst.kind}) returned {len(outputs)} values on "
                    f"replay but {len(inst.outputs)} when recorded"
                )
            env.update(zip(inst.outputs, outputs))


def _as_outputs(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, list | tuple):
        return list(result)
    return [result]


def _new_output(name: str, env: dict[str, RV]) -> RV:
    cls = _RV_CLASSES.get(name[:1], RV)
    rv = cls()
    env[name] = rv
    return rv


# --------------------------------------------------------------------------- text parsing


def _parse_statement(stmt: ast.stmt, sch_name: str, env: dict[str, RV]) -> Instruction | None:
    where = f"line {stmt.lineno}"
    if isinstance(stmt, ast.Pass):
        return None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return None  # a docstring
    targets: list[str] = []
    if isinstance(stmt, ast.Assign):
        if len(stmt.targets) != 1:
            raise TraceError(f"{where}: one assignment target expected")
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            targets = [target.id]
        elif isinstance(target, ast.Tuple | ast.List) and all(
            isinstance(e, ast.Name) for e in target.elts
        ):
            targets = [e.id for e in target.elts]  # type: ignore[union-attr]
        else:
            raise TraceError(f"{where}: assignment targets must be names")
        call = stmt.value
    elif isinstance(stmt, ast.Expr):
        call = stmt.value
    else:
        raise TraceError(f"{where}: only `sch.<primitive>(...)` calls are allowed in a trace")
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == sch_name
    ):
        raise TraceError(f"{where}: expected a call `{sch_name}.<primitive>(...)`")
    kind = call.func.attr
    if kind not in KINDS:
        raise TraceError(f"{where}: unknown schedule primitive '{kind}'")
    args = tuple(_literal(a, env, where) for a in call.args)
    kwargs: dict[str, Any] = {}
    decision = None
    for keyword in call.keywords:
        if keyword.arg is None:
            raise TraceError(f"{where}: `**` arguments are not allowed in a trace")
        value = _literal(keyword.value, env, where)
        if keyword.arg == "decision" and kind in SAMPLING_KINDS:
            decision = value
        else:
            kwargs[keyword.arg] = value
    if targets == ["_"]:  # `_ = sch.get_loops(...)` of an empty result
        targets = []
    outputs = tuple(_new_output(name, env) for name in targets)  # type: ignore[arg-type]
    return Instruction(kind, args, kwargs, outputs, decision)


def _literal(node: ast.expr, env: Mapping[str, RV], where: str) -> Any:
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise TraceError(f"{where}: '{node.id}' is not defined by an earlier instruction")
        return env[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e, env, where) for e in node.elts]
    try:
        return ast.literal_eval(node)
    except ValueError as error:
        raise TraceError(
            f"{where}: arguments must be names, numbers, strings, booleans, None or lists"
        ) from error
