"""The rules of the domain, as pure functions without I/O: resident ID numbers (GB 11643),
statutory retirement age and contribution (the 2025 reform), materials, items and offices,
and working-day clocks. Nothing here knows about Telegram, the database or the conversation."""
