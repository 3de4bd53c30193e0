"""Parallel launches run on real threads (libgomp) and MLC_NUM_THREADS is read at call time."""

from __future__ import annotations

import os

import numpy as np
import programs
from test_tensor_to_loops import random_arguments
from xdsl.parser import Parser

from mlc_dialects.codegen_threads import num_threads
from mlc_dialects.lowering import _context, compile_tensor_module

# Each thread writes its omp thread id over its chunk, and the team size at slot tid.
THREAD_IDS = """
func.func @tids(%T: memref<64xi32>, %N: memref<8xi32>) {
  hw.parallel_launch (%tid, %nthreads) range(%lo, %hi) = 0 to 64 step 1 THREADS
      captures(%t = %T : memref<64xi32>, %n = %N : memref<8xi32>) {
    %c1 = arith.constant 1 : index
    %id = arith.index_cast %tid : index to i32
    %count = arith.index_cast %nthreads : index to i32
    memref.store %count, %n[%tid] : memref<8xi32>
    scf.for %i = %lo to %hi step %c1 {
      memref.store %id, %t[%i] : memref<64xi32>
    }
  }
  func.return
}
"""


def thread_ids(threads: str = "") -> tuple[np.ndarray, np.ndarray]:
    module = Parser(_context(), THREAD_IDS.replace("THREADS", threads)).parse_module()
    exe = compile_tensor_module(module)
    ids = np.full(64, -1, np.int32)
    counts = np.full(8, -1, np.int32)
    exe["tids"](ids, counts)
    return ids, counts


def test_launch_runs_on_the_requested_threads(monkeypatch) -> None:
    monkeypatch.setenv("MLC_NUM_THREADS", "2")
    ids, counts = thread_ids()
    np.testing.assert_array_equal(ids, [0] * 32 + [1] * 32)  # static chunks, one per thread
    np.testing.assert_array_equal(counts[:2], [2, 2])
    # The same compiled code, another count: the variable is read at each launch.
    monkeypatch.setenv("MLC_NUM_THREADS", "1")
    ids, counts = thread_ids()
    np.testing.assert_array_equal(ids, np.zeros(64, np.int32))
    assert counts[0] == 1 and counts[1] == -1


def test_default_is_every_core(monkeypatch) -> None:
    monkeypatch.delenv("MLC_NUM_THREADS", raising=False)
    ids, counts = thread_ids()
    cores = num_threads()
    assert counts[0] == min(cores, 8)
    assert sorted(set(ids.tolist())) == list(range(min(cores, 64)))


def test_fixed_thread_count_ignores_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("MLC_NUM_THREADS", "1")
    ids, counts = thread_ids("threads 3")
    np.testing.assert_array_equal(ids, [0] * 22 + [1] * 22 + [2] * 20)
    np.testing.assert_array_equal(counts[:3], [3, 3, 3])


def test_one_and_two_threads_give_identical_results(monkeypatch) -> None:
    module = programs.scheduled_mm_relu(32, 24, 16)
    exe = compile_tensor_module(module)
    results = []
    for threads in ("1", "2"):
        monkeypatch.setenv("MLC_NUM_THREADS", threads)
        arguments = random_arguments(module, seed=3)
        exe["main"](*arguments)
        results.append(arguments[-1])
    np.testing.assert_array_equal(results[0], results[1])
    assert os.environ["MLC_NUM_THREADS"] == "2"
