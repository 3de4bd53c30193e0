"""Element types <-> numpy dtypes, the one mapping every level and the runtime share.

bf16 has no numpy dtype: arrays of bf16 tensors are float32 holding bf16-representable values.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    Signedness,
)
from xdsl.ir import Attribute

_BY_NAME: dict[str, np.dtype] = {
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.float32),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "i1": np.dtype(np.bool_),
    "i8": np.dtype(np.int8),
    "i16": np.dtype(np.int16),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
    "index": np.dtype(np.int64),
}

_NUMPY_NAMES = {"float16": "f16", "float32": "f32", "float64": "f64", "bool": "i1",
                "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64"}


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype that holds elements of `element_type`."""
    match element_type:
        case Float16Type():
            return _BY_NAME["f16"]
        case BFloat16Type():
            return _BY_NAME["bf16"]
        case Float32Type():
            return _BY_NAME["f32"]
        case Float64Type():
            return _BY_NAME["f64"]
        case IndexType():
            return _BY_NAME["index"]
        case IntegerType() if element_type.signedness.data == Signedness.SIGNLESS:
            key = f"i{element_type.width.data}"
            if key in _BY_NAME:
                return _BY_NAME[key]
    raise TypeError(f"element type {element_type} has no numpy representation")


def element_type(dtype: str | np.dtype | type) -> Attribute:
    """The element type of a numpy dtype or a short name (`"f32"`, `"float32"`, `np.int64`)."""
    if isinstance(dtype, str) and dtype in _BY_NAME:
        key = dtype
    else:
        key = _NUMPY_NAMES.get(np.dtype(dtype).name, "")
    match key:
        case "f16":
            return Float16Type()
        case "bf16":
            return BFloat16Type()
        case "f32":
            return Float32Type()
        case "f64":
            return Float64Type()
        case "index":
            return IndexType()
        case str() if key.startswith("i"):
            return IntegerType(int(key[1:]))
    raise ValueError(f"no element type for dtype {dtype!r}")
