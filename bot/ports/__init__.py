"""The ports: small Protocols through which the use cases reach storage, chats, reports and time."""
