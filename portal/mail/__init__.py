"""The mail outbox: every e-mail is stored first, then logged or sent."""
