"""Platform helpers shared by every context: configuration, AWS clients,
errors, HTTP resolver set-up, events and the outbox, pagination, clock."""
