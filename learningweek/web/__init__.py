"""What every page shares: forms, URL parsing, security headers, templates, downloads."""
