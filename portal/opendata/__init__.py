"""Open data: bulk files of the catalogue, consultations and reform scores (CSV and JSON Lines),
made again when their data change, and the page that lists them with the API and the feeds."""
