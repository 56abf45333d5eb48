"""The browser dashboard (Plotly Dash) served by the gateway at "/".

``app.py`` builds the Dash app and mounts it; ``pages/`` holds one module per page (ids prefixed with the
page name), ``components/`` the shared layout pieces, ``figures/`` pure figure builders, ``assets/`` the
clientside code (live WebSocket, theme, forms). Callbacks reach the async gateway services through
``bridge.LoopBridge``; failures go through the error boundary in ``errors.py``.
"""
