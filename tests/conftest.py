"""Fixtures shared by the tests of figures (tests/test_plot.py, test_study.py, test_examples.py)."""

from pathlib import Path

import pytest


def _sticking_out(fig) -> list[str]:
    """What of ``fig`` is cut off at its edges once drawn, by name: Axes (with their titles, axis
    and tick labels, legends: what is drawn of them) and the figure's own texts and legends."""
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    fig.draw_without_rendering()  # runs the layout engine, as saving does
    box = fig.bbox.padded(1)  # a pixel of slack for rounding

    def inside(extent) -> bool:
        return box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1

    parts = [(f"Axes {a.get_title()!r} (x label {a.get_xlabel()!r}, y label {a.get_ylabel()!r})", a.get_tightbbox())
             for a in fig.axes if a.get_visible()]
    parts += [(f"figure text {artist.get_text()!r}" if isinstance(artist, Text) else "figure legend",
               artist.get_window_extent())
              for artist in fig.get_children() if isinstance(artist, (Text, Legend)) and artist.get_visible()]
    return [what for what, extent in parts if extent is not None and not inside(extent)]


@pytest.fixture
def sticking_out():
    """A function: what of a matplotlib figure is cut off at its edges (an empty list: nothing)."""
    pytest.importorskip("matplotlib")
    return _sticking_out


@pytest.fixture
def saved_figures(monkeypatch):
    """``{file name: Figure}`` of every figure saved to a file while the test runs."""
    figure = pytest.importorskip("matplotlib.figure")
    saved, savefig = {}, figure.Figure.savefig

    def recording_savefig(fig, fname, *args, **kwargs):
        saved[Path(fname).name] = fig
        return savefig(fig, fname, *args, **kwargs)

    monkeypatch.setattr(figure.Figure, "savefig", recording_savefig)
    return saved
