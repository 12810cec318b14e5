"""The user-facing side of samordna: the command line and the Telegram bot."""
