"""Google Calendar (API v3): sign-in, the API client and the event mapping.

Imported only when a Google source or an ``auth`` command is used.
"""
