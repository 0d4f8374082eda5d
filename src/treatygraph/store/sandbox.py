"""The kernel's guarantee that a query cannot reach the network or the file system.

pyoxigraph follows ``SERVICE`` and ``LOAD`` over HTTP and cannot be told not to, and reading
the query text ourselves can never agree with the engine's parser in every corner. So the
process that evaluates queries and updates (:mod:`~treatygraph.store.executor`) confines
itself, once, before it takes its first job:

* **network**: ``unshare(CLONE_NEWNET)`` (with ``CLONE_NEWUSER`` when not root) puts it in a
  network namespace of its own, holding only a loopback interface that is down, so every
  ``connect`` fails with ``ENETUNREACH`` whatever the query says;
* **reachable destinations**: a process that must reach some hosts (allow-listed SERVICE
  endpoints, a remote store) brings its loopback up and opens one listening socket per
  destination on it, at the same address for an IP literal, or at ``127.0.1.N`` for a host
  name, which a private ``/etc/hosts`` (bind-mounted in a private mount namespace) maps to
  that address. The listening sockets are handed to the parent, which relays each
  connection to its one fixed destination (:class:`Relay`). Nothing else has a route out;
* **files**: Landlock denies every file-system access but reading the paths given (an
  on-disk store; for destinations, the files name resolution and TLS need). LOAD of a
  ``file:`` IRI, or any other open, fails with ``EACCES``;
* **lifetime and memory**: ``PR_SET_PDEATHSIG`` kills it with its parent, ``RLIMIT_AS``
  bounds what one query may allocate, and ``RLIMIT_STACK`` gives the engine's recursive
  parser room for what the query scanner lets through.

:func:`check_available` tells, at start, whether this host can do all of that.
"""

from __future__ import annotations

import ctypes
import errno
import ipaddress
import os
import resource
import selectors
import signal
import socket
import struct
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from treatygraph.errors import ConfigError

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_RULE_NET_PORT = 1, 2
FS_READ_FILE, FS_READ_DIR = 1 << 2, 1 << 3
#: how many file-system rights each Landlock ABI version knows (5 and later: 16)
_FS_RIGHTS = {1: 13, 2: 14, 3: 15, 4: 15}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
#: files a process with destinations reads to resolve names and verify TLS peers
RESOLVER_FILES = (
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/resolv.conf",
    "/etc/ssl",
    "/usr/lib/ssl",
    "/usr/share/ca-certificates",
    "/etc/ca-certificates",
    "/etc/pki",
)


class SandboxError(ConfigError):
    """The kernel refused to set up the confinement; the message says which step failed."""


@dataclass(frozen=True)
class Destination:
    """One TCP destination a confined process may reach: the host and port of a URL."""

    host: str
    port: int

    @classmethod
    def of_url(cls, url: str) -> Destination:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SandboxError(f"{url}: only http(s) URLs with a host can be reached")
        return cls(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


@dataclass(frozen=True)
class Sandbox:
    """What the confined process may still do."""

    destinations: tuple[Destination, ...] = ()
    read_paths: tuple[str, ...] = ()
    #: bytes of address space a process may add to what it has when confined (None: no cap)
    memory_bytes: int | None = None
    #: stack the engine may grow into: its parser and evaluator recurse once per level of a
    #: query, and 8 MB (the usual default) overflowed at ~3,000 levels (measured); the query
    #: scanner refuses far less than this allows
    stack_bytes: int = 256 << 20

    @classmethod
    def for_urls(
        cls, urls: Iterable[str], read_paths: Iterable[str] = (), memory_bytes: int | None = None
    ) -> Sandbox:
        unique = dict.fromkeys(Destination.of_url(u) for u in urls)
        return cls(tuple(unique), tuple(read_paths), memory_bytes)


@dataclass
class _Plan:
    """Where each destination listens inside the namespace, and the hosts file to show."""

    listen: list[tuple[str, int, Destination]] = field(default_factory=list)
    hosts: dict[str, str] = field(default_factory=dict)  #: host name -> loopback address


def _plan(sandbox: Sandbox) -> _Plan:
    plan = _Plan()
    for dest in sandbox.destinations:
        try:
            ip = ipaddress.ip_address(dest.host)
        except ValueError:
            if dest.host not in plan.hosts:
                plan.hosts[dest.host] = f"127.0.1.{len(plan.hosts) + 1}"
            address = plan.hosts[dest.host]
        else:
            if not ip.is_loopback:
                raise SandboxError(
                    f"{dest.host}: a destination given by address must be a "
                    "loopback address; give a host name instead"
                )
            address = str(ip)
        plan.listen.append((address, dest.port, dest))
    return plan


# -- system calls ---------------------------------------------------------------------------
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise SandboxError(f"{what} failed: {os.strerror(err)} (errno {err})")
    return result


def _unshare(libc: ctypes.CDLL, with_mounts: bool) -> None:
    flags = CLONE_NEWNET | (CLONE_NEWNS if with_mounts else 0)
    if os.geteuid() != 0:
        uid, gid = os.geteuid(), os.getegid()
        _check(libc.unshare(flags | CLONE_NEWUSER), "unshare(CLONE_NEWUSER|CLONE_NEWNET)")
        # map ourselves to root inside, so that we may configure our own namespaces
        with open("/proc/self/setgroups", "w") as handle:
            handle.write("deny")
        with open("/proc/self/uid_map", "w") as handle:
            handle.write(f"0 {uid} 1")
        with open("/proc/self/gid_map", "w") as handle:
            handle.write(f"0 {gid} 1")
    else:
        _check(libc.unshare(flags), "unshare(CLONE_NEWNET)")


def _loopback_up() -> None:
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def _private_hosts(libc: ctypes.CDLL, hosts: dict[str, str]) -> None:
    """Show this process an /etc/hosts that names only its destinations."""
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    lines = [f"{address} {name}" for name, address in hosts.items()]
    if "localhost" not in hosts:
        lines += ["127.0.0.1 localhost", "::1 localhost"]
    # a file of our own (the kernel will not bind-mount a memfd); the mount keeps it alive
    fd, path = tempfile.mkstemp(prefix="treatygraph-hosts-")
    try:
        os.write(fd, ("\n".join(lines) + "\n").encode())
        os.fchmod(fd, 0o644)
        _check(
            libc.mount(path.encode(), b"/etc/hosts", None, MS_BIND, None), "bind-mount /etc/hosts"
        )
    finally:
        os.close(fd)
        os.unlink(path)


def _listen(plan: _Plan) -> list[socket.socket]:
    listeners = []
    for address, port, _dest in plan.listen:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(64)
        listeners.append(sock)
    return listeners


def landlock_abi(libc: ctypes.CDLL | None = None) -> int:
    """The Landlock ABI version the kernel offers (0: none)."""
    libc = libc or _libc()
    version = libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET,
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION),
    )
    return max(0, int(version))


