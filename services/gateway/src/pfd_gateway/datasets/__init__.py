"""The gateway's data-set slice: requests to data-gen, the data-set read model, uploads."""
