import math

import pytest

from components.i18n import InputError
from components.validation import as_float, as_int


@pytest.mark.parametrize("bad", [float("nan"), math.inf, -math.inf, "abc", None, [1]])
def test_non_numbers_are_refused(bad):
    with pytest.raises(InputError) as err:
        as_float("seed", bad, 0, 10)
    assert err.value.key == "err_not_number"


@pytest.mark.parametrize("bad", [-1, 11, 1e300])
def test_out_of_range_is_refused_not_clamped(bad):
    with pytest.raises(InputError) as err:
        as_int("seed", bad, 0, 10)
    assert err.value.key == "err_out_of_range"
    assert "between 0 and 10" in str(err.value)


def test_fractions_are_refused_for_counts():
    with pytest.raises(InputError) as err:
        as_int("seed", 2.5, 0, 10)
    assert err.value.key == "err_not_integer"


def test_good_values_pass_through():
    assert as_int("seed", 3.0, 0, 10) == 3 and isinstance(as_int("seed", "7", 0, 10), int)
    assert as_float("seed", "0.25", 0, 1) == 0.25
