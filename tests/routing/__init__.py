"""Tests of the routing library (package, so test module names never collide)."""
