"""The catalogue of services for young people: organisations, their services, sites and hours."""
