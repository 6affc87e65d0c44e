"""Local stand-ins for the platforms' HTTP APIs; tests and benchmarks reach them on 127.0.0.1 only."""
