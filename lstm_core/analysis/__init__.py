"""Measurements the chapters make: error flow, the carousel, the 1997 design choices, looks inside trained nets.

    gradients  error flow back through time and through depth
    carousel   the constant error carousel and the gates that guard it
    design     the scissors, gate biases and the squashers g, h, measured on small seeded runs
    inside     what trained networks do inside: gate activity, cell states, stopping-rule statistics
    probes     task samples, temporal-order phases, guessing the latch (Exps. 2, 3, 5, 6)
    compare    the 1997 LSTM beside its successors on the same tasks
"""
