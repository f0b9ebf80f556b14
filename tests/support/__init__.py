"""Helpers the tests and the benchmark share: starting the real servers."""
