"""The CPUs this process may use, and the thread pool the layer algorithms share.

numpy releases the GIL inside its loops and GEMMs, so threads speed up the
many small products of :mod:`convbook.conv_fft` and the single-threaded
transforms of :mod:`convbook.winograd`. One pool serves both, created on
first use. While the pool's threads call BLAS, BLAS's own threads are held
to one (:func:`map_serial_blas`).
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

_POOL = None
_BLAS = None


def available_cpus():
    """The number of CPUs this process may run on.

    ``os.sched_getaffinity`` where the platform has it (Linux: a container
    or ``taskset`` may allow fewer CPUs than the machine has); elsewhere
    (macOS, Windows) ``os.cpu_count()``, at least 1.
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Read once: the pool is sized by it, and the chunks must match the pool.
THREADS = available_cpus()


def pool():
    """The shared thread pool, ``THREADS`` workers."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=THREADS)
    return _POOL


def chunks(n):
    """``range(n)`` split into one slice per thread (fewer if ``n`` is smaller)."""
    bounds = np.linspace(0, n, min(THREADS, n) + 1).astype(int)
    return [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]


def map_serial_blas(task, items):
    """``list(pool().map(task, items))``, with BLAS on one thread meanwhile.

    Each of the pool's threads then runs its GEMMs on its own core. Left to
    OpenBLAS's default (a thread per core), two pool threads each calling
    small complex GEMMs ran the FFT layer's per-frequency products at half
    the speed, the calls contending for OpenBLAS's threads (B=32,
    C_in=C_out=64, 32x32 maps, 2-core EPYC). Outside the pool a single large
    GEMM still uses every core.
    """
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController()
    with _BLAS.limit(limits=1, user_api="blas"):
        return list(pool().map(task, items))
