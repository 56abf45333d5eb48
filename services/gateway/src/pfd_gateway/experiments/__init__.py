"""The gateway's experiments slice: training requests, the experiment read model, results and comparison."""
