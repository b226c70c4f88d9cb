"""Documents and files made from the data: PDFs, and (later) export bundles."""
