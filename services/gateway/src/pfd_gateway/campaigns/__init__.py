"""Hyperparameter campaigns: Optuna studies whose trials are ordinary experiments run by the training workers."""
