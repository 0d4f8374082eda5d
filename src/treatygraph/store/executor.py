"""Process isolation so that a query past its time limit can be stopped.

pyoxigraph cannot cancel a running query and has no timeout, so every query runs in a
child process that we can kill. Design (measured in tests/endpoint/test_executor.py):

* Each server process (gunicorn sync worker, or the dev server) owns **one persistent
  child**, forked lazily on first use (or eagerly from gunicorn's ``post_fork`` hook)
  *after* the store is loaded, so the child shares the store's memory copy-on-write and
  needs no loading of its own. Ownership is checked by pid, so a child is never shared
  across a fork.
* Parent and child talk over a ``multiprocessing.Pipe`` (a socketpair): the parent sends
  a picklable job, the child runs the handler (query + full serialisation) and sends
  back the finished body. The parent never streams a partial result, so a timeout can
  only ever produce a clean error, never a truncated 200.
* The parent waits with ``poll(timeout)``. On timeout it SIGKILLs the child, reaps it
  and forks a fresh one (a fork costs a few ms; the memory stays shared), then raises
  :class:`ExecutorTimeout`. If the child dies (e.g. out of memory) the parent sees EOF,
  forks a new one and raises :class:`ExecutorCrashed`. Both are
  :class:`~treatygraph.errors.QueryTimeout` errors (503, the client may retry).
* Errors are data: an :class:`~treatygraph.errors.Error` the handler raises (a syntax error,
  a result over its cap) is pickled back and raised again in the parent, as it was; anything
  else the handler raises is a bug (:class:`ExecutorError`, with the child's traceback).
* The child resets the signal handlers inherited from gunicorn and closes every
  inherited file descriptor except its end of the pipe; otherwise a child forked
  during a request would keep the client's socket open.
* Calls are serialised by a lock (one query at a time per process; gunicorn sync
  workers are single-threaded anyway).
* With a :class:`~treatygraph.store.sandbox.Sandbox`, the child confines itself before its
  first job (no network but the sandbox's destinations, no files, a memory cap) and tells
  the parent so; a child that cannot is an error at spawn, never an unconfined query. The
  kernel kills the child when its parent ends (``PR_SET_PDEATHSIG``).

A round trip costs roughly 0.1-0.2 ms on top of the query itself (pickle + socketpair).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from typing import Any

from treatygraph.errors import Error, QueryTimeout
from treatygraph.store.sandbox import Relay, Sandbox, SandboxError, confine, die_with_parent

_CHILD_SIGNALS = (
    "SIGTERM",
    "SIGINT",
    "SIGQUIT",
    "SIGHUP",
    "SIGUSR1",
    "SIGUSR2",
    "SIGWINCH",
    "SIGCHLD",
    "SIGABRT",
    "SIGTTIN",
    "SIGTTOU",
)


class ExecutorError(Exception):
    """The handler raised in the child: a bug, reported with the child's traceback."""


