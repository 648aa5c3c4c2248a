"""The data sets: the spiral is the notebook's, draw for draw; moons and circles are scikit-learn's;
xor, the shipped digits, and train_test_split's promises."""

import hashlib
import math
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.datasets import circles, digits, moons, train_test_split, xor


def test_spiral_equals_the_notebook_cell():
    state = np.random.RandomState(0)
    N, D, K = 100, 2, 3
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + state.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    rng = np.random.RandomState(0)
    X2, y2 = tn.datasets.spiral(n_per_class=100, n_classes=3, rng=rng)
    assert np.array_equal(X, X2)
    assert np.array_equal(y, y2)
    assert rng.randn() == state.randn()  # the stream is left where the notebook's weights start


def test_shapes_and_seeds():
    X, y = tn.datasets.spiral(n_per_class=7, n_classes=5, noise=0.0, rng=1)
    assert X.shape == (35, 2)
    assert y.tolist() == sorted(y.tolist())
    assert np.array_equal(X, tn.datasets.spiral(7, 5, noise=0.0, rng=99)[0])
    assert np.abs(X).max() <= 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_per_class"):
        tn.datasets.spiral(n_per_class=0)
    with pytest.raises(ValueError, match="noise"):
        tn.datasets.spiral(noise=-1)


# ----------------------------------------------------------------------------- moons, circles, xor
# Recorded from scikit-learn 1.9.1: make_moons(13, noise=0.1, random_state=np.random.RandomState(0))
# and make_circles(13, noise=0.1, factor=0.5, random_state=np.random.RandomState(0)).
SKLEARN_MOONS_X = [
    [-0.010321885179355785, 0.5410598501938373], [1.8804297609005263, 0.14542735069629717],
    [-0.732913221860248, 0.5999527539417561], [1.5443863232745423, -0.332657971047012],
    [0.45842490169070804, 0.9305406899185734], [0.53130677016509, -0.45143497771461105],
    [0.5537180127915395, 0.6531471118365092], [0.22041821610151185, -0.0742165020406442],
    [1.2269754623987605, -0.6454365674598765], [-0.3044411426448027, 0.9323381312925703],
    [1.1532779214358457, 0.1469358769900285], [-0.9845052574303084, 0.037816251960217484],
    [1.9112214252369888, 0.3019203531776072],
]
SKLEARN_CIRCLES_X = [
    [0.4896781148206442, 0.04105985019383723], [-0.0968561098620695, -0.34203660539461433],
    [-0.4238962274853011, -0.8538579021351556], [-0.406098110676667, -0.18357443682135233],
    [-0.3505920926842392, 0.8455095774078586], [-0.07995369681306702, 0.4020543821607393],
    [0.24470101841659225, 0.9313872633284747], [0.39818852081531736, 0.31669923919337073],
    [-0.22350897155244875, 0.07150530209890263], [-0.9954241482698554, -0.01871838500258324],
    [1.1532779214358457, 0.1469358769900285], [0.515494742569691, -0.8282091518242217],
    [0.22296632616635542, -0.5889953880564076],
]
SKLEARN_y = [1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1]


def test_moons_and_circles_with_a_random_state_are_scikit_learns_points_exactly():
    X, y = moons(13, noise=0.1, rng=np.random.RandomState(0))
    np.testing.assert_array_equal(X, SKLEARN_MOONS_X)
    np.testing.assert_array_equal(y, SKLEARN_y)
    X, y = circles(13, noise=0.1, factor=0.5, rng=np.random.RandomState(0))
    np.testing.assert_array_equal(X, SKLEARN_CIRCLES_X)
    np.testing.assert_array_equal(y, SKLEARN_y)


@pytest.mark.parametrize("make", [moons, circles, xor])
@pytest.mark.parametrize("rng", [3, np.random.default_rng(3), np.random.RandomState(3)])
def test_generators_give_float64_points_and_int_labels(make, rng):
    X, y = make(n_samples=21, noise=0.1, rng=rng)
    assert X.shape == (21, 2)
    assert X.dtype == np.float64
    assert y.shape == (21,)
    assert y.dtype == np.intp
    assert set(y.tolist()) == {0, 1}
    if make is not xor:
        assert np.bincount(y).tolist() == [10, 11]


