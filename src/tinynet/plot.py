"""Plots: what training did, as pictures (needs the ``plot`` extra, matplotlib).

matplotlib is imported when a function here is first called, not when
tinynet is imported. Every function draws on ``ax`` when given one (and
returns it), so figures can be composed; otherwise it makes a new figure.
Functions that draw one panel per run (per activation) take a sequence of
Axes as ``ax`` and return the list of Axes they drew on; a ``title`` then
goes above the whole figure.

The gradient plots take ``histories``: ``{label: history}``, where each
history maps layer names to one value per iteration, as
:attr:`tinynet.Recorder.history` does, first layer first -- or
``{label: recorder}``, a :class:`~tinynet.GradientRecorder` itself: then the
axis says what the recorder measured (its ``label``, e.g. ``"mean |dW|"``);
a plain history does not say, so the axis reads "weight-gradient magnitude"
unless ``ylabel`` names the metric.

Log-scale y axes that span less than three decades are labelled at 1, 2 and
5 times each power of ten and end on such a tick, so both ends carry a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from ._validation import check_choice, check_features, check_int, check_labels, check_positive, require
from .recorders import GradientRecorder

__all__ = [
    "gradient_magnitudes", "gradient_flow", "gradient_heatmap", "decision_boundary",
    "loss_curves", "loss_curve", "saturation", "gradient_flow_rows", "accuracy_bars",
    "activation_stats", "signal_histograms", "signal_spread",
]

_MAX_GRID = 4_000_000  # decision_boundary refuses finer grids: memory, and minutes of predicting

_ROLES = {"output": "activation", "grad_out": "weights"}  # a Signal's field: the layers that carry it
_UNKNOWN_METRIC = "weight-gradient magnitude"  # the axis label when the values' metric is not known
_STYLES = ("-", "--", ":", "-.")


def _pyplot():
    return require("matplotlib.pyplot", "plot", "tinynet.plot")


def _axes(ax):
    if ax is None:  # constrained layout: a label or a legend outside the Axes still fits in the figure
        _, ax = _pyplot().subplots(figsize=(8, 5), layout="constrained")
    return ax


def _panels(n: int, ax, size: tuple[float, float] = (5.5, 4.2), ncols: int = 3) -> list:
    """``n`` Axes, one per panel: the first ``n`` of ``ax`` (a sequence), or a new figure's."""
    if ax is None:
        cols = min(n, ncols)
        rows = math.ceil(n / cols)
        _, grid = _pyplot().subplots(rows, cols, squeeze=False, figsize=(size[0] * cols, size[1] * rows),
                                     layout="constrained")
        axes = list(grid.ravel())
    else:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) < n:
            raise ValueError(f"tinynet.plot: {n} panels need {n} Axes, got {len(axes)}")
    for extra in axes[n:]:
        extra.set_visible(False)
    return axes[:n]


def _suptitle(axes: list, title: str | None) -> None:
    if title:
        axes[0].figure.suptitle(title)


def _share_y(axes: list) -> None:
    """Give every panel the same y range, so heights compare across panels."""
    limits = [a.get_ylim() for a in axes]
    low, high = min(lo for lo, _ in limits), max(hi for _, hi in limits)
    for a in axes:
        a.set_ylim(low, high)


def _nonempty(mapping: Mapping, what: str, owner: str) -> None:
    if not isinstance(mapping, Mapping) or not mapping:
        raise ValueError(f"{owner}: expected a non-empty mapping {{label: {what}}}, got {mapping!r}")


def _tail_means(history: Mapping[str, np.ndarray], window: int) -> list[float]:
    """Each layer's mean over its last ``window`` recorded values, in the history's order."""
    return [float(np.mean(np.asarray(v, dtype=np.float64)[-window:])) for v in history.values()]


def _histories(histories: Mapping, owner: str) -> tuple[dict[str, Mapping[str, np.ndarray]], str]:
    """``{label: history}`` from histories and/or recorders, and what the values are.

    What they are is the recorders' ``label`` when every value is a recorder
    and all say the same; otherwise ``_UNKNOWN_METRIC``.
    """
    _nonempty(histories, "history", owner)
    plain, metrics = {}, set()
    for label, value in histories.items():
        if isinstance(value, Mapping):
            plain[label], metric = value, None
        elif isinstance(getattr(value, "history", None), Mapping):
            plain[label], metric = value.history, getattr(value, "label", None)
        else:
            raise TypeError(f"{owner}: the history of {label!r} must be a mapping {{layer name: values}} "
                            f"or a GradientRecorder, got {type(value).__name__}")
        metrics.add(metric)
    return plain, (metrics.pop() if len(metrics) == 1 else None) or _UNKNOWN_METRIC


