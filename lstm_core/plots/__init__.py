"""Matplotlib figures for the chapters.

Every function takes plain data (arrays, sequences) and an optional ``ax``, draws nothing
it does not return, and returns the :class:`matplotlib.figure.Figure` with an opaque white
background (so figures read the same on a dark page, in a PDF and in a notebook).
One module per chapter topic, e.g. :mod:`lstm_core.plots.history`.
"""
