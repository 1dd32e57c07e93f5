"""The oracle the fast engines are tested against: torch autograd on the readable networks, float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch


def autograd_step(model: torch.nn.Module, x: np.ndarray, targets: np.ndarray, mask: np.ndarray):
    """Outputs, loss 1/2 sum over masked steps of (y^k - t^k)^2, and its autograd gradient by parameter name.

    ``x`` is one sequence (T, n_inputs); ``model(x[None])`` must return (outputs, state).
    """
    out = model(torch.as_tensor(x, dtype=torch.float64)[None])[0][0]
    diff = (out - torch.as_tensor(targets, dtype=torch.float64))[torch.as_tensor(mask)]
    loss = 0.5 * (diff ** 2).sum()
    names, params = zip(*model.named_parameters())
    grads = torch.autograd.grad(loss, params)
    return out.detach().numpy(), loss.item(), {n: g.numpy() for n, g in zip(names, grads)}


def assert_matches_autograd(fast_result, reference, label: str, out_atol: float = 1e-12) -> None:
    """A fast engine's (outputs, loss, grads) equal the oracle's: same keys in order, loss, outputs, every gradient."""
    out, loss, grads = fast_result
    out_ref, loss_ref, grads_ref = reference
    assert list(grads) == list(grads_ref), "keys must follow named_parameters()"
    assert loss == pytest.approx(loss_ref, abs=1e-12), label
    np.testing.assert_allclose(out, out_ref, rtol=0, atol=out_atol)
    for name, g in grads_ref.items():
        assert grads[name].shape == g.shape, f"{name}, {label}"
        np.testing.assert_allclose(grads[name], g, rtol=0, atol=1e-12, err_msg=f"{name}, {label}")
