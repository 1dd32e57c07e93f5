"""Fast engines for the paper's online protocol (numba, float64).

    lstm1997  the 1997 network with the scissors on: one update per sequence
    rtrl      the same network, one update at every step with error (truncated RTRL, App. A.1)
    lstm2a    the network of experiments 2a/2b (one cell, input gate only)
    rnn       the vanilla tanh RNN baseline, full backprop through time
"""
