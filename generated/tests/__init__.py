"""Tests of the generated binance.spot package: every operation on the wire, every model."""
