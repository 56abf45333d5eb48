"""Pure figure builders: data in, ``plotly.graph_objects.Figure`` out (no I/O, unit-tested)."""
