"""SoftmaxCrossEntropy: value, stability and gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import tinynet as tn


@st.composite
def scores_and_labels(draw, bound=20.0):
    n, k = draw(st.integers(1, 8)), draw(st.integers(2, 12))  # both sides of k = 8
    scores = draw(arrays(np.float64, (n, k), elements=st.floats(-bound, bound)))
    y = draw(arrays(np.intp, n, elements=st.integers(0, k - 1)))
    return scores, y


@given(scores_and_labels())
@settings(deadline=None, max_examples=100)
def test_gradient_matches_finite_differences(data):
    scores, y = data
    result = tn.gradcheck(tn.SoftmaxCrossEntropy(), scores, y)
    assert result, result.report()


@given(scores_and_labels())
@settings(deadline=None)
def test_value_matches_the_textbook_formula(data):
    scores, y = data
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    expected = -np.log(probs[np.arange(len(y)), y]).mean()
    assert tn.SoftmaxCrossEntropy().forward(scores, y) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_huge_scores_are_stable():
    loss = tn.SoftmaxCrossEntropy()
    value = loss.forward(np.array([[1000.0, 0.0, -1000.0], [0.0, 1e4, 0.0]]), np.array([0, 0]))
    assert value == pytest.approx(1e4 / 2)
    assert np.isfinite(loss.backward()).all()


def test_backward_is_repeatable_and_sums_to_zero_per_row():
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(np.random.default_rng(0).normal(size=(5, 3)), np.array([0, 1, 2, 1, 0]))
    first, second = loss.backward(), loss.backward()
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first.sum(axis=1), 0, atol=1e-15)


@pytest.mark.parametrize(
    ("y", "error", "words"),
    [
        (np.array([0, 3]), ValueError, "out of range"),
        (np.array([0, -1]), ValueError, ">= 0"),
        (np.array([0.5, 1.0]), ValueError, "fractions"),
        (np.array([0, 1, 2]), ValueError, "3 labels but X has 2"),
        (np.array(["a", "b"]), TypeError, "integer class labels"),
    ],
)
def test_bad_labels_are_explained(y, error, words):
    with pytest.raises(error, match=words):
        tn.SoftmaxCrossEntropy().forward(np.zeros((2, 3)), y)


def test_backward_before_forward_explains():
    with pytest.raises(RuntimeError, match="before backward"):
        tn.SoftmaxCrossEntropy().backward()


def test_scores_as_a_list_integers_or_a_matrix_are_taken_as_a_float_array():
    scores, y = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]]), np.array([0, 2])
    loss = tn.SoftmaxCrossEntropy()
    expected, expected_grad = loss.forward(scores, y), loss.backward()
    with pytest.warns(PendingDeprecationWarning):
        matrix = np.matrix(scores)
    for scores_like in (scores.tolist(), scores.astype(np.int64), matrix):
        loss = tn.SoftmaxCrossEntropy()
        assert loss.forward(scores_like, y) == expected
        grad = loss.backward()
        assert type(grad) is np.ndarray
        assert np.array_equal(grad, expected_grad)
    with pytest.raises(TypeError, match="SoftmaxCrossEntropy: scores must hold real numbers"):
        tn.SoftmaxCrossEntropy().forward([["a", "b", "c"]], np.array([0]))
