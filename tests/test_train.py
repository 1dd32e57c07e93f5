"""The readable training loop: the paper's update rule, histories, stopping and divergence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core import paper_network
from lstm_core.tasks import adding, temporal_order
from lstm_core.tasks.stopping import StoppingRule
from lstm_core.training.loop import TrainConfig, as_tensors, fit, predict, sequence_loss, training_batches

SHORT = adding.AddingConfig(T=12)


def test_sequence_loss_is_half_the_papers_error_at_masked_steps():
    out = torch.tensor([[[0.2], [0.9]], [[0.5], [0.1]]])
    tgt = torch.tensor([[[1.0], [0.5]], [[0.0], [0.0]]])
    mask = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
    # 1/2 (0.9-0.5)^2 = 0.08 ; 1/2 (0.5^2 + 0.1^2) = 0.13
    torch.testing.assert_close(sequence_loss(out, tgt, mask), torch.tensor([0.08, 0.13]))


def test_online_sgd_step_is_the_papers_update_w_minus_alpha_grad():
    """One fit() step of batch 1 equals w - alpha * d(E/2)/dw computed by hand on the same sequence."""
    net = paper_network("adding", seed=0).double()
    before = {k: v.detach().clone() for k, v in net.named_parameters()}
    batch = next(training_batches(adding, SHORT, 1, seed=5))
    x, y, m = as_tensors(batch, torch.float64)
    ref = paper_network("adding", seed=0).double()
    loss = sequence_loss(ref(x)[0], y, m).sum()
    grads = dict(zip([k for k, _ in ref.named_parameters()], torch.autograd.grad(loss, list(ref.parameters()))))
    fit(net, adding, TrainConfig(0.5, max_sequences=1, seed=5, progress=False), task_config=SHORT,
        stopping_rule=False)
    for name, p in net.named_parameters():
        torch.testing.assert_close(p.detach(), before[name] - 0.5 * grads[name], rtol=0, atol=1e-12)


def test_fit_reduces_the_loss_and_records_history():
    net = paper_network("adding", seed=1)
    h = fit(net, adding, TrainConfig(0.05, max_sequences=3200, batch_size=32, optimizer="adam", log_every=640,
                                     progress=False), task_config=SHORT, stopping_rule=False)
    assert h.sequences == [640, 1280, 1920, 2560, 3200]
    assert len(h.loss) == len(h.error) == len(h.accuracy) == 5
    assert h.loss[-1] < 0.5 * h.loss[0] and h.accuracy[-1] > h.accuracy[0]
    assert "not the paper's protocol" in h.protocol and not h.diverged


def test_fit_stops_when_the_rule_is_met():
    class AfterFive(StoppingRule):  # met once 5 sequences were seen
        def _step(self, correct, error):
            return self.n_seen >= 5

    net = paper_network("adding", seed=0)
    rule = AfterFive()
    h = fit(net, adding, TrainConfig(0.5, max_sequences=100, progress=False), task_config=SHORT, stopping_rule=rule)
    assert h.solved_at == 5 and h.n_sequences == 5 and "solved" in h.message


def test_divergence_stops_with_a_message_that_says_what_to_change():
    net = paper_network("adding", seed=0, output_activation="identity")
    with pytest.warns(RuntimeWarning, match="Lower the learning rate"):
        h = fit(net, adding, TrainConfig(1e6, max_sequences=200, progress=False), task_config=SHORT,
                stopping_rule=False)
    assert h.diverged and "try 100000" in h.message
    assert all(np.isfinite(h.loss))  # nothing non-finite was recorded for plotting


def test_predict_matches_forward_and_task_mismatch_raises():
    net = paper_network("6a", seed=0)
    batch = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 5, 0)
    out = predict(net, batch, chunk=2)
    np.testing.assert_allclose(out, net(torch.as_tensor(batch.inputs))[0].detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="needs 2 and 1"):
        fit(net, "adding", TrainConfig(0.1, max_sequences=1, progress=False))


@pytest.mark.parametrize("kwargs, match", [
    (dict(learning_rate=0.0), "learning_rate must be a positive number"),
    (dict(learning_rate=float("nan")), "learning_rate must be a positive number"),
    (dict(learning_rate=0.1, batch_size=0), "batch_size must be a positive integer"),
    (dict(learning_rate=0.1, optimizer="rmsprop"), "optimizer must be one of"),
    (dict(learning_rate=0.1, max_seconds=-1), "max_seconds must be positive"),
])
def test_bad_train_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


def test_unknown_task_name():
    with pytest.raises(ValueError, match="unknown experiment"):
        fit(paper_network("adding"), "addition", TrainConfig(0.1))