@pytest.mark.parametrize("make", [moons, circles, xor])
def test_generators_are_reproducible_from_a_seed(make):
    first, again, other = make(50, noise=0.2, rng=7), make(50, noise=0.2, rng=7), make(50, noise=0.2, rng=8)
    assert np.array_equal(first[0], again[0])
    assert np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = moons(40, shuffle=False, rng=0)
    assert y.tolist() == [0] * 20 + [1] * 20
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= 0
    assert lower[:, 1].max() <= 0.5
    np.testing.assert_allclose(upper[[0, -1]], [[1, 0], [-1, 0]], atol=1e-15)  # t runs over [0, pi]


def test_circles_without_noise_have_radii_one_and_factor():
    X, y = circles(41, factor=0.3, shuffle=False, rng=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    angle = np.arctan2(X[y == 0, 1], X[y == 0, 0]) % (2 * np.pi)
    np.testing.assert_allclose(np.diff(np.sort(angle)), 2 * np.pi / 20)  # evenly spread, no repeated point


def test_shuffle_mixes_the_classes():
    for make in (moons, circles):
        y = make(100, rng=0)[1]
        assert np.count_nonzero(np.diff(y)) > 10


def test_xor_labels_are_the_exclusive_or_of_the_signs():
    X, y = xor(500, rng=0)
    assert np.array_equal(y, (X[:, 0] > 0) ^ (X[:, 1] > 0))
    assert np.abs(X).max() <= 1
    assert all(np.any((np.sign(X) == quadrant).all(axis=1)) for quadrant in ([1, 1], [-1, 1], [-1, -1], [1, -1]))
    noisy, y2 = xor(500, noise=0.3, rng=0)
    assert np.array_equal(y2, y)  # the noise moves the points, not the labels
    crossed = np.mean(y2 != ((noisy[:, 0] > 0) ^ (noisy[:, 1] > 0)))
    assert 0.05 < crossed < 0.5


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: moons(n_samples=1), ValueError, r"moons: n_samples must be >= 2"),
        (lambda: circles(n_samples=2.5), TypeError, r"circles: n_samples must be an integer"),
        (lambda: xor(n_samples=0), ValueError, r"xor: n_samples must be >= 1"),
        (lambda: moons(noise=-0.1), ValueError, r"moons: noise must be finite and >= 0"),
        (lambda: xor(noise=float("nan")), ValueError, r"xor: noise"),
        (lambda: circles(factor=1.0), ValueError, r"circles: factor .* must be in \[0, 1\), got 1.0"),
        (lambda: circles(factor=-0.5), ValueError, r"circles: factor"),
        (lambda: moons(shuffle="yes"), TypeError, r"moons: shuffle must be True or False"),
        (lambda: circles(rng="seed"), TypeError, r"rng must be"),
    ],
)
def test_generators_name_a_bad_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------- digits
# The sha256 of the pixel counts (uint8, C order) and of the labels (uint8), computed from
# scikit-learn's sklearn/datasets/data/digits.csv.gz (version 1.9.1).
PIXELS_SHA256 = "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3"
LABELS_SHA256 = "8ba4f891220f5e4c9c819638d1602d74b83618f167043c6da52a2a247841ddf0"
DIGITS_FILE = resources.files("tinynet") / "data" / "digits.npz"


def test_digits_are_the_uci_test_set_as_scikit_learn_ships_it():
    X, y = digits()
    assert X.shape == (1797, 64)
    assert X.dtype == np.float64
    assert y.shape == (1797,)
    assert y.dtype == np.intp
    assert X.min() == 0
    assert X.max() == 1
    counts = np.rint(X * 16)
    assert np.array_equal(counts, X * 16)  # multiples of 1/16
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert hashlib.sha256(counts.astype(np.uint8).tobytes()).hexdigest() == PIXELS_SHA256
    assert hashlib.sha256(y.astype(np.uint8).tobytes()).hexdigest() == LABELS_SHA256