def _log_ticks(*axes) -> None:
    """Numbers along log-scale y axes that share a range: under three decades, at 1, 2 and 5 x 10^k.

    Left alone, matplotlib labels a short log axis at a few of 2..9 x 10^k,
    and the stretch below the lowest label carries no number at all. Here
    the axes end on the nearest such ticks around the data of all of them
    (call once it is drawn). Wider ranges keep matplotlib's label per decade.
    """
    from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullFormatter

    low = min(max(a.yaxis.get_data_interval()[0], a.yaxis.get_minpos()) for a in axes)  # minpos: > 0, bars
    high = max(a.yaxis.get_data_interval()[1] for a in axes)
    if not 0 < low < high < 1000 * low:
        return
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [m * 10.0**k for k in decades for m in (1, 2, 5)]
    limits = max(t for t in ticks if t <= low * (1 + 1e-9)), min(t for t in ticks if t >= high * (1 - 1e-9))
    for a in axes:
        a.set_ylim(*limits)
        a.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        a.yaxis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(np.inf, np.inf)))
        a.yaxis.set_minor_formatter(NullFormatter())


def _select(history: Mapping[str, np.ndarray], layers, label: str) -> list[tuple[int, str, np.ndarray]]:
    """``(position, name, values)`` of the chosen layers; ``layers`` holds names and/or positions."""
    names = list(history)
    if layers is None:
        chosen = range(len(names))
    else:
        chosen = []
        for item in layers:
            if isinstance(item, str):
                if item not in names:
                    check_choice(item, names, f"layer of {label!r}")
                chosen.append(names.index(item))
            elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                if not -len(names) <= item < len(names):
                    raise ValueError(
                        f"tinynet.plot: layer position {item} is out of range for {label!r}, "
                        f"which has {len(names)} layers ({', '.join(names)})"
                    )
                chosen.append(int(item) % len(names))
            else:
                raise TypeError(f"tinynet.plot: layers must hold layer names or positions (int), got {item!r}")
    return [(i, names[i], np.asarray(history[names[i]], dtype=np.float64)) for i in chosen]


def _layer_label(position: int, name: str, n_layers: int) -> str:
    """``"layer 2 (dense_1)"``, and ``"layer 3 (output)"`` for the output layer, whatever its name.

    A Maxout net's output layer is its only Dense layer, ``dense_0``; the
    other plots mark the output layer the same way.
    """
    return f"layer {position + 1} ({'output' if position == n_layers - 1 and n_layers > 1 else name})"


