"""annotate / unannotate on loops and blocks; sampled values; legality."""

from __future__ import annotations

import pytest

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.errors import AnnotationNotFoundError, AnnotationValueError
from tests.tensor.schedule.common import assert_same_numerics, mm_relu
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays


def test_annotate_loop_and_block() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    block_y = sch.get_block("Y")
    i, _, _ = sch.get_loops(block_y)
    sch.annotate(i, "pragma_auto_unroll_max_step", 16)
    sch.annotate(block_y, ann_key="meta_schedule.tiling_structure", ann_val="SSRSRS")
    sch.annotate(block_y, key="flags", value=[True, 1.5])
    text = str(sch.mod)
    assert "loops.for %i = 0 to 8 annotations {pragma_auto_unroll_max_step = 16 : i64} {" in text
    assert (
        'annotations {meta_schedule.tiling_structure = "SSRSRS", flags = [true, 1.500000e+00 : f64]}'
        in text
    )
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_annotate_with_sampled_value_and_unannotate() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod, seed=0)
    block_y = sch.get_block("Y")
    v = sch.sample_categorical([0, 16, 64, 512], [0.25, 0.25, 0.25, 0.25], decision=2)
    sch.annotate(block_y, "meta_schedule.unroll_explicit", v)
    assert "meta_schedule.unroll_explicit = 64 : i64" in str(sch.mod)
    assert "ann_val=v1" in str(sch.trace)
    assert_replays(mod, sch)
    sch.unannotate(block_y, "meta_schedule.unroll_explicit")
    assert "annotations" not in str(sch.mod)
    assert_replays(mod, sch)


def test_unannotate_fail_missing_key() -> None:
    sch = Schedule(mm_relu(8))
    i, _, _ = sch.get_loops(sch.get_block("Y"))
    assert_fails_unchanged(sch, AnnotationNotFoundError, lambda: sch.unannotate(i, "nope"))


@pytest.mark.parametrize("bad", [{"a": 1}, object()])
def test_annotate_fail_bad_value(bad: object) -> None:
    sch = Schedule(mm_relu(8))
    i, _, _ = sch.get_loops(sch.get_block("Y"))
    assert_fails_unchanged(sch, AnnotationValueError, lambda: sch.annotate(i, "k", bad))
