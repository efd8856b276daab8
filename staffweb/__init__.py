"""The staff console: the window clerk, the offices and the supervisor in a browser.

    python main.py web --host 127.0.0.1 --port 8700
    python main.py staff user add --username NAME --role clerk|supervisor|<office> --password-stdin

accounts.py   accounts, roles, passwords (argon2), log-in with lock-out, sessions
app.py        the aiohttp application: sessions, CSRF, audit of every request, the routes
clerk.py      the clerk's queue (one query per page), case page, accept / return, tasks
offices.py    an office's inbox, its item page and the answer form built from policy/items.toml
supervisor.py overdue and due-soon items per office (read-only)
labels.py     plain Chinese for what staff see (form fields, values, materials, items)
cli.py        the commands
"""
