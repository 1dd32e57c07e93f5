"""ipywidgets panels for the chapters, one module per topic, named as in :mod:`lstm_core.analysis`.

    gradients, carousel, gates, sweeps, inside, long_lag, samples, compare
        panels of each analysis topic (compute in ``lstm_core.analysis.<topic>``, figures in
        ``lstm_core.plots.<topic>``)
    history, rnn
        the timeline of chapter 1, the tanh RNN of chapter 2
    controls
        what every panel builds: sliders that refuse a start value outside their range, and a
        runner that shows a training error in the panel's status line

A dashboard only wires controls (sliders, dropdowns) to compute functions in ``lstm_core``
and plot functions in :mod:`lstm_core.plots`; it holds no logic of its own and returns the
widget.
"""
