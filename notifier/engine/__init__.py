"""Sweep, dispatch and the scheduler that ticks them."""
