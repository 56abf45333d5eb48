"""Signal Viewer: one record of a data set read by ranged GETs, analysed for display and export."""
