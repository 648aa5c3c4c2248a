"""Optimizers on problems with a known minimum."""

import numpy as np
import pytest

import tinynet as tn

TARGET = np.array([3.0, -2.0, 0.5])


def minimise(optimizer, steps):
    """Minimise f(w) = 0.5 * sum(a * (w - TARGET)**2), an ill-conditioned bowl."""
    a = np.array([1.0, 10.0, 0.1])
    params = {"w": np.zeros(3)}
    for _ in range(steps):
        grads = {"w": a * (params["w"] - TARGET)}
        optimizer.step(params, grads)
    return params["w"]


@pytest.mark.parametrize(
    ("optimizer", "steps"),
    [(tn.SGD(lr=0.15), 2000), (tn.SGD(lr=0.05, momentum=0.9), 1000), (tn.Adam(lr=0.05), 3000)],
)
def test_reaches_the_minimum(optimizer, steps):
    np.testing.assert_allclose(minimise(optimizer, steps), TARGET, atol=1e-6)


def test_momentum_is_faster_than_plain_sgd_on_a_shallow_direction():
    plain = minimise(tn.SGD(lr=0.05), 200)
    heavy = minimise(tn.SGD(lr=0.05, momentum=0.9), 200)
    assert abs(heavy[2] - TARGET[2]) < abs(plain[2] - TARGET[2])


def test_sgd_step_is_exactly_w_minus_lr_g():
    w, g = np.array([0.3, -1.7]), np.array([0.25, 3.0])
    params = {"w": w.copy()}
    tn.SGD(lr=0.1).step(params, {"w": g})
    assert np.array_equal(params["w"], w + -0.1 * g)


