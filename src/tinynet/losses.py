r"""Losses: one number that says how wrong the model's scores are.

A loss has ``forward(scores, y) -> float`` and ``backward() -> dscores``, the
gradient of that number with respect to the scores it was given.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._validation import check_float_input, check_labels

__all__ = ["Loss", "SoftmaxCrossEntropy"]


class Loss:
    """Base class: ``forward(scores, y) -> float`` then ``backward() -> dscores``.

    A subclass remembers in ``forward`` what its ``backward`` needs.

    Examples
    --------
    Half the mean squared distance of the scores from one-hot labels:

    >>> import numpy as np, tinynet as tn
    >>> class OneHotMSE(tn.Loss):
    ...     def forward(self, scores, y):
    ...         self.diff = scores - np.eye(scores.shape[1])[y]
    ...         return float(0.5 * np.sum(self.diff**2) / len(y))
    ...     def backward(self):
    ...         return self.diff / len(self.diff)
    >>> loss = OneHotMSE()
    >>> loss.forward(np.zeros((2, 3)), np.array([0, 2]))
    0.5
    >>> bool(tn.gradcheck(loss, np.zeros((2, 3)), np.array([0, 2])))
    True
    """

    def forward(self, scores: np.ndarray, y: np.ndarray) -> float:
        """Return the loss of a batch of scores.

        Parameters
        ----------
        scores : ndarray, shape (N, n_classes)
            The model's output.
        y : ndarray of int, shape (N,)
            The correct class of each row.

        Returns
        -------
        float
            The mean loss over the batch.
        """
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """Return the gradient of the last ``forward``'s loss with respect to its scores.

        Returns
        -------
        ndarray, shape (N, n_classes)
            :math:`\\partial L / \\partial\\,\\text{scores}`.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    r"""Softmax followed by the mean cross-entropy over the batch.

    For scores :math:`s` of shape ``(N, K)`` and integer labels
    :math:`y \in \{0, \dots, K-1\}^N`,

    .. math::

        p_{nk} = \frac{e^{s_{nk} - m_n}}{\sum_j e^{s_{nj} - m_n}}, \quad
        m_n = \max_j s_{nj}, \qquad
        L = -\frac{1}{N} \sum_{n} \log p_{n y_n}.

    Subtracting the row maximum :math:`m_n` changes nothing mathematically
    and keeps ``exp`` from overflowing. The gradient is

    .. math:: \frac{\partial L}{\partial s_{nk}} = \frac{p_{nk} - [k = y_n]}{N}.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> loss = tn.SoftmaxCrossEntropy()
    >>> round(loss.forward(np.zeros((2, 3)), np.array([0, 2])), 6)  # log(3)
    1.098612
    >>> loss.backward()
    array([[-0.33333333,  0.16666667,  0.16666667],
           [ 0.16666667,  0.16666667, -0.33333333]])
    """

    def __init__(self) -> None:
        self.probs: np.ndarray | None = None
        self.labels: np.ndarray | None = None  # a copy of the last labels, and their one-hot matrix:
        self._onehot = np.zeros((0, 0))  # (K, N), 1 where k == y_n

    def forward(self, scores: npt.ArrayLike, y: npt.ArrayLike) -> float:
        scores = check_float_input(scores, "SoftmaxCrossEntropy", "scores")
        if scores.ndim != 2:
            raise ValueError(
                f"SoftmaxCrossEntropy: scores must be 2-D (n_samples, n_classes), got shape {scores.shape}"
            )
        n, k = scores.shape
        if not (self._onehot.shape == (k, n) and self._onehot.dtype == scores.dtype and _same(y, self.labels)):
            # new labels (compared by value: y may have changed in place), checked once
            self.labels = check_labels(y, n, k, "SoftmaxCrossEntropy").copy()
            self._onehot = np.zeros((k, n), scores.dtype)
            self._onehot[self.labels, np.arange(n)] = 1.0
        # The formula on the transposed scores, one row per class: the maxima and sums
        # over classes then run along contiguous rows, several times faster than along
        # rows of length K when K is small (3 in the notebook).
        shifted = scores.T.copy()
        with np.errstate(over="ignore"):  # scores 1e308 apart: s - m = -inf, and exp(-inf) the right 0
            shifted -= np.maximum.reduce(shifted, axis=0)
        correct = np.vdot(self._onehot, shifted)  # sum over n of s[n, y_n] - m_n, as a product with the one-hot
        if math.isnan(correct):  # 0 * -inf for a score 1e308 below its row's maximum: pick the entries instead
            correct = np.add.reduce(shifted[self.labels, np.arange(n)])
        probs = np.exp(shifted, out=shifted)
        sums = np.add.reduce(probs, axis=0)
        probs /= sums
        self.probs = probs.T
        # -log p[n, y_n] = log(sum_k exp(s[n, k] - m_n)) - (s[n, y_n] - m_n): never log(0)
        return float((np.add.reduce(np.log(sums)) - correct) / n)

    def backward(self) -> np.ndarray:
        if self.probs is None:
            raise RuntimeError("SoftmaxCrossEntropy: call forward(scores, y) before backward()")
        dscores = self.probs.T - self._onehot  # (K, N), as forward laid it out: p - [k = y_n]
        dscores /= dscores.shape[1]
        return dscores.T


def _same(y, labels: np.ndarray | None) -> bool:
    """Whether ``y`` holds exactly ``labels``: the same shape and type, and the same bytes."""
    return (labels is not None and isinstance(y, np.ndarray) and y.dtype == labels.dtype
            and y.shape == labels.shape and y.tobytes() == labels.tobytes())
