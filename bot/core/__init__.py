"""The kernel every layer may use: messages and targets, clock, models and database, the data-file loader, the
delivery contracts channels implement and the outbox. It imports no feature."""
