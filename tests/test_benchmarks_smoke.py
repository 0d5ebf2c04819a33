"""Each benchmark runs end to end at toy size, so the benchmarks do not rot (their figures are not checked here)."""

from __future__ import annotations

from benchmarks import storage_ceiling


def test_storage_ceiling_runs_every_mode() -> None:
    result = storage_ceiling.main(["--claims=40", "--runs=1", "--no-save"])

    assert result["claims"] == 40
    assert all(mode["median_claims_per_s"] > 0 for mode in result["modes"].values())


def test_city_scale_measures_every_query() -> None:
    from benchmarks import city_scale

    result = city_scale.main(["--sizes=200", "--branches=5", "--members=50", "--runs=1", "--no-save"])

    assert [level["claims"] for level in result["levels"]] == [200]
    assert set(result["levels"][0]["results"]) == set(city_scale.WHATS)
    assert "Growth" in city_scale.render(result)


def test_delivery_survives_a_kill_and_counts_the_damage() -> None:
    from benchmarks import delivery

    result = delivery.main(["--messages=40", "--kills=1", "--runs=1", "--no-save"])

    run = result["results"][0]
    assert run["lost"] == 0
    assert len(run["phases"]) == 2 and run["phases"][0]["killed"]
    assert "429" in delivery.render(result)


def test_claim_burst_runs_both_bots_and_checks_the_claims() -> None:
    from benchmarks import claim_burst

    result = claim_burst.main(
        ["--members=20", "--wishes=2", "--slots=2", "--taps=20", "--settle=0.5", "--runs=1", "--no-save"]
    )

    ours = next(r for r in result["results"] if r["variant"] == "ours")
    assert ours["answered"] == 20
    assert ours["claims"] == 4 and ours["overfilled_wishes"] == 0


def test_webhook_burst_runs_bare_sqlite_and_two_postgres_instances() -> None:
    from benchmarks import webhook_burst

    result = webhook_burst.main(
        ["--taps=200", "--spread=0.5", "--members=8", "--wishes=2", "--variants=bare,sqlite-1,pg-2", "--no-save"]
    )
    by = {r["variant"]: r for r in result["results"]}
    assert set(by) == {"bare", "sqlite-1", "pg-2"}
    assert all(r["answered"] == 200 and r["wrong_wishes"] == 0 for r in by.values())
    assert by["pg-2"]["instances"] == 2 and min(by["pg-2"]["per_instance"]) > 0
    assert "Projection" in webhook_burst.render(result)


def test_certificates_issue_verify_and_render_a_sample() -> None:
    from benchmarks import certificates

    result = certificates.main(["--members=12", "--branches=3", "--services=4", "--render-sample=1", "--no-save"])

    run = result["results"]
    assert run["members"] == 12 and run["rendered"] == 1
    assert run["issue_s"] > 0 and run["verify_s"] > 0 and run["pdf_kib_mean"] > 1
    assert "10,000" not in certificates.render(result) and "certificates" in certificates.render(result)
