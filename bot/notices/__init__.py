"""What the bot says: platform-neutral renderings of cards and notices, and the one button codec."""
