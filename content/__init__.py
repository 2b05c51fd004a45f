"""P2K2 curriculum as versioned YAML data; parsed by `bot.content_loader`."""