def test_the_digits_file_is_small_and_holds_no_pickle():
    assert DIGITS_FILE.is_file()
    assert len(DIGITS_FILE.read_bytes()) < 50_000
    with DIGITS_FILE.open("rb") as f, np.load(f, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["labels", "pixels"]
        assert npz["pixels"].dtype == np.uint8
        assert npz["labels"].dtype == np.uint8
    assert (DIGITS_FILE.parent / "NOTICE.txt").is_file()  # the licence asks for attribution


def test_digits_loads_with_allow_pickle_false(monkeypatch):
    calls, load = [], np.load
    monkeypatch.setattr(np, "load", lambda *args, **kwargs: calls.append(kwargs) or load(*args, **kwargs))
    digits()
    assert calls == [{"allow_pickle": False}]


# ----------------------------------------------------------------------------- train_test_split
def indexed(labels):
    """X whose only column is the row number, so the parts show where each row went."""
    y = np.asarray(labels)
    return np.arange(len(y), dtype=float)[:, None], y


def assert_a_partition(parts, X, y):
    X_train, X_test, y_train, y_test = parts
    rows = np.concatenate([X_train[:, 0], X_test[:, 0]]).astype(int)
    assert sorted(rows.tolist()) == list(range(len(y)))  # disjoint and covering everything
    assert np.array_equal(y_train, y[X_train[:, 0].astype(int)])  # each label stays with its sample
    assert np.array_equal(y_test, y[X_test[:, 0].astype(int)])


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(2, 30), min_size=1, max_size=6),
    fraction=st.floats(0.01, 0.99),
    count=st.integers(1, 1000),
    use_count=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_stratified_split_keeps_every_class_share_up_to_rounding(counts, fraction, count, use_count, seed):
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)), counts))
    n = len(y)
    test_size = min(count, n - 1) if use_count else fraction
    n_test = test_size if use_count else math.ceil(round(fraction * n, 9))
    if not 1 <= n_test <= n - 1:
        with pytest.raises(ValueError, match="part empty"):
            train_test_split(*indexed(y), test_size=test_size, rng=seed)
        return
    parts = train_test_split(*indexed(y), test_size=test_size, rng=seed)
    assert_a_partition(parts, *indexed(y))
    assert len(parts[3]) == n_test
    for c, n_c in enumerate(counts):
        quota = n_test * n_c / n
        assert np.count_nonzero(parts[3] == c) in {math.floor(quota), math.ceil(quota)}


def test_the_leftover_test_places_go_to_the_largest_remainders_then_the_smaller_label():
    # 5 samples, 2 test places: quotas 2*3/5 = 1.2 and 2*2/5 = 0.8 -> 1 + 0 places, the last one to class 1
    y_test = train_test_split(*indexed([0, 0, 0, 1, 1]), test_size=2, rng=0)[3]
    assert sorted(y_test.tolist()) == [0, 1]
    # equal remainders (quotas 0.5 and 0.5): the smaller label gets the place, whatever the seed
    for seed in range(5):
        assert train_test_split(*indexed([1, 1, 0, 0]), test_size=1, rng=seed)[3].tolist() == [0]


@pytest.mark.parametrize(
    ("n", "test_size", "n_test"),
    [(1797, 0.2, 360), (100, 0.07, 7), (10, 0.25, 3), (10, 0.3, 3), (10, 7, 7), (2, 0.5, 1), (3, np.int64(2), 2)],
)
def test_the_number_of_test_samples(n, test_size, n_test):
    X, y = indexed(np.zeros(n, dtype=int))
    for stratify in (True, False):
        X_train, X_test, *_ = train_test_split(X, y, test_size=test_size, stratify=stratify, rng=0)
        assert (len(X_train), len(X_test)) == (n - n_test, n_test)


