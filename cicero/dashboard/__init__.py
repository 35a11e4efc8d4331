"""The dashboard's service layer: what its pages, its API and the WhatsApp commands about
dashboard accounts do with the database, in the caller's transaction."""
