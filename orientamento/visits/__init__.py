"""Peer visits: providers publish availability, counsellors request visits, providers answer.

A confirmed visit becomes a school-visit event through the events feature's interface
(``events.services.schedule_school_visit``); visits import events, never the other way.
The Milan calendar that decides which days take no visit (public holidays, the regional school
calendar, a provider's blocked days) lives here too: only visits consult it.
"""