def test_the_digits_split_is_stratified():
    X, y = digits()
    X_train, X_test, _, y_test = train_test_split(X, y, rng=0)
    assert X_train.shape == (1437, 64)
    assert X_test.shape == (360, 64)
    share = np.bincount(y_test) / np.bincount(y)
    assert np.all(np.abs(share - 0.2) < 1 / 174)  # every class within one sample of 20 %


def test_the_split_is_reproducible_and_shuffled():
    X, y = indexed(np.arange(60) % 3)
    first = train_test_split(X, y, rng=5)
    again = train_test_split(X, y, rng=np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    other = train_test_split(X, y, rng=6)
    assert not np.array_equal(first[1], other[1])
    assert not np.array_equal(np.sort(first[0][:, 0]), first[0][:, 0])  # the training part is shuffled too
    state = np.random.RandomState(5)  # a RandomState is used as it is: its stream moves on
    first_test = train_test_split(X, y, rng=state)[1]
    assert np.array_equal(first_test, train_test_split(X, y, rng=np.random.RandomState(5))[1])
    assert not np.array_equal(first_test, train_test_split(X, y, rng=state)[1])


def test_an_unstratified_split_takes_any_samples():
    X, y = indexed([0] * 9 + [1])  # a single sample of class 1 is fine without stratifying
    parts = train_test_split(X, y, test_size=0.5, stratify=False, rng=0)
    assert_a_partition(parts, X, y)
    assert len(parts[1]) == 5


def test_the_split_keeps_the_shape_of_each_sample():
    images = np.arange(10 * 8 * 8).reshape(10, 8, 8)
    X_train, X_test, _, y_test = train_test_split(images, np.arange(10) % 2, test_size=0.2, rng=0)
    assert X_train.shape == (8, 8, 8)
    assert X_test.shape == (2, 8, 8)
    assert X_test.dtype == images.dtype
    assert np.array_equal(X_test[:, 0, 0] // 64 % 2, y_test)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y": [0, 1, 0]}, ValueError, r"train_test_split: y has 3 labels but X has 4 samples"),
        ({"y": [0, 0, 1, 2]}, ValueError, r"class\(es\) \[1, 2\] have a single sample"),
        ({"test_size": 0}, ValueError, r"test_size=0 would leave a part empty; give a count from 1 to 3"),
        ({"test_size": 4}, ValueError, r"test_size=4 would leave a part empty"),
        ({"test_size": 1.0}, ValueError, r"test_size must be a fraction in \(0, 1\), got 1.0"),
        ({"test_size": -0.2}, ValueError, r"fraction in \(0, 1\)"),
        ({"test_size": float("nan")}, ValueError, r"fraction in \(0, 1\)"),
        ({"test_size": 0.9}, ValueError, r"is 4 test samples, which leaves the training part empty"),
        ({"test_size": 1e-12}, ValueError, r"is 0 test samples, which leaves the test part empty"),
        ({"test_size": True}, TypeError, r"test_size must be a float or an int"),
        ({"test_size": "0.2"}, TypeError, r"test_size must be a float or an int"),
        ({"stratify": np.array([0, 0, 1, 1])}, TypeError, r"stratify must be True or False"),
        ({"rng": 1.5}, TypeError, r"rng must be"),
    ],
)
def test_train_test_split_names_a_bad_argument(kwargs, error, match):
    args = {"X": np.zeros((4, 2)), "y": [0, 0, 1, 1], **kwargs}
    with pytest.raises(error, match=match):
        train_test_split(**args)


def test_too_few_samples_or_bad_x():
    with pytest.raises(ValueError, match="need at least 2 samples to split, got 1"):
        train_test_split([[1.0]], [0])
    with pytest.raises(ValueError, match="got a scalar"):
        train_test_split(3.0, [0])
    with pytest.raises(TypeError, match="must hold real numbers"):
        train_test_split(np.array([["a"], ["b"]]), [0, 1])
