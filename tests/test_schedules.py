"""Learning-rate schedules: their formulas, torch.optim.lr_scheduler's sequences, and what fit does with them."""

import itertools
import math

import numpy as np
import pytest

import tinynet as tn


def data():
    return tn.datasets.spiral(n_per_class=10, rng=0)  # 30 rows


def net():
    return tn.Sequential(tn.Dense(2, 8, rng=0), tn.Tanh(), tn.Dense(8, 3, rng=1))


class Recording:
    """Mixed into an optimizer: remember the learning rate of every step it takes."""

    def step(self, params, grads):
        self.used = [*getattr(self, "used", []), self.lr]
        super().step(params, grads)


class RecordingSGD(Recording, tn.SGD):
    pass


class RecordingRMSProp(Recording, tn.RMSProp):
    pass


class RecordingAdam(Recording, tn.Adam):
    pass


# -- the formulas ----------------------------------------------------------------------------------


def test_step_decay_drops_by_gamma_every_step_size():
    decay = tn.StepDecay(step_size=3, gamma=0.5)
    assert [decay.lr_at(t, 0.8) for t in range(8)] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]
    assert decay.lr_at(30, 0.8) == 0.8 * 0.5**10


def test_exponential_decay_multiplies_by_gamma_every_time():
    decay = tn.ExponentialDecay(gamma=0.9)
    assert [decay.lr_at(t, 2.0) for t in range(3)] == [2.0, 1.8, 2.0 * 0.81]
    assert decay.lr_at(25, 2.0) == pytest.approx(2.0 * 0.9**25, rel=1e-15)


def test_cosine_decay_goes_half_a_cosine_down_to_min_lr_and_stays():
    decay = tn.CosineDecay(period=10, min_lr=0.01)
    lr = [decay.lr_at(t, 0.21) for t in range(15)]
    assert lr[0] == 0.21
    assert lr[5] == pytest.approx(0.11, rel=1e-15)  # half way: the mean of the two ends
    assert lr[10:] == [0.01] * 5
    assert lr[2] == pytest.approx(0.01 + 0.1 * (1 + math.cos(math.pi / 5)), rel=1e-15)
    assert lr[2] - 0.01 == pytest.approx(0.2 - (lr[8] - 0.01), rel=1e-14)  # symmetric about the middle
    assert all(a > b for a, b in itertools.pairwise(lr[:11]))


def test_schedules_check_their_arguments_and_show_them():
    for make, word in [(lambda: tn.StepDecay(0), "step_size"), (lambda: tn.StepDecay(2, gamma=0.0), "gamma"),
                       (lambda: tn.ExponentialDecay(-0.5), "gamma"), (lambda: tn.CosineDecay(0), "period"),
                       (lambda: tn.CosineDecay(5, min_lr=-1.0), "min_lr"), (lambda: tn.StepDecay(2, per="batch"),
                                                                             "per")]:
        with pytest.raises(ValueError, match=word):
            make()
    assert repr(tn.StepDecay(3, gamma=0.5)) == "StepDecay(step_size=3, gamma=0.5, per='epoch')"
    assert repr(tn.ExponentialDecay(0.9, per="iteration")) == "ExponentialDecay(gamma=0.9, per='iteration')"
    assert repr(tn.CosineDecay(10, min_lr=0.01)) == "CosineDecay(period=10, min_lr=0.01, per='epoch')"


# -- in fit ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [tn.StepDecay(2, gamma=0.5), tn.ExponentialDecay(0.7), tn.CosineDecay(4)],
                         ids=repr)
def test_per_epoch_every_step_of_epoch_t_uses_lr_at_t_and_history_records_it(schedule):
    X, y = data()
    optimizer = RecordingSGD(lr=0.3)
    history = net().fit(X, y, epochs=6, batch_size=10, rng=0, optimizer=optimizer, callbacks=[schedule])
    expected = np.repeat([schedule.lr_at(t, 0.3) for t in range(6)], 3)  # 3 iterations per epoch
    np.testing.assert_array_equal(history.lr, expected)
    np.testing.assert_array_equal(optimizer.used, expected)
    assert optimizer.lr == schedule.lr_at(6, 0.3)  # ready for the next epoch


