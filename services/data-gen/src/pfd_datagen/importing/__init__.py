"""Import of real recordings: readers per file format and the import pipeline."""
