"""The applicant conversation, channel-neutral. Never imports the Telegram library."""
