"""ipywidgets panels for the chapters.

A dashboard only wires controls (sliders, dropdowns) to compute functions in ``lstm_core``
and plot functions in :mod:`lstm_core.plots`; it holds no logic of its own and returns the
widget. One module per chapter topic, e.g. :mod:`lstm_core.dashboards.history`.
"""
