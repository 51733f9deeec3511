"""Events and peer visits: open days, webinars, school visits, registrations, calendars."""
