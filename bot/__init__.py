"""The Telegram channel on python-telegram-bot 22: turns updates into channel-neutral events
for `dialogs`, renders the replies, downloads uploads, and pushes notifications under
Telegram's limits. No business rule lives here."""
