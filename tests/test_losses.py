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


def test_labels_changed_in_place_are_the_labels_used():
    # #7, defect 1: the one-hot labels were cached on the identity of y, so a reused loss
    # kept training on the old labels after y[:] = y[permutation]
    rng = np.random.default_rng(0)
    scores, y = rng.normal(size=(6, 3)), np.array([0, 1, 2, 0, 1, 2])
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(scores, y)
    y[:] = y[[2, 0, 1, 5, 3, 4]]
    fresh = tn.SoftmaxCrossEntropy()
    assert loss.forward(scores, y) == fresh.forward(scores, y)
    np.testing.assert_array_equal(loss.backward(), fresh.backward())


def test_a_model_trains_on_labels_changed_in_place_between_fits():
    X, y = tn.datasets.spiral(n_per_class=30, rng=0)
    y = y.copy()
    loss = tn.SoftmaxCrossEntropy()
    model = tn.Sequential(tn.Dense(2, 32, rng=0), tn.ReLU(), tn.Dense(32, 3, rng=1))
    model.fit(X, y, loss=loss, optimizer=tn.SGD(lr=0.5), iterations=5)
    y[:] = (y + 1) % 3  # new labels, same array
    model.fit(X, y, loss=loss, optimizer=tn.SGD(lr=0.5), iterations=1500)
    assert model.accuracy(X, y) > 0.9


def test_scores_1e308_apart_give_the_exact_loss_without_warnings():
    # #7, defect 8: 0 * -inf inside the one-hot product gave nan and a RuntimeWarning; the answer is 0
    loss = tn.SoftmaxCrossEntropy()
    assert loss.forward(np.array([[1e308, -1e308, 0.0]]), np.array([0])) == 0.0
    np.testing.assert_array_equal(loss.backward(), [[0.0, 0.0, 0.0]])
    assert loss.forward(np.array([[1e308, -1e308, 0.0]]), np.array([1])) == np.inf
