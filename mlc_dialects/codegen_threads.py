"""The thread runtime of compiled code: libgomp, loaded into this process for the JIT.

`convert-hw-to-llvm` lowers `hw.parallel_launch` to calls of libgomp (`GOMP_parallel`,
`omp_get_thread_num`, `omp_get_num_threads`, `omp_get_num_procs`). MCJIT resolves external
symbols against the process, so libgomp must be loaded (globally, with
`llvmlite.binding.load_library_permanently`) before a module that launches threads is
compiled. `load_thread_runtime()` does that once; it is separate from the backend
(`mlc_dialects.codegen`), which loads libgomp too when it finds it, so that lowering code can
guarantee the runtime without depending on how the backend looks for libraries.

Thread count: compiled code reads `MLC_NUM_THREADS` at each launch (see
`passes/convert_hw_to_llvm.py`); `num_threads()` is the same rule in Python.
"""

from __future__ import annotations

import ctypes.util
import functools
import os

import llvmlite.binding as llvm

ENV_VAR = "MLC_NUM_THREADS"

_CANDIDATES = ("libgomp.so.1", "/lib/x86_64-linux-gnu/libgomp.so.1",
               "/usr/lib/x86_64-linux-gnu/libgomp.so.1", "libgomp.so")


@functools.cache
def load_thread_runtime() -> str:
    """Load libgomp into the process for JIT-compiled code; return its path.

    Raises RuntimeError naming what was tried when libgomp is not installed.
    """
    found = ctypes.util.find_library("gomp")
    candidates = ((found,) if found else ()) + _CANDIDATES
    errors = []
    for path in candidates:
        try:
            llvm.load_library_permanently(path)
        except RuntimeError as err:
            errors.append(f"{path}: {err}")
            continue
        return path
    raise RuntimeError("cannot load libgomp, the thread runtime of parallel code (install "
                       "libgomp1); tried " + "; ".join(errors))


def num_threads() -> int:
    """Threads a launch uses now: MLC_NUM_THREADS if set and positive, else every core."""
    value = os.environ.get(ENV_VAR, "")
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count > 0:
        return count
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
