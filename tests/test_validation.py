"""The one rule per kind of value (lstm_core.validation): what each accepts, refuses and says."""
import math

import numpy as np
import pytest
import torch

from lstm_core import validation as v


# -- integers ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1, 4, np.int64(3), np.int32(7), np.uint8(2)])
def test_positive_int_accepts_python_and_numpy_integers(value):
    out = v.positive_int("n_blocks", value)
    assert out == int(value) and type(out) is int


@pytest.mark.parametrize("value,error", [
    (True, TypeError), (False, TypeError), (np.bool_(True), TypeError), (3.0, TypeError),
    (np.float64(3), TypeError), ("3", TypeError), (None, TypeError), (0, ValueError), (-2, ValueError),
])
def test_positive_int_refuses_bools_floats_and_non_positive(value, error):
    with pytest.raises(error) as info:
        v.positive_int("n_blocks", value)
    msg = str(info.value)
    assert "n_blocks" in msg and "positive integer" in msg and repr(value)[:3] in msg and "Pass" in msg


def test_positive_int_bounds_and_none():
    assert v.positive_int("p", 2, low=2) == 2
    with pytest.raises(ValueError, match=r"p must be a positive integer \(>= 2\); got 1"):
        v.positive_int("p", 1, low=2)
    with pytest.raises(ValueError, match=r"in \[1, 3\]"):
        v.positive_int("k", 4, high=3)
    assert v.positive_int("test_set_size", None, allow_none=True) is None
    with pytest.raises(TypeError, match="or None"):
        v.positive_int("test_set_size", "all", allow_none=True)


def test_nonneg_int():
    assert v.nonneg_int("q", 0) == 0 and v.nonneg_int("q", np.int64(5)) == 5
    for bad, err in ((-1, ValueError), (True, TypeError), (0.0, TypeError)):
        with pytest.raises(err, match="q must be a non-negative integer"):
            v.nonneg_int("q", bad)


# -- reals ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0.1, 1, np.float32(0.5), np.float64(2.0), np.int64(1)])
def test_learning_rate_accepts_finite_positive_reals(value):
    out = v.learning_rate("learning_rate", value)
    assert out == pytest.approx(float(value)) and type(out) is float


@pytest.mark.parametrize("value,error", [
    (True, TypeError), (np.bool_(True), TypeError), ("0.1", TypeError), (None, TypeError),
    (math.inf, ValueError), (-math.inf, ValueError), (math.nan, ValueError), (0, ValueError),
    (0.0, ValueError), (-0.1, ValueError), (np.float64("nan"), ValueError),
])
def test_learning_rate_refuses_bools_inf_nan_and_non_positive(value, error):
    with pytest.raises(error) as info:
        v.learning_rate("lr", value)
    msg = str(info.value)
    assert msg.startswith("lr must be a finite positive number") and "got" in msg and "such as" in msg


def test_reals_with_bounds():
    assert v.nonneg_real("noise", 0) == 0.0
    with pytest.raises(ValueError, match="noise must be a finite non-negative number"):
        v.nonneg_real("noise", -0.01)
    assert v.real("bias", -3) == -3.0
    with pytest.raises(ValueError, match=r"x must be a finite number \(> 0 and <= 1\); got 1.5"):
        v.real("x", 1.5, low=0, low_open=True, high=1)
    assert v.positive_real("max_seconds", None, allow_none=True) is None


@pytest.mark.parametrize("value", [0, 0.0, 0.25, 1, np.float64(1.0)])
def test_probability_accepts_the_closed_unit_interval(value):
    assert v.probability("error_rate", value) == float(value)


@pytest.mark.parametrize("value,error", [(1.01, ValueError), (-0.1, ValueError), (math.nan, ValueError),
                                         (True, TypeError), ("half", TypeError)])
def test_probability_refuses_outside(value, error):
    with pytest.raises(error, match="error_rate must be a probability"):
        v.probability("error_rate", value)


