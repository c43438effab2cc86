import pytest

from studygroup.tasks import ping


@pytest.mark.celery
def test_ping_round_trip_through_a_real_worker(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()


@pytest.mark.celery
def test_ping_is_registered_under_its_public_name(celery_worker):
    result = celery_worker.app.send_task("studygroup.ping", queue=celery_worker.queue)
    assert result.get(timeout=30) == "pong"


def test_ping_runs_eagerly_without_a_broker():
    from celery.result import EagerResult

    result = ping.delay()
    assert isinstance(result, EagerResult)
    assert result.get() == "pong"
