"""Figures: each function draws a non-empty, labelled image with the Agg backend."""

import io
import sys

import numpy as np
import pytest

import tinynet as tn

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs():
    return tn.study.compare(("sigmoid", "relu", "maxout"), depth=3, width=8, iterations=30, quiet=True)


def png_bytes(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return len(buffer.getvalue())


def histories(runs):
    return {name: run.gradients for name, run in runs.items()}


def test_gradient_magnitudes_one_axes_with_layer_filter(runs):
    ax = tn.plot.gradient_magnitudes(histories(runs), layers=[0], log=True)  # positions: any naming
    assert [line.get_label() for line in ax.get_lines()] == ["sigmoid dense_0", "relu dense_0", "maxout maxout_0"]
    one = tn.plot.gradient_magnitudes({"relu": runs["relu"].gradients}, layers=["dense_1", -1])
    assert [line.get_label() for line in one.get_lines()] == ["relu dense_1", "relu dense_3"]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "iteration"
    assert ax.get_title()
    assert png_bytes(ax.figure) > 5_000


def test_gradient_magnitudes_panels_share_their_y_range(runs):
    axes = tn.plot.gradient_magnitudes(histories(runs), panels=True, log=True, title="all layers")
    assert [a.get_title() for a in axes] == ["sigmoid", "relu", "maxout"]
    assert len({a.get_ylim() for a in axes}) == 1
    assert axes[2].get_legend().get_texts()[0].get_text() == "layer 1 (maxout_0)"
    assert axes[0].figure.get_suptitle() == "all layers"
    assert png_bytes(axes[0].figure) > 10_000


def test_layer_filter_errors_name_the_run():
    history = {"sigmoid": {"dense_0": [1.0], "dense_1": [2.0]}}
    with pytest.raises(ValueError, match="Did you mean 'dense_1'"):
        tn.plot.gradient_magnitudes(history, layers=["dense1"])
    with pytest.raises(ValueError, match="layer position 5 is out of range for 'sigmoid'"):
        tn.plot.gradient_magnitudes(history, layers=[5])
    with pytest.raises(ValueError, match="non-empty mapping"):
        tn.plot.gradient_magnitudes({})


def test_gradient_flow_bars_per_layer_and_activation(runs):
    ax = tn.plot.gradient_flow(histories(runs), window=10)
    assert len(ax.patches) == 3 * 4
    assert ax.get_legend().get_title().get_text() == "activation"
    assert "layer" in ax.get_xlabel()
    assert ax.get_ylabel()
    assert png_bytes(ax.figure) > 5_000


def test_gradient_heatmap_handles_zero_gradients(runs):
    data = histories(runs)
    data["dead"] = {"dense_0": np.zeros(30), "dense_1": np.full(30, 1e-3)}  # log scale: zeros are masked
    axes = tn.plot.gradient_heatmap(data, bins=10, title="flow")
    assert [a.get_title() for a in axes] == ["sigmoid", "relu", "maxout", "dead"]
    assert len(axes[0].figure.axes) == 4 + 2 + 1  # four panels, two hidden spare Axes, the colour bar
    assert png_bytes(axes[0].figure) > 10_000


def test_decision_boundary_single_and_panels(runs):
    ax = tn.plot.decision_boundary(runs["relu"].model, runs.X, runs.y, step=0.05)
    assert ax.get_title() == "Decision boundary"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
    axes = tn.plot.decision_boundary({name: run.model for name, run in runs.items()}, runs.X, runs.y, step=0.05)
    assert axes[0].get_title() == f"sigmoid: training accuracy {runs['sigmoid'].accuracy:.2f}"
    assert png_bytes(axes[0].figure) > 10_000


@pytest.mark.parametrize(
    ("X", "y", "step", "error", "words"),
    [
        (np.ones((5, 3)), np.zeros(5, int), 0.1, ValueError, r"X must have 2 features .* got shape \(5, 3\)"),
        (np.ones((5, 2)), np.zeros(4, int), 0.1, ValueError, "y has 4 labels but X has 5 samples"),
        (np.ones((5, 2)), np.zeros(5, int), 0.0, ValueError, "step must be finite and > 0"),
        (np.array([[0.0, 0.0], [1e6, 1.0]]), np.zeros(2, int), 0.02, ValueError, r"would colour 7.5e\+09 grid points"),
        (np.ones((5, 2)), np.zeros(5, int), "0.1", TypeError, "step must be a real number"),
    ],
)
def test_decision_boundary_refuses_bad_input(X, y, step, error, words):
    with pytest.raises(error, match=words):
        tn.plot.decision_boundary(tn.Sequential(tn.Dense(2, 3, rng=0)), X, y, step=step)


def test_loss_curves_and_the_older_name(runs):
    assert tn.plot.loss_curve is tn.plot.loss_curves
    ax = tn.plot.loss_curves({name: run.loss for name, run in runs.items()})
    assert [line.get_label() for line in ax.get_lines()] == ["sigmoid", "relu", "maxout"]
    assert png_bytes(ax.figure) > 5_000


def test_saturation_panels_only_for_nets_with_such_layers(runs):
    axes = tn.plot.saturation({name: run.units for name, run in runs.items()})
    assert [a.get_title() for a in axes] == ["sigmoid", "relu"]  # maxout has neither kind
    assert axes[1].get_lines()[0].get_label() == "relu layer 1: dead units"
    assert png_bytes(axes[0].figure) > 5_000
    with pytest.raises(ValueError, match="nothing to plot"):
        tn.plot.saturation({"maxout": runs["maxout"].units})


def test_drawing_on_given_axes_and_too_few_axes(runs):
    _fig, grid = plt.subplots(2, 2)
    axes = tn.plot.gradient_heatmap(histories(runs), ax=grid)
    assert axes == list(grid.ravel()[:3])
    assert not grid[1, 1].get_visible()
    _, one = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="3 panels need 3 Axes, got 2"):
        tn.plot.gradient_heatmap(histories(runs), ax=one)


