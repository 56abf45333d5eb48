"""The deployment slice of the gateway: deployments and the model registry, projected from the deploy service."""
