"""scripts/tune.py picks the checkpoints runs are compared at: equal updates, equal tokens."""
import importlib.util
import pathlib

spec = importlib.util.spec_from_file_location(
    "tune", pathlib.Path(__file__).resolve().parents[2] / "scripts" / "tune.py")
tune = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tune)

# (step, train_seconds, tokens_seen, path), as tune.checkpoints lists a run's step checkpoints
SMALL_BATCH = [(1000, 200.0, 3_700_000, "a1"), (2000, 400.0, 7_400_000, "a2"),
               (3000, 600.0, 11_100_000, "a3")]
LARGE_BATCH = [(500, 210.0, 3_800_000, "b1"), (1000, 420.0, 7_600_000, "b2")]


def test_equal_updates_takes_the_last_checkpoint_at_or_below_the_count():
    assert tune.at_or_below(SMALL_BATCH, 0, 1000)[3] == "a1"
    assert tune.at_or_below(SMALL_BATCH, 0, 2999)[3] == "a2"
    assert tune.at_or_below(LARGE_BATCH, 0, 1000)[3] == "b2"


def test_equal_tokens_compares_by_data_seen_not_by_updates():
    # at the large batch's 1000 updates (7.6 M tokens) the small batch is at 2000 updates
    common = min(run[-1][2] for run in (SMALL_BATCH, LARGE_BATCH))
    assert common == 7_600_000
    assert tune.at_or_below(SMALL_BATCH, 2, common)[3] == "a2"
    assert tune.at_or_below(LARGE_BATCH, 2, common)[3] == "b2"


def test_nothing_at_or_below_is_none_not_an_error():
    assert tune.at_or_below(LARGE_BATCH, 2, 3_000_000) is None
    assert tune.at_or_below([], 0, 1000) is None


def test_plan_flags_apply_to_every_run_and_a_runs_own_flags_win():
    # the older plans pin the warm-up the preset had when they ran
    plan = {"flags": {"warmup": 400}, "runs": [{"name": "preset"},
                                                {"name": "w1000", "flags": {"warmup": 1000, "ema": 0.9995}}]}
    assert tune.run_flags(plan, plan["runs"][0]) == {"warmup": 400}
    assert tune.run_flags(plan, plan["runs"][1]) == {"warmup": 1000, "ema": 0.9995}
    assert tune.flag_args(tune.run_flags(plan, plan["runs"][0])) == ["--warmup", "400"]
    assert tune.run_flags({"runs": []}, {"name": "x"}) == {}