def test_missing_matplotlib_names_the_extra(monkeypatch, runs, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"tinynet-learn\[plot\]"):
        tn.plot.gradient_magnitudes({"relu": {"dense_0": [1.0]}})
    with pytest.raises(ImportError, match=r"tinynet-learn\[plot\]"):
        tn.study.save_figures(runs, tmp_path)
    assert list(tmp_path.iterdir()) == []


# -- issue 23: figures that make the point ----------------------------------------


def test_gradient_flow_legend_is_outside_the_bars(runs):
    # the legend covered the tops of the layer-1 bars
    ax = tn.plot.gradient_flow(histories(runs))
    ax.figure.draw_without_rendering()
    legend, axes_box = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= axes_box.x1
    assert ax.get_legend().get_title().get_text() == "activation"


def test_every_panel_labels_its_output_layer_the_same_way(runs):
    # the Maxout panel said "layer 4, output (dense_0)", the others "layer 4, output (dense_3)"
    axes = tn.plot.gradient_magnitudes(histories(runs), panels=True)
    last = [a.get_legend().get_texts()[-1].get_text() for a in axes]
    assert last == ["layer 4 (output)"] * 3


def _recorded(metric):
    X, y = tn.datasets.spiral(n_per_class=10, rng=0)
    model = tn.Sequential(tn.Dense(2, 8, rng=0), tn.ReLU(), tn.Dense(8, 8, rng=0), tn.ReLU(), tn.Dense(8, 3, rng=0))
    grads = tn.GradientRecorder(metric=metric)
    model.fit(X, y, iterations=5, callbacks=[grads])
    return grads


def test_axis_labels_say_what_the_recorders_measured():
    # panels=True and the heatmap said "sum |dW| / (n_in + n_out)" for metric="mean_abs"
    mean_abs = _recorded("mean_abs")
    assert mean_abs.label == tn.recorders.METRICS["mean_abs"].label == "mean |dW|"
    one = tn.plot.gradient_magnitudes({"relu": mean_abs})
    panels = tn.plot.gradient_magnitudes({"relu": mean_abs, "again": mean_abs}, panels=True)
    flow = tn.plot.gradient_flow({"relu": mean_abs}, window=3)
    heatmap = tn.plot.gradient_heatmap({"relu": mean_abs})
    assert one.get_ylabel() == "mean |dW|"
    assert [a.get_ylabel() for a in panels] == ["mean |dW|"] * 2
    assert flow.get_ylabel() == "mean |dW|\n(mean of the last 3 iterations)"
    assert heatmap[0].figure.axes[-1].get_ylabel() == "mean |dW| (log colour scale)"  # the colour bar
    assert [line.get_label() for line in one.get_lines()] == ["relu dense_0", "relu dense_1", "relu dense_2"]
    rows = tn.plot.gradient_flow_rows({"relu": mean_abs, "again": mean_abs}, window=3)  # took only histories
    assert rows[1].get_ylabel() == "mean |dW|\n(mean of the last 3)"


