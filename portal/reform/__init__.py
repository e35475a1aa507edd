"""Compliance cost, the institutional space and (later) the reform-effort index."""
