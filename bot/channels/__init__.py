"""Channel adapters: parse raw updates into `Inbound`, render `Outbound`, map transport errors."""
