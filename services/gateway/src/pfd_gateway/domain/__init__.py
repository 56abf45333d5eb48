"""Gateway read models, free of web, broker and database frameworks."""
