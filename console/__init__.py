"""The console channel: the very same conversation in a terminal, with no network.

Two modes:
* human (`python main.py chat`): Chinese text, choices by number or label, files by path
  (`console/terminal.py`);
* JSON (`python main.py chat --json --user ID`): one JSON object per stdin line in, exactly one
  JSON line out per input line (a bad line gets an error line), for scripts and front ends
  (`console/json_lines.py`).

Both run one `Console` session (`console/session.py`) over the shared conversation service;
`console/inbox.py` reads the files a line names, `console/rendering.py` turns replies into
text or JSON, and `console/chat.py` runs a session over the parts the composition root built.

Pushes (the notification outbox of this applicant, e.g. "accepted" from the platform) are
shown as they arrive, after each input, and marked sent. With the embedded platform, the
platform outbox is delivered in-process after each input, so a submission reaches the
platform without any other process running.

When the database cannot be used (a SQLite file locked or unreadable, PostgreSQL down or the
connection dropped), the line is still answered, once: "busy, please try again shortly" (in
JSON mode with `"error": "service_unavailable"`), and the session carries on; the next line
after the database is back is handled as usual, where the conversation stood. Any other
failure of a turn is answered with an apology (`"error": "internal_error"`). The work after
each turn (platform calls, aftercare, pushes) never costs the line its answer: what fails
there is tried again after the next input.
"""
