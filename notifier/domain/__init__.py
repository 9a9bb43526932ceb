"""Pure domain logic: calendar, time expressions, policy, status. No I/O, no wall clock."""
