"""The staff console: the window clerk, the offices and the supervisor in a browser.

    python main.py web --host 127.0.0.1 --port 8700
    python main.py staff user add --username NAME --role clerk|supervisor|<office> --password-stdin

accounts.py     accounts, roles, passwords (argon2), log-in with lock-out, sessions
app.py          the aiohttp application: sessions, CSRF, audit of every request, the routes
clerk.py        the clerk's queue page, case page, accept / return, tasks
queue.py        the queue: one statement per page, flat at 50,000 cases (the indexes of 0009)
materials.py    every page of every material as a picture, and the addresses that serve them
renderer.py     PDF pages to JPEG in a worker process with a time limit (pebble); kinds by bytes
pdf_pages.py    the PDFium work itself (pypdfium2), all the worker process imports
static/viewer.js zoom and rotate in the browser (the console's one script, no build step)
returns.py      return for correction per material and per page
walk_in.py      walk-in registration at the window, its receipt and one-time code
registration.py the walk-in form read into the case form, and the use case that files it
offices.py      an office's inbox, its item page and the answer form built from items.toml
supervisor.py   overdue and due-soon items per office (read-only), then the figures
figures.py      open cases, cases per day, time per item, ratings; the ratings page
"""
