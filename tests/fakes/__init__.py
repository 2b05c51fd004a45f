"""Fakes at the I/O boundary: local servers that speak the platforms' HTTP APIs on 127.0.0.1."""