def _landlock(libc: ctypes.CDLL, read_paths: Sequence[str], ports: Sequence[int]) -> None:
    """Deny every file-system access but reading ``read_paths``, and TCP but ``ports``."""
    abi = landlock_abi(libc)
    if abi < 1:
        raise SandboxError(
            "Landlock is not available in this kernel (Linux 5.13 or newer, "
            "with landlock in the lsm= boot list)"
        )
    fs_rights = (1 << _FS_RIGHTS.get(abi, 16)) - 1
    net_rights = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    # from ABI 6: no signals to, and no abstract sockets of, processes outside the sandbox
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attr = (
        struct.pack("QQQ", fs_rights, net_rights, scoped)
        if abi >= 6
        else struct.pack("QQ", fs_rights, net_rights)
    )
    ruleset = _check(
        libc.syscall(
            SYS_LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0)
        ),
        "landlock_create_ruleset",
    )
    try:
        for path in read_paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                rights = FS_READ_FILE | (FS_READ_DIR if os.path.isdir(path) else 0)
                rule = struct.pack("=Qi", rights, fd)
                _check(
                    libc.syscall(
                        SYS_LANDLOCK_ADD_RULE,
                        ruleset,
                        LANDLOCK_RULE_PATH_BENEATH,
                        rule,
                        ctypes.c_uint32(0),
                    ),
                    f"landlock_add_rule({path})",
                )
            finally:
                os.close(fd)
        if net_rights:
            for port in ports:
                rule = struct.pack("QQ", NET_CONNECT_TCP, port)
                _check(
                    libc.syscall(
                        SYS_LANDLOCK_ADD_RULE,
                        ruleset,
                        LANDLOCK_RULE_NET_PORT,
                        rule,
                        ctypes.c_uint32(0),
                    ),
                    f"landlock_add_rule(port {port})",
                )
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(
            libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)),
            "landlock_restrict_self",
        )
    finally:
        os.close(ruleset)


def _warm_resolver(plan: _Plan) -> None:
    """Load what name resolution and TLS load lazily, before files are closed to us."""
    "x".encode("idna")
    for name in plan.hosts:
        try:
            socket.getaddrinfo(name, None)
        except OSError:
            pass


def die_with_parent(libc: ctypes.CDLL | None = None) -> None:
    """Have the kernel SIGKILL this process when the thread that forked it ends."""
    libc = libc or _libc()
    parent = os.getppid()
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:  # the parent ended before the call took effect
        os._exit(1)


def confine(sandbox: Sandbox) -> list[socket.socket]:
    """Confine this (single-threaded, freshly forked) process; return its listening sockets.

    The caller hands the sockets to the parent's :class:`Relay` and closes its own copies.
    """
    listeners = isolate_network(sandbox)
    restrict(sandbox)
    return listeners


