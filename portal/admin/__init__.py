"""Administration (the Government Office): users, ministries, fields, settings, audit, mail."""