def test_plain_histories_do_not_claim_a_metric_and_ylabel_overrides():
    plain = {"relu": _recorded("l2").history}
    assert tn.plot.gradient_magnitudes(plain).get_ylabel() == "weight-gradient magnitude"
    assert tn.plot.gradient_magnitudes(plain, panels=True)[0].get_ylabel() == "weight-gradient magnitude"
    assert tn.plot.gradient_flow(plain).get_ylabel().startswith("weight-gradient magnitude\n")
    assert tn.plot.gradient_flow_rows(plain)[0].get_ylabel().startswith("weight-gradient magnitude\n")
    assert tn.plot.gradient_heatmap(plain)[0].figure.axes[-1].get_ylabel() == (
        "weight-gradient magnitude (log colour scale)")
    mixed = {"l2": _recorded("l2"), "seed": _recorded("seed")}  # two metrics: neither label is right for both
    assert tn.plot.gradient_magnitudes(mixed).get_ylabel() == "weight-gradient magnitude"
    assert tn.plot.gradient_magnitudes(mixed, ylabel="my metric").get_ylabel() == "my metric"
    assert tn.plot.gradient_heatmap(mixed, label="mine")[0].figure.axes[-1].get_ylabel() == "mine"


def test_a_history_that_is_neither_mapping_nor_recorder_is_a_type_error():
    with pytest.raises(TypeError, match=r"gradient_flow: the history of 'relu' must be a mapping .* got list"):
        tn.plot.gradient_flow({"relu": [1.0, 2.0]})


def _labelled_ticks(ax) -> list[float]:
    """The y positions of the tick labels drawn on ``ax`` that show a number."""
    ax.figure.draw_without_rendering()
    low, high = ax.get_ylim()
    return [tick.get_loc() for tick in ax.yaxis.get_major_ticks()
            if tick.label1.get_visible() and tick.label1.get_text() and low <= tick.get_loc() <= high]


def test_short_log_axes_carry_numbers_at_both_ends():
    # loss.png: nothing labelled below 2e-1 where the ReLU loss lay (0.12 to 0.2)
    loss = np.geomspace(1.2, 0.12, 50)
    ticks = _labelled_ticks(tn.plot.loss_curves({"relu": loss}))
    assert min(ticks) <= loss.min()
    assert max(ticks) >= loss.max()
    assert 3 <= len(ticks) <= 10
    # panels share a y range first, then get their ticks: six decades keep matplotlib's (one a decade)
    data = {"sigmoid": {"dense_0": np.geomspace(1e-7, 1e-6, 5)}, "relu": {"dense_0": np.geomspace(1e-2, 1e-1, 5)}}
    axes = tn.plot.gradient_magnitudes(data, panels=True, log=True)
    assert len({a.get_ylim() for a in axes}) == 1
    assert [len(_labelled_ticks(a)) <= 8 for a in axes] == [True, True]


def test_zooming_on_the_first_iterations(runs):
    ax = tn.plot.gradient_magnitudes(histories(runs), layers=[0], first=10, log=True)
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [10, 10, 10]
    with pytest.raises(ValueError, match="first must be >= 1"):
        tn.plot.gradient_magnitudes(histories(runs), first=0)


def test_overlay_of_several_nets_gives_each_net_a_colour_and_each_layer_a_style(runs):
    lines = tn.plot.gradient_magnitudes(histories(runs), layers=[0, 1]).get_lines()
    assert len({line.get_color() for line in lines}) == 3
    assert [line.get_linestyle() for line in lines] == ["-", "--"] * 3


@pytest.mark.parametrize(
    "draw",
    [
        lambda runs: tn.plot.gradient_magnitudes(histories(runs), layers=[0], log=True).figure,
        lambda runs: tn.plot.gradient_magnitudes(histories(runs), panels=True, log=True, title="all")[0].figure,
        lambda runs: tn.plot.gradient_flow(histories(runs)).figure,
        lambda runs: tn.plot.gradient_heatmap(histories(runs), title="flow")[0].figure,
        lambda runs: tn.plot.decision_boundary(runs["relu"].model, runs.X, runs.y, step=0.05).figure,
        lambda runs: tn.plot.decision_boundary({n: r.model for n, r in runs.items()}, runs.X, runs.y,
                                               step=0.05, title="boundaries")[0].figure,
        lambda runs: tn.plot.loss_curves({name: run.loss for name, run in runs.items()}).figure,
        lambda runs: tn.plot.saturation({name: run.units for name, run in runs.items()}, title="units")[0].figure,
    ],
    ids=["magnitudes", "panels", "flow", "heatmap", "boundary", "boundaries", "loss", "saturation"],
)
def test_no_label_or_title_is_cut_off(runs, draw, sticking_out):
    # gradient_flow's own figure cut its x label off
    assert sticking_out(draw(runs)) == []
