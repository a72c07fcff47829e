"""The meter: counts per account, bucket, class and hour; a flush takes copies, and an
hour is clean (and, once over, forgotten) only when nothing was counted after it was
taken -- so a failed or overtaken flush loses nothing."""

from __future__ import annotations

from objectstore.serving.request_layer import Finished
from objectstore.usage.meter import Counts, Meter
from objectstore.usage.periods import from_iso

HOUR0 = from_iso("2026-12-06T20:00:00Z")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def done(api: str, operation: str, account: str, bucket: str, bytes_in: int = 0,
         bytes_out: int = 0) -> Finished:
    return Finished("GET", api, operation, account, bucket, 200, bytes_in, bytes_out, 0.01)


def test_counts_per_account_bucket_class_and_hour() -> None:
    clock = Clock(HOUR0 + 10)
    meter = Meter(clock)
    meter.observe(done("s3", "REST.PUT.OBJECT", "test", "photos", bytes_in=100))
    meter.observe(done("s3", "REST.PUT.OBJECT", "test", "photos", bytes_in=50))
    meter.observe(done("swift", "GET object", "AUTH_test", "photos", bytes_out=7))
    meter.observe(done("s3", "REST.GET.SERVICE", "test", ""))
    clock.now = HOUR0 + 3600
    meter.observe(done("swift", "DELETE object", "AUTH_other", "b"))
    taken = meter.take()
    assert [t.hour for t in taken] == [HOUR0, HOUR0 + 3600]
    assert taken[0].rows == {("test", "photos", "write"): Counts(2, 150, 0),
                             ("test", "photos", "read"): Counts(1, 0, 7),
                             ("test", "", "list"): Counts(1, 0, 0)}
    assert taken[1].rows == {("other", "b", "delete"): Counts(1, 0, 0)}
    assert meter.accounts() == {"test", "other"}


def test_what_is_not_metered() -> None:
    meter = Meter(Clock(HOUR0))
    meter.observe(done("admin", "GET usage", "test", ""))
    meter.observe(done("swift", "healthcheck", "", ""))
    meter.observe(done("", "", "", ""))                     # a 404 of no API
    assert meter.take() == []
    meter.observe(done("s3", "REST.GET.OBJECT", "", "public"))    # anonymous: its bucket
    assert meter.take()[0].rows == {("", "public", "read"): Counts(1, 0, 0)}


def test_a_failed_flush_keeps_the_counts_and_the_next_one_has_them_all() -> None:
    clock = Clock(HOUR0 + 5)
    meter = Meter(clock)
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b", bytes_out=10))
    meter.take()                       # ... and the write failed: nothing said
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b", bytes_out=5))
    (taken,) = meter.take()
    assert taken.rows[("test", "b", "read")] == Counts(2, 0, 15)
    meter.written(taken)
    assert meter.take() == []


def test_counts_made_during_a_flush_are_flushed_again() -> None:
    clock = Clock(HOUR0 + 5)
    meter = Meter(clock)
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b"))
    (taken,) = meter.take()
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b"))    # while it was written
    meter.written(taken)
    (again,) = meter.take()
    assert again.rows[("test", "b", "read")] == Counts(2, 0, 0)   # totals, not deltas


def test_an_hour_over_and_written_is_forgotten_the_current_one_kept() -> None:
    clock = Clock(HOUR0 + 5)
    meter = Meter(clock)
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b"))
    (taken,) = meter.take()
    meter.written(taken)
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b"))
    (taken,) = meter.take()
    assert taken.rows[("test", "b", "read")].requests == 2      # the hour is still on
    clock.now = HOUR0 + 3605
    meter.written(taken)
    assert meter.take() == [] and meter.accounts() == set()
    meter.observe(done("s3", "REST.GET.OBJECT", "test", "b"))
    (taken,) = meter.take()
    assert taken.hour == HOUR0 + 3600 and taken.rows[("test", "b", "read")].requests == 1
