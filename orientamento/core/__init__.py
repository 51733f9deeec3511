"""What every feature shares: errors, locale, security headers, home and health pages."""
