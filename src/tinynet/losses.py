r"""Losses: one number that says how wrong the model's scores are.

A loss has ``forward(scores, y) -> float`` and ``backward() -> dscores``, the
gradient of that number with respect to the scores it was given.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_labels

__all__ = ["Loss", "SoftmaxCrossEntropy"]


class Loss:
    """Base class: ``forward(scores, y) -> float`` then ``backward() -> dscores``."""

    def forward(self, scores: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
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
        self._y = np.arange(0)
        self._y_given = None
        self._n_classes = 0
        self._rows = np.arange(0)

    def forward(self, scores: np.ndarray, y: np.ndarray) -> float:
        if scores.ndim != 2:
            raise ValueError(
                f"SoftmaxCrossEntropy: scores must be 2-D (n_samples, n_classes), got shape {scores.shape}"
            )
        n, k = scores.shape
        if y is not self._y_given or self._y.shape[0] != n or k != self._n_classes:
            # validate each new label array once, not on every iteration
            self._y = check_labels(y, n, k, "SoftmaxCrossEntropy")
            self._y_given, self._n_classes = y, k
        y = self._y
        if self._rows.shape[0] != n:
            self._rows = np.arange(n)
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        sums = probs.sum(axis=1, keepdims=True)
        probs /= sums
        self.probs = probs
        # log p[n, y_n] = shifted[n, y_n] - log(sum_j exp(shifted[n, j])): never log(0)
        return float(np.mean(np.log(sums[:, 0]) - shifted[self._rows, y]))

    def backward(self) -> np.ndarray:
        if self.probs is None:
            raise RuntimeError("SoftmaxCrossEntropy: call forward(scores, y) before backward()")
        dscores = self.probs.copy()
        dscores[self._rows, self._y] -= 1.0
        dscores /= dscores.shape[0]
        return dscores
