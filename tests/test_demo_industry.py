"""The demo generator: seeded, realistic, and the source of the repository's config/."""

from __future__ import annotations

from collections import defaultdict

from tests.conftest import REPO
from toolkit.config import load_config
from toolkit.demo.industry import DemoSpec, config_files, generate, write_config


def test_repository_config_is_the_generators_output():
    for name, text in config_files(generate()).items():
        assert (REPO / "config" / name).read_text(encoding="utf-8") == text, name


def test_same_seed_same_industry_other_seed_other_industry():
    assert config_files(generate(DemoSpec(seed=7))) == config_files(generate(DemoSpec(seed=7)))
    assert config_files(generate(DemoSpec(seed=7)))["portfolio.csv"] != config_files(generate())["portfolio.csv"]


def test_concentration_in_a_large_ldso_follows_foundations_5_2_7():
    demo = generate()
    by_ldso = defaultdict(list)
    for _, ldso, count in demo.portfolio:
        by_ldso[ldso].append(count)
    for ldso in ("EELC", "SOUT", "EMEB"):
        counts = sorted(by_ldso[ldso], reverse=True)
        total = sum(counts)
        assert 0.87 <= sum(counts[:10]) / total <= 0.93
        assert 0.97 <= sum(counts[:21]) / total <= 0.99
        assert max(counts[21:]) <= 10_000
        assert len(counts) > 50


def test_demo_spans_all_tiers_and_de_minimis_idnos():
    demo = generate()
    sizes = {mpid: count for mpid, _, count in demo.ldsos}
    assert 31_000_000 <= sum(sizes.values()) <= 33_500_000
    dnos = [c for m, c in sizes.items() if not m.startswith("ID")]
    idnos = [c for m, c in sizes.items() if m.startswith("ID")]
    assert len(dnos) == 14 and 10 <= len(idnos) <= 15
    assert sum(c < 150_000 for c in idnos) >= 3
    tiers = {next(i for i, lo in enumerate((3_000_000, 2_000_000, 1_400_000, 900_000, 0)) if c >= lo) for c in dnos}
    assert tiers == {0, 1, 2, 3, 4}


def test_demo_groups_mix_sit_extended_ramp_up_lost_days_and_daily_opt_in():
    config = load_config(REPO)
    groups = config.industry.groups
    assert 60 <= len(groups) <= 80
    assert 80 <= len(config.industry.group_of_supplier) <= 100
    assert any(g.sit for g in groups) and any(not g.sit for g in groups)
    assert sum(g.extended_ramp_up for g in groups) >= 2
    assert sum(g.lost_days > 0 for g in groups) >= 2
    assert sum(g.daily_opt_in for g in groups) >= 2
    starts = sorted(g.migration_start for g in groups)
    assert starts[0] == config.calendar.m11 and starts[-1] > config.calendar.m14
    assert all(config.calendar.is_migration_day(g.migration_start) for g in groups)
    assert len(config.calendar.sprints) == 9


def test_other_sizes_load_cleanly(tmp_path):
    write_config(generate(DemoSpec(groups=100, ldsos=30, seed=3)), tmp_path / "config")
    config = load_config(tmp_path)
    assert len(config.industry.groups) == 100 and len(config.industry.ldsos) == 30
