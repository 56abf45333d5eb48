"""The explanations slice: the read model of the xai service's explanations and embeddings, and their use cases."""
