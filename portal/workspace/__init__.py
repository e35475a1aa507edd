"""The ministry workspace: where staff keep their ministry's regulations and documents."""