def gradient_magnitudes(
    histories: Mapping[str, Mapping[str, np.ndarray] | GradientRecorder],
    *,
    ax=None,
    title: str | None = None,
    log: bool = False,
    layers: Iterable[str | int] | None = None,
    panels: bool = False,
    ylabel: str | None = None,
    first: int | None = None,
):
    """Plot recorded weight-gradient magnitudes over training, one line per layer.

    The notebook's three figures are ``gradient_magnitudes({"sigm": sig})``,
    the same for ReLU, and both in one call (the overlay).

    Parameters
    ----------
    histories : mapping
        ``{label: recorder}`` or ``{label: recorder.history}``, e.g.
        ``{"sigm": sig, "relu": relu}``; each history maps layer names to one
        value per iteration. On one Axes, lines are labelled ``"<label> <layer>"``;
        with several labels, each has a colour and each layer a line style.
    ax : matplotlib Axes, or a sequence of them with ``panels=True``, optional
    title : str, optional
    log : bool, default False
        Log-scale y axis, which separates layers whose gradients differ by
        orders of magnitude.
    layers : iterable of str or int, optional
        Only these layers: names (``"dense_0"``) or positions (``0`` is the
        first layer, ``-1`` the output layer). Positions pick the same layer
        in nets whose layers are named differently (``dense_0``, ``maxout_0``).
    panels : bool, default False
        One panel per label (lines coloured from the first layer, dark, to
        the output layer, light), all with the same y range.
    ylabel : str, optional
        What the values are. Default: the recorders' ``label`` (``"mean |dW|"``
        for ``GradientRecorder(metric="mean_abs")``) when ``histories`` holds
        recorders that agree, else ``"weight-gradient magnitude"``.
    first : int, optional
        Only the first ``first`` recorded iterations: a zoom on the start of training.

    Returns
    -------
    matplotlib.axes.Axes, or a list of Axes with ``panels=True``

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> history = {"dense_0": [3.0, 2.0, 1.0], "dense_1": [1.0, 1.0, 1.0]}
    >>> ax = tn.plot.gradient_magnitudes({"relu": history}, layers=[0], log=True)
    >>> [line.get_label() for line in ax.get_lines()], ax.get_ylabel()
    (['relu dense_0'], 'weight-gradient magnitude')
    """
    histories, metric = _histories(histories, "gradient_magnitudes")
    ylabel = metric if ylabel is None else ylabel
    if first is not None:
        first = check_int(first, "first", "gradient_magnitudes")
    selected = {label: [(i, layer, values[:first]) for i, layer, values in _select(history, layers, label)]
                for label, history in histories.items()}
    if not panels:
        ax = _axes(ax)
        for j, (label, chosen) in enumerate(selected.items()):
            for k, (_, layer, values) in enumerate(chosen):  # several labels: a colour each, a line style per layer
                style = {} if len(selected) == 1 else {"color": f"C{j % 10}", "linestyle": _STYLES[k % len(_STYLES)]}
                ax.plot(values, label=f"{label} {layer}".strip(), linewidth=1, **style)
        _gradient_axes(ax, title or "Magnitude of weight gradients per layer", log, ylabel)
        if log:
            _log_ticks(ax)
        return ax
    axes = _panels(len(selected), ax)
    for a, (label, chosen) in zip(axes, selected.items(), strict=True):
        n_layers = len(histories[label])
        for position, layer, values in chosen:
            a.plot(values, label=_layer_label(position, layer, n_layers), linewidth=1,
                   color=_layer_colour(position, n_layers))
        _gradient_axes(a, label, log, ylabel)
    _share_y(axes)
    if log:
        _log_ticks(*axes)
    _suptitle(axes, title)
    return axes


def _gradient_axes(ax, title: str, log: bool, ylabel: str) -> None:
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    if ax.get_lines():
        ax.legend(fontsize="small", ncols=2 if len(ax.get_lines()) > 6 else 1)