def test_probability_open_ends():
    with pytest.raises(ValueError, match=r"> 0"):
        v.probability("p", 0, low_open=True)
    with pytest.raises(ValueError, match=r"< 1"):
        v.probability("p", 1, high_open=True)


# -- switches and choices ---------------------------------------------------------------
def test_switch_accepts_real_bools_only():
    assert v.switch("scissors", True) is True and v.switch("scissors", np.bool_(False)) is False
    for bad in ("no", "False", 0, 1, None, 1.0):
        with pytest.raises(TypeError, match=r"scissors is a switch and must be True or False; got"):
            v.switch("scissors", bad)
    assert v.switch("embedded", None, allow_none=True) is None


def test_choice_lists_the_options():
    assert v.choice("norm", "max_abs", ("max_abs", "mse")) == "max_abs"
    with pytest.raises(ValueError, match=r"norm must be one of 'max_abs', 'mse'; got 'l2'"):
        v.choice("norm", "l2", ("max_abs", "mse"))
    with pytest.raises(ValueError):  # True == 1, but a bool is not the option 1
        v.choice("k", True, (1, 2))
    with pytest.raises(ValueError):  # unhashable values are refused with the same message
        v.choice("task", [1], {"a", "b"})


# -- shapes -----------------------------------------------------------------------------
def test_shape_matches_exact_any_and_named_axes():
    assert v.shape("x", np.zeros((2, 3)), (2, 3)) == (2, 3)
    assert v.shape("x", torch.zeros(5, 7, 3), ("batch", None, 3)) == (5, 7, 3)
    assert v.shape("w", np.zeros((4, 4)), ("n", "n")) == (4, 4)


@pytest.mark.parametrize("array,pattern", [
    (np.zeros((2, 3)), (2, 4)), (np.zeros((2, 3)), (2,)), (np.zeros((4, 5)), ("n", "n")),
])
def test_shape_refuses_mismatch_naming_both(array, pattern):
    with pytest.raises(ValueError) as info:
        v.shape("targets", array, pattern, legend="(batch, T)")
    msg = str(info.value)
    assert msg.startswith("targets must have shape (") and str(array.shape) in msg and "(batch, T)" in msg


def test_shape_refuses_non_arrays():
    with pytest.raises(TypeError, match=r"x must be an array of shape \(\*, 3\); got \[1, 2, 3\]"):
        v.shape("x", [1, 2, 3], (None, 3))


def test_wrong_kinds_are_both_type_and_value_errors():
    # code written against the old checks caught ValueError; new code may catch TypeError
    for call in (lambda: v.positive_int("n", 2.5), lambda: v.learning_rate("lr", "0.1"),
                 lambda: v.switch("scissors", "no"), lambda: v.shape("x", 3, (1,))):
        with pytest.raises(TypeError):
            call()
        with pytest.raises(ValueError):
            call()


def test_instance_names_the_classes_and_the_user():
    assert v.instance("config", 3, int) == 3
    with pytest.raises(ValueError, match="config must be an int or float; got str"):
        v.instance("config", "x", int, float)
    with pytest.raises(TypeError, match="gate_trace needs a list as model; got dict"):
        v.instance("model", {}, list, needed_by="gate_trace")


def test_integer_in_any_range_names_the_range():
    assert v.integer("seed", 0, low=0, high=10_000) == 0 and v.integer("offset", -3) == -3
    with pytest.raises(ValueError, match=r"seed must be an integer \(in \[0, 10000\]\); got 10001. Pass a whole number such as 4"):
        v.integer("seed", 10_001, low=0, high=10_000)
    with pytest.raises(ValueError, match=r"T must be an integer \(in \[20, 100\]\); got 5. Pass a whole number such as 20"):
        v.integer("T", 5, low=20, high=100)
    with pytest.raises(TypeError, match=r"k must be an integer \(<= 3\)"):
        v.integer("k", 2.0, high=3)
