"""Pages of the surveys app (one module per part: public survey, results, poster, records)."""
