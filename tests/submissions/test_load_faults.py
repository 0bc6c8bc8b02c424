"""Nothing acknowledged is lost or stored twice while the server is killed under load, and
every stored response that matches an alert rule reaches the receiver exactly once (the
CI-sized run of ``bench/load_faults.py``; the full one sends 100,000)."""

from pathlib import Path

import pytest

from bench.common import seed
from bench.load_faults import run
from bench.page import add_counter

pytestmark = pytest.mark.load


def test_sigkill_under_load_loses_nothing_and_doubles_nothing_nor_any_alert(
    scratch_database_url: str, tmp_path: Path
) -> None:
    seed(scratch_database_url)
    add_counter(scratch_database_url)
    outcome = run(scratch_database_url, total=1200, clients=16, kills=2, workdir=tmp_path,
                  alert_interval=1)  # fmt: skip
    assert outcome.restarts == 2
    assert outcome.retries > 0  # the kills did interrupt requests in flight
    assert len(outcome.acknowledged) == 1200
    assert outcome.stored == 1200
    assert outcome.missing == 0
    assert outcome.alerts_expected == 120  # every tenth answered overall 1
    assert outcome.alerts_received == 120
    assert (outcome.alerts_lost, outcome.alerts_doubled, outcome.unsigned) == (0, 0, 0)
