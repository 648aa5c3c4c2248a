"""The study's figures: what :func:`~tinynet.study.compare` recorded, as PNG files (needs matplotlib)."""

from __future__ import annotations

import math
from pathlib import Path

from .. import plot
from .._validation import check_output_folder, require
from ..recorders import METRICS
from .experiment import StudyResult

__all__ = ["save_figures"]


def _grid(n: int, ncols: int = 3) -> tuple[int, int]:
    ncols = min(n, ncols)
    return math.ceil(n / ncols), ncols


def save_figures(result: StudyResult, out: str | Path, *, dpi: int = 100) -> list[Path]:
    """Write the study's figures to the folder ``out`` as PNG files (needs the ``plot`` extra).

    ``gradients.png``
        Every layer's weight-gradient magnitude over training, one panel per
        activation (log scale).
    ``gradients_first_layer.png``
        The first hidden layer's gradient for every activation on one plot:
        where vanishing gradients hurt most.
    ``gradients_overlay.png``
        The notebook's overlay: the first two layers of every net on one
        plot, over the whole run (linear scale, as in the notebook) and over
        the first 1,000 iterations (log scale), where the nets differ most.
    ``gradient_flow.png``
        Bars: each layer's gradient at the end of training, per activation (log scale).
    ``gradient_heatmap.png``
        Layer x iteration, colour = gradient magnitude, one panel per activation.
    ``decision_boundaries.png``
        The plane coloured by predicted class, one panel per activation.
    ``loss.png``
        The training loss of every net.
    ``units.png``
        Saturated (sigmoid, tanh) and dead (ReLU) units per layer over training;
        written only when some net has such layers.

    A study of the cures (one that varies the initialiser, the normalisation,
    residual blocks or the depth) also gets:

    ``gradient_flow_rows.png``
        One row of bars per net: each layer's gradient at the end of training.
    ``accuracy.png``
        Each net's training accuracy.
    ``activation_stats.png``
        Each activation layer's mean output over training, with its spread
        (Glorot & Bengio's Figure 2), one panel per net.
    ``spread_at_init.png``
        The standard deviation of the activations and of the back-propagated
        gradients, layer by layer, before the first step, one line per net.
    ``activations_at_init.png`` and ``gradients_at_init.png``
        Histograms, layer by layer, of the activations and of the
        back-propagated gradients before the first step (their Figures 6-7).

    Returns
    -------
    list of Path
        The files written, in the order above.

    Raises
    ------
    FileExistsError
        If ``out`` is an existing file.
    OSError
        If the folder cannot be created or written to.
    """
    Figure = require("matplotlib.figure", "plot", "save_figures").Figure  # the clear ImportError, before any work
    out = check_output_folder(out, "save_figures")
    s = result.settings
    depth = s.get("depth")
    depth = ", ".join(map(str, depth)) if isinstance(depth, (list, tuple)) else depth
    where = f"(depth {depth}, width {s.get('width')}, lr {s.get('lr'):g}, l2 {s.get('l2'):g})"
    ylabel = METRICS[s["metric"]].label if s.get("metric") in METRICS else None  # None: the plots' default
    histories = {name: run.gradients for name, run in result.items()}
    units = {name: run.units for name, run in result.items() if run.saturated or run.dead}
    iterations = max(len(run.loss) for run in result.values())
    zoom = min(1000, iterations)
    n = len(result)
    written = []

    def save(name: str, nrows: int, ncols: int, size: tuple[float, float], draw) -> None:
        fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        draw(fig, axes.ravel())
        fig.savefig(out / name, dpi=dpi)
        written.append(out / name)

    def overlay(fig, axes) -> None:
        plot.gradient_magnitudes(histories, ax=axes[0], layers=[0, 1], ylabel=ylabel,
                                 title=f"all {iterations:,} iterations")
        plot.gradient_magnitudes(histories, ax=axes[1], layers=[0, 1], ylabel=ylabel, log=True, first=zoom,
                                 title=f"{'the first' if zoom < iterations else 'all'} {zoom:,} iterations (log scale)")
        handles, labels = axes[1].get_legend_handles_labels()
        for a in axes:
            a.get_legend().remove()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 6), fontsize="small")
        fig.suptitle(f"Weight gradients of the first two layers, every net\n{where}")

    rows, cols = _grid(n)
    save("gradients.png", rows, cols, (5.5, 4.2), lambda fig, axes: plot.gradient_magnitudes(
        histories, ax=axes, panels=True, log=True, ylabel=ylabel,
        title=f"Weight-gradient magnitude per layer\n{where}"))
    save("gradients_first_layer.png", 1, 1, (9, 5), lambda fig, axes: plot.gradient_magnitudes(
        histories, ax=axes[0], layers=[0], log=True, ylabel=ylabel,
        title=f"First hidden layer's weight gradient, by activation\n{where}"))
    save("gradients_overlay.png", 1, 2, (5.5, 4.2), overlay)
    most = max(len(run.gradients) for run in result.values())
    save("gradient_flow.png", 1, 1, (max(8, 1.2 * most + 0.6 * n + 1.5), 5),
         lambda fig, axes: plot.gradient_flow(histories, ax=axes[0], ylabel=ylabel,
                                              title=f"Gradient reaching each layer at the end of training\n{where}"))
    save("gradient_heatmap.png", rows, cols, (5.5, 3.8), lambda fig, axes: plot.gradient_heatmap(
        histories, ax=axes, label=None if ylabel is None else f"{ylabel} (log colour scale)",
        title=f"Gradient flow through the layers during training\n{where}"))
    save("decision_boundaries.png", rows, cols, (4.8, 4.4), lambda fig, axes: plot.decision_boundary(
        {name: run.model for name, run in result.items()}, result.X, result.y, ax=axes,
        title=f"Decision boundaries after {iterations:,} iterations\n{where}"))
    save("loss.png", 1, 1, (9, 5), lambda fig, axes: plot.loss_curves(
        {name: run.loss for name, run in result.items()}, ax=axes[0], title=f"Training loss\n{where}"))
    if units:
        urows, ucols = _grid(len(units))
        save("units.png", urows, ucols, (5.5, 4.2), lambda fig, axes: plot.saturation(
            units, ax=axes, title=f"Saturated and dead units during training\n{where}"))
    if s.get("varying"):
        save("gradient_flow_rows.png", n, 1, (9, 1.3), lambda fig, axes: plot.gradient_flow_rows(
            histories, ax=axes, ylabel=ylabel,
            title=f"Gradient reaching each layer at the end of training\n{where}"))
        save("accuracy.png", 1, 1, (7, 0.6 + 0.45 * n), lambda fig, axes: plot.accuracy_bars(
            {name: run.accuracy for name, run in result.items()}, ax=axes[0],
            title=f"Training accuracy after {iterations:,} iterations"))
        stats = {name: run.stats for name, run in result.items() if run.stats is not None and run.stats.mean}
        if stats:
            srows, scols = _grid(len(stats))
            save("activation_stats.png", srows, scols, (5.5, 4.2), lambda fig, axes: plot.activation_stats(
                stats, ax=axes, title=f"Activation values per layer during training\n{where}"))
        signals = {name: run.signals for name, run in result.items() if run.signals}
        save("spread_at_init.png", 1, 2, (6.5, 4.5), lambda fig, axes: [plot.signal_spread(
            signals, what=what, ax=a) for what, a in zip(("output", "grad_out"), axes, strict=True)]
            and fig.suptitle(f"Before the first step\n{where}"))
        for what, name in (("output", "activations_at_init.png"), ("grad_out", "gradients_at_init.png")):
            save(name, rows, cols, (5.5, 4.2), lambda fig, axes, what=what: plot.signal_histograms(
                signals, what=what, ax=axes, title=f"{'Activations' if what == 'output' else 'Back-propagated gradients'}"
                f" per layer before the first step\n{where}"))
    return written
