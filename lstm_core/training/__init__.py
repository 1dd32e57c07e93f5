"""Training: the readable loop (the reference), the one online driver and the fast engines.

    loop      the readable training loop: the paper's online protocol or minibatches, any model
    online    the one online driver of the paper's protocol (rows and chapters' live runs)
    engines/  fast numba paths behind one interface, each tested against autograd in float64
    threads   the one context manager for numba's and torch's threads (nothing is set at import)
"""
