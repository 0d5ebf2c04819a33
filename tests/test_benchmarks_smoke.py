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


def test_pairing_sweep_reminds_once_per_due_day() -> None:
    from benchmarks import pairing_sweep

    result = pairing_sweep.main(["--pairings=300", "--branches=3", "--members=60", "--runs=1", "--no-save"])

    by = {r["scenario"]: r for r in result["results"]}
    assert by["all_due"]["recorded"] == by["all_due"]["overdue"] > 0
    assert by["spread"]["recorded"] == by["spread"]["due"] > 0
    assert all(r["recorded_again"] == 0 for r in by.values())
    assert "Pairing" in pairing_sweep.render(result) or "pairings" in pairing_sweep.render(result)


def test_storage_ceiling_on_postgresql_runs_every_mode_on_both_drivers() -> None:
    from benchmarks import pg_ceiling

    result = storage_ceiling.main(["--engine=postgresql", "--claims=20", "--runs=1", "--pool=2", "--no-save"])

    assert result["engine"] == "postgresql" and result["claims"] == 20
    assert set(result["modes"]) == set(pg_ceiling.MODES)
    assert all(mode["median_claims_per_s"] > 0 for mode in result["modes"].values())
    assert "psycopg" in storage_ceiling.render(result)


def test_city_scale_on_postgresql_measures_every_query() -> None:
    from benchmarks import city_scale

    result = city_scale.main(
        ["--engine=postgresql", "--sizes=200", "--branches=5", "--members=50", "--runs=1", "--regenerate", "--no-save"]
    )

    level = result["levels"][0]
    assert level["claims"] == 200 and set(level["results"]) == set(city_scale.WHATS)
    assert level["results"]["ledger"]["size"] > 0
    assert "PostgreSQL" in city_scale.render(result)


def test_failover_times_a_kill_9_of_the_leader() -> None:
    from benchmarks import failover

    result = failover.main(["--kills=1", "--no-save"])

    [run] = result["results"]
    assert 0 < run["leads_s"] <= run["delivers_s"]
    assert "kill -9" in failover.render(result)


def test_emergency_reach_reaches_every_member_on_both_platforms() -> None:
    from benchmarks import emergency_reach

    result = emergency_reach.main(["--members=40", "--wecom-latency=0.01", "--no-save"])

    assert result["telegram"]["members"] == 41 and result["telegram"]["messages"] == 43
    assert result["telegram"]["too_many_requests"] == 0
    assert result["wecom"]["per_member"]["reached"] == result["wecom"]["batched"]["reached"] == 41
    assert result["wecom"]["batched"]["calls"] == 1 and result["wecom"]["per_member"]["calls"] == 41
    assert result["wecom"]["batched"]["cards_per_member_max"] == 1
    assert "1,000 members a `message/send`" in emergency_reach.render(result)


def test_certificates_issue_verify_and_render_a_sample() -> None:
    from benchmarks import certificates

    result = certificates.main(["--members=12", "--branches=3", "--services=4", "--render-sample=1", "--no-save"])

    run = result["results"]
    assert run["members"] == 12 and run["rendered"] == 1
    assert run["issue_s"] > 0 and run["verify_s"] > 0 and run["pdf_kib_mean"] > 1
    assert "10,000" not in certificates.render(result) and "certificates" in certificates.render(result)
