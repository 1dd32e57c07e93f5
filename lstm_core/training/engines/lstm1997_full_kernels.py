"""The numba kernels of the 1997 network with the scissors off: exact backprop through time.

Without the paper's truncation (App. A.1) error reaches the past along every recurrent
connection: each hidden unit u (cells *and* gates, connectivity "F") reads y(t-1), so the error
of step t flows into every activation of step t-1 through the weights w_{r, u}, and from there
into that step's gates, cells and states; and along the CEC, s_c(t) -> s_c(t-1), as with the
scissors on. With

    z(t)            = [x(t), y(t-1), 1]                     what every hidden unit reads
    R_u(t)          = sum_r w_{r, u} delta_r(t + 1)         error into y^u(t) from step t+1 (0 at the last
                                                            step with a target)
    dL/dy^c(t)      = sum_k delta_k(t) w_kc + R_c(t)         outputs (masked steps) and recurrence

the backward pass runs, from the last step with a target down to the first,

    dL/ds_c(t)      = dL/ds_c(t+1) + dL/dy^c(t) y^out_j(t) h'(s_c(t))          the CEC, plus y^c
    output gate j   : delta_out(t) = f'(net_out_j) [R_out_j(t) + sum_{c in j} dL/dy^c(t) h(s_c(t))]
    input gate j    : delta_in(t)  = f'(net_in_j)  [R_in_j(t)  + sum_{c in j} dL/ds_c(t) g(net_c(t))]
    cell c          : delta_c(t)   = dL/ds_c(t) y^in_j(t) g'(net_c(t))
    then            : R_u(t - 1)   = sum_r w_{r, u} delta_r(t)                  error into y(t-1)

and dL/dW = sum_t delta(t) z(t)^T as on the truncated path. With R = 0 these are exactly the
truncated deltas of ``lstm1997_kernels`` (eqs. 21, 25, 27): the scissors are the statement R = 0.

What is reused: the forward pass and each step's output errors are ``lstm1997_kernels.forward_backward``
(per-sequence mode; its truncated deltas of the input gates and cells are overwritten here, its
instantaneous output-gate deltas are kept and the recurrent part is added), and the weight
update is ``lstm1997_kernels.accumulate``. Only the backward pass is new. h(s_c(t)) and
h'(s_c(t)), which the forward pass does not keep, are recomputed by summing the CEC again in the
same order (bit for bit the forward pass's s_c).

A sequence is refused (nothing applied) if a net input, the loss or a delta of either pass is
not finite. Kernels are compiled once per machine and cached (``cache=True``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from lstm_core.training.engines.lstm1997_kernels import accumulate, forward_backward
from lstm_core.training.engines.squash import squash

__all__ = ["full_backward", "full_sequence", "full_online_kernel", "full_gradient_kernel"]


@njit(cache=True)
def full_backward(W, dims, last, Y, gc, gpc, yin, fpin, es, D, hs, hp, R, ds):
    """The full backward pass of one sequence after ``forward_backward``; overwrites D[:last+1].

    hs, hp (T, C) and R (H,), ds (C,) are scratch. Returns False if a delta is not finite.
    """
    n_in, B, S, has_out, h_code = dims[0], dims[1], dims[2], dims[3], dims[5]
    C = B * S
    H = W.shape[0]
    # h(s_c(t)), h'(s_c(t)): the CEC summed again exactly as the forward pass summed it
    for c in range(C):
        ds[c] = 0.0  # used as s_c here, then as dL/ds_c
    for t in range(last + 1):
        for c in range(C):
            ds[c] += yin[t, c // S] * gc[t, c]
            hv, hd = squash(h_code, ds[c])
            hs[t, c] = hv
            hp[t, c] = hd
    for c in range(C):
        ds[c] = 0.0  # dL/ds_c(last + 1) = 0
    for u in range(H):
        R[u] = 0.0  # nothing after the last target: no error into y(last)
    for t in range(last, -1, -1):
        # dL/ds_c(t) = dL/ds_c(t+1) + (output error + recurrent error into y^c) y^out h'(s_c)
        for c in range(C):
            yo = Y[t + 1, C + B + c // S] if has_out else 1.0
            ds[c] += es[t, c] + R[c] * yo * hp[t, c]
        if has_out:  # D[t] holds the instantaneous part (eq. 21); add what comes back through y(t)
            for j in range(B):
                yo = Y[t + 1, C + B + j]
                a = R[C + B + j]
                for c in range(j * S, (j + 1) * S):
                    a += R[c] * hs[t, c]
                D[t, C + B + j] += a * yo * (1.0 - yo)
        for j in range(B):  # input gate j: through s_c and through y^in_j(t) itself
            a = R[C + j]
            for c in range(j * S, (j + 1) * S):
                a += ds[c] * gc[t, c]
            D[t, C + j] = a * fpin[t, j]
        for c in range(C):  # cell c
            D[t, c] = ds[c] * yin[t, c // S] * gpc[t, c]
        for r in range(H):
            if not math.isfinite(D[t, r]):
                return False
        if t > 0:  # R_u(t-1) = sum_r w_{r,u} delta_r(t): the connections the scissors cut
            for u in range(H):
                R[u] = 0.0
            for r in range(H):
                d = D[t, r]
                if d == 0.0:
                    continue
                for u in range(H):
                    R[u] += d * W[r, n_in + u]
    return True


@njit(cache=True)
def full_sequence(W, Wk, dims, ptr, idx, val, step0, L, targets, mask, out,
                  Y, gc, gpc, yin, fpin, es, D, Dk, hs, hp, R, ds, bias_h, bias_k, none2, none1):
    """Forward pass and full backward pass of one sequence; returns (loss, last, ok), deltas in D, Dk."""
    loss, last, ok = forward_backward(W, Wk, dims, ptr, idx, val, step0, L, targets, mask, out,
                                      Y, gc, gpc, yin, fpin, es, D, Dk, 0.0, bias_h, bias_k, none2, none2, none1)
    if ok:
        ok = full_backward(W, dims, last, Y, gc, gpc, yin, fpin, es, D, hs, hp, R, ds)
    return loss, last, ok


@njit(cache=True, parallel=True)
def full_online_kernel(W, Wk, bias_h, bias_k, dims, active, ptr, idx, val, step0, lengths,
                       targets, mask, lr, out, failed):
    """Online SGD with the full gradient for the trials in ``active``, in parallel; one update per sequence.

    Arguments as ``lstm1997_kernels.online_kernel``: W (K, H, Z), Wk (K, n_out, C+1), step0 and
    lengths (K, n), targets (K, n, T, n_out), mask (K, n, T), out (K, n, T, n_out); failed[k]
    is set to the sequence whose loss or deltas were not finite (not applied; the trial stops).
    """
    n = lengths.shape[1]
    T = targets.shape[2]
    H = W.shape[1]
    C = Wk.shape[2] - 1
    B = dims[1]
    n_out = Wk.shape[1]
    n_in = dims[0]
    for a in prange(active.shape[0]):
        k = active[a]
        Y = np.empty((T + 1, H))
        gc = np.empty((T, C))
        gpc = np.empty((T, C))
        yin = np.empty((T, B))
        fpin = np.empty((T, B))
        es = np.empty((T, C))
        D = np.empty((T, H))
        Dk = np.empty((T, n_out))
        hs = np.empty((T, C))
        hp = np.empty((T, C))
        R = np.empty(H)
        ds = np.empty(C)
        none2, none1 = np.empty((0, 0)), np.empty(0)  # no RTRL traces
        for i in range(n):
            loss, last, ok = full_sequence(W[k], Wk[k], dims, ptr, idx, val, step0[k, i], lengths[k, i],
                                           targets[k, i], mask[k, i], out[k, i], Y, gc, gpc, yin, fpin, es, D, Dk,
                                           hs, hp, R, ds, bias_h, bias_k, none2, none1)
            if not ok:
                failed[k] = i
                break
            # every delta is computed with the weights the sequence ran on; only now do they change
            accumulate(W[k], Wk[k], -lr, bias_h, bias_k, n_in, ptr, idx, val, step0[k, i], last,
                       mask[k, i], Y, D, Dk)


@njit(cache=True)
def full_gradient_kernel(W, Wk, bias_h, bias_k, dims, ptr, idx, val, step0, lengths, targets, mask,
                         out, losses, G, Gk, failed):
    """The full gradients of n sequences (same weights), summed into G, Gk; no update.

    step0, lengths (n,), targets (n, T, n_out), mask (n, T), out (n, T, n_out), losses (n,).
    failed[0] is the first sequence whose loss or deltas were not finite (-1 if none; its
    gradient is not added).
    """
    n = lengths.shape[0]
    T = targets.shape[1]
    H = W.shape[0]
    C = Wk.shape[1] - 1
    B = dims[1]
    n_out = Wk.shape[0]
    n_in = dims[0]
    Y = np.empty((T + 1, H))
    gc = np.empty((T, C))
    gpc = np.empty((T, C))
    yin = np.empty((T, B))
    fpin = np.empty((T, B))
    es = np.empty((T, C))
    D = np.empty((T, H))
    Dk = np.empty((T, n_out))
    hs = np.empty((T, C))
    hp = np.empty((T, C))
    R = np.empty(H)
    ds = np.empty(C)
    none2, none1 = np.empty((0, 0)), np.empty(0)
    for i in range(n):
        loss, last, ok = full_sequence(W, Wk, dims, ptr, idx, val, step0[i], lengths[i], targets[i], mask[i],
                                       out[i], Y, gc, gpc, yin, fpin, es, D, Dk, hs, hp, R, ds, bias_h, bias_k,
                                       none2, none1)
        losses[i] = loss
        if not ok:
            if failed[0] < 0:
                failed[0] = i
            continue
        accumulate(G, Gk, 1.0, bias_h, bias_k, n_in, ptr, idx, val, step0[i], last, mask[i], Y, D, Dk)
