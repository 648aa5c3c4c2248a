"""The study of the cures (#11): initialisers, normalisation, residual blocks and depth, varied together."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.study import INITIALIZERS, build_nets, compare, main, save_figures, variants


def test_every_combination_is_one_net_labelled_by_what_varies():
    chosen = variants(["sigmoid", "relu"], init=["glorot", "he"], norm=["none", "layernorm"], residual=[False, True],
                      depth=[3, 6])
    assert len(chosen) == 2 * 2 * 2 * 2 * 2
    varying = {"init", "norm", "residual", "depth"}
    assert chosen[0].label(varying) == "sigmoid, glorot, depth 3"
    assert chosen[7].label(varying) == "sigmoid + layernorm + residual, glorot, depth 6"
    assert chosen[-1].label(varying) == "relu + layernorm + residual, he, depth 6"
    assert variants("sigmoid")[0].label(set()) == "sigmoid"


def test_bad_names_are_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown normalisation 'batch'; valid names are 'none', 'batchnorm', "
                                         r"'layernorm'\. Did you mean 'batchnorm'\?"):
        variants("relu", norm="batch")
    with pytest.raises(ValueError, match=r"unknown initializer 'xavier'"):
        variants("relu", init="xavier")
    with pytest.raises(TypeError, match="residual must be True/False"):
        variants("relu", residual="yes")
    with pytest.raises(TypeError, match="init must be an Initializer"):
        variants("relu", init=tn.init.HeNormal)


def test_norm_goes_before_the_activation_and_residual_wraps_all_but_the_first_layer():
    net = build_nets(variants("tanh", norm="batchnorm", residual=True, depth=3), 2, 3, width=4)[0]
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == ["Dense", "BatchNorm", "Tanh", "Residual", "Residual", "Dense"]
    assert [type(layer).__name__ for layer in net[3]] == ["Dense", "BatchNorm", "Tanh"]
    net = build_nets(variants("maxout", norm="layernorm", depth=2), 2, 3, width=4)[0]
    assert [type(layer).__name__ for layer in net] == ["Maxout", "LayerNorm", "Maxout", "LayerNorm", "Dense"]


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_initialisers_by_name_draw_their_distribution(name):
    net = build_nets(variants("relu", init=name, depth=2), 2, 3, width=400)[0]
    W = net[2].params["W"]  # 400 x 400
    expected = {"normal": 0.1, "standard": 1 / np.sqrt(3 * 400), "glorot": np.sqrt(2 / 800), "he": np.sqrt(2 / 400)}
    assert W.std() == pytest.approx(expected[name], rel=0.02)


def test_the_default_study_draws_the_notebook_s_nets():
    plain = build_nets(variants(["sigmoid", "relu"]), 2, 3, rng=np.random.RandomState(0))
    rng = np.random.RandomState(0)
    for net, act in zip(plain, [tn.Sigmoid, tn.ReLU], strict=True):
        notebook = tn.Sequential(tn.Dense(2, 50, init=tn.init.Normal(0.1), rng=rng), act(),
                                 tn.Dense(50, 50, init=tn.init.Normal(0.1), rng=rng), act(),
                                 tn.Dense(50, 3, init=tn.init.Normal(0.1), rng=rng))
        for key, value in notebook.parameters().items():
            np.testing.assert_array_equal(net.parameters()[key], value)


def test_a_cures_study_records_activation_statistics_and_signals_at_initialisation(tmp_path):
    result = compare("sigmoid", init=["standard", tn.init.GlorotNormal()], norm=["none", "batchnorm"], depth=3,
                     width=8, iterations=40, quiet=True)
    assert list(result) == ["sigmoid, standard", "sigmoid + batchnorm, standard", "sigmoid, GlorotNormal()",
                            "sigmoid + batchnorm, GlorotNormal()"]
    run = result["sigmoid + batchnorm, standard"]
    assert run.variant.norm == "batchnorm"
    assert run.variant.init == "standard"
    assert list(run.stats.mean) == ["sigmoid_0", "sigmoid_1", "sigmoid_2"]
    assert list(run.signals) == [name for name, layer in run.model.named_layers()]
    assert run.signals["dense_0"].role == "weights"
    assert run.signals["sigmoid_0"].role == "activation"
    header, *rows = result.summary().splitlines()
    assert header.split() == ["net", "final", "loss", "accuracy", "grad", "layer", "1", "grad", "output", "layer",
                              "ratio"]
    tail = run.gradient_matrix[:, -100:].mean(axis=1)
    assert rows[1].split()[-1] == f"{tail[0] / tail[-1]:.3g}"
    written = {path.name for path in save_figures(result, tmp_path)}
    assert {"gradient_flow_rows.png", "accuracy.png", "activation_stats.png", "spread_at_init.png",
            "activations_at_init.png", "gradients_at_init.png"} <= written


def test_a_study_of_activations_only_writes_no_cures_figures(tmp_path):
    written = {path.name for path in save_figures(compare(("relu", "tanh"), iterations=3, quiet=True), tmp_path)}
    assert not written & {"gradient_flow_rows.png", "accuracy.png", "activation_stats.png"}


def test_normalisation_and_residual_blocks_bring_the_first_layer_s_gradient_back():
    # the check, shortened: depth 10, sigmoid; the plain net's first layer gets a gradient
    # more than 100x smaller than its output layer's, the others' within 100x
    result = compare("sigmoid", depth=10, norm=["none", "batchnorm"], residual=[False, True], iterations=1000,
                     quiet=True)
    ratios = {name: run.gradient_matrix[0, -100:].mean() / run.gradient_matrix[-1, -100:].mean()
              for name, run in result.items()}
    assert ratios["sigmoid"] < 1e-2
    for name in ("sigmoid + residual", "sigmoid + batchnorm", "sigmoid + batchnorm + residual"):
        assert 1e-2 < ratios[name] < 1e2, (name, ratios[name])


def test_the_command_counts_the_nets_and_asks_before_many(capsys):
    argv = ["--activations", "sigmoid", "relu", "--norm", "none", "batchnorm", "layernorm", "--residual", "off", "on",
            "--init", "glorot", "he", "--iterations", "2", "--no-figures"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "these options ask for 24 nets" in capsys.readouterr().err
    assert main(["--activations", "relu", "--norm", "none", "batchnorm", "--residual", "off", "on",
                 "--iterations", "2", "--no-figures", "--print-every", "5"]) == 0
    _out, err = capsys.readouterr()
    assert "tinynet-study: training 4 nets" in err
    assert "training the relu + batchnorm net" in err
    with pytest.raises(SystemExit):
        main(["--norm", "none", "none"])
    assert "argument --norm: a value is given twice" in capsys.readouterr().err


def test_the_command_takes_several_depths_and_yes(capsys):
    argv = ["--activations", "relu", "--depth", "1", "2", "3", "4", "--init", "normal", "standard", "glorot", "he",
            "--iterations", "2", "--no-figures", "--quiet"]
    with pytest.raises(SystemExit):
        main(argv)
    assert main([*argv, "--yes"]) == 0
