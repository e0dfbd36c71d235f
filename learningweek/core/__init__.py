"""What every feature stands on: the database, enums, domain errors, local time, text."""
