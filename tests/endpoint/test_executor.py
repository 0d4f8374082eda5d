"""The query process: results, errors as data, bugs, timeouts and fd hygiene."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from treatygraph.errors import QueryTimeout
from treatygraph.store.base import ResultLimitExceeded
from treatygraph.store.executor import Executor, ExecutorError, ExecutorTimeout


def _handler(job: tuple[str, float]) -> object:
    kind, value = job
    if kind == "echo":
        return value
    if kind == "sleep":
        time.sleep(value)
        return "slept"
    if kind == "pid":
        return os.getpid()
    if kind == "fds":
        return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    if kind == "refuse":
        raise ResultLimitExceeded(int(value))
    raise ValueError(f"bad job {kind}")


@pytest.fixture
def executor() -> Iterator[Executor]:
    ex = Executor(_handler)
    yield ex
    ex.shutdown()


def test_runs_in_a_child(executor: Executor) -> None:
    assert executor.run(("echo", 42), timeout=5) == 42
    child = executor.run(("pid", 0), timeout=5)
    assert child != os.getpid() and child == executor.child_pid


def test_handler_bug_is_reported_with_traceback(executor: Executor) -> None:
    with pytest.raises(ExecutorError, match="ValueError: bad job nope"):
        executor.run(("nope", 0), timeout=5)
    assert executor.run(("echo", 1), timeout=5) == 1


def test_timeout_kills_and_replaces_the_child(executor: Executor) -> None:
    old = executor.run(("pid", 0), timeout=5)
    started = time.monotonic()
    with pytest.raises(ExecutorTimeout):
        executor.run(("sleep", 30), timeout=0.5)
    assert time.monotonic() - started < 1.5
    with pytest.raises(ProcessLookupError):
        os.kill(old, 0)  # killed and reaped
    new = executor.run(("pid", 0), timeout=5)
    assert new != old


def test_child_does_not_inherit_descriptors(executor: Executor) -> None:
    read_end, write_end = os.pipe()  # stands in for a client socket open during a request
    try:
        executor.restart()
        fds = executor.run(("fds", 0), timeout=5)
        assert read_end not in fds and write_end not in fds
        assert len([fd for fd in fds if fd > 2]) <= 2  # the pipe to us (+ listdir's own fd)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_child_is_not_shared_across_fork(executor: Executor) -> None:
    executor.start()
    parent_child = executor.child_pid
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked copy
        ok = executor.child_pid is None and executor.run(("pid", 0), 5) != parent_child
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert executor.child_pid == parent_child


def test_errors_come_back_as_they_were_raised(executor: Executor) -> None:
    """An Error of the family is data: the parent raises it again, status, message, headers."""
    with pytest.raises(ResultLimitExceeded) as info:
        executor.run(("refuse", 7), timeout=5)
    assert info.value.status == 413
    assert info.value.headers == {"X-Result-Cap": "7"}
    assert info.value.message == ResultLimitExceeded(7).message
    assert executor.run(("echo", 1), timeout=5) == 1  # and the same child carries on


def test_a_timeout_is_a_503_naming_the_limit(executor: Executor) -> None:
    with pytest.raises(QueryTimeout, match=r"QUERY_TIMEOUT \(0.3 s\)") as info:
        executor.run(("sleep", 5), timeout=0.3)
    assert info.value.status == 503 and info.value.headers == {"Retry-After": "5"}
