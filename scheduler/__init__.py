"""When things happen. Jobs get their work injected; the database decides what is due."""
