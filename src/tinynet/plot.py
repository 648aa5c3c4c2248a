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
    "loss_curves", "loss_curve", "saturation",
]

_MAX_GRID = 4_000_000  # decision_boundary refuses finer grids: memory, and minutes of predicting

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
    colours = _pyplot().cm.viridis
    axes = _panels(len(selected), ax)
    for a, (label, chosen) in zip(axes, selected.items(), strict=True):
        n_layers = len(histories[label])
        for position, layer, values in chosen:
            a.plot(values, label=_layer_label(position, layer, n_layers), linewidth=1,
                   color=colours(0.9 * position / max(1, n_layers - 1)))
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
        heights = [float(np.mean(np.asarray(v, dtype=np.float64)[-window:])) for v in history.values()]
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
