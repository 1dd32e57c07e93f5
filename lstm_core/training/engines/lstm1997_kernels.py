"""The numba kernels of the 1997 network: one forward step, the truncated backward pass, SGD.

Why it can be fast
------------------
With the paper's truncation (App. A.1, the "scissors") the derivatives of net_in, net_out and
net_c with respect to the previous activations y(t-1) are set to zero, and the 1997 cell has
no forget gate. Error can then travel back in time along one path only: the cell state s_c,
whose step-to-step derivative d s_c(t) / d s_c(t-1) is exactly 1 (the Constant Error Carousel).
Backpropagation through time therefore collapses into a *reverse running sum*.

Take the loss of one sequence, L = 1/2 sum_t sum_k (y^k(t) - t^k(t))^2 over the steps where
the mask is on (the paper's E with its factor 2 moved into the learning rate alpha), and let
z(t) = [x(t), y(t-1), 1] be what every hidden unit reads at step t. Then

    e_s(t)         = dL_t / dy^c(t) * y^out_j(t) * h'(s_c(t))             local error of cell c
    dL / ds_c(t)   = sum_{tau >= t} e_s(tau)                              the CEC: a reverse cumsum
    output unit k  : delta_k(t)   = (y^k(t) - t^k(t)) f'(net_k(t))        masked steps only
                     dW_k        += delta_k(t) [y^c(t), 1]
    output gate j  : delta_out(t) = f'(net_out_j) sum_{c in j} dL_t/dy^c(t) h(s_c(t))   (eq. 21)
    input gate j   : delta_in(t)  = f'(net_in_j) sum_{c in j} dL/ds_c(t) g(net_c(t))     (eq. 25)
    cell c         : delta_c(t)   = dL/ds_c(t) y^in_j(t) g'(net_c(t))                    (eq. 27)
                     dW_u        += delta_u(t) z(t)   for every hidden unit u

Equations 25 and 27 are the paper's forward (RTRL) traces; summing them against the local
errors is the same as the reverse sum above, which needs no traces. One forward pass stores a
few numbers per step, one backward pass turns them into the deltas, and each delta adds one
outer product with z(t). There is no Python, no autograd graph and no per-step allocation.
Absent output gates make y^out = 1.

:func:`forward_backward` holds the network's one forward pass; the per-sequence kernels here and
the per-step RTRL kernel (``engines.rtrl``, through its ``rtrl_lr`` mode) both run it, so the 1997
forward pass and its per-step errors are written once.
Kernels are compiled once per machine and cached (``cache=True``), each for a single
signature (float64 arrays, int64 indices).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from lstm_core.training.engines.squash import squash

__all__ = ["forward_backward", "accumulate", "online_kernel", "minibatch_kernel"]


@njit(cache=True)
def forward_backward(W, Wk, dims, ptr, idx, val, step0, L, targets, mask, out,
                     Y, gc, gpc, yin, fpin, es, D, Dk, rtrl_lr, bias_h, bias_k, tr_in, tr_c, z):
    """One sequence: the forward pass, each step's errors, then the truncated backward pass.

    The 1997 network's forward pass, written once. Per-sequence mode (``rtrl_lr = 0``): reads W,
    Wk; writes out[:L], Y[:L+1], D[:last+1], Dk and nothing to any weight. Per-step mode
    (``rtrl_lr > 0``, ``engines.rtrl``): additionally carries the RTRL traces tr_in, tr_c (C, Z)
    of eqs. 25 and 27 and, at every step with a target, changes W and Wk at once by
    ``rtrl_lr`` times that step's gradient (z (Z,) is scratch); no backward pass.

    In per-sequence mode tr_in, tr_c and z are not touched (empty arrays will do).

    Returns (loss, last, ok): ``last`` is the last masked step (-1 if none), ok False if a net
    input, the loss or an error signal is not finite (per-sequence mode: nothing is applied;
    per-step mode: the updates of the earlier steps stay).
    """
    n_in, B, S, has_out = dims[0], dims[1], dims[2], dims[3]
    g_code, h_code, o_code = dims[4], dims[5], dims[6]
    C = B * S
    H = W.shape[0]
    Z = W.shape[1]
    n_out = Wk.shape[0]
    rtrl = rtrl_lr > 0.0
    net = np.empty(H)
    s = np.zeros(C)  # s_c(0) = 0
    hs = np.empty(C)
    hp = np.empty(C)
    yout = np.ones(B)  # y^out = 1 without output gates
    acc = np.zeros(C)
    loss = 0.0
    last = -1
    for u in range(H):
        Y[0, u] = 0.0  # activations reset at the sequence start: y(-1) = 0
    for t in range(L):
        # net_u(t) = sum_m w_um z_m(t),  z(t) = [x(t), y(t-1), 1]   (bias column last)
        for r in range(H):
            net[r] = W[r, Z - 1]
        for e in range(ptr[step0 + t], ptr[step0 + t + 1]):
            i = idx[e]
            v = val[e]
            for r in range(H):
                net[r] += W[r, i] * v
        finite = True
        for r in range(H):
            a = net[r]
            for u in range(H):
                a += W[r, n_in + u] * Y[t, u]  # y(t-1) enters as a constant: the scissors
            net[r] = a
            if not math.isfinite(a):
                finite = False
        if not finite:
            return math.nan, last, False
        # gates: y^in_j = f(net_in_j), y^out_j = f(net_out_j)
        for j in range(B):
            yi, dyi = squash(0, net[C + j])
            yin[t, j] = yi
            fpin[t, j] = dyi
            Y[t + 1, C + j] = yi
            if has_out:
                yo, _ = squash(0, net[C + B + j])
                yout[j] = yo
                Y[t + 1, C + B + j] = yo
        # CEC: s_c(t) = s_c(t-1) + y^in g(net_c);  y^c = y^out h(s_c)
        for c in range(C):
            j = c // S
            gv, gd = squash(g_code, net[c])
            gc[t, c] = gv
            gpc[t, c] = gd
            s[c] += yin[t, j] * gv
            hv, hd = squash(h_code, s[c])
            hs[c] = hv
            hp[c] = hd
            Y[t + 1, c] = yout[j] * hv
        # output units: y^k = f_out(sum_c w_kc y^c + b_k)
        masked = mask[t]
        for k in range(n_out):
            a = Wk[k, C]
            for c in range(C):
                a += Wk[k, c] * Y[t + 1, c]
            yk, dk = squash(o_code, a)
            out[t, k] = yk
            if masked:
                diff = yk - targets[t, k]
                loss += 0.5 * diff * diff
                Dk[t, k] = diff * dk  # delta_k = (y^k - t^k) f'(net_k)
        # this step's errors: into s_c (e_s) and, instantaneous only, into the output gates (eq. 21)
        if has_out:
            for j in range(B):
                D[t, C + B + j] = 0.0
        if masked:
            last = t
            for c in range(C):
                j = c // S
                ey = 0.0  # dL_t / dy^c(t)
                for k in range(n_out):
                    ey += Dk[t, k] * Wk[k, c]
                es[t, c] = ey * yout[j] * hp[c]  # local error into s_c
                if has_out:
                    D[t, C + B + j] += ey * hs[c]
            if has_out:
                for j in range(B):
                    D[t, C + B + j] *= yout[j] * (1.0 - yout[j])
        else:
            for c in range(C):
                es[t, c] = 0.0
        if rtrl:
            if not _rtrl_step(W, Wk, bias_h, bias_k, n_in, B, S, ptr, idx, val, step0 + t, Y, t, gc, gpc, yin,
                              fpin, es, D, Dk, masked, rtrl_lr, tr_in, tr_c, z):
                return loss, last, False
    if not math.isfinite(loss):
        return loss, last, False
    if rtrl:
        return loss, last, True
    # backward: dL/ds_c(t) = sum_{tau >= t} e_s(tau), a reverse running sum (the CEC)
    for t in range(last, -1, -1):
        for c in range(C):
            acc[c] += es[t, c]
        for j in range(B):
            a = 0.0
            for c in range(j * S, (j + 1) * S):
                a += acc[c] * gc[t, c]
            D[t, C + j] = a * fpin[t, j]  # eq. 25, input gate j
        for c in range(C):
            D[t, c] = acc[c] * yin[t, c // S] * gpc[t, c]  # eq. 27, cell c
        for r in range(H):
            if not math.isfinite(D[t, r]):
                return loss, last, False
        if mask[t]:
            for k in range(n_out):
                if not math.isfinite(Dk[t, k]):
                    return loss, last, False
    return loss, last, True


@njit(cache=True)
def _rtrl_step(W, Wk, bias_h, bias_k, n_in, B, S, ptr, idx, val, row, Y, t, gc, gpc, yin, fpin, es, D, Dk,
               masked, lr, tr_in, tr_c, z):
    """Truncated RTRL at step t: extend the traces (eqs. 25, 27); with a target, update W, Wk at once.

    False if an error signal of the step is not finite (then nothing of this step is applied).
    """
    C = B * S
    H = W.shape[0]
    F = W.shape[1]
    n_out = Wk.shape[0]
    # z(t) = [x(t), y(t-1), 1] as a dense vector, for the traces
    for j in range(n_in):
        z[j] = 0.0
    for e in range(ptr[row], ptr[row + 1]):
        z[idx[e]] = val[e]
    for j in range(H):
        z[n_in + j] = Y[t, j]
    z[F - 1] = 1.0
    for c in range(C):
        b = c // S
        for j in range(F):
            tr_in[c, j] += gc[t, c] * fpin[t, b] * z[j]  # eq. 25: d s_c / d w_in
            tr_c[c, j] += gpc[t, c] * yin[t, b] * z[j]  # eq. 27: d s_c / d w_c
    if not masked:
        return True
    for c in range(C):
        if not math.isfinite(es[t, c]):
            return False
    for k in range(n_out):
        if not math.isfinite(Dk[t, k]):
            return False
    for r in range(C + B, H):
        if not math.isfinite(D[t, r]):
            return False
    for k in range(n_out):  # output units: their instantaneous gradient
        for c in range(C):
            Wk[k, c] -= lr * Dk[t, k] * Y[t + 1, c]
        if bias_k[k]:
            Wk[k, C] -= lr * Dk[t, k]
    for b in range(B):
        if H > C + B:  # output gates: the instantaneous error only (eq. 21)
            r = C + B + b
            for j in range(F - 1):
                W[r, j] -= lr * D[t, r] * z[j]
            if bias_h[r]:
                W[r, F - 1] -= lr * D[t, r]
        r = C + b  # input gates: the traces of eq. 25 against the error into s_c
        for j in range(F):
            grad = 0.0
            for c in range(b * S, (b + 1) * S):
                grad += es[t, c] * tr_in[c, j]
            if j < F - 1 or bias_h[r]:
                W[r, j] -= lr * grad
    for c in range(C):  # cells: the traces of eq. 27
        for j in range(F):
            if j < F - 1 or bias_h[c]:
                W[c, j] -= lr * es[t, c] * tr_c[c, j]
    return True


@njit(cache=True)
def accumulate(G, Gk, scale, bias_h, bias_k, n_in, ptr, idx, val, step0, last, mask, Y, D, Dk):
    """G += scale * sum_t D(t) z(t)^T and Gk += scale * sum_t Dk(t) [y^c(t), 1]^T.

    With G = W and scale = -lr this is the SGD update itself; with zeroed G and scale 1 it is
    the gradient. Absent biases (flags False) are never touched.
    """
    H = G.shape[0]
    Z = G.shape[1]
    n_out = Gk.shape[0]
    C = Gk.shape[1] - 1
    for t in range(last + 1):
        e0 = ptr[step0 + t]
        e1 = ptr[step0 + t + 1]
        for r in range(H):
            d = scale * D[t, r]
            if d == 0.0:
                continue
            for e in range(e0, e1):
                G[r, idx[e]] += d * val[e]
            for u in range(H):
                G[r, n_in + u] += d * Y[t, u]
            if bias_h[r]:
                G[r, Z - 1] += d
        if mask[t]:
            for k in range(n_out):
                d = scale * Dk[t, k]
                for c in range(C):
                    Gk[k, c] += d * Y[t + 1, c]
                if bias_k[k]:
                    Gk[k, C] += d


@njit(cache=True, parallel=True)
def online_kernel(W, Wk, bias_h, bias_k, dims, active, ptr, idx, val, step0, lengths,
                  targets, mask, lr, out, failed):
    """Online SGD for the trials listed in ``active``, in parallel; one update per sequence.

    W (K, H, Z), Wk (K, n_out, C+1), step0/lengths (K, n), targets (K, n, T, n_out),
    mask (K, n, T), out (K, n, T, n_out). failed[k] is set to the index of the sequence whose
    loss or deltas were not finite (that sequence is not applied; the trial stops there).
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
        none2, none1 = np.empty((0, 0)), np.empty(0)  # no RTRL traces in per-sequence mode
        for i in range(n):
            loss, last, ok = forward_backward(W[k], Wk[k], dims, ptr, idx, val, step0[k, i], lengths[k, i],
                                              targets[k, i], mask[k, i], out[k, i],
                                              Y, gc, gpc, yin, fpin, es, D, Dk, 0.0, bias_h, bias_k,
                                              none2, none2, none1)
            if not ok:
                failed[k] = i
                break
            accumulate(W[k], Wk[k], -lr, bias_h, bias_k, n_in, ptr, idx, val, step0[k, i], last,
                       mask[k, i], Y, D, Dk)


