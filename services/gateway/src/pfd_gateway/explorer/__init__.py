"""The Data Explorer behind its page: filters, summaries, distributions, correlation, mutual-information ranking,
a paged records table and feature projections, all from the small arrays of a data set (never its signals)."""
