"""The staff console in the browser, served under /console/ on the project's HTTP server (bot/http_server.py).

app.py lists the routes; web.py is the base handler every page derives from (session, CSRF, role); auth.py
keeps sessions, the cookie secret and the login throttle; accounts.py the accounts (also for `ipbot staff`);
audit.py the audit log; one module a page area (overview, handoffs, survey_pages, reminders_page,
outbox_page, accounts_page); texts.py what the console says; templates/ and static/ what the browser gets.
"""
