"""Demo data: a small edition written through the services, and a company-size bulk one."""
