"""REST and WebSocket entrypoints (thin: parse, call one service function, render)."""
