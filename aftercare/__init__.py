"""After the result, the workers: deliver the result notice (with the online-step guides),
check on the online steps a few days later, send the reminders workers asked for, each case in
a transaction of its own; and the documents the conversation sends (paperwork.py). The
conversation itself (signing, rating, online steps) is dialogs/engine's; the records are
cases/result.py, ratings.py and online_steps.py."""
