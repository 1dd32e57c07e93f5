"""The model: the paper's squashers, the 1997 memory-cell block, the networks built from it and the baselines.

    activations  f, g, h of App. A.1 (and the 2a/2b exceptions)
    cells        one step of the 1997 memory-cell layer (CEC, shared gates, the scissors); a tanh RNN cell
    networks     the sequence interface, LSTM1997 and LSTM2a; the paper's networks by name (Table 10 counts)
    baselines    a tanh RNN, nn.LSTM, nn.GRU and a small Transformer behind the same interface
"""
