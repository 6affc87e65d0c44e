"""The runtime: settings, database, channel adapters, the command line and the wiring."""
