"""Bookings, the waitlist, cancellations and moves."""
