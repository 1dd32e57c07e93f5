"""Training: the readable loop (the reference) and the fast engines for the paper's online protocol.

    loop      the readable training loop: the paper's online protocol or minibatches
    engines/  fast numba paths, each tested against autograd in float64
"""