@njit(cache=True, parallel=True)
def minibatch_kernel(W, Wk, bias_h, bias_k, dims, ptr, idx, val, step0, lengths, targets, mask,
                     batch_size, lr, out, losses, G, Gk, failed):
    """Gradients summed over minibatches, parallel over sequences (P = G.shape[0] workers).

    lr > 0: after each minibatch W -= lr * mean gradient, then G restarts at 0.
    lr = 0: no update; G[p], Gk[p] accumulate the gradient over the whole batch (sum over p
    is the total). failed[0] is the first minibatch start with a non-finite sequence (-1 if none).
    """
    n = lengths.shape[0]
    T = targets.shape[1]
    P = G.shape[0]
    H = W.shape[0]
    Z = W.shape[1]
    C = Wk.shape[1] - 1
    B = dims[1]
    n_out = Wk.shape[0]
    n_in = dims[0]
    bad = np.zeros(n, dtype=np.bool_)
    for b0 in range(0, n, batch_size):
        b1 = min(n, b0 + batch_size)
        for p in prange(P):
            Y = np.empty((T + 1, H))
            gc = np.empty((T, C))
            gpc = np.empty((T, C))
            yin = np.empty((T, B))
            fpin = np.empty((T, B))
            es = np.empty((T, C))
            D = np.empty((T, H))
            Dk = np.empty((T, n_out))
            none2, none1 = np.empty((0, 0)), np.empty(0)  # no RTRL traces in per-sequence mode
            for i in range(b0 + p, b1, P):
                loss, last, ok = forward_backward(W, Wk, dims, ptr, idx, val, step0[i], lengths[i],
                                                  targets[i], mask[i], out[i], Y, gc, gpc, yin, fpin,
                                                  es, D, Dk, 0.0, bias_h, bias_k, none2, none2, none1)
                losses[i] = loss
                if ok:
                    accumulate(G[p], Gk[p], 1.0, bias_h, bias_k, n_in, ptr, idx, val, step0[i], last,
                               mask[i], Y, D, Dk)
                else:
                    bad[i] = True
        for i in range(b0, b1):
            if bad[i]:
                failed[0] = b0
                return
        if lr > 0.0:
            step = lr / (b1 - b0)
            for p in range(P):
                for r in range(H):
                    for m in range(Z):
                        W[r, m] -= step * G[p, r, m]
                        G[p, r, m] = 0.0
                for k in range(n_out):
                    for m in range(C + 1):
                        Wk[k, m] -= step * Gk[p, k, m]
                        Gk[p, k, m] = 0.0
