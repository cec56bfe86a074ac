"""Runtime parameters: the notebook's defaults, safe conversions, and clear refusals."""

import pytest

from orders import Params, predict


def test_the_defaults_are_the_notebooks():
    assert Params() == Params.from_mapping(
        {
            "discount": 0.0,
            "currency": "EUR",
            "rounding": 2,
            "express": False,
            "extras": ["gift"],
        }
    )


def test_an_unknown_name_is_refused_with_the_valid_ones():
    with pytest.raises(TypeError, match="no_such_parameter") as info:
        predict(None, no_such_parameter=1)
    assert "discount" in str(info.value)
    assert "currency" in str(info.value)
    assert "rounding" in str(info.value)
    assert "express" in str(info.value)
    assert "extras" in str(info.value)


def test_discount_is_converted_safely_or_refused():
    assert Params(discount="0.25").discount == 0.25
    with pytest.raises(TypeError, match="discount"):
        Params(discount="not a number")


def test_currency_is_converted_safely_or_refused():
    assert Params(currency="text").currency == "text"
    with pytest.raises(TypeError, match="currency"):
        Params(currency=3)


def test_rounding_is_converted_safely_or_refused():
    assert Params(rounding="3").rounding == 3
    with pytest.raises(TypeError, match="rounding"):
        Params(rounding=2.5)


def test_express_is_converted_safely_or_refused():
    assert Params(express="false").express is False
    with pytest.raises(TypeError, match="express"):
        Params(express="maybe")


def test_extras_is_converted_safely_or_refused():
    assert Params(extras="[1, 2]").extras == [1, 2]
    with pytest.raises(TypeError, match="extras"):
        Params(extras="{}")


def test_prices_path_was_fixed_at_export():
    with pytest.raises(TypeError, match="fixed when the package was exported"):
        Params.from_mapping({"prices_path": None})
