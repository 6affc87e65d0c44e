"""The staff console in the browser, served under /console/ on the project's HTTP server (bot/http_server.py).

app.py lists the routes; web.py is the base handler every page derives from (session, CSRF, role); auth.py
keeps sessions, the cookie secret and the login throttle; accounts.py the accounts (also for `ipbot staff`);
audit.py the audit log (audit_labels.py: as a person reads it); figures.py a figure's n, interval and "too few";
one module a page area (overview, handoffs, survey_pages, reminders_page, outbox_page, accounts_page,
password_page); texts.py what the console says; templates/ and static/ what the browser gets (confirm.html: the
confirm step before a destructive action, web.py ask_to_confirm).
"""
