"""Attributes of the `hw` dialect: the target machine."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IntAttr, StringAttr
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

_KEYS = ("triple", "cpu", "features", "vector_bits", "num_threads")

TARGET_ATTR = "hw.target"
"""Name of the module attribute holding the `#hw.target` that code is generated for."""


@irdl_attr_definition
class TargetAttr(ParametrizedAttribute):
    """The machine code is generated for: LLVM triple, CPU name, features, vector width, threads.

    `vector_bits` is the widest SIMD register generated code uses (512 on AVX-512, 256 on
    AVX2); `num_threads` is the thread count of parallel launches, 0 meaning "decided at call
    time" (`MLC_NUM_THREADS`, else every core). `TargetAttr.host()` describes this machine.
    A module carries it as `hw.target`; passes that need a target read it from there, else use
    the host.

    Example:
    ```mlir
    builtin.module attributes {hw.target = #hw.target<triple = "x86_64-unknown-linux-gnu",
        cpu = "rocketlake", features = "+avx512f,+fma", vector_bits = 512, num_threads = 0>} {}
    ```
    """

    name = "hw.target"

    triple: StringAttr
    cpu: StringAttr
    features: StringAttr
    vector_bits: IntAttr
    num_threads: IntAttr

    def __init__(self, triple: str, cpu: str, features: str, vector_bits: int,
                 num_threads: int = 0):
        super().__init__(StringAttr(triple), StringAttr(cpu), StringAttr(features),
                         IntAttr(vector_bits), IntAttr(num_threads))

    @staticmethod
    def host(num_threads: int = 0) -> TargetAttr:
        """This machine, as the backend sees it (`mlc_dialects.codegen.Target.host()`)."""
        from mlc_dialects.codegen.target import Target

        host = Target.host()
        return TargetAttr(host.triple, host.cpu, host.features, host.vector_bits, num_threads)

    def lanes(self, element_bytes: int) -> int:
        """Elements of `element_bytes` in one vector register (16 f32 at 512 bits)."""
        return max(1, self.vector_bits.data // (8 * element_bytes))

    def verify(self) -> None:
        bits = self.vector_bits.data
        if bits < 8 or bits & (bits - 1):
            raise VerifyException(f"vector_bits must be a power of two >= 8, got {bits}")
        if self.num_threads.data < 0:
            raise VerifyException(f"num_threads must be >= 0, got {self.num_threads.data}")

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(f"triple = {self.triple}, cpu = {self.cpu}, ")
            printer.print_string(f"features = {self.features}, ")
            printer.print_string(f"vector_bits = {self.vector_bits.data}, ")
            printer.print_string(f"num_threads = {self.num_threads.data}")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        values: dict[str, Attribute] = {}

        def parse_entry() -> None:
            key = parser.parse_identifier()
            if key not in _KEYS:
                parser.raise_error(f"unknown #hw.target key '{key}' (expected "
                                   f"{', '.join(_KEYS)})")
            parser.parse_punctuation("=")
            if key in ("vector_bits", "num_threads"):
                values[key] = IntAttr(parser.parse_integer(allow_boolean=False))
            else:
                values[key] = StringAttr(parser.parse_str_literal())

        parser.parse_comma_separated_list(parser.Delimiter.ANGLE, parse_entry)
        missing = [k for k in _KEYS[:4] if k not in values]
        if missing:
            parser.raise_error(f"#hw.target needs {', '.join(missing)}")
        return (values["triple"], values["cpu"], values["features"], values["vector_bits"],
                values.get("num_threads", IntAttr(0)))
