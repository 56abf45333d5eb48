"""Reading and inspecting vibration recordings (.mat v4/v5/v7.3, .csv, .npy, .npz).

Needs numpy, scipy and h5py (the ``recordings`` extra of pfd-shared): data-gen reads signals with it, the
gateway inspects uploads (variables, lengths, dtypes, a stored sample rate) without reading the signals.
"""