class ExecutorTimeout(QueryTimeout):
    """The job ran past its time limit; the child was killed and replaced."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the query did not finish within QUERY_TIMEOUT ({seconds:g} s) and was stopped; "
            "simplify it or add a LIMIT"
        )


class ExecutorCrashed(QueryTimeout):
    """The child died while running the job (out of memory, or killed)."""

    def __init__(self, what: str, memory_bytes: int | None = None) -> None:
        if memory_bytes:
            what = (
                f"the query needed more than QUERY_MEMORY_LIMIT ({memory_bytes >> 20} MB) and "
                "was stopped; simplify it or add a LIMIT"
            )
        super().__init__(what if memory_bytes else f"{what}; simplify the query")


def _reset_child(keep_fd: int) -> None:
    for name in _CHILD_SIGNALS:
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, signal.SIG_DFL)
    try:
        signal.set_wakeup_fd(-1)
    except ValueError:  # not in the main thread (dev server): nothing was set
        pass
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, 1 << 16)


def _confine(conn: Connection, sandbox: Sandbox) -> None:
    """Confine the child, then tell the parent (with the relay sockets) or say why not."""
    try:
        listeners = confine(sandbox)
    except (SandboxError, OSError) as err:
        conn.send(("sandbox-failed", str(err), 0))
        raise SystemExit(1) from None
    conn.send(("sandboxed", "", len(listeners)))
    if listeners:
        with socket.socket(fileno=os.dup(conn.fileno())) as channel:
            socket.send_fds(channel, [b"F"], [s.fileno() for s in listeners])
        for sock in listeners:
            sock.close()


def _child_loop(conn: Connection, handler: Callable[[Any], Any]) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # parent went away
        try:
            reply: tuple[str, Any] = ("ok", handler(job))
        except MemoryError:
            reply = ("memory", "")
        except Error as err:  # the client's or an upstream's: sent back as it is
            reply = ("error", err)
        except BaseException:  # noqa: BLE001 - reported to the parent as a bug
            reply = ("bug", traceback.format_exc())
        try:
            conn.send(reply)
        except (OSError, EOFError):
            return
        except Exception:  # noqa: BLE001 - unpicklable result
            conn.send(("bug", traceback.format_exc()))


class Executor:
    """Run jobs in a persistent, killable child process (see module docstring)."""

    def __init__(
        self,
        handler: Callable[[Any], Any],
        child_init: Callable[[], None] | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        """``child_init`` runs in each new child before it is confined by ``sandbox``
        (None: not confined), so it may still open what the handler needs."""
        self._handler = handler
        self._child_init = child_init
        self._sandbox = sandbox
        self._relay = Relay(sandbox.destinations) if sandbox and sandbox.destinations else None
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._conn: Connection | None = None
        self._owner: int | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def _spawn(self) -> None:
        parent_conn, child_conn = Pipe()
        # The kernel kills the child when the *thread* that forked it ends, so only a
        # main-thread parent (gunicorn's sync workers) can ask for it.
        main_thread = threading.current_thread() is threading.main_thread()
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                if main_thread:
                    die_with_parent()
                parent_conn.close()
                _reset_child(child_conn.fileno())
                if self._child_init is not None:
                    self._child_init()
                if self._sandbox is not None:
                    _confine(child_conn, self._sandbox)
                _child_loop(child_conn, self._handler)
            except SystemExit as stop:
                code = int(stop.code or 0)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        child_conn.close()
        if self._owner != os.getpid():
            atexit.register(self._shutdown_if_owner, os.getpid())
        self._pid, self._conn, self._owner = pid, parent_conn, os.getpid()
        if self._sandbox is not None:
            self._await_confinement(parent_conn)

    def _await_confinement(self, conn: Connection) -> None:
        """Wait for the new child to confine itself; take over its relay sockets."""
        try:
            if not conn.poll(30):
                raise SandboxError("the query process did not confine itself within 30 s")
            status, message, count = conn.recv()
            if status != "sandboxed":
                raise SandboxError(message)
            if count:
                with socket.socket(fileno=os.dup(conn.fileno())) as channel:
                    _msg, fds, _flags, _addr = socket.recv_fds(channel, 1, count)
                assert self._relay is not None
                self._relay.replace([socket.socket(fileno=fd) for fd in fds])
        except (EOFError, OSError, SandboxError) as err:
            self._kill()
            if isinstance(err, SandboxError):
                raise
            raise SandboxError(f"the query process ended while confining itself: {err}") from None

    def _kill(self) -> None:
        if self._owner == os.getpid() and self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
        if self._conn is not None:
            self._conn.close()
        self._pid, self._conn = None, None

    def _ensure(self) -> Connection:
        if self._owner != os.getpid():  # inherited through a fork: not ours
            if self._conn is not None:
                self._conn.close()
            self._pid, self._conn, self._owner = None, None, None
        if self._conn is None:
            self._spawn()
        assert self._conn is not None
        return self._conn

    def start(self) -> None:
        """Fork the child now (e.g. from gunicorn's post_fork) instead of on first use."""
        with self._lock:
            self._ensure()

    def restart(self) -> None:
        """Replace the child, e.g. after an update changed the parent's store."""
        with self._lock:
            self._kill()
            self._spawn()

    def shutdown(self) -> None:
        with self._lock:
            self._kill()

    def _shutdown_if_owner(self, owner: int) -> None:
        if owner == os.getpid():
            self._kill()

    @property
    def child_pid(self) -> int | None:
        return self._pid if self._owner == os.getpid() else None

    # -- jobs --------------------------------------------------------------------------
    def run(self, job: Any, timeout: float) -> Any:
        """Send ``job`` to the child and return the handler's result within ``timeout``."""
        with self._lock:
            conn = self._ensure()
            try:
                conn.send(job)
            except (OSError, EOFError):  # child died since the last job
                self._kill()
                conn = self._ensure()
                conn.send(job)
            deadline = time.monotonic() + timeout
            ready = conn.poll(max(0.0, deadline - time.monotonic()))
            if not ready:
                self._kill()
                self._spawn()
                raise ExecutorTimeout(timeout)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):
                died = self._reap()
                self._kill()
                self._spawn()
                out_of_memory = died.startswith("aborted")
                raise ExecutorCrashed(
                    f"the query process {died} while running the query",
                    self._memory_cap() if out_of_memory else None,
                ) from None
            if status == "memory":
                self._kill()  # a MemoryError may leave the child's state half-made
                self._spawn()
                raise ExecutorCrashed("the query ran out of memory", self._memory_cap())
        if status == "bug":
            raise ExecutorError(payload)
        if status == "error":
            raise payload
        return payload

    def _memory_cap(self) -> int | None:
        return self._sandbox.memory_bytes if self._sandbox is not None else None

    def _reap(self) -> str:
        """How the child ended (it closed the pipe, so it is gone or going)."""
        if self._pid is None:
            return "ended"
        try:
            _pid, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return "ended"
        self._pid = None
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            if signum == signal.SIGABRT:  # Rust's reaction to a failed allocation
                return "aborted (out of memory)"
            return f"was killed by {signal.Signals(signum).name}"
        return f"exited with status {os.WEXITSTATUS(status)}"
