"""BLAS threads: how many CPU cores numpy's matrix products use while tinynet works.

numpy hands every matrix product to a BLAS library (OpenBLAS in numpy's wheels),
which starts one thread per core. For the small matrices of a teaching-size net
the threads cost more than they save, and when another program keeps a core
busy they wait for each other: on a 2-core machine with one busy process, one
training iteration of the notebook's net went from 0.24 ms to 21 ms.

So tinynet follows one rule wherever it computes (``fit``, ``predict``,
``accuracy``, :func:`tinynet.gradcheck`, :func:`tinynet.study.compare`): a
problem whose largest matrix product is small runs on **one** BLAS thread;
a bigger one runs with the BLAS library's own setting (all cores, unless
``OPENBLAS_NUM_THREADS`` or the like says otherwise). On one thread the
results are also the same bit for bit whatever the machine's thread settings,
which makes small runs reproducible. Pass ``threads=`` to ``fit`` or
``compare`` (or use :func:`limit`) to choose yourself. The limits come from
`threadpoolctl <https://github.com/joblib/threadpoolctl>`_, as in scikit-learn.

The threshold, :data:`ONE_THREAD_BELOW`, was measured on a 2-core machine: see
the Benchmarks page of the documentation.

**Threads and processes: what is safe to share.** A BLAS thread limit holds
for the whole process while a ``fit`` (or ``predict``) runs. Layers, models,
losses, optimizers and callbacks keep the state of the batch they work on
(``layer.input``, a loss's probabilities, an optimizer's momentum), so one of
them must not be used by two Python threads at once: give each thread its own
model, loss, optimizer and callbacks. Two threads training two models at the
same time work, but each changes the BLAS limit under the other (train in
processes instead: ``tn.study.compare(jobs=n)`` does). Saving is safe from
several threads or processes at once (each save replaces the file in one
step), and so is loading. The layer registry of :mod:`tinynet.io` is meant to
be filled at import time (``@tn.register_layer``), not while other threads load.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

from ._validation import check_int

__all__ = ["ONE_THREAD_BELOW", "limit", "rule"]

ONE_THREAD_BELOW = 4_000_000
"""Multiply-adds in the largest matrix product below which tinynet uses one BLAS thread.

The largest product of a training iteration is about ``rows x size`` multiply-adds,
where ``rows`` is the batch size and ``size`` the number of entries of the
largest parameter array (a ``Dense(50, 50)`` layer on the notebook's 300 points:
``300 x 2,500 = 750,000``).
"""


def rule(largest_parameter: int, rows: int) -> int | None:
    """The BLAS thread count tinynet uses: 1 for a small problem, None (the BLAS default) otherwise.

    Parameters
    ----------
    largest_parameter : int
        Entries of the model's largest parameter array (``n_in * n_out`` for a ``Dense``).
    rows : int
        Rows of the batch (or of the data, for ``predict``).

    Returns
    -------
    int or None
        ``1`` when ``largest_parameter * rows`` is below :data:`ONE_THREAD_BELOW`, else None.

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.threads.rule(50 * 50, 300), tn.threads.rule(256 * 256, 30_000)
    (1, None)
    """
    return 1 if largest_parameter * rows < ONE_THREAD_BELOW else None


@functools.cache
def _controller() -> ThreadpoolController:
    # Finding the loaded BLAS libraries takes about 0.1 ms; numpy's is loaded once, at import.
    return ThreadpoolController()


@contextmanager
def limit(threads: int | None) -> Iterator[None]:
    """Run the ``with`` block with numpy's BLAS on at most ``threads`` threads (None: unchanged).

    The limit applies to the whole process and is undone when the block ends.

    Parameters
    ----------
    threads : int or None
        At least 1; None leaves the BLAS library as it is.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> with tn.threads.limit(1):
    ...     product = np.ones((500, 500)) @ np.ones((500, 500))
    """
    if threads is None:
        yield
        return
    threads = check_int(threads, "threads", "tinynet.threads.limit")
    with _controller().limit(limits=threads, user_api="blas"):
        yield