def gradient_flow(
    histories: Mapping[str, Mapping[str, np.ndarray] | GradientRecorder],
    *,
    ax=None,
    title: str | None = None,
    log: bool = True,
    window: int = 100,
    ylabel: str | None = None,
):
    """Bar chart: how large each layer's weight gradient is at the end of training.

    One group of bars per layer position (1 = first hidden layer, next to
    the input; the last is the output layer), one bar per label. With sigmoid
    units in a deep net the bars shrink by orders of magnitude towards layer
    1 -- vanishing gradients at a glance; with ReLU they stay level. The
    legend sits to the right of the Axes, clear of the bars.

    Parameters
    ----------
    histories : mapping
        ``{label: recorder}`` or ``{label: recorder.history}``.
    ax : matplotlib Axes, optional
    title : str, optional
    log : bool, default True
        Log-scale y axis (the differences span orders of magnitude).
    window : int, default 100
        Each bar is the mean over the last ``window`` recorded iterations
        (all, if fewer), which smooths iteration-to-iteration jitter.
    ylabel : str, optional
        What the values are; default as for :func:`gradient_magnitudes`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> ax = tn.plot.gradient_flow({"sigmoid": {"dense_0": [1e-6], "dense_1": [1e-3]},
    ...                             "relu": {"dense_0": [1e-2], "dense_1": [1e-2]}})
    >>> len(ax.patches)
    4
    """
    histories, metric = _histories(histories, "gradient_flow")
    ylabel = metric if ylabel is None else ylabel
    window = check_int(window, "window", "gradient_flow")
    ax = _axes(ax)
    n_layers = max(len(history) for history in histories.values())
    width = 0.8 / len(histories)
    for j, (label, history) in enumerate(histories.items()):
        heights = _tail_means(history, window)
        offsets = np.arange(len(heights)) + (j - (len(histories) - 1) / 2) * width
        ax.bar(offsets, heights, width=width, label=label)
    ax.set_xticks(np.arange(n_layers),
                  labels=[f"{i + 1}" + ("\n(output)" if i == n_layers - 1 else "") for i in range(n_layers)])
    ax.set_xlabel("layer (1 = first hidden layer, next to the input)")
    ax.set_ylabel(f"{ylabel}\n(mean of the last {window} iterations)")
    if log:
        ax.set_yscale("log")
        _log_ticks(ax)
    ax.set_title(title or "Weight-gradient magnitude per layer at the end of training")
    ax.legend(title="activation", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return ax


def gradient_heatmap(
    histories: Mapping[str, Mapping[str, np.ndarray] | GradientRecorder],
    *,
    ax=None,
    title: str | None = None,
    bins: int = 200,
    label: str | None = None,
):
    """Heatmaps, one panel per label: layers down, iterations across, colour = gradient magnitude.

    All panels share one logarithmic colour scale, so a dark band at the top
    of a panel (the first layers) next to bright rows below is a gradient
    that vanishes on its way back through the net.

    Parameters
    ----------
    histories : mapping
        ``{label: recorder}`` or ``{label: recorder.history}``.
    ax : sequence of matplotlib Axes, optional
        At least one per label; default a new figure.
    title : str, optional
        Above the whole figure.
    bins : int, default 200
        Iterations are averaged in this many equal stretches (columns).
    label : str, optional
        The colour bar's label; default what the values are (as the ``ylabel``
        of :func:`gradient_magnitudes`) and "(log colour scale)".

    Returns
    -------
    list of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> axes = tn.plot.gradient_heatmap({"sigmoid": {"dense_0": [1e-6, 1e-7], "dense_1": [1e-3, 1e-3]}})
    >>> len(axes), axes[0].get_title()
    (1, 'sigmoid')
    """
    histories, metric = _histories(histories, "gradient_heatmap")
    label = f"{metric} (log colour scale)" if label is None else label
    bins = check_int(bins, "bins", "gradient_heatmap")
    from matplotlib.colors import LogNorm

    maps = {}
    for name, history in histories.items():
        matrix = np.array([np.asarray(v, dtype=np.float64) for v in history.values()], ndmin=2)
        edges = np.linspace(0, matrix.shape[1], min(bins, matrix.shape[1]) + 1).astype(int)
        maps[name] = np.add.reduceat(matrix, edges[:-1], axis=1) / np.diff(edges)
    positive = np.concatenate([m[m > 0] for m in maps.values()] + [np.empty(0)])
    positive = positive[np.isfinite(positive)]
    low, high = (positive.min(), positive.max()) if positive.size else (1e-12, 1.0)
    norm = LogNorm(vmin=low, vmax=high if high > low else low * 10)
    axes = _panels(len(maps), ax, size=(5.5, 3.8))
    image = None
    for a, (name, matrix) in zip(axes, maps.items(), strict=True):
        n_layers, n_iterations = matrix.shape[0], len(next(iter(histories[name].values())))
        image = a.imshow(np.ma.masked_less_equal(matrix, 0), aspect="auto", norm=norm, cmap="viridis",
                         interpolation="nearest", extent=(0, n_iterations, n_layers + 0.5, 0.5))
        a.set_yticks(np.arange(1, n_layers + 1),
                     labels=[f"{i}" + (" (output)" if i == n_layers else "") for i in range(1, n_layers + 1)])
        a.set_xlabel("iteration")
        a.set_ylabel("layer (1 = next to the input)")
        a.set_title(name)
    axes[0].figure.colorbar(image, ax=axes, label=label, shrink=0.9)
    _suptitle(axes, title)
    return axes


def loss_curves(losses: Mapping[str, np.ndarray], *, ax=None, title=None, log=True):
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

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> ax = tn.plot.loss_curves({"sigmoid": [1.1, 0.9, 0.8], "relu": [1.1, 0.5, 0.2]})
    >>> ax.get_ylabel()
    'loss (data + L2)'
    """
    _nonempty(losses, "losses", "loss_curves")
    ax = _axes(ax)
    for label, values in losses.items():
        ax.plot(np.asarray(values), label=label, linewidth=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (data + L2)")
    if log:
        ax.set_yscale("log")
        _log_ticks(ax)
    ax.set_title(title or "Training loss")
    ax.legend()
    return ax


loss_curve = loss_curves  # the name in DESIGN.md; same function


def decision_boundary(model, X, y, *, ax=None, title=None, step=0.02):
    """Colour the plane by the model's predicted class and scatter the data on top.

    The grid is the notebook's: ``step`` apart, one unit beyond the data.
    Give a mapping ``{label: model}`` to draw one panel per model, each
    titled with its label and training accuracy on ``X, y``.

    Parameters
    ----------
    model : Sequential, or mapping of str to Sequential
        A model with two inputs, or several.
    X : ndarray, shape (N, 2)
    y : ndarray of int, shape (N,)
    ax : matplotlib Axes (a sequence of them for a mapping), optional
    title : str, optional
        For a mapping, the title above all panels.
    step : float, default 0.02

    Returns
    -------
    matplotlib.axes.Axes, or a list of Axes for a mapping

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> models = {"relu": tn.Sequential(tn.Dense(2, 3, rng=0)), "tanh": tn.Sequential(tn.Dense(2, 3, rng=1))}
    >>> axes = tn.plot.decision_boundary(models, X, y, step=0.1)
    >>> [a.get_title().split(":")[0] for a in axes]
    ['relu', 'tanh']
    """
    X = check_features(X, "decision_boundary")
    if X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must have 2 features (the plane it colours), got shape {X.shape}")
    y = check_labels(y, X.shape[0], None, "decision_boundary")
    step = check_positive(step, "step", "decision_boundary")
    points = math.ceil((np.ptp(X[:, 0]) + 2) / step) * math.ceil((np.ptp(X[:, 1]) + 2) / step)
    if points > _MAX_GRID:
        raise ValueError(f"decision_boundary: step={step:g} over this X would colour {points:.3g} grid points; "
                         f"use a larger step (at most {_MAX_GRID:,} points)")
    if isinstance(model, Mapping):
        _nonempty(model, "model", "decision_boundary")
        axes = _panels(len(model), ax, size=(4.8, 4.4))
        for a, (label, one) in zip(axes, model.items(), strict=True):
            accuracy = one.accuracy(X, y)
            decision_boundary(one, X, y, ax=a, title=f"{label}: training accuracy {accuracy:.2f}", step=step)
        _suptitle(axes, title)
        return axes
    plt = _pyplot()
    ax = _axes(ax)
    x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
    y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = model.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    classes = np.unique(y)
    levels = np.arange(min(classes.min(), Z.min()), max(classes.max(), Z.max()) + 2) - 0.5
    ax.contourf(xx, yy, Z, levels=levels, cmap=plt.cm.Spectral, alpha=0.8)
    dots = ax.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral, edgecolors="k", linewidths=0.5,
                      vmin=levels[0], vmax=levels[-1])  # the colours contourf gives each class
    handles = [plt.Line2D([], [], marker="o", linestyle="", markeredgecolor="k", markersize=7,
                          markerfacecolor=dots.cmap(dots.norm(k))) for k in classes]
    ax.legend(handles, [f"class {k}" for k in classes], title="colour = class\narea: predicted\ndots: true",
              fontsize="small", title_fontsize="small", loc="upper right")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "Decision boundary")
    return ax


def saturation(recorders: Mapping, *, ax=None, title=None):
    """Fractions of saturated and dead units over training, one panel per label.

    Solid lines: the fraction of sigmoid/tanh outputs within ``tol`` of a
    bound (their gradient is nearly zero there). Dashed lines: the fraction
    of ReLU units that output zero for the whole batch (no gradient at all).

    Parameters
    ----------
    recorders : mapping
        ``{label: recorder}``, each an :class:`~tinynet.ActivationRecorder`
        (or anything with its ``saturated``, ``dead`` and ``iterations``).
        Labels whose recorder saw no sigmoid, tanh or ReLU layer are left out.
    ax : sequence of matplotlib Axes, optional
    title : str, optional
        Above all panels.

    Returns
    -------
    list of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=0))
    >>> units = tn.ActivationRecorder()
    >>> _ = model.fit(X, y, iterations=5, callbacks=[units])
    >>> axes = tn.plot.saturation({"relu": units})
    >>> [line.get_label() for line in axes[0].get_lines()]
    ['relu layer 1: dead units']
    """
    _nonempty(recorders, "ActivationRecorder", "saturation")
    shown = {label: r for label, r in recorders.items() if r.saturated or r.dead}
    if not shown:
        raise ValueError(
            f"saturation: nothing to plot: none of {', '.join(map(repr, recorders))} has sigmoid, tanh or ReLU layers"
        )
    axes = _panels(len(shown), ax)
    for a, (label, recorder) in zip(axes, shown.items(), strict=True):
        iterations = np.asarray(recorder.iterations)
        for values_by_layer, what, style in ((recorder.saturated, "saturated outputs", "-"),
                                             (recorder.dead, "dead units", "--")):
            for name, values in values_by_layer.items():
                kind, _, index = name.rpartition("_")
                n = min(len(iterations), len(values))
                layer = f"{kind} layer {int(index) + 1}" if index.isdigit() else name
                a.plot(iterations[:n], np.asarray(values)[:n], style, linewidth=1, label=f"{layer}: {what}")
        a.set_ylim(-0.02, 1.02)
        a.set_xlabel("iteration")
        a.set_ylabel("fraction saturated (solid) or dead (dashed)")
        a.set_title(label)
        a.legend(fontsize="small")
    _suptitle(axes, title)
    return axes


# -- the cures for vanishing gradients ----------------------------------------------------------


def gradient_flow_rows(
    histories: Mapping[str, Mapping[str, np.ndarray] | GradientRecorder],
    *,
    ax=None,
    title: str | None = None,
    window: int = 100,
    ylabel: str | None = None,
):
    """One row per net: each layer's weight gradient at the end of training, as bars on a shared log scale.

    Readable with a dozen nets, where :func:`gradient_flow`'s groups of bars
    are not: each row shows how the gradient changes from the first layer
    (left) to the output layer (right), and the rows share one y axis, so a
    row that drops by orders of magnitude to the left is a net whose first
    layers barely learn.

    Parameters
    ----------
    histories : mapping
        ``{label: recorder.history}`` or ``{label: recorder}``.
    ax : sequence of matplotlib Axes, optional
        One per label; default a new figure.
    title : str, optional
        Above the whole figure.
    window : int, default 100
        Each bar is the mean over the last ``window`` recorded iterations.
    ylabel : str, optional
        What the values are; by default the recorders' metric.

    Returns
    -------
    list of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> axes = tn.plot.gradient_flow_rows({"sigmoid": {"dense_0": [1e-6], "dense_1": [1e-3]},
    ...                                    "sigmoid + batchnorm": {"dense_0": [1e-3], "dense_1": [1e-3]}})
    >>> [a.get_title(loc="left") for a in axes]
    ['sigmoid', 'sigmoid + batchnorm']
    """
    histories, metric = _histories(histories, "gradient_flow_rows")
    ylabel = metric if ylabel is None else ylabel
    window = check_int(window, "window", "gradient_flow_rows")
    n = len(histories)
    if ax is None:
        _, grid = _pyplot().subplots(n, 1, squeeze=False, sharex=True, figsize=(9, 0.4 + 1.3 * n),
                                     layout="constrained")
        ax = grid.ravel()
    axes = _panels(n, ax)
    heights = {label: _tail_means(history, window) for label, history in histories.items()}
    positive = [h for hs in heights.values() for h in hs if h > 0]
    for a, (label, values) in zip(axes, heights.items(), strict=True):
        a.bar(np.arange(1, len(values) + 1), values, color="tab:blue")
        a.set_yscale("log")
        if positive:
            a.set_ylim(min(positive) / 3, max(positive) * 3)
        a.set_title(label, loc="left", fontsize="medium")
        a.set_xticks(np.arange(1, len(values) + 1))
        a.grid(axis="y", alpha=0.3)
    axes[-1].set_xlabel("layer (1 = first hidden layer; the last is the output layer)")
    axes[len(axes) // 2].set_ylabel(f"{ylabel}\n(mean of the last {window})")
    _suptitle(axes, title)
    return axes


def accuracy_bars(accuracies: Mapping[str, float], *, ax=None, title: str | None = None):
    """Horizontal bars: each net's accuracy, written at the end of its bar.

    Parameters
    ----------
    accuracies : mapping
        ``{label: accuracy}``, accuracies in ``[0, 1]``.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> ax = tn.plot.accuracy_bars({"sigmoid": 0.33, "sigmoid + batchnorm": 0.99})
    >>> [t.get_text() for t in ax.texts]
    ['0.33', '0.99']
    """
    _nonempty(accuracies, "accuracy", "accuracy_bars")
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(7, 0.6 + 0.45 * len(accuracies)), layout="constrained")
    labels, values = list(accuracies), [float(v) for v in accuracies.values()]
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, values, color="tab:green")
    for position, value in zip(positions, values, strict=True):
        ax.text(min(value, 1.0) + 0.01, position, f"{value:.2f}", va="center", fontsize="small")
    ax.set_yticks(positions, labels=labels)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("training accuracy")
    ax.set_title(title or "Accuracy")
    return ax


def activation_stats(stats, *, ax=None, title: str | None = None):
    """Each activation layer's mean output over training, with a band of one standard deviation and the percentiles.

    Glorot & Bengio's Figure 2: in a sigmoid net with the "standard"
    initialisation, the mean of the *top* hidden layer drops towards 0 early
    in training (its units saturate) while the lower layers stay near 0.5.

    Parameters
    ----------
    stats : ActivationStats, or mapping of str to ActivationStats
        A recorder (or several: one panel each), or anything with its
        ``mean``, ``std``, ``low``, ``high`` and ``iterations``.
    ax : matplotlib Axes (a sequence for a mapping), optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes, or a list of Axes for a mapping

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.Sigmoid(), tn.Dense(8, 8, rng=1), tn.Sigmoid(),
    ...                       tn.Dense(8, 3, rng=2))
    >>> stats = tn.ActivationStats()
    >>> _ = model.fit(X, y, iterations=5, callbacks=[stats])
    >>> ax = tn.plot.activation_stats(stats)
    >>> [line.get_label() for line in ax.get_lines()][::3]
    ['layer 1 (sigmoid_0): mean', 'layer 2 (sigmoid_1): mean']
    """
    if isinstance(stats, Mapping):
        _nonempty(stats, "ActivationStats", "activation_stats")
        axes = _panels(len(stats), ax)
        for a, (label, one) in zip(axes, stats.items(), strict=True):
            activation_stats(one, ax=a, title=label)
        _share_y(axes)
        _suptitle(axes, title)
        return axes
    ax = _axes(ax)
    iterations = np.asarray(stats.iterations)
    names = list(stats.mean)
    for k, name in enumerate(names):
        colour = _layer_colour(k, len(names))
        mean, std = stats.mean[name], stats.std[name]
        label = f"layer {k + 1} ({name})"
        ax.plot(iterations, mean, color=colour, linewidth=1.5, label=f"{label}: mean")
        ax.fill_between(iterations, mean - std, mean + std, color=colour, alpha=0.15, linewidth=0)
        ax.plot(iterations, stats.low[name], color=colour, linewidth=0.8, linestyle=":", label=f"{label}: low")
        ax.plot(iterations, stats.high[name], color=colour, linewidth=0.8, linestyle=":", label=f"{label}: high")
    ax.set_xlabel("iteration")
    ax.set_ylabel("activation value\n(mean, ± one std band, dotted: percentiles)")
    ax.set_title(title or "Activation values per layer during training")
    if len(names) <= 6:
        handles = [line for line in ax.get_lines() if line.get_label().endswith(": mean")]
        ax.legend(handles, [h.get_label().removesuffix(": mean") for h in handles], fontsize="small")
    else:
        _layer_key(ax, len(names))
    return ax


def signal_histograms(signals, *, what: str = "output", layers=None, ax=None, title: str | None = None,
                      bins: int = 60):
    """Histograms, layer by layer, of what :func:`tinynet.recorders.snapshot` saw in one pass.

    Glorot & Bengio's Figures 6 and 7: at initialisation, the distribution of
    each layer's activations (``what="output"``) and of the back-propagated
    gradients (``what="grad_out"``). A good initialisation keeps them about
    as wide in every layer; a poor one makes them narrower layer after layer.

    Parameters
    ----------
    signals : mapping
        ``{layer name: Signal}`` from :func:`~tinynet.recorders.snapshot`, or
        ``{label: such a mapping}`` for one panel per label.
    what : {"output", "grad_out"}, default "output"
    layers : callable or iterable of str, optional
        Which layers: names, or a function ``layer name -> bool``. Default:
        the activation layers for ``"output"`` (``Signal.role`` ``"activation"``),
        the layers with weights for ``"grad_out"`` (role ``"weights"``: the
        gradient with respect to each pre-activation).
    ax : matplotlib Axes (a sequence for a mapping of mappings), optional
    title : str, optional
    bins : int, default 60

    Returns
    -------
    matplotlib.axes.Axes, or a list of Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.Tanh(), tn.Dense(16, 16, rng=1), tn.Tanh(),
    ...                       tn.Dense(16, 3, rng=2))
    >>> ax = tn.plot.signal_histograms(tn.recorders.snapshot(model, X, y))
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['layer 1 (tanh_0): std 0.201', 'layer 2 (tanh_1): std 0.176']
    """
    what = check_choice(what, tuple(_ROLES), "signal")
    bins = check_int(bins, "bins", "signal_histograms")
    first = next(iter(signals.values()), None) if isinstance(signals, Mapping) else None
    if isinstance(first, Mapping):
        axes = _panels(len(signals), ax)
        for a, (label, one) in zip(axes, signals.items(), strict=True):
            signal_histograms(one, what=what, layers=layers, ax=a, title=label, bins=bins)
        _suptitle(axes, title)
        return axes
    _nonempty(signals, "Signal", "signal_histograms")
    if layers is None:
        role = _ROLES[what]
        chosen = [name for name, signal in signals.items() if signal.role == role]
    else:
        chosen = [n for n in signals if layers(n)] if callable(layers) else list(layers)
    ax = _axes(ax)
    values = {name: np.asarray(getattr(signals[name], what), dtype=np.float64).ravel() for name in chosen}
    shown = {name: np.abs(v[v != 0]) if what == "grad_out" else v for name, v in values.items()}
    everything = np.concatenate([*list(shown.values()), np.ones(1)])
    low, high = np.percentile(everything, [0.25, 99.75])
    if what == "grad_out":  # gradients differ by orders of magnitude between layers: log-spaced bins
        edges = np.geomspace(max(low, 1e-300), max(high, low * 10, 1e-299), bins + 1)
        ax.set_xscale("log")
    else:
        edges = np.linspace(low, high, bins + 1) if high > low else np.linspace(low - 1, low + 1, bins + 1)
    for k, (name, v) in enumerate(shown.items()):
        counts, _ = np.histogram(v, bins=edges)
        ax.stairs(counts / max(1, v.size), edges, color=_layer_colour(k, len(values)),
                  label=f"layer {k + 1} ({name}): std {values[name].std():.3g}")
    ax.set_xlabel("activation value" if what == "output" else "|back-propagated gradient| (at the pre-activation)")
    ax.set_ylabel("fraction of the values")
    ax.set_title(title or ("Activations per layer" if what == "output" else "Back-propagated gradients per layer"))
    _layer_key(ax, len(values))
    return ax


def signal_spread(signals, *, what: str = "output", ax=None, title: str | None = None):
    r"""The standard deviation of each layer's activations (or back-propagated gradients), layer by layer, one line per net.

    On a log scale a constant ratio from one layer to the next is a straight
    line: flat when an initialisation keeps the signal's spread (Glorot for
    tanh, He for ReLU), falling when it shrinks it (the "standard"
    initialisation; Glorot's for a deep ReLU net halves the variance at every
    layer, a factor :math:`1/\sqrt{2}` in standard deviation).

    Parameters
    ----------
    signals : mapping
        ``{label: {layer name: Signal}}``, each from :func:`tinynet.recorders.snapshot`.
    what : {"output", "grad_out"}, default "output"
        Activation layers' outputs, or the gradients at the weight layers' pre-activations.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import tinynet as tn
    >>> X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    >>> model = tn.Sequential(tn.Dense(2, 16, rng=0), tn.Tanh(), tn.Dense(16, 16, rng=1), tn.Tanh(),
    ...                       tn.Dense(16, 3, rng=2))
    >>> ax = tn.plot.signal_spread({"glorot": tn.recorders.snapshot(model, X, y)})
    >>> ax.get_lines()[0].get_ydata().round(3)
    array([0.201, 0.176])
    """
    what = check_choice(what, tuple(_ROLES), "signal")
    _nonempty(signals, "signals", "signal_spread")
    role = _ROLES[what]
    ax = _axes(ax)
    for label, one in signals.items():
        spreads = [float(np.std(getattr(signal, what))) for signal in one.values() if signal.role == role]
        ax.plot(np.arange(1, len(spreads) + 1), spreads, marker="o", markersize=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = first)")
    ax.set_ylabel("standard deviation of the " + ("activations" if what == "output" else
                                                  "back-propagated gradients"))
    ax.set_title(title or ("Spread of the activations, layer by layer" if what == "output"
                           else "Spread of the back-propagated gradients, layer by layer"))
    ax.legend(fontsize="small")
    return ax


def _layer_colour(k: int, n: int):
    return _pyplot().cm.viridis(0.9 * k / max(1, n - 1))


def _layer_key(ax, n: int) -> None:
    """A legend for up to six layers; beyond, a colour bar from layer 1 to layer ``n`` (a legend would hide the data)."""
    if n <= 6:
        ax.legend(fontsize="x-small")
        return
    plt = _pyplot()
    colours = plt.matplotlib.colors.ListedColormap([_layer_colour(k, n) for k in range(n)])
    scale = plt.cm.ScalarMappable(norm=plt.matplotlib.colors.Normalize(0.5, n + 0.5), cmap=colours)
    ax.figure.colorbar(scale, ax=ax, label="layer (1 = first)", ticks=range(1, n + 1, max(1, n // 10)))