@pytest.mark.parametrize("optimizer", [RecordingSGD(lr=0.3, momentum=0.9), RecordingRMSProp(lr=0.01),
                                       RecordingAdam(lr=0.01)], ids=lambda o: type(o).__name__)
def test_per_iteration_and_with_any_optimizer_that_has_an_lr(optimizer):
    X, y = data()
    schedule = tn.CosineDecay(period=10, min_lr=1e-3, per="iteration")
    lr0 = optimizer.lr
    history = net().fit(X, y, epochs=4, batch_size=10, rng=0, optimizer=optimizer, callbacks=[schedule])
    expected = [schedule.lr_at(i, lr0) for i in range(12)]
    np.testing.assert_array_equal(history.lr, expected)
    np.testing.assert_array_equal(optimizer.used, expected)


def test_the_count_goes_on_across_fits_from_the_first_fits_rate():
    X, y = data()
    model, optimizer, schedule = net(), tn.SGD(lr=0.4), tn.StepDecay(3, gamma=0.5)
    model.fit(X, y, epochs=4, optimizer=optimizer, callbacks=[schedule])
    again = model.fit(X, y, epochs=4, optimizer=optimizer, callbacks=[schedule])
    np.testing.assert_array_equal(again.lr, [schedule.lr_at(t, 0.4) for t in range(4, 8)])


def test_a_schedule_needs_an_optimizer_with_a_learning_rate():
    class Fixed(tn.Optimizer):
        def step(self, params, grads):
            for key, param in params.items():
                param -= 0.1 * grads[key]

    X, y = data()
    model = net()
    with pytest.raises(TypeError, match=r"StepDecay: the optimizer .* has no learning rate \(lr\) to set"):
        model.fit(X, y, iterations=3, optimizer=Fixed(), callbacks=[tn.StepDecay(2)])
    history = model.fit(X, y, iterations=3, optimizer=Fixed())
    assert np.isnan(history.lr).all()


# -- torch.optim.lr_scheduler ----------------------------------------------------------------------

TORCH_SCHEDULERS = [  # (tinynet schedule, torch scheduler class name, its arguments, epochs to compare)
    pytest.param(lambda: tn.StepDecay(step_size=3, gamma=0.5), "StepLR", {"step_size": 3, "gamma": 0.5}, 20,
                 id="StepLR"),
    pytest.param(lambda: tn.ExponentialDecay(gamma=0.8), "ExponentialLR", {"gamma": 0.8}, 20, id="ExponentialLR"),
    pytest.param(lambda: tn.CosineDecay(period=10, min_lr=0.01), "CosineAnnealingLR",
                 {"T_max": 10, "eta_min": 0.01}, 11, id="CosineAnnealingLR"),  # up to T: torch's goes up again
    pytest.param(lambda: tn.CosineDecay(period=7), "CosineAnnealingLR", {"T_max": 7}, 8,
                 id="CosineAnnealingLR-to-0"),
]


def torch_rates(torch, name, kwargs, lr0, n):
    """The learning rates a torch scheduler gives over ``n`` epochs (stepped at the end of each)."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
    rates = []
    for _ in range(n):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize(("make", "name", "kwargs", "n"), TORCH_SCHEDULERS)
def test_the_rates_are_torchs(make, name, kwargs, n):
    torch = pytest.importorskip("torch")
    X, y = data()
    theirs = torch_rates(torch, name, kwargs, 0.3, n)
    history = net().fit(X, y, epochs=n, batch_size=15, rng=0, optimizer=tn.SGD(lr=0.3), callbacks=[make()])
    np.testing.assert_allclose(history.lr[::2], theirs, rtol=1e-12, atol=0)  # 2 iterations per epoch
    np.testing.assert_allclose([make().lr_at(t, 0.3) for t in range(n)], theirs, rtol=1e-12, atol=0)
    assert theirs[-1] < 0.3 * 0.2  # they decayed
