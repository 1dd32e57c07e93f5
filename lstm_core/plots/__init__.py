"""Matplotlib figures for the chapters, one module per topic, named as in :mod:`lstm_core.analysis`.

    gradients, carousel, gates, scissors, sweeps, inside, long_lag, samples, criteria, compare
        the figures of each analysis topic (compute in ``lstm_core.analysis.<topic>``)
    history, rnn, reproduction
        the timeline of chapter 1, the tanh RNN of chapter 2, the paper beside our reproduction

Every function takes plain data (arrays, sequences) and an optional ``ax``, draws nothing
it does not return, and returns the :class:`matplotlib.figure.Figure` with an opaque white
background (so figures read the same on a dark page, in a PDF and in a notebook). The shared
helpers (axes, colours, the one learning-curve drawing) are in :mod:`lstm_core.plots._figure`.
"""