def isolate_network(sandbox: Sandbox) -> list[socket.socket]:
    """The namespaces: from here on only the sandbox's destinations have a route."""
    libc = _libc()
    plan = _plan(sandbox)
    _unshare(libc, with_mounts=bool(plan.hosts))
    listeners: list[socket.socket] = []
    if plan.listen:
        _loopback_up()
        if plan.hosts:
            _private_hosts(libc, plan.hosts)
        listeners = _listen(plan)
        _warm_resolver(plan)
    return listeners


def restrict(sandbox: Sandbox) -> None:
    """Landlock and the memory cap: no files but the sandbox's, TCP only to its ports."""
    plan = _plan(sandbox)
    _soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    stack = (
        sandbox.stack_bytes if hard == resource.RLIM_INFINITY else min(hard, sandbox.stack_bytes)
    )
    resource.setrlimit(resource.RLIMIT_STACK, (stack, hard))
    if sandbox.memory_bytes is not None:  # measured while /proc can still be read
        limit = _address_space() + sandbox.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    read = list(sandbox.read_paths) + (list(RESOLVER_FILES) if plan.hosts else [])
    _landlock(_libc(), read, sorted({port for _a, port, _d in plan.listen}))


def _address_space() -> int:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def check_available() -> str | None:
    """None when this host can confine a query process, else why not (one line).

    Tried for real in a throwaway child: the namespaces, the loopback set-up, Landlock, and
    then that a connect to 127.0.0.1 fails with ENETUNREACH and a file cannot be opened.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        message = b""
        try:
            isolate_network(Sandbox())
            with socket.socket() as sock:
                code = sock.connect_ex(("127.0.0.1", 9))
            if code != errno.ENETUNREACH:
                message = f"a connect from the sandbox gave {errno.errorcode.get(code)}".encode()
            else:
                restrict(Sandbox())
                try:
                    os.close(os.open("/etc/passwd", os.O_RDONLY))
                    message = b"the sandbox could still open /etc/passwd"
                except PermissionError:
                    pass
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            message = str(err).encode() or type(err).__name__.encode()
        os.write(write_end, message[:4000])
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 4096):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    reason = b"".join(chunks).decode("utf-8", "replace")
    return reason or None


# -- the parent's side: relaying connections to their one destination ----------------------
class Relay:
    """Relays connections from a confined child's listening sockets to their destinations.

    One daemon thread per owner process, started on first use. Each listening socket was
    opened inside the child's namespace for exactly one destination, so this is the only way
    out of it, and it leads only there.
    """

    def __init__(self, destinations: Sequence[Destination], connect_timeout: float = 10.0) -> None:
        self._destinations = list(destinations)
        self._connect_timeout = connect_timeout
        self._selector: selectors.BaseSelector | None = None
        self._listeners: list[socket.socket] = []
        self._wake_r, self._wake_w = -1, -1
        self._lock = threading.Lock()
        self._owner: int | None = None
        self.connections = 0

    def _start(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._owner = os.getpid()
        threading.Thread(target=self._loop, name="treatygraph-relay", daemon=True).start()

    def replace(self, listeners: list[socket.socket]) -> None:
        """Relay from these sockets (a new child's) instead of the previous ones."""
        if len(listeners) != len(self._destinations):
            raise SandboxError(
                f"the query process opened {len(listeners)} relay sockets, "
                f"not {len(self._destinations)}"
            )
        with self._lock:
            if self._owner != os.getpid():
                self._start()
            assert self._selector is not None
            for old in self._listeners:
                self._selector.unregister(old)
                old.close()
            self._listeners = listeners
            for sock, dest in zip(listeners, self._destinations, strict=True):
                sock.setblocking(False)
                self._selector.register(sock, selectors.EVENT_READ, ("listen", dest))
        os.write(self._wake_w, b"x")

    def _loop(self) -> None:
        assert self._selector is not None
        while True:
            with self._lock:
                selector = self._selector
            for key, _events in selector.select():
                if key.data is None:
                    os.read(self._wake_r, 4096)
                    continue
                if key.data[0] == "listen":
                    self._accept(key.fileobj, key.data[1])  # type: ignore[arg-type]
                else:
                    self._pump(key.fileobj, key.data[1])  # type: ignore[arg-type]

    def _accept(self, listener: socket.socket, dest: Destination) -> None:
        try:
            inside, _ = listener.accept()
        except OSError:
            return
        try:
            outside = socket.create_connection(
                (dest.host, dest.port), timeout=self._connect_timeout
            )
        except OSError:
            inside.close()  # the child sees a closed connection, as from a dead host
            return
        self.connections += 1
        for sock in (inside, outside):
            sock.setblocking(False)
        assert self._selector is not None
        self._selector.register(inside, selectors.EVENT_READ, ("pump", outside))
        self._selector.register(outside, selectors.EVENT_READ, ("pump", inside))

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            data = source.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            try:
                target.setblocking(True)
                target.sendall(data)
                target.setblocking(False)
                return
            except OSError:
                pass
        assert self._selector is not None
        for sock in (source, target):
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
