"""The executor: Dask distributed, never a home-made pool.

``make_executor()`` starts a :class:`distributed.LocalCluster` of worker *processes* (one thread
each: BlazePose is the bottleneck and holds the GIL for long stretches), or connects to an
existing scheduler (``scheduler=`` or the ``RUNFORM_DASK_SCHEDULER`` environment variable), and
yields a :class:`concurrent.futures.Executor` (``Client.get_executor``). Jobs are submitted with
``pure=False``, so the same clip submitted twice runs twice, and a job whose worker dies is
re-run on another worker by the scheduler.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from runform.errors import OptionError

logger = logging.getLogger(__name__)

#: Environment variable naming an existing Dask scheduler (``tcp://host:8786``).
SCHEDULER_ENV = "RUNFORM_DASK_SCHEDULER"
#: Seconds to wait for a remote scheduler before giving up with a clear error.
CONNECT_TIMEOUT_S = 10
#: Seconds to wait for a remote scheduler to have a worker (workers may still be starting).
WORKERS_TIMEOUT_S = 60


#: Dask settings of the local cluster's workers. The statistical profiler samples the running task
#: every 10 ms: pure overhead here. The nanny's ``MALLOC_TRIM_THRESHOLD_=65536`` (set for every worker
#: process by default) switches off glibc's dynamic mmap threshold, so every decoded frame (2.7 MB at
#: 720p) is mmap-ed, page-faulted and unmapped again: +4 CPU-s of system time per 12 s clip, measured
#: by benchmarks/speed.py --batch. ``None`` unsets the variable (docs/SCALING.md: the same for workers
#: of an existing cluster). ``OPENCV_FOR_THREADS_NUM=1``: a worker owns one core, and OpenCV's own
#: thread pool (resizing the kept frames, the grey copies) otherwise spins on ``sched_yield`` waiting
#: for work (about 350,000 calls per 12 s clip), taking turns from the other worker's pose model:
#: 2 workers' steady rate 7.08 -> 7.70 clips/min, one worker unchanged (session 16, docs/SCALING.md).
#: It applies to a 1-worker cluster too (the web app's default): that worker's pose model, not
#: OpenCV, is what a job waits for (4.44 vs 4.35 clips/min, within the VM's spread).
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.nanny.pre-spawn-environ.OPENCV_FOR_THREADS_NUM": "1",
}


def default_workers() -> int:
    """One worker process per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def check_workers(workers: int | None) -> None:
    """``workers`` (``--workers``) is None (one per core) or 1 or more; else an OptionError."""
    if workers is not None and workers < 1:
        raise OptionError("Invalid number of workers", expected="1 or more", found=str(workers),
                          fix="give --workers 1 or more, or leave it out for one per core")  # fmt: skip


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler to connect to: the argument, else ``RUNFORM_DASK_SCHEDULER``, else None (local)."""
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    return address.strip() if address else None


@contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None,
                  need_workers: bool = True) -> Iterator[Executor]:  # fmt: skip
    """A context manager yielding a ``concurrent.futures.Executor`` backed by Dask distributed.

    Without a scheduler address: a LocalCluster of ``workers`` processes (default: one per core)
    on loopback, closed on exit. With one: a client of that cluster (closed on exit; the cluster
    keeps running); ``need_workers``: a scheduler without a worker within :data:`WORKERS_TIMEOUT_S`
    is an error (a batch would wait for ever; the web app, which waits anyway, says False).
    """
    from distributed import Client, LocalCluster

    check_workers(workers)
    address = scheduler_address(scheduler)
    if address is not None:
        client = _connect(Client, address)
        if need_workers:
            _wait_for_workers(client, address)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
        return
    n = workers or default_workers()
    import dask

    with dask.config.set(LOCAL_WORKER_CONFIG), _nanny_environ_kept_out() as restore_environ, LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, Client(cluster) as client:  # fmt: skip
        restore_environ()
        logger.info("started a local Dask cluster of %d worker processes", n)
        yield client.get_executor(pure=False)


@contextmanager
def _nanny_environ_kept_out() -> Iterator[Callable[[], None]]:
    """Dask's nanny sets its ``pre-spawn-environ`` in *this* process's ``os.environ`` before it
    spawns each worker (``OMP_NUM_THREADS=1``, ``OPENCV_FOR_THREADS_NUM=1``, ...) and never undoes
    it: the variables were meant for the workers, so they are put back as they were once the
    workers are started and again when the cluster closes. A worker respawned in between (its
    nanny keeps its own copy of the settings) sets them in this process again, until the close."""
    import dask

    keys = list(dask.config.get("distributed.nanny.pre-spawn-environ", {})) + ["PYTHONHASHSEED"]
    before = {key: os.environ.get(key) for key in keys}

    def restore() -> None:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            elif os.environ.get(key) != value:
                os.environ[key] = value

    try:
        yield restore
    finally:
        restore()


def _wait_for_workers(client, address: str) -> None:  # noqa: ANN001 - distributed.Client
    """The scheduler must have a worker within :data:`WORKERS_TIMEOUT_S`; otherwise the batch would
    wait for ever under its progress bar."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - distributed raises TimeoutError
        client.close()
        raise OptionError(
            f"The Dask scheduler at {address} has no workers",
            expected="a scheduler with workers (`dask worker <address>` on each node)",
            found=f"none within {WORKERS_TIMEOUT_S} s ({type(exc).__name__})",
            fix="start the workers, then run the batch again",
        ) from None
    logger.info("connected to the Dask scheduler at %s (%d workers)", address, len(client.scheduler_info()["workers"]))


def _connect(client_class, address: str):  # noqa: ANN001, ANN202 - distributed.Client
    """A client of the scheduler at ``address``, or a clear OptionError within about
    :data:`CONNECT_TIMEOUT_S` (also for something at that address that is not a Dask scheduler,
    with which the handshake itself would hang)."""
    outcome: dict[str, object] = {}

    def attempt() -> None:
        try:
            outcome["client"] = client_class(address, timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - a refused port, TLS without a context, a non-Dask server...
            outcome["error"] = exc

    # a daemon thread: a handshake that never ends must not keep the process from exiting
    thread = threading.Thread(target=attempt, name="runform-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT_S + 5)
    if "client" in outcome:
        return outcome["client"]
    exc = outcome.get("error") or TimeoutError(f"no Dask handshake within {CONNECT_TIMEOUT_S + 5} s: not a Dask scheduler?")
    raise OptionError(
        f"Cannot connect to the Dask scheduler at {address}",
        expected="a running scheduler, e.g. tcp://host:8786 (start one with `dask scheduler`)",
        found=f"{type(exc).__name__}: {exc}",
        fix=f"start the scheduler and its workers, check --scheduler / {SCHEDULER_ENV}, or leave both out to run locally",
    ) from None
