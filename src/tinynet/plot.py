"""Plots: what training did, as pictures (needs the ``plot`` extra, matplotlib).

matplotlib is imported when a function here is first called, not when
tinynet is imported. Every function draws on ``ax`` when given one (and
returns it), so figures can be composed; otherwise it makes a new figure.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["gradient_magnitudes", "decision_boundary", "loss_curve"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "tinynet.plot needs matplotlib: pip install 'tinynet-learn[plot]'"
        ) from None
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(8, 5))
    return ax


def gradient_magnitudes(histories: Mapping[str, Mapping[str, np.ndarray]], *, ax=None, title=None, log=False):
    """Plot recorded weight-gradient magnitudes, one line per layer.

    Parameters
    ----------
    histories : mapping
        ``{label: recorder.history}``, e.g. ``{"sigm": sig.history, "relu": relu.history}``;
        each history maps layer names to one value per iteration. Lines are
        labelled ``"<label> <layer>"``.
    ax : matplotlib Axes, optional
    title : str, optional
    log : bool, default False
        Log-scale y axis, which separates layers whose gradients differ by
        orders of magnitude.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    for label, history in histories.items():
        for layer, values in history.items():
            ax.plot(np.asarray(values), label=f"{label} {layer}".strip(), linewidth=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("sum |dW| / (n_in + n_out)")
    if log:
        ax.set_yscale("log")
    ax.set_title(title or "Magnitude of weight gradients per layer")
    ax.legend()
    return ax


def loss_curve(losses: Mapping[str, np.ndarray], *, ax=None, title=None, log=True):
    """Plot the training loss per iteration, one line per run.

    Parameters
    ----------
    losses : mapping
        ``{label: history.loss}``.
    ax : matplotlib Axes, optional
    title : str, optional
    log : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    for label, values in losses.items():
        ax.plot(np.asarray(values), label=label, linewidth=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (data + L2)")
    if log:
        ax.set_yscale("log")
    ax.set_title(title or "Training loss")
    ax.legend()
    return ax


def decision_boundary(model, X, y, *, ax=None, title=None, step=0.02):
    """Colour the plane by the model's predicted class and scatter the data on top.

    The grid is the notebook's: ``step`` apart, one unit beyond the data.

    Parameters
    ----------
    model : Sequential
        A model with two inputs.
    X : ndarray, shape (N, 2)
    y : ndarray of int, shape (N,)
    ax : matplotlib Axes, optional
    title : str, optional
    step : float, default 0.02

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = _pyplot()
    ax = _axes(ax)
    x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
    y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = model.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    ax.contourf(xx, yy, Z, cmap=plt.cm.Spectral, alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral, edgecolors="k", linewidths=0.5)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "Decision boundary")
    return ax
