"""SLA arithmetic: business-hours calendars and clock computations (pure, no I/O)."""