def test_step_does_not_touch_gradients():
    g = np.array([1.0, 2.0])
    for opt in (tn.SGD(lr=0.1, momentum=0.5), tn.Adam()):
        opt.step({"w": np.zeros(2)}, {"w": g})
        assert g.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("make", "words"),
    [(lambda: tn.SGD(lr=0), "lr"), (lambda: tn.SGD(lr=-1), "lr"), (lambda: tn.SGD(lr=0.1, momentum=1.0), "momentum"),
     (lambda: tn.Adam(lr=float("inf")), "lr"), (lambda: tn.Adam(beta1=1.0), "beta1")],
)
def test_bad_hyperparameters(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_nesterov_and_rmsprop_reach_the_minimum():
    np.testing.assert_allclose(minimise(tn.SGD(lr=0.05, momentum=0.9, nesterov=True), 1000), TARGET, atol=1e-6)
    np.testing.assert_allclose(minimise(tn.RMSProp(lr=0.001), 5000), TARGET, atol=1e-2)  # steps of about lr


def test_two_steps_of_each_update_written_out():
    g1, g2 = np.array([0.5, -2.0]), np.array([1.5, 0.25])
    mu, lr, alpha, eps = 0.9, 0.1, 0.8, 1e-8
    cases = {
        tn.SGD(lr, momentum=mu): [lr * g1, lr * (mu * g1 + g2)],
        tn.SGD(lr, momentum=mu, nesterov=True): [lr * (g1 + mu * g1), lr * (g2 + mu * (mu * g1 + g2))],
        tn.RMSProp(lr, alpha=alpha, eps=eps): [
            lr * g1 / (np.sqrt((1 - alpha) * g1**2) + eps),
            lr * g2 / (np.sqrt(alpha * (1 - alpha) * g1**2 + (1 - alpha) * g2**2) + eps),
        ],
    }
    for optimizer, steps in cases.items():
        params = {"w": np.zeros(2)}
        optimizer.step(params, {"w": g1})
        np.testing.assert_allclose(params["w"], -steps[0], rtol=1e-15, err_msg=repr(optimizer))
        optimizer.step(params, {"w": g2})
        np.testing.assert_allclose(params["w"], -steps[0] - steps[1], rtol=1e-15, err_msg=repr(optimizer))


def test_new_hyperparameters_are_checked_and_shown():
    with pytest.raises(ValueError, match="nesterov=True needs momentum > 0"):
        tn.SGD(lr=0.1, nesterov=True)
    for bad in ({"alpha": 1.0}, {"alpha": -0.1}, {"eps": 0.0}, {"lr": -1.0}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            tn.RMSProp(**bad)
    assert repr(tn.SGD(lr=0.1, momentum=0.9, nesterov=True)) == "SGD(lr=0.1, momentum=0.9, nesterov=True)"
    assert repr(tn.RMSProp()) == "RMSProp(lr=0.01, alpha=0.99, eps=1e-08)"


# -- the same trajectories as torch.optim, in float64 ----------------------------------------------

TORCH_OPTIMIZERS = {  # name: (tinynet optimizer, torch.optim class name, its arguments)
    "sgd": (lambda: tn.SGD(lr=0.1), "SGD", {"lr": 0.1}),
    "sgd_momentum": (lambda: tn.SGD(lr=0.05, momentum=0.9), "SGD", {"lr": 0.05, "momentum": 0.9}),
    "sgd_nesterov": (lambda: tn.SGD(lr=0.05, momentum=0.9, nesterov=True), "SGD",
                     {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "rmsprop": (tn.RMSProp, "RMSprop", {}),  # both libraries' defaults: lr 0.01, alpha 0.99, eps 1e-8
    "rmsprop_fast": (lambda: tn.RMSProp(lr=0.05, alpha=0.9, eps=1e-6), "RMSprop",
                     {"lr": 0.05, "alpha": 0.9, "eps": 1e-6}),
    "adam": (lambda: tn.Adam(lr=0.01), "Adam", {"lr": 0.01}),
}
STEPS = 100


def torch_twin(torch, name, params):
    """The torch.optim counterpart of TORCH_OPTIMIZERS[name] on float64 copies of ``params``."""
    _, cls, kwargs = TORCH_OPTIMIZERS[name]
    tensors = {key: torch.tensor(value, dtype=torch.float64, requires_grad=True) for key, value in params.items()}
    return tensors, getattr(torch.optim, cls)(list(tensors.values()), **kwargs)


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
def test_the_same_gradients_give_torchs_trajectory(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    gradients = [{key: rng.normal(size=value.shape) * 10.0 ** rng.integers(-3, 2) for key, value in params.items()}
                 for _ in range(STEPS)]  # recorded gradients of all sizes, from 1e-3 to 10
    ours, (tensors, theirs) = TORCH_OPTIMIZERS[name][0](), torch_twin(torch, name, params)
    for grads in gradients:
        ours.step(params, grads)
        for key, tensor in tensors.items():
            tensor.grad = torch.from_numpy(grads[key].copy())
        theirs.step()
        for key, tensor in tensors.items():
            np.testing.assert_allclose(params[key], tensor.detach().numpy(), rtol=0, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
def test_a_quadratic_bowl_gives_torchs_trajectory(name):
    torch = pytest.importorskip("torch")
    a = np.array([1.0, 10.0, 0.1])
    params = {"w": np.zeros(3)}
    ours, (tensors, theirs) = TORCH_OPTIMIZERS[name][0](), torch_twin(torch, name, params)
    w = tensors["w"]
    for _ in range(STEPS):
        ours.step(params, {"w": a * (params["w"] - TARGET)})
        theirs.zero_grad()
        (0.5 * (torch.from_numpy(a) * (w - torch.from_numpy(TARGET)) ** 2).sum()).backward()
        theirs.step()
        np.testing.assert_allclose(params["w"], w.detach().numpy(), rtol=0, atol=1e-12)
    assert np.abs(params["w"]).max() > 0.1  # it moved


def torch_net_training(torch, name, model, X, y, l2, steps, schedule=None):
    """Train a torch copy of ``Dense(2, h) -> Tanh -> Dense(h, 3)`` full batch; returns its parameters and losses.

    The L2 penalty is torch's ``weight_decay`` on the weights only (tinynet's ``l2``: ``l2 * W`` added to
    each weight gradient); ``schedule(optimizer)`` makes a torch.optim.lr_scheduler stepped every iteration.
    """
    _, cls, kwargs = TORCH_OPTIMIZERS[name]
    W1, b1, W2, b2 = (torch.tensor(model[i].params[k], requires_grad=True) for i in (0, 2) for k in ("W", "b"))
    groups = [{"params": [W1, W2], "weight_decay": l2}, {"params": [b1, b2], "weight_decay": 0.0}]
    optimizer = getattr(torch.optim, cls)(groups, **kwargs)
    scheduler = schedule(optimizer) if schedule else None
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        data_loss = torch.nn.functional.cross_entropy(torch.tanh(Xt @ W1 + b1) @ W2 + b2, yt)
        data_loss.backward()
        with torch.no_grad():
            losses.append(data_loss.item() + 0.5 * l2 * float((W1**2).sum() + (W2**2).sum()))
        optimizer.step()
        if scheduler:
            scheduler.step()
    return {"dense_0.W": W1, "dense_0.b": b1, "dense_1.W": W2, "dense_1.b": b2}, np.array(losses)


def tiny_net(rng=0):
    rng = np.random.default_rng(rng)
    return tn.Sequential(tn.Dense(2, 8, rng=rng), tn.Tanh(), tn.Dense(8, 3, rng=rng))


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
def test_a_net_trained_full_batch_ends_where_torchs_does(name):
    torch = pytest.importorskip("torch")
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tiny_net()
    theirs, losses = torch_net_training(torch, name, model, X, y, l2=1e-3, steps=STEPS)
    history = model.fit(X, y, optimizer=TORCH_OPTIMIZERS[name][0](), l2=1e-3, iterations=STEPS)
    np.testing.assert_allclose(history.loss, losses, rtol=0, atol=1e-12)
    ours = model.parameters()
    for key, tensor in theirs.items():
        np.testing.assert_allclose(ours[key], tensor.detach().numpy(), rtol=0, atol=1e-12, err_msg=key)
    assert history.loss[-1] < history.loss[0] - 0.05  # it learned something


@pytest.mark.parametrize(
    ("name", "schedule", "scheduler", "kwargs"),
    [
        ("sgd_nesterov", lambda: tn.ExponentialDecay(0.98), "ExponentialLR", {"gamma": 0.98}),
        ("rmsprop_fast", lambda: tn.StepDecay(10, gamma=0.5, per="iteration"), "StepLR",
         {"step_size": 10, "gamma": 0.5}),
        ("adam", lambda: tn.CosineDecay(STEPS, min_lr=1e-4), "CosineAnnealingLR", {"T_max": STEPS, "eta_min": 1e-4}),
    ],
    ids=["nesterov-ExponentialLR", "rmsprop-StepLR", "adam-CosineAnnealingLR"],
)
def test_a_net_trained_with_a_schedule_ends_where_torchs_does(name, schedule, scheduler, kwargs):
    torch = pytest.importorskip("torch")
    X, y = tn.datasets.spiral(n_per_class=20, rng=0)
    model = tiny_net()
    make = getattr(torch.optim.lr_scheduler, scheduler)
    theirs, losses = torch_net_training(torch, name, model, X, y, l2=1e-3, steps=STEPS,
                                        schedule=lambda optimizer: make(optimizer, **kwargs))
    history = model.fit(X, y, optimizer=TORCH_OPTIMIZERS[name][0](), l2=1e-3, iterations=STEPS,
                        callbacks=[schedule()])
    np.testing.assert_allclose(history.loss, losses, rtol=0, atol=1e-12)
    ours = model.parameters()
    for key, tensor in theirs.items():
        np.testing.assert_allclose(ours[key], tensor.detach().numpy(), rtol=0, atol=1e-12, err_msg=key)
    assert history.lr[-1] < 0.5 * history.lr[0]
