"""Time: reminder jobs, deadline calculators and the delivery outbox (see issue #5; not built yet)."""
