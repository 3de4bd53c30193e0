"""The library registry: registration forms, lookup errors and listing."""

from __future__ import annotations

import pytest

from mlc_dialects.runtime import (
    UnknownFunctionError,
    get_func,
    list_funcs,
    register_func,
    remove_func,
)


@pytest.fixture(autouse=True)
def clean_registry():
    before = set(list_funcs())
    yield
    for name in set(list_funcs()) - before:
        remove_func(name)


def test_register_as_decorator_call_and_bare() -> None:
    @register_func("test_reg.scale")
    def scale(x, out):
        out[...] = 2 * x

    def shift(x, out):
        out[...] = x + 1

    assert register_func("test_reg.shift", shift) is shift

    @register_func
    def test_reg_bare(x, out):
        out[...] = x

    assert get_func("test_reg.scale").fn is scale
    assert get_func("test_reg.shift").kind == "python"
    assert "test_reg_bare" in list_funcs()
    assert list_funcs() == sorted(list_funcs())


def test_duplicate_needs_override() -> None:
    register_func("test_reg.f", lambda out: None)
    with pytest.raises(ValueError, match="'test_reg.f' is already registered .*override=True"):
        register_func("test_reg.f", lambda out: None)

    def g(out):
        return None

    register_func("test_reg.f", g, override=True)
    assert get_func("test_reg.f").fn is g


def test_unknown_name_lists_close_names() -> None:
    register_func("test_reg.linear", lambda x, out: None)
    with pytest.raises(UnknownFunctionError) as err:
        get_func("test_reg.lineer")
    assert isinstance(err.value, KeyError)
    assert str(err.value) == (
        "no library function named 'test_reg.lineer' is registered; did you mean "
        "'test_reg.linear'?"
    )


def test_bad_registrations() -> None:
    with pytest.raises(TypeError, match="must be callable"):
        register_func("test_reg.x", 3)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="non-empty"):
        register_func("", lambda: None)
    with pytest.raises(UnknownFunctionError):
        remove_func("test_reg.never")
