"""Channel-neutral value types, dialog state, routing, content schema and ports. No I/O here."""
