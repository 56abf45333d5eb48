"""Online condition monitoring: score each SignalWindowReceived with the machine's model (``scoring``), raise and
clear alerts with a pure rule (``rules``); ``simulator`` publishes windows for demos and tests (``pfd-simulate``)."""
