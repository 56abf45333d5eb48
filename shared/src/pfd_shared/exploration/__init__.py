"""Exploring a data set without its signals: record filters, projection specs and the small arrays they use.

``models`` is pure pydantic (the events carry its types); ``selection`` and ``arrays`` need numpy and h5py,
which the services that read data sets (gateway, data-gen) install.
"""
