"""Each benchmark runs end to end at toy size, so the benchmarks do not rot (their figures are not checked here)."""

from __future__ import annotations

import pytest

from benchmarks import storage_ceiling


def test_storage_ceiling_runs_every_mode() -> None:
    result = storage_ceiling.main(["--claims=40", "--runs=1", "--no-save"])

    assert result["claims"] == 40
    assert all(mode["median_claims_per_s"] > 0 for mode in result["modes"].values())


def test_city_scale_measures_every_query_at_two_sizes() -> None:
    pytest.importorskip("storage.reports")
    from benchmarks import city_scale

    result = city_scale.main(["--sizes=200,400", "--branches=5", "--members=50", "--runs=1", "--no-save"])

    assert [level["claims"] for level in result["levels"]] == [200, 400]
    assert set(result["levels"][0]["results"]) == set(city_scale.WHATS)
    assert "Growth" in city_scale.render(result)
