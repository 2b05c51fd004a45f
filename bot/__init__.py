"""P2K2 bot: one conversation, written once, delivered on WhatsApp, Telegram and the terminal."""
