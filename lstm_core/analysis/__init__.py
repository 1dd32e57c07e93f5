"""Measurements the chapters make, one module per idea (plots and dashboards use the same names).

    gradients  error flow back through time and through depth
    carousel   the constant error carousel: a signal carried at weight 1.0, its gradients, a cell filling up
    gates      the gates that guard it: one cell update stage by stage, a hand-set write/read network
    scissors   the paper's truncated gradient: what it cuts (the unrolled graph) and what it saves
    sweeps     many small networks trained at once: variants of the 1997 design, initial gate biases
    inside     what a network does inside: gate activity, cell states, class separation, state drift
    long_lag   the long lags diagnosed: drift, gates and the error at the signal steps early in training
    samples    samples of the paper's tasks and which of their steps matter
    criteria   how hard the success criteria are: k correct in a row, random weight guessing
    compare    the 1997 LSTM beside its successors on the same tasks
"""
