"""Channel adapters: each only translates between a platform and handlers' Incoming/Reply."""
