"""The CPUs this process may use, and the thread pool the layer algorithms share.

numpy releases the GIL inside its loops and GEMMs, so threads speed up the
many small products of :mod:`convbook.conv_fft` and the single-threaded
transforms of :mod:`convbook.winograd`. One pool serves both, created on
first use.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_POOL = None


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
