"""Events: open days, webinars, workshops and school visits, registrations, calendars, hours.

School-visit events are created and cancelled by the visits feature through
``services.schedule_school_visit`` and ``services.cancel_school_visit``; events never imports
visits.
"""
